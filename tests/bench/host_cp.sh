#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Control-plane benchmark on the host: lnsd vs xl2tpd vs l2tpns as the LNS,
# driven by tools/lnsbench at N = 100, 1,000, 10,000, 100,000 sessions.
# Prints figures; asserts nothing about time. See README.md here.
#
#   tests/bench/host_cp.sh [BUILD_DIR]
#
# Environment:
#   BENCH_PEERS  LNSes to measure (default "lnsd xl2tpd l2tpns")
#   BENCH_N      session counts (default "100 1000 10000 100000")
#   BENCH_SECRET tunnel secret for lnsd and xl2tpd (default none)
#   BENCH_TIMEOUT lnsbench's --timeout per run, seconds (default 300)
#
# Each LNS runs alone in a network namespace of its own on 127.0.0.1:1701,
# started afresh for each N; lnsbench runs in the same namespace, every
# tunnel from its own 127.1.x.y address. For each N:
#   sessions/s   lnsbench's setup rate (first SCCRQ to the last ICCN acked)
#   cpu/session  utime+stime of the LNS process (and of its reaped children)
#                from /proc/PID/stat, from before the first SCCRQ until
#                every call is up, divided by N
#   rss/session  VmRSS of the LNS once every call is up minus VmRSS before,
#                divided by N; "+children" adds the RSS of its child
#                processes (xl2tpd's per-call pppd)
# Each LNS runs in a session of its own (setsid): xl2tpd signals its process
# group. A peer stops at its first N that does not come up whole; the reason is
# printed (lnsbench's failure reasons and the tail of the LNS's log).
set -euo pipefail

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(realpath -m "${1:-${LNSD_BUILD_DIR:-$SRC_DIR/build}}")
LNSD_BIN=$BUILD_DIR/lnsd/lnsd
LNSCTL_BIN=$BUILD_DIR/tools/lnsctl
LNSBENCH_BIN=$BUILD_DIR/tools/lnsbench
FAKE_PPPD=$SRC_DIR/tests/interop/fake-pppd
PEERS=${BENCH_PEERS:-lnsd xl2tpd l2tpns}
NS_LIST=${BENCH_N:-100 1000 10000 100000}
SECRET=${BENCH_SECRET:-}
TIMEOUT=${BENCH_TIMEOUT:-300}
ART=$BUILD_DIR/bench-artifacts/host_cp
NS=lnsbench-cp-$$
LNS_PID=""
BENCH_PID=""
CLK_TCK=$(getconf CLK_TCK)
PAGE=$(getconf PAGESIZE)

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace; xl2tpd's pppd stand-in is bind-mounted)"
command -v jq >/dev/null || die "jq is not installed"
for b in "$LNSD_BIN" "$LNSCTL_BIN" "$LNSBENCH_BIN"; do [ -x "$b" ] || die "not built: $b"; done
mkdir -p "$ART"
RUN=$(mktemp -d /tmp/lnsbench-cp.XXXXXX)

stop_lns() {
	if [ -n "$BENCH_PID" ]; then kill -TERM "$BENCH_PID" 2>/dev/null || true; wait "$BENCH_PID" 2>/dev/null || true; fi
	BENCH_PID=""
	if [ -n "$LNS_PID" ] && kill -0 "$LNS_PID" 2>/dev/null; then
		kill -TERM "$LNS_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$LNS_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$LNS_PID" 2>/dev/null || true
	fi
	LNS_PID=""
	local pid
	for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	wait 2>/dev/null || true
}
cleanup() { set +e; stop_lns; rm -rf "$RUN"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# tunnels x sessions per tunnel for a total of N
shape() {
	case $1 in
	100) echo "10 10" ;;
	1000) echo "10 100" ;;
	10000) echo "100 100" ;;
	100000) echo "100 1000" ;;
	*) echo "$(( ($1 + 999) / 1000 )) $(( $1 / (($1 + 999) / 1000) ))" ;;
	esac
}

# CPU ticks of PID and of its reaped children: utime stime cutime cstime (fields 14-17)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# summed RSS (kB) of PID's descendants, from one ps listing
children_rss_kb() {
	ps -e -o pid=,ppid=,rss= | awk -v root="$1" '
		{ parent[$1] = $2; rss[$1] = $3 }
		END {
			for (p in parent) {
				q = parent[p]
				while (q != "" && q != 0 && q != root) q = parent[q]
				if (q == root) total += rss[p]
			}
			print total + 0
		}'
}

ns_up() {
	ip netns add "$NS"
	ip -n "$NS" link set lo up
}

