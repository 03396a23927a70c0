#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lnsctl against real PPP sessions (kernel data plane): two xl2tpd + pppd
# clients in `client` (users alice and bob, two tunnels), lnsd in `lns`.
#  - show sessions with chosen columns (username, ifname, ip, phase,
#    ppp-phase), order username, match ip: the PPP side as pppd sees it;
#  - show stats: 2 established sessions and tunnels;
#  - terminate user alice: alice's pppd is told (LCP Terminate), her call
#    and l2tpN go, bob's call keeps passing traffic; again: exit 3;
#  - terminate all: bob's tunnel and every kernel tunnel/session go;
#  - [ppp] mtu = auto without IPsec: the mtu column, l2tpN and the client's
#    pppN have the path MTU less IPv4, UDP, L2TP (+ Ns/Nr) and PPP; the MSS
#    clamp table is there while lnsd runs and gone after SIGTERM.
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"

topo_pair
users_file alice alice-pw bob bob-pw
lnsd_start

# One xl2tpd per user (its own listen port, so its own tunnel).
lac_xl2tpd -w -g "port = 1702" alice alice alice-pw refuse-pap
lac_xl2tpd -w -g "port = 1703" bob bob bob-pw refuse-pap
ip -n client -br addr | grep ppp

ctl show sessions -j >"$ART/sessions.json"
ip_of() { jq -r --arg u "$1" '.[] | select(.username == $u) | .ip' "$ART/sessions.json"; }
alice_ip=$(ip_of alice)
bob_ip=$(ip_of bob)
if [ -z "$alice_ip" ] || [ -z "$bob_ip" ]; then fail "no address for alice or bob: $(cat "$ART/sessions.json")"; fi
wait_ping 10 lns "$bob_ip"

out=$(ctl show sessions username,ifname,ip,phase,ppp-phase order username)
printf '%s\n' "$out" | tee "$ART/columns.txt"
[ "$(head -1 <<<"$out" | tr -s ' ' | sed 's/ $//')" = "USERNAME IFNAME IP PHASE PPP-PHASE" ] ||
	fail "header: $(head -1 <<<"$out")"
tail -n +2 <<<"$out" | awk -v a="$alice_ip" -v b="$bob_ip" '
	NR == 1 && $1 == "alice" && $2 ~ /^l2tp[0-9]+$/ && $3 == a && $4 == "established" && $5 == "network" { ok++ }
	NR == 2 && $1 == "bob" && $2 ~ /^l2tp[0-9]+$/ && $3 == b && $4 == "established" && $5 == "network" { ok++ }
	END { exit ok != 2 }' || fail "show sessions with PPP columns, ordered by username: $out"
out=$(ctl show sessions username match ip "^${bob_ip//./\\.}\$")
[ "$(tail -n +2 <<<"$out")" = bob ] || fail "match ip $bob_ip: $out"
ctl show stats -j >"$ART/stats.json"
jq -e '.sessions_phase == {"starting": 0, "established": 2, "finishing": 0} and .tunnels_phase.established == 2' \
	"$ART/stats.json" >/dev/null || fail "stats buckets: $(jq -c '[.tunnels_phase, .sessions_phase]' "$ART/stats.json")"
log "columns, order, match and buckets with two PPP sessions"

# [ppp] mtu = auto, no IPsec: path MTU - IPv4 20 - UDP 8 - L2TP 6 (+4 Ns/Nr) - PPP 4.
pmtu=$(link_mtu lns "$LAC_IP")
jq -r '.[] | "\(.ifname) \(.mtu) \(.seq_required) \(.ip)"' "$ART/sessions.json" >"$ART/mtu-rows.txt"
while read -r ifn mtu seq ip; do
	want=$((pmtu - 20 - 8 - 6 - 4))
	[ "$seq" = false ] || want=$((want - 4))
	log "mtu of $ifn: lnsd $mtu, kernel $(if_mtu lns "$ifn"), expected $want (path $pmtu, seq $seq)"
	[ "$mtu" = "$want" ] || fail "show sessions: mtu $mtu on $ifn, expected $want"
	[ "$(if_mtu lns "$ifn")" = "$want" ] || fail "$ifn has MTU $(if_mtu lns "$ifn"), expected $want"
	cif=$(ip -n client -4 -o addr show | awk -v a="$ip" '$4 == a || $4 ~ "^"a"/" { print $2 }')
	[ "$(if_mtu client "$cif")" = "$want" ] ||
		fail "the client's $cif has MTU $(if_mtu client "$cif"), expected $want (our MRU)"
	grep -qE "mtu $want on $ifn \(auto: path $pmtu, IPv4(, sequencing)?, no IPsec\)" "$ART/lnsd.log" ||
		fail "lnsd did not log mtu $want for $ifn"
done <"$ART/mtu-rows.txt"
on lns nft list table inet lnsd | tee "$ART/nft-lnsd.txt" | grep -q 'oifkind "ppp" tcp flags syn tcp option maxseg size set rt mtu' ||
	fail "no MSS clamp rule in table inet lnsd while lnsd runs"
! grep -q 'chain unmark' "$ART/nft-lnsd.txt" || fail "an unmark chain in table inet lnsd without [ipsec]"
log "ok: mtu = auto without IPsec; the MSS clamp rule is installed"

out=$(ctl terminate user alice) || fail "terminate user alice failed: $out"
[ "$out" = "terminating 1 sessions of user alice" ] || fail "terminate user alice said: $out"
wait_for 15 "alice's call gone" sh -c "[ \$('$LNSCTL' -s '$SOCK' show sessions -j | jq '[.[] | select(.username == \"alice\")] | length') -eq 0 ]"
wait_for 10 "alice's pppd told" grep -q -E 'LCP terminated by peer|Connection terminated' "$ART/lac-alice/pppd.log"
ctl show sessions -j >"$ART/sessions-after.json"
jq -e 'length == 1 and .[0].username == "bob" and .[0].phase == "established"' "$ART/sessions-after.json" >/dev/null ||
	fail "bob's call did not survive: $(cat "$ART/sessions-after.json")"
expect_ping lns "$bob_ip" 3
rc=0
out=$(ctl terminate user alice 2>&1) || rc=$?
[ "$rc" -eq 3 ] || fail "terminate user alice again: exit $rc, want 3: $out"
[ "$out" = 'lnsctl: no session of user "alice"' ] || fail "terminate user alice again said: $out"
log "terminate user alice: her call ended (LCP told), bob untouched; again: exit 3"

out=$(ctl terminate all) || fail "terminate all failed: $out"
[ "$out" = "terminating 2 tunnels (1 sessions)" ] || [ "$out" = "terminating 1 tunnels (1 sessions)" ] ||
	fail "terminate all said: $out"
wait_for 20 "kernel tunnels gone" no_kernel_tunnel
wait_for 10 "pppN gone in lns" no_ppp_if
[ "$(ctl show sessions -j | jq length)" -eq 0 ] || fail "sessions left after terminate all"
log "terminate all: $out; nothing left in the kernel"

kill "$LNSD_PID"
wait "$LNSD_PID" 2>/dev/null || true
if on lns nft list table inet lnsd >/dev/null 2>&1; then fail "table inet lnsd left after lnsd exited"; fi
log "ok: lnsd removed its nftables table on SIGTERM"
