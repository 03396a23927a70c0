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
cap_check_clean hidden

# One line per message: source, message type, AVP types, hidden flags.
tshark -n -r "$ART/hidden.pcap" -Y l2tp -T fields -E occurrence=a -E aggregator=, \
	-e ip.src -e l2tp.avp.message_type -e l2tp.avp.type -e l2tp.avp.hidden \
	>"$ART/hidden-avps.txt" 2>/dev/null
summary() { # SRC : list "msgtype: hidden avp types" for messages from SRC
	awk -F'\t' -v s="$1" '$1 == s && $2 != "" {
		n = split($3, t, ","); split($4, h, ","); out = ""
		for (i = 1; i <= n; i++) if (h[i] == "1" || h[i] == "True") out = out " " t[i]
		printf "  message type %s: hidden AVPs:%s\n", $2, (out == "" ? " none" : out) }' "$ART/hidden-avps.txt"
}
log "AVPs hidden by xl2tpd ($(lac_addr 1)):"
summary "$(lac_addr 1)" | tee "$ART/hidden-by-lac.txt"
log "AVPs hidden by the LNS ($LNS_ADDR):"
summary "$LNS_ADDR" | tee "$ART/hidden-by-lns.txt"
# xl2tpd sends a Random Vector (36) in SCCRQ when its hidden bit is set.
awk -F'\t' -v s="$(lac_addr 1)" '$1 == s && $2 == 1 && $3 ~ /(^|,)36(,|$)/ { f = 1 } END { exit !f }' "$ART/hidden-avps.txt" \
	|| fail "xl2tpd's SCCRQ carries no Random Vector although its hidden bit is set"
if is_lnsd; then
	grep -q -v 'hidden AVPs: none' "$ART/hidden-by-lns.txt" || fail "lnsd with hide-avps = yes hid no AVP"
fi
sleep 2
lac_down 1 && fail "the LAC tore the call down after it was established"
check_lns_healthy
pass "hidden AVPs: tunnel and call up"