start_lnsd() {
	cat >"$RUN/lnsd.conf" <<EOF
[lnsd]
listen = 127.0.0.1:1701
control-socket = $RUN/lnsd.sock
hostname = lnsd-bench
dataplane = none
log-level = warning
[l2tp]
${SECRET:+secret = $SECRET}
EOF
	ip netns exec "$NS" setsid "$LNSD_BIN" -c "$RUN/lnsd.conf" -f >"$ART/$1.log" 2>&1 &
	LNS_PID=$!
	for _ in $(seq 1 50); do
		"$LNSCTL_BIN" -s "$RUN/lnsd.sock" show stats >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "lnsd did not start (see $ART/$1.log)"
}

start_xl2tpd() {
	local extra=""
	if [ -n "$SECRET" ]; then
		extra="challenge = yes"
		printf '* * %s\n' "$SECRET" >"$RUN/xl2tpd.secrets"
	else
		: >"$RUN/xl2tpd.secrets"
	fi
	cat >"$RUN/xl2tpd.conf" <<EOF
[global]
listen-addr = 127.0.0.1
port = 1701
auth file = $RUN/xl2tpd.secrets
access control = no
[lns default]
ip range = 10.88.0.10-10.88.255.250
local ip = 10.88.0.1
require authentication = no
hostname = xl2tpd-bench
$extra
EOF
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$NS" setsid unshare -m sh -c \
		'mount --bind "$1" /usr/sbin/pppd && exec xl2tpd -D -c "$2" -p "$3" -C "$4"' \
		sh "$FAKE_PPPD" "$RUN/xl2tpd.conf" "$RUN/xl2tpd.pid" "$RUN/xl2tpd.ctl" \
		>"$ART/$1.log" 2>&1 &
	LNS_PID=$!
	for _ in $(seq 1 50); do
		grep -q 'Listening on IP address' "$ART/$1.log" && break
		sleep 0.1
	done
	grep -q 'Listening on IP address' "$ART/$1.log" || die "xl2tpd did not start (see $ART/$1.log)"
	# $! is unshare's pid until it execs sh, then xl2tpd: wait for the exec
	for _ in $(seq 1 20); do
		[ "$(cat "/proc/$LNS_PID/comm" 2>/dev/null)" = xl2tpd ] && break
		sleep 0.1
	done
}

