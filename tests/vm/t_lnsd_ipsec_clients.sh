#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Native-client proposal profiles against lnsd's [ipsec] (docs/design.md §5.3): the
# client behind the NAT offers exactly what Windows 10/11, macOS/iOS and
# Android 11 and older offer in IKEv1 main mode and ESP, and each must get an
# SA, an L2TP tunnel and a PPP link with ping from lnsd's built-in proposal
# lists. Android's MODP1024-only offer is refused while legacy-proposals is
# off and accepted once lnsd runs with legacy-proposals = yes.
set -eu
# shellcheck source=tests/vm/ipsec-lib.sh
. "$(dirname "$0")/ipsec-lib.sh"

topo_nat
expect_ping client "$LNS_IP" 2
lns_start
charon_start client

# profile NAME: connect with the proposals of profile_props NAME, ping,
# check what was negotiated (charon on the LNS and lnsctl), hang up.
profile() {
	local name=$1 ike esp want j
	profile_props "$name"
	ike=$PROF_IKE esp=$PROF_ESP want=$PROF_SUITE
	log "--- profile $name: IKE $ike; ESP $esp"
	client_conf "$name" "$ike" "$esp"
	client_ike "$name"
	client_l2tp "$name"
	wait_ping 15 client 10.64.0.1
	expect_ping client 10.64.0.1 3
	swan lns --list-sas >"$ART/lns-sas-$name.txt"
	grep -A3 ESTABLISHED "$ART/lns-sas-$name.txt" | grep -qF "$want" ||
		{ cat "$ART/lns-sas-$name.txt"; fail "$name: the LNS did not negotiate IKE $want"; }
	grep -q 'INSTALLED, TRANSPORT-in-UDP' "$ART/lns-sas-$name.txt" ||
		fail "$name: no UDP-encapsulated transport-mode CHILD_SA on the LNS"
	ctl show tunnels
	j=$(ctl show tunnels -j)
	jq -e '.[0].ipsec.natt == true and (.[0].ipsec.cipher | length > 0)' <<<"$j" >/dev/null ||
		{ echo "$j"; fail "$name: lnsctl shows no IPsec state for the tunnel"; }
	log "ok: $name: $(grep -A3 ESTABLISHED "$ART/lns-sas-$name.txt" | grep -F "$want" | tr -s ' ' | sed 's/^ //') / $(grep -o 'ESP:[^ ]*' "$ART/lns-sas-$name.txt" | head -n 1)"
	client_down "$name"
}

profile windows
profile macos

# Android <= 11 without legacy-proposals: refused in IKE, no tunnel.
profile_props android
client_conf android-refused "$PROF_IKE" "$PROF_ESP"
swan_load client "$ART/client-android-refused.swanctl.conf" --clear
if swan client --initiate --child android-refused --timeout 15 >"$ART/initiate-android-refused.log" 2>&1; then
	fail "android: MODP1024-only client got an SA without legacy-proposals"
fi
grep -E 'NO_PROPOSAL_CHOSEN|no proposal' "$ART/initiate-android-refused.log" "$ART/charon-lns.log" | tail -n 3 ||
	fail "android: nothing says the proposals did not match"
[ "$(ctl show tunnels -j | jq length)" = 0 ] || fail "android: a tunnel without an SA"
log "ok: android (MODP1024 only) refused while legacy-proposals = no"

lns_stop
lns_start "legacy-proposals = yes"
profile android
