#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Proof and baseline: Debian's xl2tpd as LNS and as LAC (with pppd) in two
# namespaces, first in kernel mode (pppol2tp, data in l2tp_ppp) and then in
# xl2tpd's userspace mode (`force userspace = yes`, data through xl2tpd and
# a pty).  Ping across the ppp link in both modes and measure iperf3 TCP
# throughput for each, the baseline lnsd's kernel data plane is compared to.
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"   # for topo_pair and lac_xl2tpd
require iperf3
secs=${IPERF_SECONDS:-5}
LAC_PPP_NET=10.88.0.

# pair MODE(kernel|userspace) N: an LNS and a LAC namespace, tunnel up,
# ping, iperf3, then both daemons stopped.
pair() {
	local mode=$1 n=$2 w=$ART/xl2tpd-$1 lns=lns$2 lac=lac$2 force=no
	[ "$mode" = userspace ] && force=yes
	mkdir -p "$w"
	topo_pair "$lns" "$lac"

	cat >"$w/lns.conf" <<-EOC
		[global]
		listen-addr = 192.0.2.1
		force userspace = $force
		[lns default]
		ip range = 10.88.0.10-10.88.0.20
		local ip = 10.88.0.1
		require authentication = no
		length bit = yes
		pppoptfile = $w/lns.opts
	EOC
	printf '%s\n' noauth nodefaultroute noccp novj debug "logfile $w/pppd-lns.log" >"$w/lns.opts"

	daemon "xl2tpd-$mode-lns" "$lns" xl2tpd -D -c "$w/lns.conf" -p "$RUNDIR/$lns.pid" -C "$RUNDIR/$lns.ctl"
	local lns_pid=$DAEMON_PID
	wait_log 10 "$ART/xl2tpd-$mode-lns.log" 'Listening on IP address'
	lac_xl2tpd -w -n "$lac" -g "force userspace = $force" "$mode-lac" - -
	local lac_pid=$LAC_PID
	ip -n "$lac" -br addr | grep ppp
	ip -n "$lns" -br addr | grep ppp

	# The mode must really be the one asked for.
	if [ "$mode" = kernel ]; then
		grep -q 'Using l2tp kernel support' "$ART/xl2tpd-$mode-lns.log" ||
			fail "kernel mode: xl2tpd did not use kernel support"
		on "$lns" ip l2tp show tunnel | grep -q Tunnel ||
			fail "kernel mode: no kernel L2TP tunnel in $lns"
	else
		grep -q 'Not looking for kernel support' "$ART/xl2tpd-$mode-lns.log" ||
			fail "userspace mode: xl2tpd did not skip kernel support"
		if on "$lns" ip l2tp show tunnel | grep -q Tunnel; then
			fail "userspace mode: a kernel L2TP tunnel exists in $lns"
		fi
	fi

	wait_ping 10 "$lac" 10.88.0.1
	expect_ping "$lac" 10.88.0.1 5

	daemon "iperf3-$mode-server" "$lns" iperf3 -s -1 -B 10.88.0.1
	wait_for 10 "iperf3 server" sh -c "ip netns exec $lns ss -ltn | grep -q 10.88.0.1:5201"
	on "$lac" iperf3 -c 10.88.0.1 -t "$secs" -f m >"$ART/iperf3-$mode.txt" 2>&1 ||
		{ cat "$ART/iperf3-$mode.txt"; fail "$mode: iperf3 failed"; }
	local rate
	rate=$(awk '/receiver/ {print $(NF-2), $(NF-1)}' "$ART/iperf3-$mode.txt")
	[ -n "$rate" ] || { cat "$ART/iperf3-$mode.txt"; fail "$mode: no iperf3 result"; }
	echo "BASELINE xl2tpd $mode-mode TCP throughput (${secs}s, TCG guest): $rate"
	echo "$mode $rate" >>"$ART/baseline.txt"

	kill "$lac_pid" "$lns_pid"
	wait "$lac_pid" "$lns_pid" 2>/dev/null || true
}

pair kernel 1
pair userspace 2
