#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 3 (hidden AVPs): xl2tpd with "hidden bit = yes" and lnsd with
# hide-avps = yes, both with a tunnel secret. The capture records which AVPs
# each side actually hid (xl2tpd: see README.md).
source "$(dirname "$0")/lib.sh" "$@"
it_init
SECRET=hidden-s3cret
net_up 1
lns_start "secret = $SECRET
hide-avps = yes"
cap_start hidden
lac_start 1 "challenge = yes
hidden bit = yes" "$SECRET"
lac_wait_call 1
expect_count "established sessions" lns_established_sessions 1 10
sleep 1
cap_stop

cap_check_clean hidden # also writes hidden-decode.txt (tshark -V)
# Per message: sender, message type, and the AVPs that carried the H bit
# (tshark cannot unhide them, so it names the AVP but prints no value).
hidden_summary() {
	awk '
	function flush() { if (msg != "") printf "%s\t%s\t%s\n", src, msg, (hid == "" ? "none" : hid); msg = ""; hid = "" }
	/^Frame [0-9]+:/ { flush() }
	/^Internet Protocol Version 4, Src:/ { src = $6; sub(",", "", src) }
	/^    [A-Za-z].* AVP$/ { avp = $0; sub(/^ +/, "", avp); sub(/ AVP$/, "", avp) }
	/Hidden: True/ { hid = hid (hid == "" ? "" : ", ") avp }
	/ Message Type: / { m = $0; sub(/.*Message Type: /, "", m); msg = m }
	END { flush() }' "$ART/hidden-decode.txt"
}
hidden_summary >"$ART/hidden-avps.txt"
log "hidden AVPs per message (sender, message, hidden AVPs):"
sed 's/^/  /' "$ART/hidden-avps.txt"
awk -F'\t' -v s="$(lac_addr 1)" '$1 == s' "$ART/hidden-avps.txt" >"$ART/hidden-by-lac.txt"
awk -F'\t' -v s="$LNS_ADDR" '$1 == s' "$ART/hidden-avps.txt" >"$ART/hidden-by-lns.txt"
# xl2tpd sends a Random Vector (36) in SCCRQ when its hidden bit is set.
[ "$(cap_count hidden "ip.src == $(lac_addr 1) && l2tp.avp.message_type == 1 && l2tp.avp.type == 36")" -ge 1 ] \
	|| fail "xl2tpd's SCCRQ carries no Random Vector although its hidden bit is set"
if is_lnsd; then
	awk -F'\t' '$3 != "none" { f = 1 } END { exit !f }' "$ART/hidden-by-lns.txt" || fail "lnsd with hide-avps = yes hid no AVP"
	# xl2tpd unhid what lnsd hid if its idea of the ids matches lnsd's.
	s=$(lns_json sessions | jq -c '.[0]')
	[ "$(jq -r .session_id <<<"$s")" = "$(lac_remote_cid 1)" ] \
		|| fail "xl2tpd decoded lnsd's hidden Assigned Session ID as $(lac_remote_cid 1), lnsd has $s"
	[ "$(jq -r .tunnel_id <<<"$s")" = "$(lac_remote_tid 1)" ] \
		|| fail "xl2tpd decoded lnsd's Assigned Tunnel ID as $(lac_remote_tid 1), lnsd has $s"
fi
sleep 2
lac_down 1 && fail "the LAC tore the call down after it was established"
check_lns_healthy
pass "hidden AVPs: tunnel and call up"
