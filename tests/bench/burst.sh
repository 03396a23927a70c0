#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Redial burst on the host: lnsd (dataplane = none) holds TUNNELS tunnels of
# SESSIONS calls set up by tools/lnsbench; then BURST of those LACs "reboot"
# (their sockets close without StopCCN) and all redial at once, while the
# other TUNNELS - BURST tunnels stay up. Prints figures; asserts nothing
# about time. See README.md here.
#
#   tests/bench/burst.sh [BUILD_DIR]
#
# Environment:
#   BURST_TUNNELS  tunnels set up first (default 12000)
#   BURST_N        of those, LACs that redial at once (default 10000)
#   BURST_SESSIONS calls per tunnel (default 2)
#   BURST_PENDING  lnsbench --max-pending (default 900; lnsd's max-half-open
#                  is 1000)
#   BURST_SECRET   tunnel secret, with hidden AVPs (default benchsecret;
#                  empty: neither)
#   BURST_TIMEOUT  lnsbench --timeout per phase, seconds (default 180)
#   BURST_LNSD_CONF extra lines for lnsd's [l2tp] section
#   BURST_BENCH_ARGS extra lnsbench arguments
#   BURST_DEMUX_N  socket counts for udp_demux (default "1000 10000 TUNNELS";
#                  empty: skip it)
#
# First, in the same namespace, udp_demux (built with the tests) prints what
# one datagram to lnsd's listener costs the kernel when N tunnel sockets
# share its address and port (docs/design.md §8.1): the cost that grows
# with the tunnels. Printed (BENCH lines): lnsbench's burst phase (tunnels and calls up of
# wanted, tunnels/s, SCCRQ->SCCCN-acked and ICRQ->ICCN-acked p50/p90/p99/max,
# failures), its totals (retransmissions, duplicates, tunnels or calls lost),
# and lnsd's counters across the burst: retransmissions (on time and late),
# duplicates received, drops by reason, the loop's longest iteration, the
# tunnels it holds at the end.
set -euo pipefail

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(realpath -m "${1:-${LNSD_BUILD_DIR:-$SRC_DIR/build}}")
LNSD_BIN=$BUILD_DIR/lnsd/lnsd
LNSCTL_BIN=$BUILD_DIR/tools/lnsctl
LNSBENCH_BIN=$BUILD_DIR/tools/lnsbench
UDP_DEMUX_BIN=$BUILD_DIR/tests/bench/udp_demux
TUNNELS=${BURST_TUNNELS:-12000}
BURST=${BURST_N:-10000}
SESSIONS=${BURST_SESSIONS:-2}
PENDING=${BURST_PENDING:-900}
SECRET=${BURST_SECRET-benchsecret}
TIMEOUT=${BURST_TIMEOUT:-180}
ART=$BUILD_DIR/bench-artifacts/burst
NS=lnsbench-burst-$$
LNS_PID=""

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace)"
command -v jq >/dev/null || die "jq is not installed"
for b in "$LNSD_BIN" "$LNSCTL_BIN" "$LNSBENCH_BIN"; do [ -x "$b" ] || die "not built: $b"; done
mkdir -p "$ART"
RUN=$(mktemp -d /tmp/lnsbench-burst.XXXXXX)