start_l2tpns() {
	# Installed here, not by tools/dev/setup.sh: only this benchmark needs it.
	# policy-rc.d keeps the package's own service from starting on UDP 1701.
	if ! command -v l2tpns >/dev/null; then
		local own_policy=
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
			own_policy=1
		fi
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends l2tpns >/dev/null
		[ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
	fi
	command -v l2tpns >/dev/null || { echo "l2tpns not installed (apt-get install l2tpns failed)"; return 1; }
	# l2tpns: in-process PPP and a TUN device; see README.md for what this measures.
	# lnsbench speaks no PPP: l2tpns's LCP Configure-Requests are spaced 600 s
	# apart (ppp_restart_time) so that its calls stay up without PPP and the
	# unanswered LCP does not flood the run (with 3 s, 10,000 calls are 3,300
	# LCP packets/s that l2tpns sends and lnsbench drops).
	mkdir -p "$RUN/l2tpns"
	cat >"$RUN/l2tpns/startup-config" <<EOF
set debug 0
set log_file "$ART/$1.log"
set pid_file "$RUN/l2tpns.pid"
set bind_address 127.0.0.1
set l2tp_secret "$SECRET"
set primary_dns 10.0.0.1
set cluster_address 0.0.0.0
set cluster_interface lo
set throttle_speed 0
set accounting_dir ""
set setuid 0
set dump_speed no
set radius_accounting no
set peer_address 10.99.0.1
set lock_pages no
set kill_timedout_sessions no
set ppp_max_configure 10
set ppp_restart_time 600
EOF
	echo "10.99.0.0/16" >"$RUN/l2tpns/ip_pool"
	# l2tpns reads its pool from the fixed path /etc/l2tpns/ip_pool: ours is
	# bind-mounted over it in a private mount namespace.
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$NS" setsid unshare -m sh -c \
		'mount --bind "$1" /etc/l2tpns/ip_pool && exec l2tpns -c "$2" -h l2tpns-bench' \
		sh "$RUN/l2tpns/ip_pool" "$RUN/l2tpns/startup-config" >"$ART/$1.stdout" 2>&1 &
	LNS_PID=$!
	for _ in $(seq 1 20); do
		[ "$(cat "/proc/$LNS_PID/comm" 2>/dev/null)" = l2tpns ] && break
		sleep 0.1
	done
	# l2tpns takes no tunnel until it has elected itself cluster master (~15 s)
	for _ in $(seq 1 300); do
		grep -q 'declaring myself the master' "$ART/$1.log" 2>/dev/null && break
		kill -0 "$LNS_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$LNS_PID" 2>/dev/null || { echo "l2tpns exited at startup: $(tail -3 "$ART/$1.stdout" "$ART/$1.log" 2>/dev/null | tr '\n' ' ')"; return 1; }
}

printf '%-7s %7s %9s %11s %12s %12s %14s %10s %10s\n' peer N shape "sessions/s" "cpu/sess ms" "rss/sess B" "+children B" "p50 ms" "p99 ms"
for peer in $PEERS; do
	for n in $NS_LIST; do
		read -r t s <<<"$(shape "$n")"
		tag=$peer-$n
		rm -f "$ART/$tag".*   # l2tpns appends to its log; the master check reads it
		ns_up
		if ! "start_$peer" "$tag" >"$RUN/reason"; then
			printf '%-7s %7s  stopped: %s\n' "$peer" "$n" "$(cat "$RUN/reason")"
			stop_lns
			break
		fi
		sleep 0.3
		cpu0=$(cpu_ticks "$LNS_PID")
		rss0=$(rss_kb "$LNS_PID")
		rm -f "$RUN/ready"
		args=(-t "$t" -s "$s" --hold 3600 --timeout "$TIMEOUT" --ready-file "$RUN/ready" --json)
		[ -n "$SECRET" ] && args+=(--secret "$SECRET")
		ip netns exec "$NS" "$LNSBENCH_BIN" "${args[@]}" 127.0.0.1:1701 \
			>"$ART/$tag.json" 2>"$ART/$tag.bench.err" &
		BENCH_PID=$!
		while [ ! -s "$RUN/ready" ] && kill -0 "$BENCH_PID" 2>/dev/null; do sleep 0.2; done
		alive=yes
		kill -0 "$LNS_PID" 2>/dev/null || alive=no
		cpu1=0 rss1=0 crss=0
		if [ $alive = yes ]; then
			cpu1=$(cpu_ticks "$LNS_PID")
			rss1=$(rss_kb "$LNS_PID")
			crss=$(children_rss_kb "$LNS_PID")
		fi
		kill -TERM "$BENCH_PID" 2>/dev/null || true
		wait "$BENCH_PID" 2>/dev/null || true
		BENCH_PID=""
		j=$ART/$tag.json
		if ! jq -e . "$j" >/dev/null 2>&1; then
			printf '%-7s %7s  stopped: lnsbench gave no report (%s)\n' "$peer" "$n" "$(tail -1 "$ART/$tag.bench.err")"
			stop_lns
			break
		fi
		up=$(jq '.phases[0].sessions_up' "$j")
		printf '%-7s %7s %9s %11.0f %12.3f %12.0f %14.0f %10.1f %10.1f\n' "$peer" "$n" "${t}x$s" \
			"$(jq '.phases[0].sessions_per_s' "$j")" \
			"$(awk -v a="$cpu0" -v b="$cpu1" -v n="$up" -v hz="$CLK_TCK" 'BEGIN { print n ? (b - a) * 1000 / hz / n : 0 }')" \
			"$(awk -v a="$rss0" -v b="$rss1" -v n="$up" 'BEGIN { print n ? (b - a) * 1024 / n : 0 }')" \
			"$(awk -v a="$rss0" -v b="$rss1" -v c="$crss" -v n="$up" 'BEGIN { print n ? (b - a + c) * 1024 / n : 0 }')" \
			"$(jq '.phases[0].session_setup.p50_ms' "$j")" "$(jq '.phases[0].session_setup.p99_ms' "$j")"
		if [ "$up" != "$n" ] || [ $alive = no ]; then
			printf '%-7s %7s  stopped: %s of %s sessions up%s; lnsbench: %s; LNS log: %s\n' "$peer" "$n" "$up" "$n" \
				"$([ $alive = no ] && echo ", the LNS died")" \
				"$(jq -c '.phases[0].failures' "$j")" \
				"$(tail -n 3 "$ART/$tag.log" 2>/dev/null | tr '\n' ' ' | cut -c1-300)"
			stop_lns
			break
		fi
		stop_lns
	done
done
log "artifacts (lnsbench JSON, LNS logs) in $ART"
