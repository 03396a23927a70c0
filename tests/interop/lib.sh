# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared harness for the interop tests: sourced by every t_*.sh scenario.
#
# Topology (all inside namespaces this test creates, nothing on the host's
# own interfaces):
#
#   netns <pfx>-lns: bridge br0 192.0.2.1/24, the LNS under test on :1701
#     ├─ veth l1 ── netns <pfx>-lac1: eth0 192.0.2.11/24, xl2tpd LAC "lac1"
#     ├─ veth l2 ── netns <pfx>-lac2: eth0 192.0.2.12/24, xl2tpd LAC "lac2"
#     └─ ...
#
# Usage from a scenario:  source lib.sh "$@"; it_init; net_up N; lns_start; lac_start 1 ...
# The first script argument (or $LNSD_BUILD_DIR) is the build directory.
# $LNSD_INTEROP_LNS=xl2tpd runs Debian's xl2tpd as the LNS instead of lnsd (it
# proves the harness itself; lnsd-only assertions are then skipped).

set -euo pipefail

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(cd "$IT_DIR/../.." && pwd)
BUILD_DIR=$(realpath -m "${1:-${LNSD_BUILD_DIR:-$SRC_DIR/build}}")
TEST_NAME=$(basename "$0" .sh)
TEST_NAME=${TEST_NAME#t_}
ART=$BUILD_DIR/interop-artifacts/$TEST_NAME
LNS_TARGET=${LNSD_INTEROP_LNS:-lnsd}
LNSD_BIN=$BUILD_DIR/lnsd/lnsd
LNSCTL_BIN=$BUILD_DIR/tools/lnsctl
# Namespace names carry our pid: several runs (other developers, CI) may share a host.
PFX=lnsit-$TEST_NAME-$$
NS_LNS=$PFX-lns
LNS_ADDR=192.0.2.1
LNS_HOSTNAME=lnsd-under-test
LNSD_EXTRA=""     # more [lnsd] lines for lnsd.conf (e.g. metrics = ...)
RUN=""            # private runtime dir for sockets and pipes (short path)
LNS_PID=""
LNS_LOG=""
declare -a LAC_PIDS=()
declare -a BG_PIDS=()

log() { printf '[%s %s] %s\n' "$(date +%T)" "$TEST_NAME" "$*"; }

skip() {
	log "SKIP: $*"
	exit 77
}

# Print every daemon log and capture summary from the artifacts dir.
dump_logs() {
	local f
	[ -d "$ART" ] || return 0
	for f in "$ART"/*.log; do
		[ -e "$f" ] || continue
		echo "----- $f (last 60 lines) -----"
		tail -n 60 "$f"
	done
	echo "----- artifacts kept in $ART -----"
}

fail() {
	log "FAIL: $*"
	exit 1
}

pass() {
	log "PASS: $*"
}

# lac_addr I -> address of LAC number I
lac_addr() { echo "192.0.2.$((10 + $1))"; }
lac_ns() { echo "$PFX-lac$1"; }

cleanup() {
	local rc=$? pid ns
	set +e
	trap - EXIT INT TERM
	if [ -n "$LNS_PID" ] && kill -0 "$LNS_PID" 2>/dev/null; then
		kill -TERM "$LNS_PID"
		for _ in $(seq 1 30); do kill -0 "$LNS_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$LNS_PID" 2>/dev/null
	fi
	for pid in "${LAC_PIDS[@]}" "${BG_PIDS[@]}"; do
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	done
	sleep 0.2
	# Anything left in our namespaces (xl2tpd, fake pppd, tshark) goes.
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX-" ); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "$RUN" ] && rm -rf "$RUN"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		dump_logs
		log "FAILED (exit $rc)"
	elif [ "$rc" -eq 0 ]; then
		log "all checks passed; logs in $ART"
	fi
	exit "$rc"
}

it_init() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, bind mounts); CI runs as root"
	command -v xl2tpd >/dev/null || skip "xl2tpd is not installed (tools/dev/setup.sh installs it)"
	command -v jq >/dev/null || skip "jq is not installed (tools/dev/setup.sh installs it)"
	if [ "$LNS_TARGET" = lnsd ]; then
		[ -x "$LNSD_BIN" ] || skip "lnsd is not built at $LNSD_BIN"
		[ -x "$LNSCTL_BIN" ] || skip "lnsctl is not built at $LNSCTL_BIN"
	fi
	rm -rf "$ART"
	mkdir -p "$ART"
	RUN=$(mktemp -d /tmp/lnsit.XXXXXX)
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	# Namespaces left over from an aborted earlier run of this test (its pid is gone).
	local ns pid owner
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^lnsit-$TEST_NAME-[0-9]*-" ); do
		owner=${ns#lnsit-"$TEST_NAME"-}
		owner=${owner%%-*}
		kill -0 "$owner" 2>/dev/null && continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
		ip netns del "$ns" || true
	done
	ip netns add "$PFX-probe" 2>/dev/null || skip "cannot create network namespaces here"
	ip netns del "$PFX-probe"
	log "target LNS: $LNS_TARGET; build dir: $BUILD_DIR; artifacts: $ART"
}

# wait_for SECONDS DESCRIPTION CMD... : poll CMD every 0.2 s until it succeeds.
wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 5; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.2
	done
	fail "timed out after ${secs}s waiting for: $what"
}

# net_up N : the LNS namespace with a bridge plus N LAC namespaces.
net_up() {
	local n=$1 i ns
	ip netns add "$NS_LNS"
	ip -n "$NS_LNS" link set lo up
	ip -n "$NS_LNS" link add br0 type bridge
	ip -n "$NS_LNS" addr add "$LNS_ADDR/24" dev br0
	ip -n "$NS_LNS" link set br0 up
	for ((i = 1; i <= n; i++)); do
		ns=$(lac_ns "$i")
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ip link add "l$i" netns "$NS_LNS" type veth peer name eth0 netns "$ns"
		ip -n "$NS_LNS" link set "l$i" master br0 up
		ip -n "$ns" addr add "$(lac_addr "$i")/24" dev eth0
		ip -n "$ns" link set eth0 up
	done
	# Bridge ports need no STP/learning delay for this; wait until one LAC reaches the LNS.
	wait_for 10 "LAC namespace can reach $LNS_ADDR" \
		ip netns exec "$(lac_ns 1)" ping -c1 -W1 "$LNS_ADDR"
}

# ---------------------------------------------------------------- LNS side

# lns_config [EXTRA [l2tp] LINES...] : writes $ART/lnsd.conf
lns_write_config() {
	local extra_l2tp=$1 extra_sections=${2:-}
	cat >"$ART/lnsd.conf" <<EOF
# lnsd config written by tests/interop ($TEST_NAME)
[lnsd]
listen = $LNS_ADDR:1701
control-socket = $RUN/lnsd.sock
hostname = $LNS_HOSTNAME
$LNSD_EXTRA

[l2tp]
$extra_l2tp
$extra_sections
EOF
}

# xl2tpd as LNS (harness self-test only).
xl2tpd_lns_write_config() {
	local extra=$1
	cat >"$ART/xl2tpd-lns.conf" <<EOF
[global]
listen-addr = $LNS_ADDR
port = 1701
auth file = $ART/xl2tpd-lns.secrets
access control = no
[lns default]
ip range = 10.88.0.10-10.88.0.250
local ip = 10.88.0.1
require authentication = no
hostname = $LNS_HOSTNAME
$extra
EOF
}

# lns_start [L2TP_LINES [SECTIONS]] : start the LNS under test and wait until it answers.
lns_start() {
	local l2tp_lines=${1:-} sections=${2:-}
	LNS_LOG=$ART/lns.log
	if [ "$LNS_TARGET" = xl2tpd ]; then
		local secret extra=""
		secret=$(sed -n 's/^secret *= *//p' <<<"$l2tp_lines")
		if [ -n "$secret" ]; then
			extra="challenge = yes"
			printf '* * %s\n' "$secret" >"$ART/xl2tpd-lns.secrets"
		else
			: >"$ART/xl2tpd-lns.secrets"
		fi
		grep -q '^hide-avps *= *yes' <<<"$l2tp_lines" && extra+=$'\nhidden bit = yes'
		xl2tpd_lns_write_config "$extra"
		# shellcheck disable=SC2016 # expanded by the inner sh
		ip netns exec "$NS_LNS" unshare -m sh -c \
			'mount --bind "$1" /usr/sbin/pppd && exec xl2tpd -D -c "$2" -p "$3" -C "$4"' \
			sh "$IT_DIR/fake-pppd" "$ART/xl2tpd-lns.conf" "$RUN/lns.pid" "$RUN/lns.ctl" \
			>"$LNS_LOG" 2>&1 &
		LNS_PID=$!
		wait_for 10 "xl2tpd LNS listening" grep -q 'Listening on IP address' "$LNS_LOG"
		return 0
	fi
	lns_write_config "$l2tp_lines" "$sections"
	ip netns exec "$NS_LNS" "$LNSD_BIN" -c "$ART/lnsd.conf" -f >"$LNS_LOG" 2>&1 &
	LNS_PID=$!
	wait_for 10 "lnsd control socket answering" "$LNSCTL_BIN" -s "$RUN/lnsd.sock" show tunnels -j
	lns_alive || fail "lnsd exited during startup"
	log "lnsd running (pid $LNS_PID)"
}

lns_alive() { [ -n "$LNS_PID" ] && kill -0 "$LNS_PID" 2>/dev/null; }

lnsctl() { "$LNSCTL_BIN" -s "$RUN/lnsd.sock" "$@"; }

# lns_json tunnels|sessions : JSON array ('[]' for the xl2tpd target)
lns_json() {
	local out
	out=$(lnsctl show "$1" -j) || fail "lnsctl show $1 -j failed"
	jq -e 'type == "array"' >/dev/null <<<"$out" || fail "lnsctl show $1 -j is not a JSON array: $out"
	printf '%s\n' "$out"
}

# Count of established sessions / tunnels as the LNS reports them.
lns_established_sessions() {
	if [ "$LNS_TARGET" = xl2tpd ]; then
		local up down
		up=$(grep -c 'Call established with' "$LNS_LOG" || true)
		down=$(grep -c -E 'Terminating pppd' "$LNS_LOG" || true)
		echo $((up - down < 0 ? 0 : up - down))
		return
	fi
	lns_json sessions | jq '[.[] | select(.state == "established")] | length'
}

lns_tunnel_count() { # live tunnels: a tunnel "closing" only holds state to ack a StopCCN (RFC 2661 §5.7)
	if [ "$LNS_TARGET" = xl2tpd ]; then
		local up down
		up=$(grep -c 'Connection established to' "$LNS_LOG" || true)
		down=$(grep -c -E 'Connection closed to .*port|Connection [0-9]+ closed to' "$LNS_LOG" || true)
		echo $((up - down < 0 ? 0 : up - down))
		return
	fi
	lns_json tunnels | jq '[.[] | select(.state != "closing" and .state != "dead")] | length'
}

lns_tunnel_count_all() { # every tunnel lnsd still lists, held ones included
	if [ "$LNS_TARGET" = xl2tpd ]; then lns_tunnel_count; return; fi
	lns_json tunnels | jq 'length'
}

# expect_count WHAT FUNC WANT SECS : wait until FUNC prints WANT.
expect_count() {
	local what=$1 fn=$2 want=$3 secs=$4 got="" i
	for ((i = 0; i < secs * 5; i++)); do
		got=$($fn)
		[ "$got" = "$want" ] && return 0
		sleep 0.2
	done
	fail "$what: expected $want, got $got after ${secs}s"
}

is_lnsd() { [ "$LNS_TARGET" = lnsd ]; }

# it_need WHAT... : skip the scenario unless it has each of: lnsd (the LNS
# under test is lnsd), scapy (sets PY, python3 or $LNSD_PYTHON, which must
# import scapy), or any other word: that command.
it_need() {
	local w
	for w in "$@"; do
		case $w in
		lnsd) is_lnsd || skip "lnsd-only scenario" ;;
		scapy)
			PY=${LNSD_PYTHON:-/usr/bin/python3}
			"$PY" -c 'import scapy.all' 2>/dev/null || skip "python3-scapy is not installed for $PY"
			;;
		*) command -v "$w" >/dev/null || skip "$w is not installed (tools/dev/setup.sh installs it)" ;;
		esac
	done
}

