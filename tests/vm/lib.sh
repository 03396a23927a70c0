# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/vm/lib.sh: helpers for VM test scripts (bash).  Source it first:
#
#   #!/bin/bash
#   set -eu
#   . "$(dirname "$0")/lib.sh"
#
# Hosts are network namespaces (client, nat, lns, ...) joined by veth links;
# daemons log into $ART; everything is torn down on exit.  See README.md.

if [ "${LNSD_VM:-}" != 1 ] && [ "${LNSD_VM_ALLOW_HOST:-}" != 1 ]; then
	echo "lib.sh: refusing to run outside the test VM (use tests/vm/run SCRIPT)" >&2
	exit 2
fi

# Where logs, captures and configs go; it comes back to the host.
ART=${LNSD_ARTIFACTS:-/tmp/lnsd-vm-artifacts}
mkdir -p "$ART"
export ART
# For sockets, FIFOs and pid files: the 9p artifacts share cannot hold
# special files.
RUNDIR=/run/vmtest
mkdir -p "$RUNDIR"
export RUNDIR

_vm_pids=()
_vm_netns=()
_vm_t0=$(date +%s.%N)

log() { printf '[%6.2f] %s\n' "$(echo "$_vm_t0 $(date +%s.%N)" | awk '{print $2 - $1}')" "$*"; }

# fail MSG: print a clear reason and exit 1 (the EXIT trap cleans up).
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# skip MSG: the test cannot run here (an optional peer or tool is absent):
# print "SKIPPED: MSG" and exit 77, which tests/vm/run passes through and
# ctest counts as skipped (SKIP_RETURN_CODE), never as a pass.
LNSD_VM_SKIP=77
skip() {
	echo "SKIPPED: $*"
	exit "$LNSD_VM_SKIP"
}

# A command failing under set -e says where.
# shellcheck disable=SC2154 # _vm_rc is set inside the trap
trap '_vm_rc=$?; echo "FAIL: ${BASH_SOURCE[0]##*/}:$LINENO: \"$BASH_COMMAND\" exited with status $_vm_rc" >&2' ERR
set -E

# require PROG...: fail unless every program is installed.
require() {
	local p
	for p; do
		command -v "$p" >/dev/null 2>&1 || fail "'$p' is not installed (see tools/dev/packages.txt)"
	done
}

# on NS CMD...: run CMD inside namespace NS.
on() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# ns_add NAME...: new namespaces with lo up and IPv4 forwarding on.
ns_add() {
	local ns
	for ns; do
		ip netns add "$ns"
		_vm_netns+=("$ns")
		ip -n "$ns" link set lo up
		on "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
}

# link_add NS1 IF1 ADDR1/LEN NS2 IF2 ADDR2/LEN: a veth pair between two
# namespaces with an address on each end ("-" for none).
link_add() {
	local ns1=$1 if1=$2 a1=$3 ns2=$4 if2=$5 a2=$6
	ip link add "vm-$$-a" type veth peer name "vm-$$-b"
	ip link set "vm-$$-a" netns "$ns1" name "$if1"
	ip link set "vm-$$-b" netns "$ns2" name "$if2"
	[ "$a1" = - ] || ip -n "$ns1" addr add "$a1" dev "$if1"
	[ "$a2" = - ] || ip -n "$ns2" addr add "$a2" dev "$if2"
	ip -n "$ns1" link set "$if1" up
	ip -n "$ns2" link set "$if2" up
}

# route_add NS DEST VIA: e.g. route_add client default 10.10.0.1
route_add() { ip -n "$1" route add "$2" via "$3"; }

# nat_masquerade NS OUT_IF: source NAT everything leaving NS through OUT_IF.
nat_masquerade() {
	local ns=$1 oif=$2
	on "$ns" nft -f - <<-EOF
		table ip nat {
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "$oif" counter masquerade
			}
		}
	EOF
}

# topo_nat: the standard three-host topology
#   client (10.10.0.2/24, default via nat)
#     -- nat: eth0 10.10.0.1/24, eth1 198.51.100.1/24, masquerade on eth1
#     -- lns (198.51.100.2/24)
# The LNS has no route to 10.10.0.0/24: client traffic reaches it only
# through the NAT, as it would on the Internet.
topo_nat() {
	ns_add client nat lns
	link_add client eth0 10.10.0.2/24 nat eth0 10.10.0.1/24
	link_add nat eth1 198.51.100.1/24 lns eth0 198.51.100.2/24
	route_add client default 10.10.0.1
	nat_masquerade nat eth1
}

