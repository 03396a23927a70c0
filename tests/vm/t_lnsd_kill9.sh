#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of lnsd (dataplane = kernel) with a session up leaves nothing in
# the kernel: its tunnel socket, PPPoL2TP socket and /dev/ppp fds close with
# the process, and with them the kernel tunnel, session and pppN.  A
# restarted lnsd serves again: the client (xl2tpd + pppd, kernel mode,
# `redial = yes`) notices the dead peer (pppd LCP echoes, then xl2tpd's
# retransmissions give up), redials, gets a new session and passes pings.
set -euo pipefail
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"
not() { ! "$@"; }

topo_pair
users_file alice alice-pw

# kernel_empty: no L2TP tunnel or session and no pppN/l2tpN in lns.
kernel_empty() {
	[ -z "$(on lns ip l2tp show tunnel)" ] && [ -z "$(on lns ip l2tp show session)" ] &&
		! ip -n lns -br link | grep -qE '^(l2tp|ppp)[0-9]'
}
# up: lnsd has an established session and the client its address.
up() {
	[ -n "$(ppp_ip)" ] &&
		ctl show sessions -j | jq -e 'any(.[]; .ip != null and .ip != "" and .ifname != "")' >/dev/null
}

lnsd_start
# The LAC gives up on a silent peer quickly: pppd after 3 unanswered LCP
# echoes a second apart, xl2tpd after 3 retransmissions (1 + 2 + 4 s) of a
# control message; then it redials a second later.
lac_xl2tpd -g "max retries = 3" -l "redial = yes" -l "redial timeout = 1" x alice alice-pw \
	refuse-pap "lcp-echo-interval 1" "lcp-echo-failure 3"

wait_for 60 "first session up" up
ctl show sessions
tid1=$(ctl show sessions -j | jq '.[0].tunnel_id')
wait_ping 10 client 10.64.0.1
expect_ping client 10.64.0.1 5
expect_ping lns "$(ppp_ip)" 3
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
lnsd_run lnsd2
t0=$(date +%s)
wait_for 90 "the client redialled and a new session is up" up
log "new session $(($(date +%s) - t0)) s after the restart"
ctl show sessions
tid2=$(ctl show sessions -j | jq '.[0].tunnel_id')
log "tunnel before: $tid1, after: $tid2"
wait_ping 10 client 10.64.0.1
expect_ping client 10.64.0.1 5
expect_ping lns "$(ppp_ip)" 3
sleep 1.2   # the kernel counters are cached for a second
ctl show sessions -j | jq -e '.[0].rx_packets >= 8 and .[0].tx_packets >= 8' >/dev/null ||
	{ ctl show sessions -j; fail "kernel counters of the new session did not move"; }
[ "$(on lns ip l2tp show tunnel | grep -c '^Tunnel')" = 1 ] || fail "not exactly one kernel tunnel"
[ "$(on lns ip l2tp show session | grep -c '^Session')" = 1 ] || fail "not exactly one kernel session"
log "lnsd restarted after kill -9 and serves again"
