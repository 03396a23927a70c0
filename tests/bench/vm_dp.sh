#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark, run by hand in the test VM (not a ctest test; see README.md):
# the kernel data plane with PPP from lnsbench --ppp (LCP, CHAP-MD5, IPCP in
# lnsbench itself over the L2TP data channel) as many LACs in `client`,
# against each LNS in `lns`, at each N of BENCH_N (default 100 1000 10000):
#   lnsd    dataplane = kernel: a kernel session and a pppN per call;
#   l2tpns  Debian's package: in-process PPP, one TUN device; it
#           authenticates only through RADIUS, so FreeRADIUS runs next to it
#           with one DEFAULT entry (every user, the same password);
#   xl2tpd  Debian's xl2tpd forking Debian's pppd per call (kernel mode,
#           pppol2tp: a pppN per call); pppd runs with noauth here, see
#           README.md.
# A peer stops at its first N that does not come up whole. Printed (BENCH
# lines, also in bench.txt in the artifacts): calls with IPCP up, calls/s
# (ICRQ..ICCN acked and ..IPCP up), ICCN->IPCP-up p50/p99, ppp/tun
# interfaces in `lns`, the LNS's RSS growth per call and CPU per call
# split into user and system time (system time is the kernel work the LNS
# asks for: rtnetlink and PPPoX for pppN), and lnsd's data-in-userspace.
#
#   LNSD_VM_MEM=4096 LNSD_BUILD_DIR=$PWD/build tests/vm/run --kernel 6.12 \
#       --timeout 7200 tests/bench/vm_dp.sh
#   BENCH_N="100 1000" BENCH_PEERS=lnsd ... tests/bench/vm_dp.sh
set -euo pipefail
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/../vm/lnsd-lib.sh"
require getconf
BENCH=$LNSD_BUILD_DIR/tools/lnsbench
[ -x "$BENCH" ] || fail "no $BENCH: build first"
STEPS=${BENCH_N:-100 1000 10000}
PEERS=${BENCH_PEERS:-lnsd xl2tpd l2tpns}
SETUP_TIMEOUT=${BENCH_TIMEOUT:-1800}
# calls in setup at once per tunnel: all 100 at once queue their ICCNs behind
# the LNS's receive window past lnsd's connect timeout under TCG
CALL_WINDOW=${BENCH_CALL_WINDOW:-8}
# lnsd's [l2tp] max-starting (empty: its default) and lnsbench's
# --busy-retry in ms for the calls it refuses (empty: 1000 when
# BENCH_MAX_STARTING is set, else off)
MAX_STARTING=${BENCH_MAX_STARTING:-}
BUSY_RETRY=${BENCH_BUSY_RETRY:-${MAX_STARTING:+1000}}
# lnsd's teardown phase: stopccn (lnsbench's StopCCN to every tunnel, the
# default) or sigterm (lnsd's shutdown while lnsbench holds the calls)
TEARDOWN=${BENCH_TEARDOWN:-stopccn}
# BENCH_STRACE=1: strace lnsd's close(2) calls during the teardown phase
# (teardown-N.strace in the artifacts) and print their count and time per
# kind of fd. strace slows lnsd down: not for the timed figures.
STRACE=${BENCH_STRACE:-}
PW=bench-pw
HZ=$(getconf CLK_TCK)
OUT=$ART/bench.txt
: >"$OUT"
say() { echo "BENCH $*" | tee -a "$OUT"; }
ulimit -n 1048576 2>/dev/null || ulimit -n 65536   # two /dev/ppp fds per call in lnsd

