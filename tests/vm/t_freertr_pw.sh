#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lnsd's LCCE (lnsd/eng_lcce.c) against an independent L2TPv3
# implementation: freeRtr (a Java router with its own IP stack and its own
# RFC 3931 code; nothing shared with the kernel or lnsd), started by its
# lcce.sh, over IP encapsulation (protocol 115, all freeRtr speaks), no
# cookies, no sublayer, v2-style Challenge/Challenge Response with a shared
# secret:
#
#   lana 10.77.0.1 -- [br0 pw-fr: lnsd 192.0.2.1] == 192.0.2.0/24 ==
#                     [192.0.2.2 freeRtr, bridge 1] -- frlan0 10.77.0.2 (lanb)
#
# Both LAN hosts sit in one subnet, so ARP and ping cross the pseudowire.
# One VM boot, two phases:
#  1. freeRtr initiator (vpdn, direction out) -> lnsd responder;
#  2. lnsd (restarted) initiator -> freeRtr responder (`server l2tp3`).
# Each: lnsctl shows the pseudowire up with the IDs freeRtr logged, the
# kernel has a v3 IP tunnel and an l2tpeth session on br0, the LAN hosts
# ping and resolve each other both ways, the session's counters rise and
# lnsd read no data packet. The control exchange is captured on lnsd's WAN
# ($ART/ctl-*.pcap) for comparison with freeRtr's own (its rtr.log).
#
# freeRtr lives outside the repository, at ../shared/peers/freertr from its
# root, or in $LNSD_FREERTR_DIR (tests/vm/run passes it on); without it or
# without java the test is skipped (status 77), not passed.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

FR=${LNSD_FREERTR_DIR:-${LNSD_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}/../shared/peers/freertr}
if [ ! -x "$FR/lcce.sh" ] || [ ! -f "$FR/rtr.jar" ]; then
	skip "no freeRtr (lcce.sh, rtr.jar) in $FR; set LNSD_FREERTR_DIR"
fi
if ! java -version >/dev/null 2>&1; then
	skip "no java to run freeRtr (openjdk-17-jre-headless)"
fi
require ip ping jq curl bc ss stdbuf dumpcap

LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
[ -x "$LNSD" ] || fail "no $LNSD"

# The JVM needs 12-70 s to open its ports in a TCG guest, more on a busy host.
FR_WAIT=${FR_WAIT:-300}
SECRET=pw-secret
VCID=4711

