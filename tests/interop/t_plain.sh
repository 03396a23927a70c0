#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 1 (plain): one xl2tpd LAC brings up a tunnel and a call, no tunnel
# authentication. lnsctl must show the session established with the right peer
# and ids, and the tunnel with the LAC's host name.
source "$(dirname "$0")/lib.sh" "$@"
it_init
net_up 1
lns_start
lac_start 1
lac_wait_call 1

expect_count "established sessions on the LNS" lns_established_sessions 1 10
expect_count "tunnels on the LNS" lns_tunnel_count 1 5

if is_lnsd; then
	sessions=$(lns_json sessions)
	tunnels=$(lns_json tunnels)
	printf '%s\n' "$sessions" >"$ART/sessions.json"
	printf '%s\n' "$tunnels" >"$ART/tunnels.json"
	lnsctl show tunnels >"$ART/show-tunnels.txt" || fail "lnsctl show tunnels failed"
	lnsctl show sessions >"$ART/show-sessions.txt" || fail "lnsctl show sessions failed"
	cat "$ART/show-tunnels.txt" "$ART/show-sessions.txt"

	s=$(jq -c '.[0]' <<<"$sessions")
	[ "$(jq -r .state <<<"$s")" = established ] || fail "session state is not established: $s"
	[ "$(jq -r .peer <<<"$s")" = "$(lac_addr 1):1701" ] || fail "session peer is not $(lac_addr 1):1701: $s"
	# Ids as the LAC logged them: its local ids are lnsd's peer ids and vice versa.
	[ "$(jq -r .peer_tunnel_id <<<"$s")" = "$(lac_local_tid 1)" ] || fail "peer_tunnel_id != LAC's tunnel id $(lac_local_tid 1): $s"
	[ "$(jq -r .tunnel_id <<<"$s")" = "$(lac_remote_tid 1)" ] || fail "tunnel_id != the id the LAC was assigned $(lac_remote_tid 1): $s"
	[ "$(jq -r .peer_session_id <<<"$s")" = "$(lac_local_cid 1)" ] || fail "peer_session_id != LAC's call id $(lac_local_cid 1): $s"
	[ "$(jq -r .session_id <<<"$s")" = "$(lac_remote_cid 1)" ] || fail "session_id != the id the LAC was assigned $(lac_remote_cid 1): $s"
	jq -e '.uptime_s | type == "number" and . >= 0' >/dev/null <<<"$s" || fail "uptime_s missing: $s"

	t=$(jq -c '.[0]' <<<"$tunnels")
	[ "$(jq -r .peer_hostname <<<"$t")" = lac1 ] || fail "tunnel peer_hostname is not lac1: $t"
	[ "$(jq -r .peer <<<"$t")" = "$(lac_addr 1):1701" ] || fail "tunnel peer is not $(lac_addr 1):1701: $t"
	[ "$(jq -r .state <<<"$t")" = established ] || fail "tunnel state is not established: $t"
	jq -e '(.sessions | if type == "array" then length else . end) == 1' >/dev/null <<<"$t" \
		|| fail "tunnel does not count 1 session: $t"
fi

# The call must stay up (no HELLO/ack trouble, no CDN) for a few seconds.
sleep 3
if grep -q -E 'Disconnecting|closed to|Terminating pppd|Result code' "$(lac_log 1)"; then
	fail "the LAC tore the call down after it was established"
fi
expect_count "established sessions after 3 s" lns_established_sessions 1 2
check_lns_healthy
pass "xl2tpd LAC tunnel + call established and shown by the LNS"
