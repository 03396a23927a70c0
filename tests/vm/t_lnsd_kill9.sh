#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of lnsd (dataplane = kernel) with a session up leaves nothing in
# the kernel: its tunnel socket, PPPoL2TP socket and /dev/ppp fds close with
# the process, and with them the kernel tunnel, session and pppN.  A
# restarted lnsd serves again: the client (xl2tpd + pppd, kernel mode,
# `redial = yes`) notices the dead peer (pppd LCP echoes, then xl2tpd's
# retransmissions give up), redials, gets a new session and passes pings.
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip ping xl2tpd pppd jq
LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
SOCK=$RUNDIR/lnsd.sock
ctl() { on lns "$LNSCTL" -s "$SOCK" "$@"; }
not() { ! "$@"; }

ns_add client lns
link_add lns eth0 192.0.2.1/24 client eth0 192.0.2.2/24

umask 077
printf '%s\n' '# client  server  secret  addresses' 'alice * alice-pw *' >"$RUNDIR/users"
chmod 600 "$RUNDIR/users"
cat >"$ART/lnsd.conf" <<-EOC
	[lnsd]
	listen = 192.0.2.1:1701
	control-socket = $SOCK
	hostname = lns
	dataplane = kernel
	log-level = debug
	[ppp]
	auth = chap
	local-ip = 10.64.0.1
	pool = 10.64.0.10-10.64.0.20
	users-file = $RUNDIR/users
	ifname = l2tp%d
EOC

# The LAC gives up on a silent peer quickly: pppd after 3 unanswered LCP
# echoes a second apart, xl2tpd after 3 retransmissions (1 + 2 + 4 s) of a
# control message; then it redials a second later.
cat >"$ART/lac.conf" <<-EOC
	[global]
	listen-addr = 192.0.2.2
	max retries = 3
	[lac x]
	lns = 192.0.2.1
	autodial = yes
	redial = yes
	redial timeout = 1
	length bit = yes
	pppoptfile = $ART/lac.opts
EOC
printf '%s\n' noauth nodefaultroute noccp novj refuse-pap "user alice" "password alice-pw" \
	"lcp-echo-interval 1" "lcp-echo-failure 3" debug "logfile $ART/pppd.log" >"$ART/lac.opts"

# kernel_empty: no L2TP tunnel or session and no pppN/l2tpN in lns.
kernel_empty() {
	[ -z "$(on lns ip l2tp show tunnel)" ] && [ -z "$(on lns ip l2tp show session)" ] &&
		! ip -n lns -br link | grep -qE '^(l2tp|ppp)[0-9]'
}
client_ip() { ip -n client -4 -o addr show | awk '/ppp/ {split($4, a, "/"); print a[1]; exit}'; }
# up: lnsd has an established session and the client its address.
up() {
	[ -n "$(client_ip)" ] &&
		ctl show sessions -j | jq -e 'any(.[]; .ip != null and .ip != "" and .ifname != "")' >/dev/null
}

daemon lnsd lns "$LNSD" -f -c "$ART/lnsd.conf"
LNSD_PID=$DAEMON_PID
wait_log 10 "$ART/lnsd.log" 'data plane: kernel'
daemon xl2tpd client xl2tpd -D -c "$ART/lac.conf" -p "$RUNDIR/lac.pid" -C "$RUNDIR/lac.ctl"

wait_for 60 "first session up" up
ctl show sessions
tid1=$(ctl show sessions -j | jq '.[0].tunnel_id')
wait_ping 10 client 10.64.0.1
expect_ping client 10.64.0.1 5
expect_ping lns "$(client_ip)" 3
on lns ip l2tp show tunnel | grep -q '^Tunnel' || fail "no kernel tunnel in lns"
on lns ip l2tp show session | grep -q '^Session' || fail "no kernel session in lns"
ip -n lns -br link | grep -qE '^l2tp[0-9]' || fail "no l2tpN in lns"

log "kill -9 lnsd ($LNSD_PID)"
kill -KILL "$LNSD_PID"
wait "$LNSD_PID" 2>/dev/null || true
wait_for 5 "kernel tunnel, session and pppN gone after kill -9" kernel_empty
on lns ip l2tp show tunnel
ip -n lns -br link

# The control socket's file is left behind by kill -9; the new lnsd
# replaces it.
daemon lnsd2 lns "$LNSD" -f -c "$ART/lnsd.conf"
LNSD_PID=$DAEMON_PID
wait_log 10 "$ART/lnsd2.log" 'data plane: kernel'
t0=$(date +%s)
wait_for 90 "the client redialled and a new session is up" up
log "new session $(($(date +%s) - t0)) s after the restart"
ctl show sessions
tid2=$(ctl show sessions -j | jq '.[0].tunnel_id')
log "tunnel before: $tid1, after: $tid2"
wait_ping 10 client 10.64.0.1
expect_ping client 10.64.0.1 5
expect_ping lns "$(client_ip)" 3
sleep 1.2   # the kernel counters are cached for a second
ctl show sessions -j | jq -e '.[0].rx_packets >= 8 and .[0].tx_packets >= 8' >/dev/null ||
	{ ctl show sessions -j; fail "kernel counters of the new session did not move"; }
[ "$(on lns ip l2tp show tunnel | grep -c '^Tunnel')" = 1 ] || fail "not exactly one kernel tunnel"
[ "$(on lns ip l2tp show session | grep -c '^Session')" = 1 ] || fail "not exactly one kernel session"
log "lnsd restarted after kill -9 and serves again"
