#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# MS-CHAPv2 and IPV6CP with the kernel data plane: Debian's xl2tpd + pppd as
# LAC in `client`, refusing every method but MS-CHAPv2 and asking for IPv6;
# lnsd with `auth = mschapv2` and `ipv6 = yes` in `lns`. The good password:
# pppd accepts our Authenticator Response (S=), an address from the pool,
# ping through, link-local addresses on both pppN and ping -6 across them,
# lnsctl shows the client's fe80:: address. A wrong password: pppd reports
# the failure, lnsd logs it and the call ends.
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"

topo_pair
users_file carol carol-pw
lnsd_start <<-EOC
	[ppp]
	auth = mschapv2
	ipv6 = yes
EOC

# The client's pppd can only do MS-CHAPv2, and asks for IPv6.
mschap_only=(refuse-pap refuse-chap refuse-eap +ipv6)

# --- the right password ---
lac_xl2tpd -w good carol carol-pw "${mschap_only[@]}"
w=$ART/lac-good
ip -n client -br addr | grep ppp
ip -n lns -br addr | grep l2tp
grep -q 'Using l2tp kernel support' "$ART/xl2tpd-good.log" ||
	fail "xl2tpd on the client did not use kernel mode"
grep -E 'MS-CHAP|authentication' "$w/pppd.log" || true
# pppd checks the Authenticator Response in S= before it reports success
# ("MS-CHAP mutual authentication failed" otherwise).
grep -q 'ConfAck id=0x[0-9a-f]* <mru [0-9]*> <auth chap MS-v2>' "$w/pppd.log" ||
	fail "pppd did not agree to MS-CHAPv2"
grep -q 'rcvd \[CHAP Success id=0x[0-9a-f]* "S=[0-9A-F]\{40\} M=' "$w/pppd.log" ||
	fail "no MS-CHAPv2 Success with S= in pppd's log"
grep -q 'mutual authentication failed' "$w/pppd.log" && fail "pppd refused our S="
grep -q '^CHAP authentication succeeded' "$w/pppd.log" || fail "pppd did not report success"
grep -q 'MS-CHAPv2 authentication of "carol" succeeded' "$ART/lnsd.log" ||
	fail "lnsd did not log MS-CHAPv2 success"
cip=$LAC_PPP_IP
wait_ping 10 client 10.64.0.1
expect_ping client 10.64.0.1 3
expect_ping lns "$cip" 3

# IPv6 link-local on both ends.
wait_for 20 "IPv6 up in lnsd" grep -q 'IPv6 up' "$ART/lnsd.log"
grep 'IPv6 up' "$ART/lnsd.log"
ifn=$(ip -n lns -br link | awk '/^l2tp/ {sub(/@.*/, "", $1); print $1; exit}')
[ -n "$ifn" ] || fail "no l2tpN in lns"
wait_for 20 "fe80:: on ppp0 in client" sh -c "ip -n client -6 addr show dev ppp0 | grep -q 'inet6 fe80::'"
ip -n client -6 addr show dev ppp0
ip -n lns -6 addr show dev "$ifn"
lll=$(ip -n lns -6 -o addr show dev "$ifn" | awk '$4 ~ /^fe80::/ {split($4, a, "/"); print a[1]; exit}')
[ -n "$lll" ] || fail "no fe80:: address on $ifn in lns"
cll=$(ip -n client -6 -o addr show dev ppp0 | awk '$4 ~ /^fe80::/ {split($4, a, "/"); print a[1]; exit}')
[ -n "$cll" ] || fail "no fe80:: address on ppp0 in client"
log "lns $ifn: $lll, client ppp0: $cll"
grep -q "IPv6 up.* $lll peer $cll" "$ART/lnsd.log" ||
	fail "lnsd's logged identifiers ($lll, $cll) do not match the interfaces"
wait_for 10 "ping -6 $lll%ppp0 from the client" on client ping -6 -c 1 -W 1 "$lll%ppp0"
on client ping -6 -c 3 -W 2 "$lll%ppp0" || fail "ping -6 $lll%ppp0 from the client"
on lns ping -6 -c 3 -W 2 "$cll%$ifn" || fail "ping -6 $cll%$ifn from lns"

ctl show sessions -j >"$w/sessions.json"
cat "$w/sessions.json"
s=$(jq -c '.[0]' "$w/sessions.json")
[ "$(jq -r .username <<<"$s")" = carol ] || fail "username is not carol"
[ "$(jq -r .ip <<<"$s")" = "$cip" ] || fail "ip is not $cip"
[ "$(jq -r .ipv6 <<<"$s")" = "$cll" ] || fail "ipv6 is not $cll"
ctl show sessions

lac_hangup good
wait_for 20 "kernel tunnel gone" no_kernel_tunnel
wait_for 10 "pppN gone in lns" no_ppp_if
lac_stop

# --- a wrong password ---
lac_xl2tpd bad carol wrong-pw "${mschap_only[@]}"
w=$ART/lac-bad
wait_log 60 "$ART/lnsd.log" 'MS-CHAPv2 authentication of "carol" failed \(E=691\)'
wait_for 30 "pppd reports the failure" grep -qE 'CHAP authentication failed' "$w/pppd.log"
grep -E 'CHAP|E=691' "$w/pppd.log" || true
grep -q 'E=691' "$w/pppd.log" || fail "no E=691 in pppd's log"
# pppd terminates LCP at once (it does not retry on R=1); xl2tpd then sends a CDN.
wait_count 30 sessions 0 "the session ends in lnsd"
grep -E 'PPP down|-> dead' "$ART/lnsd.log" | tail -2
wait_for 20 "no kernel session in lns" no_kernel_session
ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.' && fail "the bad password got an address"
lac_stop
log "MS-CHAPv2 (good and bad password) and IPV6CP link-local passed"
