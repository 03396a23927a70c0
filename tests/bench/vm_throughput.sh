#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark, run by hand in the test VM (not a ctest test; see README.md):
# iperf3 TCP from client to server for IPERF_SECONDS (10) across
#   (a) an lnsd kernel session: lnsd (dataplane = kernel) as LNS, Debian's
#       xl2tpd + pppd in kernel mode as LAC;
#   (b) xl2tpd's userspace mode: xl2tpd + pppd on both sides with
#       `force userspace = yes` (data through xl2tpd and a pty), the
#       baseline of tests/vm/t_xl2tpd_pair.sh.
# Prints Mbit/s for each, the ratio a/b, lnsd's CPU time (utime + stime)
# during (a) and its data-in-userspace counter; for comparison also the CPU
# time of the LNS-side xl2tpd and pppd during (b).  Under TCG only the
# ratio and the CPU figures mean anything.
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
require ip ping xl2tpd pppd iperf3 jq getconf
LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
SOCK=$RUNDIR/lnsd.sock
SECS=${IPERF_SECONDS:-10}
HZ=$(getconf CLK_TCK)
OUT=$ART/bench.txt
: >"$OUT"
ctl() { on lns1 "$LNSCTL" -s "$SOCK" "$@"; }
say() { echo "BENCH $*" | tee -a "$OUT"; }

# cpu_ms PID...: utime + stime of the processes so far, in ms.
cpu_ms() {
	local p t=0
	for p; do
		# Fields 14 and 15 of /proc/PID/stat, counted after the ")" that
		# ends the command name (which may contain spaces).
		t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
	done
	echo $((t * 1000 / HZ))
}

# iperf NS_SERVER NS_CLIENT ADDR NAME: SECS of TCP, client to server; sets
# RATE to the receiver's Mbit/s.
iperf() {
	local sns=$1 cns=$2 addr=$3 name=$4
	daemon "iperf3-server-$name" "$sns" iperf3 -s -1 -B "$addr"
	wait_for 10 "iperf3 server ($name)" sh -c "ip netns exec $sns ss -ltn | grep -q '$addr:5201'"
	on "$cns" iperf3 -c "$addr" -t "$SECS" -J >"$ART/iperf3-$name.json" 2>&1 ||
		{ cat "$ART/iperf3-$name.json"; fail "$name: iperf3 failed"; }
	RATE=$(jq '.end.sum_received.bits_per_second / 1e6 | . * 100 | round / 100' "$ART/iperf3-$name.json")
}

lac_conf() { # FILE LISTEN LNS FORCE OPTS
	cat >"$1" <<-EOC
		[global]
		listen-addr = $2
		force userspace = $4
		[lac x]
		lns = $3
		autodial = yes
		redial = no
		length bit = yes
		pppoptfile = $5
	EOC
}

# (a) lnsd kernel session.
ns_add lns1 lac1
link_add lns1 eth0 192.0.2.1/24 lac1 eth0 192.0.2.2/24
umask 077
printf '%s\n' 'bench * bench-pw *' >"$RUNDIR/users"
chmod 600 "$RUNDIR/users"
cat >"$ART/lnsd.conf" <<-EOC
	[lnsd]
	listen = 192.0.2.1:1701
	control-socket = $SOCK
	hostname = lns
	dataplane = kernel
	[ppp]
	auth = chap
	local-ip = 10.64.0.1
	pool = 10.64.0.10-10.64.0.20
	users-file = $RUNDIR/users
EOC
daemon lnsd lns1 "$LNSD" -f -c "$ART/lnsd.conf"
LNSD_PID=$DAEMON_PID
wait_log 10 "$ART/lnsd.log" 'data plane: kernel'
lac_conf "$ART/lac-a.conf" 192.0.2.2 192.0.2.1 no "$ART/lac-a.opts"
printf '%s\n' noauth nodefaultroute noccp novj refuse-pap "user bench" "password bench-pw" \
	"logfile $ART/pppd-a.log" >"$ART/lac-a.opts"