cleanup() {
	set +e
	if [ -n "$LNS_PID" ] && kill -0 "$LNS_PID" 2>/dev/null; then
		kill -TERM "$LNS_PID"
		for _ in $(seq 1 50); do kill -0 "$LNS_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$LNS_PID" 2>/dev/null
	fi
	local pid
	for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up

for n in ${BURST_DEMUX_N-1000 10000 $TUNNELS}; do
	if [ -x "$UDP_DEMUX_BIN" ]; then
		echo "BENCH $(ip netns exec "$NS" "$UDP_DEMUX_BIN" "$n" 100 1702 2>&1)"
	fi
done

cat >"$RUN/lnsd.conf" <<EOF
[lnsd]
listen = 127.0.0.1:1701
control-socket = $RUN/lnsd.sock
hostname = lnsd-bench
dataplane = none
log-level = warning
[l2tp]
${SECRET:+secret = $SECRET}
${BURST_LNSD_CONF:-}
EOF
ip netns exec "$NS" setsid "$LNSD_BIN" -c "$RUN/lnsd.conf" -f >"$ART/lnsd.log" 2>&1 &
LNS_PID=$!
for _ in $(seq 1 50); do
	"$LNSCTL_BIN" -s "$RUN/lnsd.sock" show stats >/dev/null 2>&1 && break
	sleep 0.1
done
"$LNSCTL_BIN" -s "$RUN/lnsd.sock" -j show stats >"$ART/stats-start.json" || die "lnsd did not start (see $ART/lnsd.log)"

args=(-t "$TUNNELS" -s "$SESSIONS" --burst "$BURST" --max-pending "$PENDING"
      --timeout "$TIMEOUT" --json --ready-file "$RUN/ready")
[ -z "$SECRET" ] || args+=(--secret "$SECRET" --hidden)
# shellcheck disable=SC2206 # word splitting wanted
args+=(${BURST_BENCH_ARGS:-})
log "lnsbench ${args[*]} 127.0.0.1"
ip netns exec "$NS" "$LNSBENCH_BIN" "${args[@]}" 127.0.0.1 >"$ART/lnsbench.json" 2>"$ART/lnsbench.err" &
BENCH_PID=$!
# lnsd's counters once the first setup is over, i.e. just before the burst
while [ ! -e "$RUN/ready" ] && kill -0 "$BENCH_PID" 2>/dev/null; do sleep 0.05; done
"$LNSCTL_BIN" -s "$RUN/lnsd.sock" -j show stats >"$ART/stats-before.json"
rc=0
wait "$BENCH_PID" || rc=$?
"$LNSCTL_BIN" -s "$RUN/lnsd.sock" -j show stats >"$ART/stats-after.json"

echo "BENCH burst: $(date -u +%FT%TZ) $(uname -n) $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "BENCH burst: lnsbench exit $rc; ${args[*]}"
jq -r '.phases[] | "BENCH phase \(.name): tunnels \(.tunnels_up)/\(.tunnels_wanted) (failed \(.tunnels_failed)), sessions \(.sessions_up)/\(.sessions_wanted), \(.tunnels_per_s|floor) tunnels/s, \(.duration_s*10|floor/10) s; SCCRQ->SCCCN-acked ms \(.tunnel_setup); ICRQ->ICCN-acked ms \(.session_setup)\(if (.failures|length)>0 then "; failures \(.failures)" else "" end)"' \
	"$ART/lnsbench.json" 2>/dev/null || { echo "BENCH lnsbench report unreadable:"; tail -5 "$ART/lnsbench.err"; }
jq -r '"BENCH lnsbench messages: " + (.messages | to_entries | map("\(.key)=\(.value)") | join(" ")) + "; lost after setup: \(.lost_after_setup)"' "$ART/lnsbench.json" 2>/dev/null || true
# lnsd: counters during the burst (after - before), numbers only, flattened
jq -rn --slurpfile a "$ART/stats-before.json" --slurpfile b "$ART/stats-after.json" '
	def flat: [paths(numbers) as $p | {key: ($p | map(tostring) | join(".")), value: getpath($p)}];
	($a[0] | flat | from_entries) as $before
	| $b[0] | flat[]
	| select(.key | test("retrans|dup|drop|overflow|late|zlb|busy|half|tunnels|sessions|ack_delay\\.(count|sum)"))
	| select(.value != ($before[.key] // 0) or (.key | test("^(tunnels|sessions)")))
	| "BENCH lnsd \(.key) \(.value - (if (.key | test("busy_max|^(tunnels|sessions)")) then 0 else ($before[.key] // 0) end))"' || true
exit 0