ns_add pw fr lana lanb
link_add pw eth0 192.0.2.1/24 fr eth0 -
link_add lana eth0 10.77.0.1/24 pw lan0 -
ip -n pw link add br0 type bridge
ip -n pw link set lan0 master br0
ip -n pw link set br0 up
# freeRtr's pseudowire MTU is 1400.
ip -n lana link set eth0 mtu 1400
lana_mac=$(ip -n lana -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

# conf ROLE: $ART/lnsd-ROLE.conf
conf() {
	cat >"$ART/lnsd-$1.conf" <<-EOC
		[lnsd]
		listen = 192.0.2.1:1701
		control-socket = $RUNDIR/lnsd.sock
		hostname = lnsd-site
		dataplane = kernel
		log-level = debug
		metrics = 192.0.2.1:9101
		[pseudowire fr]
		peer = 192.0.2.2
		local = 192.0.2.1
		encap = ip
		pw-type = ethernet
		remote-end-id = $VCID
		cookie = 0
		l2spec = none
		ifname = pw-fr
		bridge = br0
		secret = $SECRET
		auth = challenge
		role = $1
		retry-min = 1
		retry-max = 4
	EOC
}
ctl() { "$LNSCTL" -s "$RUNDIR/lnsd.sock" "$@"; }
pw_field() { ctl show pseudowires -j | jq -r ".[0].$1"; }
pw_up() { [ "$(pw_field state)" = up ]; }
data_read() {
	on pw curl -s http://192.0.2.1:9101/metrics |
		grep '^lnsd_l2tpv3_drops_total{reason="data-in-userspace"}' | awk '{print $2}'
}
fr_started() { grep -q 'listening after' "$ART/$1.log" || ! kill -0 "$2" 2>/dev/null; }

# phase NAME ROLE FR_ROLE: one freeRtr, one lnsd, checked, both stopped.
phase() {
	local name=$1 role=$2 frrole=$3 w=$ART/$1 t0 fr_pid lnsd_pid lanb_mac j rx
	mkdir -p "$w"
	ip -n lanb link del frlan0 2>/dev/null || true
	conf "$role"
	capture_start "ctl-$name" pw eth0 "ip proto 115"
	t0=$(date +%s)
	# freeRtr first when it answers: lnsd's dialler then finds it listening.
	daemon "fr-$name" fr "$FR/lcce.sh" --netns fr --addr 192.0.2.2/24 --bridge eth0 \
		--peer 192.0.2.1 --role "$frrole" --vcid "$VCID" --secret "$SECRET" \
		--hostname frlcce --lan-addr 10.77.0.2/24 --lan-netns lanb \
		--workdir "$w/fr" --ready-timeout "$FR_WAIT"
	fr_pid=$DAEMON_PID
	if [ "$frrole" = responder ]; then
		wait_for "$FR_WAIT" "$name: freeRtr listening" fr_started "fr-$name" "$fr_pid"
	fi
	daemon "lnsd-$name" pw "$LNSD" -f -c "$ART/lnsd-$role.conf"
	lnsd_pid=$DAEMON_PID
	wait_for "$FR_WAIT" "$name: freeRtr listening" fr_started "fr-$name" "$fr_pid"
	kill -0 "$fr_pid" || { tail "$ART/fr-$name.log"; fail "$name: lcce.sh exited"; }
	log "$name: $(grep 'listening after' "$ART/fr-$name.log")"
	wait_for "$FR_WAIT" "$name: pseudowire up in lnsd" pw_up
	log "$name: pseudowire up $(($(date +%s) - t0)) s after freeRtr started"
	wait_log 60 "$ART/fr-$name.log" 'SESSION-UP after'
	ctl show pseudowires
	j=$(ctl show pseudowires -j | jq -c '.[0]')
	echo "$j" >"$w/pw.json"
	[ "$(jq -r .encap <<<"$j")" = ip ] || fail "$name: not IP encapsulation"
	[ "$(jq -r "[.cookie, .peer_cookie] | map(tostring) | join(\" \")" <<<"$j")" = "0 0" ] ||
		fail "$name: cookies"
	[ "$(jq -r .circuit_remote <<<"$j")" = true ] || fail "$name: freeRtr's circuit is not up"

	# The kernel's side: one v3 IP tunnel, one Ethernet session on br0.
	on pw ip l2tp show tunnel | tee "$w/l2tp-tunnel.txt"
	on pw ip l2tp show session | tee "$w/l2tp-session.txt"
	grep -q 'encap IP' "$w/l2tp-tunnel.txt" || fail "$name: the kernel tunnel is not IP"
	grep -q "Peer tunnel $(jq -r .peer_ccid <<<"$j")" "$w/l2tp-tunnel.txt" ||
		fail "$name: the kernel tunnel's peer id is not freeRtr's"
	grep -q "Session $(jq -r .sid <<<"$j") " "$w/l2tp-session.txt" || fail "$name: kernel session id"
	ip -n pw -o link show pw-fr | grep -q 'master br0' || fail "$name: pw-fr not on br0"

	# Hosts across: ARP and ping both ways.
	lanb_mac=$(ip -n lanb -o link show frlan0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
	ip -n lana neigh flush all
	ip -n lanb neigh flush all
	wait_ping 30 lana 10.77.0.2
	expect_ping lana 10.77.0.2 5
	expect_ping lanb 10.77.0.1 5
	ip -n lana neigh show 10.77.0.2 | grep -qi "lladdr $lanb_mac" || fail "$name: lana's ARP"
	ip -n lanb neigh show 10.77.0.1 | grep -qi "lladdr $lana_mac" || fail "$name: lanb's ARP"
	log "ok: $name: the LANs reach each other (ARP and ping both ways)"
	sleep 1.2   # the kernel counters are cached for a second
	rx=$(pw_field counters.rx_packets)
	[ "$rx" -ge 10 ] || fail "$name: lnsd's session received $rx packets"
	[ "$(data_read)" = 0 ] || fail "$name: lnsd read $(data_read) data packets"
	log "ok: $name: the kernel session received $rx packets; lnsd read none"
	ctl show stats -j >"$w/stats.json" 2>/dev/null || true
	on pw curl -s http://192.0.2.1:9101/metrics | grep '^lnsd_\(l2tpv3\|pseudowire\)' >"$w/metrics.txt" || true

	# Stop: lnsd first (StopCCN to freeRtr), then freeRtr.
	kill -TERM "$lnsd_pid"
	wait "$lnsd_pid" || fail "$name: lnsd exited with $?"
	[ -z "$(on pw ip l2tp show tunnel)" ] || fail "$name: a kernel tunnel is left"
	sleep 1
	kill "$fr_pid"
	wait "$fr_pid" 2>/dev/null || true
	capture_stop
	grep -E 'rx |tx ' "$w/fr/rtr.log" >"$w/fr-ctl.txt" || true
	log "$name: passed in $(($(date +%s) - t0)) s"
}

phase fr-initiates responder initiator
phase lnsd-initiates initiator responder
log "freeRtr <-> lnsd: pseudowires both ways, hosts across"
