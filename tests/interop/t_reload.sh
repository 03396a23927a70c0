#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (reload): configuration reload under an established tunnel + call.
#  a) the config file gets a bad value; SIGHUP, then `lnsctl reload`: lnsd logs
#     the error with file:line, section and key, keeps running, the tunnel and
#     call stay, and lnsctl exits 3 (lnsctl(8): "a configuration with errors on
#     reload").
#  b) a valid config adding a [peer] section with a secret for lac2 and lac3;
#     SIGHUP: the first tunnel stays (same tunnel id), lac2 with the right secret
#     comes up, lac3 with a wrong one is refused with StopCCN result 4.
source "$(dirname "$0")/lib.sh" "$@"
it_init
is_lnsd || skip "lnsd-only scenario (reload)"
net_up 3
lns_start
lac_start 1
lac_wait_call 1
expect_count "established sessions" lns_established_sessions 1 10
tid1=$(lns_json tunnels | jq -r '.[0].tunnel_id')
sid1=$(lns_json sessions | jq -r '.[0].session_id')
log "first tunnel $tid1, session $sid1"

# first_still_up : the first tunnel and its call are still there and established.
first_still_up() {
	local t s
	t=$(lns_json tunnels)
	s=$(lns_json sessions)
	jq -e --argjson t "$tid1" 'map(select(.tunnel_id == $t and .state == "established")) | length == 1' >/dev/null <<<"$t" \
		|| fail "$1: tunnel $tid1 is not established any more: $t"
	jq -e --argjson t "$tid1" --argjson s "$sid1" \
		'map(select(.tunnel_id == $t and .session_id == $s and .state == "established")) | length == 1' >/dev/null <<<"$s" \
		|| fail "$1: session $tid1/$sid1 is not established any more: $s"
}

# ---- a) a config with an error is refused
cp "$ART/lnsd.conf" "$ART/lnsd.conf.orig"
cat >>"$ART/lnsd.conf" <<'EOF'
retransmit-retries = abc
EOF
bad_line=$(grep -n '^retransmit-retries = abc' "$ART/lnsd.conf" | cut -d: -f1)
cp "$ART/lnsd.conf" "$ART/lnsd.conf.bad"
want="$ART/lnsd.conf:$bad_line: [l2tp] retransmit-retries"
kill -HUP "$LNS_PID"
wait_for 5 "lnsd to log the reload error naming $want" grep -q -F "$want" "$LNS_LOG"
grep -F "$want" "$LNS_LOG" | head -1
grep -F "$want" "$LNS_LOG" | grep -q 'reload failed' || fail "the error line does not say the reload failed"
sleep 0.5
check_lns_healthy
first_still_up "after SIGHUP with a bad config"
errs=$(grep -c -F "$want" "$LNS_LOG")

set +e
lnsctl reload >"$ART/lnsctl-reload-bad.txt" 2>&1
rc=$?
set -e
cat "$ART/lnsctl-reload-bad.txt"
[ "$rc" -eq 3 ] || fail "lnsctl reload with a bad config exited $rc, lnsctl(8) says 3"
grep -q -F "retransmit-retries" "$ART/lnsctl-reload-bad.txt" || fail "lnsctl reload did not print the error"
wait_for 5 "lnsd to log the second reload error" test "$(grep -c -F "$want" "$LNS_LOG")" -gt "$errs"
check_lns_healthy
first_still_up "after lnsctl reload with a bad config"
log "bad config refused (SIGHUP and lnsctl reload exit 3), tunnel $tid1 untouched"

# ---- b) a valid config with a new [peer] section
cp "$ART/lnsd.conf.orig" "$ART/lnsd.conf"
cat >>"$ART/lnsd.conf" <<EOF

[peer second]
match-hostname = lac2, lac3
secret = second-s3cret
EOF
kill -HUP "$LNS_PID"
wait_for 5 "lnsd to log the reload" grep -q 'configuration reloaded' "$LNS_LOG"
grep 'configuration reloaded' "$LNS_LOG"
check_lns_healthy
first_still_up "after a valid reload"

cap_start reload
lac_start 2 "challenge = yes" second-s3cret
lac_start 3 "" wrong-s3cret
lac_wait_call 2
wait_for 15 "LAC 3 to be refused" lac_down 3
sleep 1
cap_stop
lac_call_up 3 && fail "LAC 3 established a call with a wrong secret"
expect_count "established sessions (lac1 and lac2)" lns_established_sessions 2 10
jq -e 'map(select(.peer_hostname == "lac2"))[0].peer_config == "second"' >/dev/null <<<"$(lns_json tunnels)" \
	|| fail "lac2's tunnel does not use [peer second]: $(lns_json tunnels)"
cap_fields reload ip.src ip.dst l2tp.avp.message_type l2tp.result_code >"$ART/reload-msgs.txt"
awk -F'\t' -v s="$LNS_ADDR" -v d="$(lac_addr 3)" '$1 == s && $2 == d && $3 == 4 && $4 ~ /^4/ { f = 1 } END { exit !f }' "$ART/reload-msgs.txt" \
	|| fail "no StopCCN with result 4 from lnsd to LAC 3 (see $ART/reload-msgs.txt)"
first_still_up "after the new LACs"
tid_now=$(lns_json tunnels | jq -r 'map(select(.peer_hostname == "lac1"))[0].tunnel_id')
[ "$tid_now" = "$tid1" ] || fail "lac1's tunnel id changed from $tid1 to $tid_now"
# xl2tpd on lac1 saw nothing go down.
if grep -q -E 'Disconnecting|closed to|Terminating pppd|Result code' "$(lac_log 1)"; then
	fail "LAC 1 saw its tunnel or call go down during the reloads"
fi
check_lns_healthy
pass "bad configs refused with file:line key, valid reload adds a [peer] without touching tunnel $tid1"
