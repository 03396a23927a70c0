#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 5 (twenty LACs): 20 xl2tpd LACs in 20 namespaces dial at once, one
# call each. All 20 sessions must be established with 20 distinct peers, then
# every LAC disconnects and the LNS must end with no tunnel and no session.
source "$(dirname "$0")/lib.sh" "$@"
it_init
N=20
net_up "$N"
lns_start
for ((i = 1; i <= N; i++)); do lac_start "$i"; done
for ((i = 1; i <= N; i++)); do lac_wait_call "$i" 30; done
log "all $N LACs report their call established"
expect_count "established sessions" lns_established_sessions "$N" 15
expect_count "tunnels" lns_tunnel_count "$N" 5
if is_lnsd; then
	sessions=$(lns_json sessions)
	printf '%s\n' "$sessions" >"$ART/sessions.json"
	jq -e --argjson n "$N" '(map(.peer) | unique | length) == $n' >/dev/null <<<"$sessions" \
		|| fail "sessions do not have $N distinct peers: $sessions"
	jq -e --argjson n "$N" '(map([.tunnel_id, .session_id]) | unique | length) == $n' >/dev/null <<<"$sessions" \
		|| fail "session ids are not unique: $sessions"
	lnsctl show sessions >"$ART/show-sessions.txt" || fail "lnsctl show sessions failed"
fi
for ((i = 1; i <= N; i++)); do lac_ctl_cmd "$i" "d lns"; done
for ((i = 1; i <= N; i++)); do wait_for 15 "LAC $i disconnected" lac_down "$i"; done
expect_count "tunnels after all LACs disconnected" lns_tunnel_count 0 15
expect_count "sessions after all LACs disconnected" lns_established_sessions 0 5
check_lns_healthy
pass "$N LACs up at once, then all torn down"
