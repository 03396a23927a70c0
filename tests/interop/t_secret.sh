#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 2 (secret): tunnel authentication with a shared secret, challenged
# both ways (xl2tpd "challenge = yes" puts a Challenge in its SCCRQ; lnsd puts
# one in its SCCRP). xl2tpd takes the secret from its "auth file"
# (lines "our-hostname peer-hostname secret", "*" matches any).
# Then per-peer secrets: [peer] sections matched by host name and by address.
source "$(dirname "$0")/lib.sh" "$@"
it_init
SECRET=global-s3cret
if is_lnsd; then
	net_up 3
	lns_start "secret = $SECRET" "
[peer byname]
match-hostname = lac2
secret = name-s3cret

[peer byaddr]
match-address = $(lac_addr 3)/32
secret = addr-s3cret
"
else
	net_up 1
	lns_start "secret = $SECRET"
fi
cap_start secret
lac_start 1 "challenge = yes" "$SECRET"
lac_wait_call 1
expect_count "established sessions" lns_established_sessions 1 10
cap_stop
cap_check_clean secret

# Challenge both ways, decoded from the capture: SCCRQ carries Challenge (11),
# SCCRP carries Challenge + Challenge Response (13), SCCCN a Challenge Response.
cap_fields secret l2tp.avp.message_type l2tp.avp.type >"$ART/secret-avps.txt"
msg_has_avp() { # MSGTYPE AVP
	awk -F'\t' -v m="$1" -v a="$2" '$1 == m { n = split($2, t, ","); for (i = 1; i <= n; i++) if (t[i] == a) found = 1 } END { exit !found }' "$ART/secret-avps.txt"
}
msg_has_avp 1 11 || fail "SCCRQ from xl2tpd carries no Challenge AVP"
msg_has_avp 2 13 || fail "SCCRP carries no Challenge Response (LNS did not answer the LAC's challenge)"
msg_has_avp 2 11 || fail "SCCRP carries no Challenge (LNS did not challenge the LAC)"
msg_has_avp 3 13 || fail "SCCCN carries no Challenge Response"
log "challenge both ways seen in the capture"

if is_lnsd; then
	# lac2 matches [peer byname], lac3 matches [peer byaddr]; each only knows its own secret.
	lac_start 2 "challenge = yes" name-s3cret
	lac_start 3 "challenge = yes" addr-s3cret
	lac_wait_call 2
	lac_wait_call 3
	expect_count "established sessions with per-peer secrets" lns_established_sessions 3 10
	jq -e 'map(.peer_hostname) | sort == ["lac1","lac2","lac3"]' >/dev/null <<<"$(lns_json tunnels)" \
		|| fail "tunnels are not lac1..lac3: $(lns_json tunnels)"
fi
check_lns_healthy
pass "tunnel authentication with challenge both ways"