# topo_sites [-u MTU] [-m MTU] [-v] [LANA SITEA SITEB LANB NET LANNET]: two
# sites on one link, each with a LAN host behind a bridge (the pseudowire
# tests; defaults lana pwa pwb lanb 192.0.2 10.77.0, every subnet a /24):
#   LANA LANNET.1 -- [br0 SITEA NET.1] == NET.0/24 ==
#                    [NET.2 SITEB br0] -- LANB LANNET.2
# Each site's br0 (up) has lan0, its link to the LAN host, as its port; the
# pseudowire interface joins it.  -u: the sites' eth0 MTU; -m: the LAN hosts' eth0 MTU;
# -v: VLAN 100 on both LAN hosts (eth0.100, 10.78.0.1/24 and .2/24).
# Returns once SITEA gets an answer from SITEB.
topo_sites() {
	local OPTIND opt umtu='' lmtu='' vlan=0 ns i=0
	while getopts u:m:v opt; do
		case $opt in
		u) umtu=$OPTARG ;;
		m) lmtu=$OPTARG ;;
		v) vlan=1 ;;
		*) fail "topo_sites: unknown option" ;;
		esac
	done
	shift $((OPTIND - 1))
	local lana=${1:-lana} sa=${2:-pwa} sb=${3:-pwb} lanb=${4:-lanb} net=${5:-192.0.2} lan=${6:-10.77.0}
	ns_add "$lana" "$sa" "$sb" "$lanb"
	link_add "$sa" eth0 "$net.1/24" "$sb" eth0 "$net.2/24"
	if [ -n "$umtu" ]; then
		ip -n "$sa" link set eth0 mtu "$umtu"
		ip -n "$sb" link set eth0 mtu "$umtu"
	fi
	link_add "$lana" eth0 "$lan.1/24" "$sa" lan0 -
	link_add "$lanb" eth0 "$lan.2/24" "$sb" lan0 -
	for ns in "$sa" "$sb"; do
		ip -n "$ns" link add br0 type bridge
		ip -n "$ns" link set lan0 master br0
		ip -n "$ns" link set br0 up
	done
	for ns in "$lana" "$lanb"; do
		i=$((i + 1))
		[ -z "$lmtu" ] || ip -n "$ns" link set eth0 mtu "$lmtu"
		[ "$vlan" = 1 ] || continue
		ip -n "$ns" link add link eth0 name eth0.100 type vlan id 100
		ip -n "$ns" link set eth0.100 up
		ip -n "$ns" addr add "10.78.0.$i/24" dev eth0.100
	done
	wait_ping 10 "$sa" "$net.2"
}

# daemon NAME NS CMD...: start CMD in the background inside NS with its
# stdout/stderr in $ART/NAME.log; it is killed on exit.  Sets DAEMON_PID.
daemon() {
	local name=$1 ns=$2
	shift 2
	log "starting $name in $ns: $*"
	ip netns exec "$ns" "$@" >"$ART/$name.log" 2>&1 &
	DAEMON_PID=$!
	_vm_pids+=("$DAEMON_PID")
	export DAEMON_PID
}

# wait_for SECONDS WHAT CMD...: poll CMD every 0.2 s until it succeeds;
# fail naming WHAT after SECONDS.
wait_for() {
	local secs=$1 what=$2 end
	shift 2
	end=$(($(date +%s) + secs))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || fail "timed out after ${secs}s waiting for $what"
		sleep 0.2
	done
	log "ok: $what"
}

# wait_log SECONDS FILE REGEX: wait until FILE has a line matching REGEX.
wait_log() { wait_for "$1" "'$3' in ${2##*/}" grep -qE "$3" "$2"; }

# wait_ping SECONDS NS ADDR: wait until NS gets an answer from ADDR.
wait_ping() { wait_for "$1" "ping $3 from $2" on "$2" ping -c 1 -W 1 "$3"; }

# expect_ping NS ADDR [COUNT]: COUNT pings must all be answered.
expect_ping() {
	local ns=$1 addr=$2 n=${3:-3} out
	out=$(on "$ns" ping -c "$n" -i 0.2 -W 2 "$addr" 2>&1) || {
		echo "$out"
		fail "ping $addr from $ns"
	}
	echo "$out" | tail -n 2
	echo "$out" | grep -q " $n received, 0% packet loss" || fail "ping $addr from $ns lost packets"
	log "ok: ping $addr from $ns"
}

