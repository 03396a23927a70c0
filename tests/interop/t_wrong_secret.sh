#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 4 (wrong secret): the LAC knows a different secret.
#  a) the LAC does not challenge, so the LNS is first to see a wrong Challenge
#     Response (in SCCCN) and must send StopCCN result 4 (not authorized);
#  b) the LAC challenges too, so it sees the LNS's response fail first and
#     sends StopCCN itself; the LNS must clean up.
# Either way no tunnel remains and the LNS keeps running.
source "$(dirname "$0")/lib.sh" "$@"
it_init
net_up 2
lns_start "secret = right-s3cret"
cap_start wrong
lac_start 1 "" wrong-s3cret
wait_for 15 "LAC 1 to be refused" lac_down 1
lac_start 2 "challenge = yes" wrong-s3cret
wait_for 15 "LAC 2 to give up" lac_down 2
sleep 1
cap_stop
cap_check_clean wrong
lac_call_up 1 && fail "LAC 1 established a call with a wrong secret"
lac_call_up 2 && fail "LAC 2 established a call with a wrong secret"

cap_fields wrong ip.src l2tp.avp.message_type l2tp.result_code >"$ART/wrong-msgs.txt"
# StopCCN (message type 4) from the LNS to LAC 1 with Result Code 4. (xl2tpd as
# the LNS answers with result 2, general error: only lnsd is held to result 4.)
want_rc='^4'
is_lnsd || want_rc='.'
awk -F'\t' -v s="$LNS_ADDR" -v rc="$want_rc" '$1 == s && $2 == 4 && $3 ~ rc { f = 1 } END { exit !f }' "$ART/wrong-msgs.txt" \
	|| fail "no StopCCN with result 4 from the LNS in the capture (see $ART/wrong-msgs.txt)"
if is_lnsd; then
	grep -q -i 'stopccn' "$LNS_LOG" || fail "lnsd logged no StopCCN"
	expect_count "live tunnels left on lnsd" lns_tunnel_count 0 10
	# Held (closing) tunnels only ack retransmitted StopCCNs; they must go within the hold time.
	expect_count "tunnels lnsd still lists after the StopCCN hold time" lns_tunnel_count_all 0 45
	expect_count "sessions left on lnsd" lns_established_sessions 0 2
fi
check_lns_healthy
pass "wrong secret refused with StopCCN result 4, no tunnel left"