# Fail if the LNS died or its log shows a sanitizer report.
check_lns_healthy() {
	lns_alive || fail "the LNS (pid $LNS_PID) is no longer running"
	if grep -q -E 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$LNS_LOG"; then
		fail "sanitizer report in $LNS_LOG"
	fi
}

# lns_metric ADDR NAME : the value of one sample of lnsd's /metrics at ADDR
# (addr:port, scraped from the LNS namespace); NAME is the full name with
# labels as printed. 0 when absent.
lns_metric() {
	ip netns exec "$NS_LNS" curl -s --max-time 5 "http://$1/metrics" |
		awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# ---------------------------------------------------------------- LAC side

# lac_start I [EXTRA LAC LINES] [SECRET] : xl2tpd LAC number I in its namespace,
# with /usr/sbin/pppd replaced by fake-pppd in a private mount namespace.
lac_start() {
	local i=$1 extra=${2:-} secret=${3:-} ns
	ns=$(lac_ns "$i")
	if [ -n "$secret" ]; then
		printf '* * %s\n' "$secret" >"$ART/lac$i.secrets"
	else
		: >"$ART/lac$i.secrets"
	fi
	printf 'noauth\nnodefaultroute\n' >"$ART/lac$i.pppopts"
	cat >"$ART/lac$i.conf" <<EOF
[global]
listen-addr = $(lac_addr "$i")
port = 1701
auth file = $ART/lac$i.secrets
access control = no
[lac lns]
lns = $LNS_ADDR
autodial = yes
redial = no
hostname = lac$i
pppoptfile = $ART/lac$i.pppopts
$extra
EOF
	# ip netns exec makes a private mount namespace already; unshare -m keeps it
	# explicit. The bind mount is invisible to the host and to the LNS.
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$ns" unshare -m sh -c \
		'mount --bind "$1" /usr/sbin/pppd && exec xl2tpd -D -c "$2" -p "$3" -C "$4"' \
		sh "$IT_DIR/fake-pppd" "$ART/lac$i.conf" "$RUN/lac$i.pid" "$RUN/lac$i.ctl" \
		>"$ART/lac$i.log" 2>&1 &
	LAC_PIDS[i]=$!
}

lac_log() { echo "$ART/lac$1.log"; }
lac_ctl() { echo "$RUN/lac$1.ctl"; }

lac_call_up() { grep -q 'Call established with' "$(lac_log "$1")"; }

# lac_wait_call I SECS : the LAC logged the call established and its stand-in pppd runs.
lac_wait_call() {
	local i=$1 secs=${2:-15}
	wait_for "$secs" "LAC $i: tunnel and call established" lac_call_up "$i"
	wait_for 5 "LAC $i: stand-in pppd started" grep -q 'fake-pppd' "$(lac_log "$i")"
}

# LAC's own view: its local tunnel id, the LNS's tunnel id, its call id, the LNS's call id.
lac_local_tid() { sed -n 's/.*Connection established to .*Local: \([0-9]*\), Remote.*/\1/p' "$(lac_log "$1")" | tail -1; }
lac_remote_tid() { sed -n 's/.*Connection established to .*Remote: \([0-9]*\) .*/\1/p' "$(lac_log "$1")" | tail -1; }
lac_local_cid() { sed -n 's/.*Call established with .*Local: \([0-9]*\), Remote.*/\1/p' "$(lac_log "$1")" | tail -1; }
lac_remote_cid() { sed -n 's/.*Call established with .*Remote: \([0-9]*\),.*/\1/p' "$(lac_log "$1")" | tail -1; }

# The LAC saw its call or tunnel go down.
lac_down() { grep -q -E 'Connection [0-9]+ closed to|Connection closed to|Terminating pppd|Disconnecting from|Call .*disconnected|Result code' "$(lac_log "$1")"; }

# ---------------------------------------------------------------- capture

# cap_start NAME : tshark on the LNS bridge, UDP 1701 only.
cap_start() {
	local name=$1
	command -v tshark >/dev/null || skip "tshark is not installed"
	ip netns exec "$NS_LNS" tshark -n -q -i br0 -f 'udp port 1701' -w "$ART/$name.pcap" \
		>"$ART/tshark-$name.log" 2>&1 &
	BG_PIDS+=($!)
	CAP_PID=$!
	wait_for 10 "tshark capturing" grep -q -i 'Capturing on' "$ART/tshark-$name.log"
	# "Capturing on" comes a moment before dumpcap's filter is attached.
	sleep 1
}

cap_stop() {
	sleep 0.5
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
}

# cap_fields NAME FIELDS... : one line per L2TP message, tab separated.
cap_fields() {
	local name=$1 args=() f
	shift
	for f in "$@"; do args+=(-e "$f"); done
	tshark -n -r "$ART/$name.pcap" -Y l2tp -T fields -E occurrence=a -E aggregator=, "${args[@]}" 2>/dev/null
}

# lac_ctl_cmd I CMD : write one command to LAC I's xl2tpd control pipe.
lac_ctl_cmd() {
	local ctl
	ctl=$(lac_ctl "$1")
	[ -p "$ctl" ] || fail "LAC $1 has no control pipe at $ctl"
	# shellcheck disable=SC2016 # expanded by the inner sh
	timeout 5 sh -c 'printf "%s\n" "$1" >"$2"' sh "$2" "$ctl" || fail "writing '$2' to LAC $1's control pipe failed"
}

# cap_check_clean NAME : tshark's full decode of the capture has no malformed
# packet and no error-level expert info; the decode is kept as NAME-decode.txt.
cap_check_clean() {
	local name=$1 bad
	tshark -n -r "$ART/$name.pcap" -V >"$ART/$name-decode.txt" 2>&1 || fail "tshark cannot read $ART/$name.pcap"
	grep -q 'Layer 2 Tunneling Protocol' "$ART/$name-decode.txt" || fail "no L2TP in $ART/$name.pcap"
	bad=$(grep -n -E 'Malformed|Expert Info \(Error' "$ART/$name-decode.txt" | head -20 || true)
	[ -z "$bad" ] || fail "tshark flags errors in $name.pcap (decode in $ART/$name-decode.txt):
$bad"
	log "tshark decodes $name.pcap cleanly ($(grep -c '^Frame ' "$ART/$name-decode.txt") frames)"
}

# cap_count NAME FILTER : number of frames matching the display filter.
cap_count() {
	tshark -n -r "$ART/$1.pcap" -Y "$2" 2>/dev/null | wc -l
}