# capture_start NAME NS IFACE [FILTER]: dumpcap writes $ART/NAME.pcap
# (pcap format; read it back with tshark -r).
_vm_caps=()
capture_start() {
	local name=$1 ns=$2 ifc=$3
	shift 3
	rm -f "$ART/$name.pcap"
	daemon "capture-$name" "$ns" dumpcap -q -P -i "$ifc" -w "$ART/$name.pcap" ${1:+-f "$1"}
	_vm_caps+=("$DAEMON_PID")
	# dumpcap takes long to start in a TCG guest on a busy host.
	wait_log 60 "$ART/capture-$name.log" 'Capturing on'
}

# capture_stop: stop all captures and flush their files.
capture_stop() {
	local p
	for p in "${_vm_caps[@]}"; do
		kill -INT "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	_vm_caps=()
}

# charon_start NS: strongSwan's charon inside NS, with its own
# strongswan.conf ($ART/strongswan-NS/strongswan.conf; CHARON_EXTRA is
# pasted into its charon { } section) and a /run private to it (the pid file
# path is fixed at /var/run/charon.pid), so its VICI socket is
# $RUNDIR/charon-NS/charon.vici.  It loads no connection: see swan.
charon_start() {
	local ns=$1 d=$ART/strongswan-$1 charon=/usr/lib/ipsec/charon
	[ -x "$charon" ] || fail "$charon is not installed (strongswan-charon)"
	require unshare swanctl
	mkdir -p "$d" "$RUNDIR/charon-$ns"
	cat >"$d/strongswan.conf" <<-EOC
		charon {
			load_modular = yes
			install_routes = no
			install_virtual_ip = no
			retransmit_timeout = 2.0
			${CHARON_EXTRA:-}
			filelog {
				stderr {
					default = 1
					ike = 2
					cfg = 2
					knl = 1
					time_format = %T
					flush_line = yes
				}
			}
			plugins {
				include /etc/strongswan.d/charon/*.conf
			}
		}
		swanctl {
			load = random openssl pem pkcs1 x509 revocation constraints pubkey
		}
	EOC
	# shellcheck disable=SC2016 # $0 and $1 belong to the inner sh
	STRONGSWAN_CONF=$d/strongswan.conf daemon "charon-$ns" "$ns" \
		unshare -m --propagation private \
		sh -c 'mount --bind "$0" /run && exec "$1"' "$RUNDIR/charon-$ns" "$charon"
	wait_for 30 "charon in $ns (VICI socket)" test -S "$RUNDIR/charon-$ns/charon.vici"
}

# swan NS COMMAND ARGS...: swanctl against the charon of NS, e.g.
# swan client --initiate --child l2tp.
swan() {
	local ns=$1 cmd=$2
	shift 2
	STRONGSWAN_CONF=$ART/strongswan-$ns/strongswan.conf \
		swanctl "$cmd" --uri "unix://$RUNDIR/charon-$ns/charon.vici" "$@"
}

# swan_load NS FILE [ARGS]: load a swanctl.conf into the charon of NS
# (ARGS: e.g. --clear).  --load-all also scans x509/, private/, ... beside
# the file: they are not there.
swan_load() {
	local ns=$1 f=$2
	shift 2
	swan "$ns" --load-all --file "$f" "$@" 2>&1 | grep -v '^opening directory'
}

# dump_state: namespace addresses, routes, l2tp and xfrm state into $ART.
dump_state() {
	local ns f=$ART/state.txt
	{
		for ns in "${_vm_netns[@]}"; do
			echo "=== $ns"
			ip -n "$ns" -br addr 2>&1
			ip -n "$ns" route 2>&1
			on "$ns" ip l2tp show tunnel 2>&1
			on "$ns" ip l2tp show session 2>&1
			on "$ns" ip xfrm state 2>&1
			on "$ns" ip xfrm policy 2>&1
			on "$ns" nft list ruleset 2>&1
		done
		echo "=== dmesg"
		dmesg 2>&1 | tail -n 100
	} >"$f" 2>&1 || true
}

_vm_cleanup() {
	local rc=$? p ns
	trap - ERR
	set +e
	[ "$rc" = 0 ] || [ "$rc" = "$LNSD_VM_SKIP" ] || dump_state
	for p in "${_vm_pids[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in "${_vm_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for ns in "${_vm_netns[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9; done
	for ns in "${_vm_netns[@]}"; do ip netns del "$ns" 2>/dev/null; done
	if [ "$rc" = 0 ]; then
		log "PASS"
	elif [ "$rc" = "$LNSD_VM_SKIP" ]; then
		log "SKIPPED"
	else
		log "FAILED with status $rc; artifacts in $ART"
	fi
	exit "$rc"
}
trap _vm_cleanup EXIT