# shape N: tunnels and calls per tunnel.
shape() {
	if [ "$1" -le 100 ]; then echo "10 $(($1 / 10))"; else echo "$(($1 / 100)) 100"; fi
}
# ticks PID...: "utime stime" summed, in clock ticks (children reaped included).
ticks() {
	local p u=0 s=0 a b
	for p; do
		read -r a b <<<"$(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $14, $13 + $15}')"
		u=$((u + a)) s=$((s + b))
	done
	echo "$u $s"
}
# rss_kb PID...: VmRSS summed.
rss_kb() {
	local p t=0
	for p; do t=$((t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done
	echo "$t"
}
nif() { ip -n lns -o link show 2>/dev/null | grep -cE ": ($1)[0-9]*[:@]" || true; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# teardown_lnsd TAG BENCHPID: the calls' teardown, timed; `lnsctl show
# stats` asked every 200 ms meanwhile, each answer timed (30 s at most).
# Prints seconds until lnsd holds no tunnel (stopccn) or has exited
# (sigterm) and no l2tpN is left, and the lnsctl latencies.
teardown_lnsd() {
	local tag=$1 bench=$2 t0 t1 a b lat max=0 sum=0 n=0 slow=0 tun gone= idle=0 i
	# The same probe while lnsd holds the calls and does nothing else: what
	# lnsctl, jq and the VM cost by themselves.
	for i in 1 2 3 4 5; do
		a=$(now_ms)
		timeout 30 "$LNSCTL" -s "$SOCK" show stats -j 2>/dev/null | jq .tunnels >/dev/null 2>&1 || true
		b=$(now_ms)
		idle=$((idle + b - a))
		sleep 0.2
	done
	idle=$((idle / 5))
	local spid=
	if [ -n "$STRACE" ]; then
		on lns strace -qq -yy -T -e trace=close -o "$ART/teardown-$tag.strace" -p "$LNSD_PID" &
		spid=$!
		sleep 1
	fi
	t0=$(now_ms)
	if [ "$TEARDOWN" = sigterm ]; then
		kill -TERM "$LNSD_PID" 2>/dev/null || true
	else
		kill -TERM "$bench" 2>/dev/null || true
	fi
	while :; do
		if kill -0 "$LNSD_PID" 2>/dev/null; then
			a=$(now_ms)
			tun=$(timeout 30 "$LNSCTL" -s "$SOCK" show stats -j 2>/dev/null | jq .tunnels 2>/dev/null || true)
			b=$(now_ms)
			if kill -0 "$LNSD_PID" 2>/dev/null; then
				lat=$((b - a)) n=$((n + 1)) sum=$((sum + lat))
				[ "$lat" -le "$max" ] || max=$lat
				[ "$lat" -lt 1000 ] || slow=$((slow + 1))
			fi
		else
			tun=0
		fi
		if [ -z "$gone" ] && [ "${tun:-x}" = 0 ]; then
			gone=$(now_ms)
		fi
		if [ -n "$gone" ] && [ "$(nif l2tp)" -eq 0 ] &&
			{ [ "$TEARDOWN" != sigterm ] || ! kill -0 "$LNSD_PID" 2>/dev/null; }; then
			break
		fi
		[ $(($(now_ms) - t0)) -lt 1800000 ] || { say "lnsd $tag: teardown not over after 1800 s"; break; }
		sleep 0.2
	done
	t1=$(now_ms)
	say "lnsd $tag teardown ($TEARDOWN): $(echo "$t0 $t1" | awk '{printf "%.1f", ($2 - $1) / 1000}') s" \
		"to no tunnel and no l2tpN, tunnels gone after $(echo "$t0 ${gone:-$t1}" | awk '{printf "%.1f", ($2 - $1) / 1000}') s;" \
		"lnsctl show stats answered $n times, latency max $max ms, mean $((n ? sum / n : 0)) ms, $slow over 1 s" \
		"(before the teardown: mean $idle ms)"
	# sigterm: lnsbench still holds its (now dead) calls
	[ "$TEARDOWN" != sigterm ] || kill -TERM "$bench" 2>/dev/null || true
	wait "$bench" || true
	[ "$TEARDOWN" != sigterm ] || wait "$LNSD_PID" 2>/dev/null || true
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null || true
		wait "$spid" 2>/dev/null || true
		# close(12</dev/ppp>) = 0 <0.000123>: kind of fd, count, total and max ms
		sed -nE 's/^close\([0-9]+<([^:<>[]*).*\) += [-0-9]+.*<([0-9.]+)>$/\1 \2/p' \
			"$ART/teardown-$tag.strace" | awk '
			{ n[$1]++; t[$1] += $2; if ($2 > m[$1]) m[$1] = $2 }
			END { for (k in n) printf "%s: %d closes, %.0f ms, mean %.2f ms, max %.1f ms\n",
				k, n[k], 1000 * t[k], 1000 * t[k] / n[k], 1000 * m[k] }' |
			while read -r line; do say "lnsd $tag teardown close(2) $line"; done
	fi
}

topo_pair
users_file '*' "$PW"
say "kernel $(uname -r), $(nproc) vCPU, $(awk '/MemTotal/ {print $2}' /proc/meminfo) kB"

LNS_PIDS=()   # the LNS's processes to measure
IFPAT=ppp
start_lnsd() {
	lnsd_start "lnsd-$1" <<-EOC
		[lnsd]
		log-level = notice
		[l2tp]
		max-starting = $MAX_STARTING
		[ppp]
		auth = chap
		pool = 10.64.0.10-10.64.255.250
	EOC
	LNS_PIDS=("$LNSD_PID")
	IFPAT=l2tp
}
stop_lnsd() {
	kill -TERM "$LNSD_PID" 2>/dev/null || true
	wait "$LNSD_PID" 2>/dev/null || true
}

FR=/etc/freeradius/3.0
FR_PID=
start_freeradius() {
	[ -z "$FR_PID" ] || return 0
	require freeradius
	mkdir -p "$RUNDIR/frlog"
	chown freerad:freerad "$RUNDIR/frlog"
	sed -i -e "s|^logdir = .*|logdir = $RUNDIR/frlog|" -e 's/reject_delay = 1/reject_delay = 0/' \
		"$FR/radiusd.conf"
	local users=$FR/mods-config/files/authorize
	{ printf 'DEFAULT\tCleartext-Password := "%s"\n' "$PW"; cat "$users"; } >"$users.new"
	mv "$users.new" "$users"
	chown freerad:freerad "$users" "$FR/radiusd.conf"
	daemon freeradius lns freeradius -f -d "$FR"
	FR_PID=$DAEMON_PID
	wait_for 120 "freeradius on 1812" sh -c "ip netns exec lns ss -lun | grep -q ':1812 '"
}
start_l2tpns() {
	require l2tpns
	start_freeradius
	modprobe tun 2>/dev/null || true
	mkdir -p "$RUNDIR/l2tpns"
	cat >"$RUNDIR/l2tpns/startup-config" <<-EOC
		set debug 0
		set log_file "$ART/l2tpns-$1.log"
		set pid_file "$RUNDIR/l2tpns.pid"
		set bind_address $LNS_IP
		set primary_dns 10.0.0.1
		set primary_radius 127.0.0.1
		set radius_secret "testing123"
		set radius_authtypes "chap"
		set radius_accounting no
		set cluster_address 0.0.0.0
		set cluster_interface lo
		set throttle_speed 0
		set accounting_dir ""
		set setuid 0
		set dump_speed no
		set peer_address 10.99.0.1
		set lock_pages no
	EOC
	echo "10.99.0.0/16" >/etc/l2tpns/ip_pool
	# its own session: l2tpns signals its whole process group when it stops
	daemon "l2tpns-$1" lns setsid l2tpns -c "$RUNDIR/l2tpns/startup-config" -h lns
	LNS_PIDS=("$DAEMON_PID")
	IFPAT=tun
	# it takes tunnels once it has elected itself cluster master
	wait_log 120 "$ART/l2tpns-$1.log" 'declaring myself the master'
}
stop_l2tpns() {
	kill -TERM "${LNS_PIDS[0]}" 2>/dev/null || true
	wait "${LNS_PIDS[0]}" 2>/dev/null || true
}
start_xl2tpd() {
	cat >"$ART/xl2tpd-lns.conf" <<-EOC
		[global]
		listen-addr = $LNS_IP
		[lns default]
		ip range = 10.66.0.10-10.66.255.250
		local ip = 10.66.0.1
		require authentication = no
		hostname = lns
		length bit = yes
		pppoptfile = $ART/xl2tpd-lns.opts
	EOC
	printf '%s\n' noauth nodefaultroute noccp novj nobsdcomp nodeflate \
		"lcp-echo-interval 30" "lcp-echo-failure 4" >"$ART/xl2tpd-lns.opts"
	mkdir -p /var/run/xl2tpd
	daemon "xl2tpd-$1" lns xl2tpd -D -c "$ART/xl2tpd-lns.conf" -p "$RUNDIR/xl2tpd.pid" \
		-C "$RUNDIR/xl2tpd.ctl"
	LNS_PIDS=("$DAEMON_PID")
	IFPAT=ppp
	wait_log 20 "$ART/xl2tpd-$1.log" 'Listening on IP address'
}
stop_xl2tpd() {
	kill -TERM "${LNS_PIDS[0]}" 2>/dev/null || true
	wait "${LNS_PIDS[0]}" 2>/dev/null || true
	pkill -TERM -P "${LNS_PIDS[0]}" 2>/dev/null || true
}
# all_pids: the LNS and its children (xl2tpd's pppds).
all_pids() {
	local p
	for p in "${LNS_PIDS[@]}"; do
		echo "$p"
		pgrep -P "$p" || true
	done
}

printf 'BENCH %-6s %6s %7s %8s %8s %9s %9s %6s %10s %9s %9s %6s\n' peer N ipcp-up "calls/s" "ipcp/s" \
	"p50 ms" "p99 ms" ifs "rss B/call" "usr ms/c" "sys ms/c" dius | tee -a "$OUT"
for peer in $PEERS; do
	for n in $STEPS; do
		read -r t s <<<"$(shape "$n")"
		tag=$peer-$n
		if ! "start_$peer" "$n"; then
			say "$peer $n stopped: could not start (see $ART)"
			break
		fi
		dius0=0
		[ "$peer" != lnsd ] || dius0=$(ctl show stats -j | jq '.drops["data-in-userspace"]')
		read -r u0 s0 <<<"$(ticks "${LNS_PIDS[@]}")"
		rss0=$(rss_kb "${LNS_PIDS[@]}")
		rm -f "$ART/ready-$tag"
		log "$tag: lnsbench --ppp $t x $s"
		ip netns exec client "$BENCH" --ppp -t "$t" -s "$s" --src-list "$LAC_IP" \
			${BUSY_RETRY:+--busy-retry "$BUSY_RETRY"} --user 'bench%d' --password "$PW" --call-window "$CALL_WINDOW" --hold 36000 --timeout "$SETUP_TIMEOUT" \
			--ready-file "$ART/ready-$tag" --json "$LNS_IP" >"$ART/$tag.json" 2>"$ART/$tag.err" &
		bench=$!
		while [ ! -e "$ART/ready-$tag" ] && kill -0 "$bench" 2>/dev/null; do sleep 1; done
		# (no /dev/fd in the VM: no process substitution)
		read -r -a pids <<<"$(all_pids | tr '\n' ' ')"
		read -r u1 s1 <<<"$(ticks "${pids[@]}")"
		rss1=$(rss_kb "${pids[@]}")
		ifs=$(nif "$IFPAT")
		dius=-
		[ "$peer" != lnsd ] || dius=$(($(ctl show stats -j | jq '.drops["data-in-userspace"]') - dius0))
		if [ "$peer" = lnsd ]; then
			stats=$(ctl show stats -j)
			teardown_lnsd "$n" "$bench"
		else
			kill -TERM "$bench" 2>/dev/null || true
			wait "$bench" || true
		fi
		j=$ART/$tag.json
		up=$(jq '.phases[0].ppp_up // 0' "$j" 2>/dev/null || echo 0)
		printf 'BENCH %-6s %6s %7s %8s %8s %9s %9s %6s %10s %9s %9s %6s\n' "$peer" "$n" "$up" \
			"$(jq '.phases[0].sessions_per_s | round' "$j")" "$(jq '.phases[0].ppp_per_s | round' "$j")" \
			"$(jq '.phases[0].ppp_setup.p50_ms | round' "$j")" "$(jq '.phases[0].ppp_setup.p99_ms | round' "$j")" \
			"$ifs" "$(( (rss1 - rss0) * 1024 / n ))" \
			"$(echo "$u0 $u1 $HZ $n" | awk '{printf "%.2f", ($2 - $1) * 1000 / $3 / $4}')" \
			"$(echo "$s0 $s1 $HZ $n" | awk '{printf "%.2f", ($2 - $1) * 1000 / $3 / $4}')" \
			"$dius" | tee -a "$OUT"
		if [ "$peer" = lnsd ]; then
			say "lnsd $n: max-starting ${MAX_STARTING:-default}, starting at most" \
				"$(echo "$stats" | jq .sessions_starting_max), refused busy" \
				"$(echo "$stats" | jq .sessions_refused_busy), lnsbench redials" \
				"$(jq '.busy.redialled // 0' "$j"); failures $(jq -c '.phases[0].failures' "$j")"
		fi
		"stop_$peer"
		if [ "$up" != "$n" ]; then
			say "$peer $n stopped: $up of $n calls with IPCP up; lnsbench: $(jq -c '.phases[0].failures' "$j")"
			tail -n 5 "$ART/$peer-$n.log" 2>/dev/null || true
			break
		fi
		# the next N starts from a clean LNS
		wait_for 600 "$peer's interfaces gone" test "$(nif "$IFPAT")" -le 1
	done
done
