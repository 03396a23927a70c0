#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 6 (teardown both ways):
#  A) the LAC hangs up its call (CDN): the session goes, the tunnel stays;
#     then the LAC disconnects the tunnel (StopCCN): the tunnel goes.
#  B) lnsctl terminate session: the LAC logs the CDN, lnsd keeps the tunnel;
#     lnsctl terminate tunnel: the LAC logs the StopCCN, lnsd is clean.
source "$(dirname "$0")/lib.sh" "$@"
it_init
net_up 3
lns_start
cap_start teardown

# --- A: from the LAC
lac_start 1
lac_wait_call 1
expect_count "sessions (A)" lns_established_sessions 1 10
lac_ctl_cmd 1 "h $(lac_local_cid 1)"
wait_for 10 "LAC 1 hung up its call" grep -q -E 'Terminating pppd|Hanging up|call_close|Connection .*closed' "$(lac_log 1)"
expect_count "sessions after the LAC's CDN" lns_established_sessions 0 10
if is_lnsd; then
	expect_count "tunnels after the LAC's CDN (tunnel must stay)" lns_tunnel_count 1 2
fi
lac_ctl_cmd 1 "d lns"
wait_for 10 "LAC 1 disconnected" grep -q -E 'Disconnecting from|closed to' "$(lac_log 1)"
expect_count "tunnels after the LAC's StopCCN" lns_tunnel_count 0 10
log "A: teardown from the LAC ok"

# --- B: from lnsctl (lnsd only)
if is_lnsd; then
	lac_start 2
	lac_wait_call 2
	expect_count "sessions (B)" lns_established_sessions 1 10
	s=$(lns_json sessions | jq -c '.[0]')
	tid=$(jq -r .tunnel_id <<<"$s")
	sid=$(jq -r .session_id <<<"$s")
	lnsctl terminate session "$tid" "$sid" || fail "lnsctl terminate session $tid $sid failed"
	# xl2tpd logs a CDN it receives through its result code and closes the pty.
	wait_for 10 "LAC 2 saw the CDN" grep -q -E 'Terminating pppd|Result code|disconnect' "$(lac_log 2)"
	expect_count "sessions after terminate session" lns_established_sessions 0 10
	expect_count "tunnels after terminate session (tunnel must stay)" lns_tunnel_count 1 2
	lac_call_up 2 || fail "LAC 2 lost its log"
	lnsctl terminate tunnel "$tid" || fail "lnsctl terminate tunnel $tid failed"
	wait_for 15 "LAC 2 saw the StopCCN" grep -q -E 'Connection [0-9]+ closed to|closed to' "$(lac_log 2)"
	expect_count "tunnels after terminate tunnel" lns_tunnel_count 0 15

	# Both directions on one more LAC: terminate tunnel with a call up.
	lac_start 3
	lac_wait_call 3
	tid=$(lns_json tunnels | jq -r '.[0].tunnel_id')
	lnsctl terminate tunnel "$tid" || fail "lnsctl terminate tunnel $tid failed"
	wait_for 15 "LAC 3 saw the StopCCN" grep -q -E 'closed to' "$(lac_log 3)"
	expect_count "tunnels after terminate tunnel with a live call" lns_tunnel_count 0 15
	expect_count "sessions after terminate tunnel with a live call" lns_established_sessions 0 2
	if lnsctl terminate tunnel 4242 2>"$ART/terminate-unknown.err"; then
		fail "lnsctl terminate tunnel on an unknown tunnel succeeded"
	fi
	log "B: teardown from lnsctl ok"
fi
cap_stop
cap_check_clean teardown
cap_fields teardown ip.src l2tp.avp.message_type l2tp.result_code >"$ART/teardown-msgs.txt"
check_lns_healthy
pass "teardown from the LAC and from lnsctl"
