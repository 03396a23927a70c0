#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The session half of the README's main job: a real L2TP/IPsec remote-access
# session through lnsd. Three network namespaces, `client` -- `nat` -- `lns`,
# the client behind a masquerading NAT as on the Internet. In `lns`,
# strongSwan's charon runs with no connection of its own and lnsd
# (dataplane = kernel) with an [ipsec] section: lnsd loads the connection and
# the pre-shared key into charon over VICI and puts ESP policies on its L2TP
# sockets. In `client`, a Linux user's setup: charon configured with swanctl
# (IKEv1, PSK, transport mode for UDP 1701), then Debian's xl2tpd + pppd
# (kernel mode). The client gets an address and pings through the tunnel;
# lnsctl shows the tunnel's IKE/CHILD SA, NAT-T and cipher; counters on the
# NAT box show that only IKE and ESP crossed toward lnsd, never cleartext
# L2TP; a cleartext L2TP packet gets no answer; deleting the IKE SA on the
# client tears the L2TP tunnel down in lnsd.
#
# Usage: tools/dev/demo-session.sh [BUILD_DIR]   (default: $LNSD_BUILD_DIR, or build/)
# Runs as root on a kernel with l2tp_ppp, l2tp_netlink, ppp_generic, esp4,
# xfrm_user and nf_tables: tools/dev/demo.sh runs it natively when this
# kernel has them and otherwise inside the test VM
# (tests/vm/run --kernel 6.1 tools/dev/demo-session.sh).
# Namespaces are made with plain `ip` (tests/vm/lib.sh is for the VM only).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${1:-${LNSD_BUILD_DIR:-$repo/build}}")
lnsd=$build/lnsd/lnsd
lnsctl=$build/tools/lnsctl
charon=/usr/lib/ipsec/charon
client_addr=10.10.0.2    # the client, behind the NAT
nat_inside=10.10.0.1
nat_outside=198.51.100.1 # what lnsd sees as the client's address
lns_addr=198.51.100.2    # lnsd's public address (TEST-NET-2)
ppp_local=10.64.0.1      # lnsd's address on every PPP link
ppp_pool=10.64.0.10-10.64.0.20
user=demo
secret=demo-secret
work=""
lnsd_pid=""
lac_pid=""
charon_pids=()
netns_made=""

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
say() { printf '    %s\n' "$*"; }
quote() { sed 's/^/    | /'; }
die() {
	printf '\ndemo-session: error: %s\n' "$*" >&2
	exit 1
}
# show CMD...: print a shell prompt line, then run CMD (lnsctl by its short name).
show() {
	local shown=("$@")
	[ "$1" != "$lnsctl" ] || shown[0]=lnsctl
	printf '\n$ %s\n' "${shown[*]}"
	"$@"
}
in_lns() { ip netns exec lns "$@"; }
in_client() { ip netns exec client "$@"; }
ctl() { in_lns "$lnsctl" -s "$work/lnsd.sock" "$@"; }
# swan NS ARGS...: swanctl against the charon in namespace NS.
swan() {
	local ns=$1
	shift
	swanctl "$@" --uri "unix://$work/run-$ns/charon.vici" 2>/dev/null
}