daemon xl2tpd-a lac1 xl2tpd -D -c "$ART/lac-a.conf" -p "$RUNDIR/lac-a.pid" -C "$RUNDIR/lac-a.ctl"
LAC_A=$DAEMON_PID
wait_for 60 "(a) ppp address on the LAC" sh -c "ip -n lac1 -br addr | grep -q 'ppp.*10\.64\.0\.'"
grep -q 'Using l2tp kernel support' "$ART/xl2tpd-a.log" || fail "(a) the LAC's xl2tpd is not in kernel mode"
wait_ping 10 lac1 10.64.0.1
dius0=$(ctl show stats -j | jq '.drops["data-in-userspace"]')
cpu0=$(cpu_ms "$LNSD_PID")
iperf lns1 lac1 10.64.0.1 lnsd-kernel
rate_a=$RATE
cpu1=$(cpu_ms "$LNSD_PID")
dius1=$(ctl show stats -j | jq '.drops["data-in-userspace"]')
sleep 1.2   # the kernel counters are cached for a second
ctl show sessions -j >"$ART/sessions.json"
say "(a) lnsd kernel session: $rate_a Mbit/s (iperf3 TCP, ${SECS} s, client to server)"
say "(a) lnsd CPU time during the run: $((cpu1 - cpu0)) ms (utime+stime, total since start $cpu1 ms)"
say "(a) lnsd data-in-userspace: $dius1 (during the run: $((dius1 - dius0)))"
say "(a) kernel session counters: $(jq -c '.[0] | {rx_packets, rx_bytes, tx_packets, tx_bytes}' "$ART/sessions.json")"
kill "$LAC_A" "$LNSD_PID"
wait "$LAC_A" "$LNSD_PID" 2>/dev/null || true

# (b) xl2tpd userspace mode on both sides.
ns_add lns2 lac2
link_add lns2 eth0 192.0.2.1/24 lac2 eth0 192.0.2.2/24
cat >"$ART/lns-b.conf" <<-EOC
	[global]
	listen-addr = 192.0.2.1
	force userspace = yes
	[lns default]
	ip range = 10.88.0.10-10.88.0.20
	local ip = 10.88.0.1
	require authentication = no
	length bit = yes
	pppoptfile = $ART/lns-b.opts
EOC
printf '%s\n' noauth nodefaultroute noccp novj "logfile $ART/pppd-lns-b.log" >"$ART/lns-b.opts"
lac_conf "$ART/lac-b.conf" 192.0.2.2 192.0.2.1 yes "$ART/lac-b.opts"
printf '%s\n' noauth nodefaultroute noccp novj "logfile $ART/pppd-lac-b.log" >"$ART/lac-b.opts"
daemon xl2tpd-b-lns lns2 xl2tpd -D -c "$ART/lns-b.conf" -p "$RUNDIR/lns-b.pid" -C "$RUNDIR/lns-b.ctl"
LNS_B=$DAEMON_PID
wait_log 10 "$ART/xl2tpd-b-lns.log" 'Listening on IP address'
daemon xl2tpd-b-lac lac2 xl2tpd -D -c "$ART/lac-b.conf" -p "$RUNDIR/lac-b.pid" -C "$RUNDIR/lac-b.ctl"
LAC_B=$DAEMON_PID
wait_for 60 "(b) ppp address on the LAC" sh -c "ip -n lac2 -br addr | grep -q 'ppp.*10\.88\.0\.'"
grep -q 'Not looking for kernel support' "$ART/xl2tpd-b-lns.log" || fail "(b) xl2tpd is not in userspace mode"
wait_ping 10 lac2 10.88.0.1
pppd_b=$(pgrep -P "$LNS_B" pppd) || fail "(b) no pppd under the LNS's xl2tpd"
cpu0=$(cpu_ms "$LNS_B" "$pppd_b")
iperf lns2 lac2 10.88.0.1 xl2tpd-userspace
rate_b=$RATE
cpu1=$(cpu_ms "$LNS_B" "$pppd_b")
say "(b) xl2tpd userspace mode: $rate_b Mbit/s (iperf3 TCP, ${SECS} s, client to server)"
say "(b) LNS-side xl2tpd + pppd CPU time during the run: $((cpu1 - cpu0)) ms"
kill "$LAC_B" "$LNS_B"
wait "$LAC_B" "$LNS_B" 2>/dev/null || true

say "ratio (a)/(b): $(echo "$rate_a $rate_b" | awk '{printf "%.2f", $1 / $2}') (kernel $(uname -r), ${LNSD_VM_SERIES:-?} series)"