# stop PID: SIGTERM, up to 5 s, then SIGKILL.
stop() {
	local pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? ns p
	set +e
	trap - EXIT INT TERM ERR
	[ -n "$lac_pid" ] && stop "$lac_pid"
	[ -n "$lnsd_pid" ] && stop "$lnsd_pid"
	for p in "${charon_pids[@]}"; do stop "$p"; done
	if [ -n "$netns_made" ]; then
		# pppd outlives a killed xl2tpd: end whatever still runs in our namespaces.
		for ns in client nat lns; do
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		done
		sleep 0.2
		for ns in client nat lns; do ip netns del "$ns" 2>/dev/null; done
	fi
	if [ "$rc" -ne 0 ] && [ -n "$work" ]; then
		local f
		for f in lnsd.log charon-lns.log charon-client.log xl2tpd.log pppd.log; do
			printf '\n--- %s ---\n' "$f"
			cat "$work/$f" 2>/dev/null
		done
		# Inside the VM the artifacts directory comes back to the host.
		[ -n "${LNSD_ARTIFACTS:-}" ] && cp "$work"/*.log "$work"/*.conf "$LNSD_ARTIFACTS"/ 2>/dev/null
	fi
	[ -n "$work" ] && rm -rf "$work"
	exit "$rc"
}

# wait_until SECONDS CMD... : poll until CMD succeeds; fail after SECONDS
# of wall time (in a TCG guest each try itself takes a while).
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

[ "$(id -u)" -eq 0 ] || die "run me as root: I create network namespaces, kernel L2TP tunnels and IPsec SAs"
[ -x "$lnsd" ] || die "no lnsd at $lnsd (build first: tools/dev/setup.sh)"
[ -x "$lnsctl" ] || die "no lnsctl at $lnsctl (build first: tools/dev/setup.sh)"
[ -x "$charon" ] || die "no $charon: strongswan-charon is not installed (tools/dev/packages.txt lists it)"
for p in ip nft xl2tpd pppd ping jq swanctl unshare python3; do
	command -v "$p" >/dev/null || die "'$p' is not installed (tools/dev/packages.txt lists it)"
done
for ns in client nat lns; do
	[ ! -e "/run/netns/$ns" ] || die "a network namespace named '$ns' already exists; delete it first (ip netns del $ns)"
done

work=$(mktemp -d /tmp/lnsd-demo-session.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM
# A command failing under set -e says which.
trap 'printf "\ndemo-session: error: line %s: \"%s\" failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR
set -E
umask 077

step "1/7 Three hosts: 'client' ($client_addr) behind 'nat' (masquerading to $nat_outside), and 'lns' ($lns_addr)"
netns_made=1
for ns in client nat lns; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip link add demo-c type veth peer name demo-ni
ip link add demo-no type veth peer name demo-l
ip link set demo-c netns client name eth0
ip link set demo-ni netns nat name eth0
ip link set demo-no netns nat name eth1
ip link set demo-l netns lns name eth0
ip -n client addr add "$client_addr/24" dev eth0
ip -n nat addr add "$nat_inside/24" dev eth0
ip -n nat addr add "$nat_outside/24" dev eth1
ip -n lns addr add "$lns_addr/24" dev eth0
for l in client:eth0 nat:eth0 nat:eth1 lns:eth0; do ip -n "${l%:*}" link set "${l#*:}" up; done
ip -n client route add default via "$nat_inside"
ip netns exec nat sysctl -qw net.ipv4.ip_forward=1
# The NAT, and counters of what it forwards between the client and lnsd:
# IKE (UDP 500, and UDP 4500 whose first 4 payload bytes are the zero
# non-ESP marker), ESP inside UDP 4500, and cleartext L2TP (UDP 1701).
ip netns exec nat nft -f - <<EOF
table ip demo {
	counter ike_to_lns {}
	counter esp_to_lns {}
	counter esp_from_lns {}
	counter l2tp_cleartext {}
	counter other_to_lns {}
	chain forward {
		type filter hook forward priority filter; policy accept;
		oifname "eth1" udp dport 500 counter name ike_to_lns accept
		oifname "eth1" udp dport 4500 @th,64,32 0 counter name ike_to_lns accept
		oifname "eth1" udp dport 4500 counter name esp_to_lns accept
		iifname "eth1" udp sport 4500 @th,64,32 != 0 counter name esp_from_lns accept
		udp sport 1701 counter name l2tp_cleartext accept
		udp dport 1701 counter name l2tp_cleartext accept
		oifname "eth1" counter name other_to_lns accept
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth1" masquerade
	}
}
EOF
in_client ping -c 1 -W 2 "$lns_addr" >/dev/null || die "the client cannot reach $lns_addr through the NAT"
ip netns exec nat nft reset counters >/dev/null
say "lnsd has no route to $client_addr: it sees every client as $nat_outside, as on the Internet."

# charon_start NS: charon in NS with a /run of its own (its pid file path is
# fixed), logging to $work/charon-NS.log; its VICI socket is
# $work/run-NS/charon.vici.
charon_start() {
	local ns=$1
	mkdir -p "$work/run-$ns"
	cat >"$work/strongswan-$ns.conf" <<-EOF
		charon {
			load_modular = yes
			install_routes = no
			filelog {
				stderr {
					default = 1
					ike = 1
					time_format = %T
					flush_line = yes
				}
			}
			plugins {
				include /etc/strongswan.d/charon/*.conf
			}
		}
	EOF
	# shellcheck disable=SC2016 # expanded by the inner sh
	STRONGSWAN_CONF=$work/strongswan-$ns.conf ip netns exec "$ns" unshare -m --propagation private \
		sh -c 'mount --bind "$0" /run && exec "$1"' "$work/run-$ns" "$charon" \
		>"$work/charon-$ns.log" 2>&1 &
	charon_pids+=("$!")
	wait_until 30 test -S "$work/run-$ns/charon.vici" || die "charon in '$ns' did not open its VICI socket"
}

step "2/7 Start charon in 'lns' with no connection, and lnsd with [ipsec] mode = required"
charon_start lns
printf '%s\n' "$(head -c 18 /dev/urandom | base64)" >"$work/ipsec.psk"
psk=$(cat "$work/ipsec.psk")
"$lnsd" -p >"$work/default.conf"
sed -e "s|^listen = .*|listen = $lns_addr:1701|" \
		-e "s|^control-socket = .*|control-socket = $work/lnsd.sock|" \
		-e 's|^dataplane = .*|dataplane = kernel|' \
		-e 's|^auth = .*|auth = mschapv2|' \
		-e "s|^local-ip =.*|local-ip = $ppp_local|" \
		-e "s|^pool =.*|pool = $ppp_pool|" \
		-e "s|^users-file =.*|users-file = $work/users|" \
		-e 's|^ifname =.*|ifname = l2tp%d|' "$work/default.conf" >"$work/lnsd.conf"
for l in "listen = $lns_addr:1701" "dataplane = kernel" "auth = mschapv2" "local-ip = $ppp_local" \
	"pool = $ppp_pool" "users-file = $work/users" "ifname = l2tp%d"; do
	grep -qxF "$l" "$work/lnsd.conf" || die "could not set '$l' in the configuration from lnsd -p"
done
printf '\n[ipsec]\nmode = required\nvici-socket = %s\npsk-file = %s\n' \
	"$work/run-lns/charon.vici" "$work/ipsec.psk" >>"$work/lnsd.conf"
# pppd's chap-secrets format; lnsd refuses a users file others can read.
printf '# client  server  secret  addresses\n%s  *  %s  *\n' "$user" "$secret" >"$work/users"
say "The configuration is lnsd's embedded default (lnsd -p) with these lines changed or added:"
{ diff "$work/default.conf" "$work/lnsd.conf" || true; } | sed -n 's/^> //p' | quote
say "ipsec.psk holds a random pre-shared key ($psk); the users file one user, '$user'."
"$lnsd" -t -c "$work/lnsd.conf" >/dev/null || die "lnsd rejects the demo configuration"
ip netns exec lns "$lnsd" -f -c "$work/lnsd.conf" >"$work/lnsd.log" 2>&1 &
lnsd_pid=$!
wait_until 10 ctl show tunnels || die "lnsd did not answer on its control socket within 10 s"
grep -q 'data plane: kernel' "$work/lnsd.log" || die "lnsd did not enable the kernel data plane"
wait_until 20 sh -c "swanctl --list-conns --uri unix://$work/run-lns/charon.vici 2>/dev/null | grep -q ." ||
	die "lnsd did not load its connection into charon within 20 s"
say "lnsd runs as pid $lnsd_pid; its own words:"
quote <"$work/lnsd.log"
say "charon on 'lns' was started empty; this is the connection lnsd loaded into it over VICI:"
printf '\n$ swanctl --list-conns   # on lns\n'
swan lns --list-conns | quote

step "3/7 The client: IPsec first, configured with swanctl as a Linux user does"
charon_start client
cat >"$work/swanctl-client.conf" <<EOF
connections {
	vpn {
		version = 1
		remote_addrs = $lns_addr
		proposals = aes256-sha256-modp2048
		local {
			auth = psk
		}
		remote {
			auth = psk
			id = $lns_addr
		}
		children {
			vpn {
				mode = transport
				local_ts = dynamic[udp/1701]
				remote_ts = dynamic[udp/1701]
				esp_proposals = aes256-sha1
			}
		}
	}
}
secrets {
	ike-vpn {
		id = $lns_addr
		secret = "$psk"
	}
}
EOF
say "swanctl.conf on the client (IKEv1, the pre-shared key, ESP transport mode for L2TP):"
quote <"$work/swanctl-client.conf"
swan client --load-all --file "$work/swanctl-client.conf" >/dev/null
printf '\n$ swanctl --load-all; swanctl --initiate --child vpn   # on the client\n'
swan client --initiate --child vpn --timeout 60 | grep -E 'IKE_SA .* established|CHILD_SA .* established|initiate completed' ||
	die "the client's charon could not establish the IPsec SA with lnsd's"

step "4/7 Dial in over IPsec: Debian's xl2tpd (LAC) and pppd (kernel mode, MS-CHAPv2) in 'client'"
cat >"$work/xl2tpd.conf" <<EOF
[global]
listen-addr = $client_addr
port = 1701
access control = no
auth file = $work/l2tp-secrets
[lac demo]
lns = $lns_addr
autodial = yes
redial = no
length bit = yes
hostname = demo-lac
pppoptfile = $work/ppp-options
EOF
: >"$work/l2tp-secrets"
# ip-up/ip-down: keep pppd from running the machine's /etc/ppp scripts.
printf '%s\n' noauth nodefaultroute noccp novj refuse-pap refuse-chap refuse-eap \
	"user $user" "password $secret" "logfile $work/pppd.log" \
	"ip-up-script /bin/true" "ip-down-script /bin/true" >"$work/ppp-options"
ip netns exec client xl2tpd -D -c "$work/xl2tpd.conf" -p "$work/xl2tpd.pid" -C "$work/xl2tpd.ctl" \
	>"$work/xl2tpd.log" 2>&1 &
lac_pid=$!
ppp_up() { ip -n client -4 -o addr show | grep -qE '^[0-9]+: ppp[0-9]+ .*inet 10\.64\.'; }
end=$((SECONDS + 60))
until ppp_up; do
	if grep -q 'Connection terminated' "$work/pppd.log" 2>/dev/null; then
		die "pppd on the client ended the call: $(grep -iE 'fail|refus|denied' "$work/pppd.log" | head -n 1 || true)"
	fi
	[ "$SECONDS" -lt "$end" ] || die "no ppp interface with an address from the pool in 'client' within 60 s"
	sleep 0.2
done
ppp_if=$(ip -n client -4 -o addr show | awk '$2 ~ /^ppp[0-9]+$/ {print $2; exit}')
client_ip=$(ip -n client -4 -o addr show dev "$ppp_if" | awk '{split($4, a, "/"); print a[1]}')
grep -q 'Using l2tp kernel support' "$work/xl2tpd.log" ||
	die "xl2tpd on the client did not use the kernel's L2TP support"
show ip -n client -br addr show dev "$ppp_if"
say "lnsd's log of the call: the IPsec SA it tied the tunnel to, then L2TP, MS-CHAPv2 and IPCP:"
grep -E 'ipsec: CHILD_SA|new control connection|incoming call|kernel session on|authentication of|up, user' \
	"$work/lnsd.log" | quote || true

step "5/7 Traffic: ping lnsd's end of the link ($ppp_local) from the client, through L2TP inside ESP"
show ip netns exec client ping -c 5 -i 0.2 -W 2 "$ppp_local" || die "ping $ppp_local from the client failed"
sleep 1.2 # lnsd caches the kernel's counters for a second

step "6/7 What lnsd, charon and the wire show"
printf '\n$ lnsctl show tunnels\n'
ctl show tunnels
tj=$(ctl show tunnels -j)
jq -e '.[0].ipsec.natt == true and (.[0].ipsec.cipher | length > 0)' <<<"$tj" >/dev/null ||
	die "lnsctl shows no IPsec SA (IKE/CHILD ids, NAT-T, cipher) for the tunnel"
say "IPSEC is IKE_SA/CHILD_SA: the ids of the SAs in charon that carry the tunnel; nat-t: ESP"
say "travels inside UDP 4500 because the client is behind a NAT; CIPHER is the ESP suite."
printf '\n$ lnsctl show sessions\n'
ctl show sessions
sess=$(ctl show sessions -j | jq -c '.[0]')
[ "$(jq -r .username <<<"$sess")" = "$user" ] || die "the session's username is not $user"
[ "$(jq -r .ip <<<"$sess")" = "$client_ip" ] || die "the session's ip is not $client_ip"
printf '\n$ swanctl --list-sas   # on lns: the ESP counters of the SA\n'
swan lns --list-sas | quote
printf '\n$ ip netns exec nat nft list counters   # what the NAT box forwarded\n'
ip netns exec nat nft list counters table ip demo | awk '/counter/ {n=$2} /packets/ {print n ": " $2 " packets"}' |
	tee "$work/counters.txt" | quote
count() { awk -v n="$1" '$1 == n ":" {print $2}' "$work/counters.txt"; }
[ "$(count esp_to_lns)" -ge 5 ] && [ "$(count esp_from_lns)" -ge 5 ] ||
	die "fewer than 5 ESP-in-UDP packets each way crossed the NAT"
[ "$(count l2tp_cleartext)" -eq 0 ] || die "cleartext L2TP crossed the NAT"
[ "$(count other_to_lns)" -eq 0 ] || die "something other than IKE and ESP went from the client to lnsd"
say "Toward lnsd only IKE and ESP-in-UDP; not one cleartext L2TP packet."
say "And cleartext L2TP is refused: the NAT box itself sends lnsd 3 SCCRQs without IPsec."
m0=$(ctl show stats -j | jq .xfrm_in_tmpl_mismatch)
cat >"$work/sccrq.py" <<'EOF'
import socket, struct, sys
def avp(attr, value):
    return struct.pack("!HHH", 0x8000 | (6 + len(value)), 0, attr) + value
avps = (avp(0, struct.pack("!H", 1)) + avp(2, b"\x01\x00") + avp(3, struct.pack("!I", 3)) +
        avp(7, b"cleartext") + avp(9, struct.pack("!H", 4242)))
msg = struct.pack("!HHHHHH", 0xc802, 12 + len(avps), 0, 0, 0, 0) + avps
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for _ in range(3):
    s.sendto(msg, (sys.argv[1], 1701))
    try:
        s.recvfrom(4096)
        sys.exit("answered")
    except socket.timeout:
        pass
print("3 SCCRQs sent, no answer")
EOF
ip netns exec nat python3 "$work/sccrq.py" "$lns_addr" | quote || die "lnsd answered cleartext L2TP"
m1=$(ctl show stats -j | jq .xfrm_in_tmpl_mismatch)
printf '\n$ lnsctl show stats | grep xfrm\n'
ctl show stats | grep xfrm
[ "$m1" -ge $((m0 + 3)) ] || die "the kernel did not count the cleartext SCCRQs (XfrmInTmplMismatch $m0 -> $m1)"
say "The kernel dropped them at lnsd's socket (its ESP policy); lnsd counts them: $m0 -> $m1."

step "7/7 Tear down: the client deletes its IKE SA; lnsd ends the L2TP tunnel; lnsd stops"
printf '\n$ swanctl --terminate --ike vpn   # on the client\n'
swan client --terminate --ike vpn --timeout 20 | grep -E 'deleting IKE_SA|terminate completed' || true
# shellcheck disable=SC2016 # expanded by the inner sh
wait_until 30 sh -c '"$@" show tunnels -j | jq -e "length == 0"' sh ip netns exec lns "$lnsctl" -s "$work/lnsd.sock" ||
	die "the L2TP tunnel did not go away in lnsd after the client deleted its IKE SA"
say "lnsd saw the CHILD_SA go down (charon's child-updown event) and ended the tunnel:"
grep -E 'tearing the tunnel down|StopCCN' "$work/lnsd.log" | quote
stop "$lac_pid"
lac_pid=""
kill -TERM "$lnsd_pid"
wait_until 10 sh -c "! kill -0 $lnsd_pid" || die "lnsd did not exit within 10 s of SIGTERM"
lnsd_rc=0
wait "$lnsd_pid" || lnsd_rc=$?
lnsd_pid=""
[ "$lnsd_rc" -eq 0 ] || die "lnsd exited with status $lnsd_rc"
left=$(in_lns ip l2tp show tunnel; in_lns ip l2tp show session)
[ -z "$left" ] || { printf '%s\n' "$left"; die "the kernel still holds L2TP tunnels or sessions"; }
say "lnsd exited with status 0; the kernel in 'lns' holds no L2TP tunnel or session."

printf '\ndemo-session: done. A Linux L2TP/IPsec client behind NAT got %s from lnsd and pinged through\n' "$client_ip"
printf 'L2TP inside ESP; lnsd configured charon itself, refused cleartext L2TP, and followed the IPsec SA.\n'
