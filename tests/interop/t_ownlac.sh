#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (ownlac): lac.py, an L2TPv2 LAC of our own, for what xl2tpd cannot
# send. lnsd listens on 127.0.0.1 and [::1] in its namespace; lac.py runs in
# the same namespace (loopback traffic only).
#  - IPv6: tunnel + call over [::1]; show tunnels -j gives the peer as [v6]:port;
#    HELLOs from lnsd (hello-interval 1) are answered and the tunnel stays.
#  - hidden AVPs in SCCRQ and ICRQ with a secret: lnsd's SCCRP and ICRP carry
#    hidden AVPs back (Assigned Tunnel / Session ID), which lac.py unhides;
#    an SCCRQ without hidden AVPs gets an SCCRP without any.
#  - docs/design.md §6.3 quirks: Cisco Challenge Response with extra bytes; a
#    retransmitted SCCRQ and ICRQ (one tunnel, one session); two ICRQs sent
#    with Ns out of order (both calls up); CDN/StopCCN Result Codes without
#    error code (MikroTik) and with a byte-swapped error code (Apple).
#  - CDN and StopCCN from lnsd (lnsctl terminate) handled by lac.py.
source "$(dirname "$0")/lib.sh" "$@"
it_init
is_lnsd || skip "lnsd-only scenario (lac.py against lnsd)"
command -v python3 >/dev/null || skip "python3 is not installed"
LAC_PY=$IT_DIR/lac.py

ip netns add "$NS_LNS"
ip -n "$NS_LNS" link set lo up
LNS_LOG=$ART/lns.log
cat >"$ART/lnsd.conf" <<EOF
# lnsd config written by tests/interop ($TEST_NAME)
[lnsd]
listen = 127.0.0.1:1701, [::1]:1701
control-socket = $RUN/lnsd.sock
hostname = $LNS_HOSTNAME

[l2tp]
hello-interval = 1

[peer hidden]
match-hostname = lacpy-hidden
secret = hid-s3cret
hide-avps = yes

[peer cisco]
match-hostname = lacpy-cisco
secret = cisco-s3cret
EOF
ip netns exec "$NS_LNS" "$LNSD_BIN" -c "$ART/lnsd.conf" -f >"$LNS_LOG" 2>&1 &
LNS_PID=$!
wait_for 10 "lnsd control socket answering" "$LNSCTL_BIN" -s "$RUN/lnsd.sock" show tunnels -j
lns_alive || fail "lnsd exited during startup"
wait_for 5 "lnsd listening on [::1]:1701" grep -q -F 'listening on [::1]:1701' "$LNS_LOG"

declare -A LACPY_PID=()
# lacpy_start NAME ARGS... : lac.py in the LNS namespace until READY.
lacpy_start() {
	local name=$1
	shift
	ip netns exec "$NS_LNS" python3 "$LAC_PY" --hold 30 --hold-file "$RUN/go-$name" "$@" \
		>"$ART/lacpy-$name.out" 2>"$ART/lacpy-$name.log" &
	LACPY_PID[$name]=$!
	BG_PIDS+=($!)
	wait_for 15 "lac.py $name: READY or ERROR" grep -q -E '^(READY|ERROR)' "$ART/lacpy-$name.out"
	grep -q '^ERROR' "$ART/lacpy-$name.out" && fail "lac.py $name: $(grep '^ERROR' "$ART/lacpy-$name.out")"
	return 0
}
# lacpy_json NAME READY|DONE : the JSON lac.py printed.
lacpy_json() { sed -n "s/^$2 //p" "$ART/lacpy-$1.out"; }
# lacpy_stop NAME : let it hang up and close the tunnel (or see lnsd close it); must exit 0.
lacpy_stop() {
	local name=$1 rc=0
	touch "$RUN/go-$name"
	wait "${LACPY_PID[$name]}" || rc=$?
	[ "$rc" -eq 0 ] || fail "lac.py $name exited $rc: $(tail -1 "$ART/lacpy-$name.out")"
	grep -q '^DONE' "$ART/lacpy-$name.out" || fail "lac.py $name printed no DONE"
}
# Tunnels / sessions of one lac.py host name, as lnsd lists them.
tunnels_of() { lns_json tunnels | jq -c --arg h "$1" 'map(select(.peer_hostname == $h))'; }
sessions_of() { # HOSTNAME -> established sessions on its tunnel(s)
	local tids
	tids=$(tunnels_of "$1" | jq -c 'map(.tunnel_id)')
	lns_json sessions | jq -c --argjson t "$tids" 'map(select(.tunnel_id as $x | $t | index($x)) | select(.state == "established"))'
}
count_tunnels_of() { tunnels_of "$1" | jq 'length'; }
count_sessions_of() { sessions_of "$1" | jq 'length'; }

# ---- IPv6, HELLO, lnsd-initiated CDN and StopCCN
lacpy_start v6 --lns ::1 --bind ::1 --hostname lacpy-v6
t=$(tunnels_of lacpy-v6)
printf '%s\n' "$t" >"$ART/v6-tunnels.json"
want_peer=$(lacpy_json v6 READY | jq -r .local)
[ "$(jq 'length' <<<"$t")" -eq 1 ] || fail "v6: not one tunnel for lacpy-v6: $t"
[ "$(jq -r '.[0].peer' <<<"$t")" = "$want_peer" ] || fail "v6: tunnel peer is not $want_peer: $t"
[ "$(jq -r '.[0].state' <<<"$t")" = established ] || fail "v6: tunnel not established: $t"
[ "$(count_sessions_of lacpy-v6)" -eq 1 ] || fail "v6: no established session: $(lns_json sessions)"
sessions_of lacpy-v6 | jq -e --arg p "$want_peer" '.[0].peer == $p' >/dev/null \
	|| fail "v6: session peer is not $want_peer: $(sessions_of lacpy-v6)"
log "IPv6 tunnel + call up, peer $want_peer"
sleep 2.5 # hello-interval 1: lnsd sends HELLOs, lac.py answers with ZLBs
[ "$(count_sessions_of lacpy-v6)" -eq 1 ] || fail "v6: session gone while idle (HELLO)"
tid=$(jq -r '.[0].tunnel_id' <<<"$t")
sid=$(sessions_of lacpy-v6 | jq -r '.[0].session_id')
lnsctl terminate session "$tid" "$sid" || fail "lnsctl terminate session $tid $sid failed"
expect_count "v6: sessions after terminate session" "count_sessions_of lacpy-v6" 0 5
lnsctl terminate tunnel "$tid" || fail "lnsctl terminate tunnel $tid failed"
wait "${LACPY_PID[v6]}" || fail "lac.py v6 failed after lnsd closed the tunnel: $(tail -1 "$ART/lacpy-v6.out")"
d=$(lacpy_json v6 DONE)
jq -e '.hellos >= 1' >/dev/null <<<"$d" || fail "v6: lac.py saw no HELLO from lnsd: $d"
jq -e '.cdn_rx | length == 1 and .[0].result[0] == 3' >/dev/null <<<"$d" || fail "v6: lac.py got no CDN result 3: $d"
jq -e '.stopccn_rx[0] == 1' >/dev/null <<<"$d" || fail "v6: lac.py got no StopCCN result 1: $d"
expect_count "v6: live tunnels after terminate tunnel" "count_tunnels_of lacpy-v6" 0 5
log "HELLOs answered ($(jq .hellos <<<"$d")), lnsd's CDN (3) and StopCCN (1) handled"

# ---- hidden AVPs both ways
lacpy_start hidden --lns 127.0.0.1 --bind 127.0.0.1 --hostname lacpy-hidden --secret hid-s3cret --hide --expect-hidden
r=$(lacpy_json hidden READY)
jq -e '(.hidden_rx.SCCRP | index(9)) and (.hidden_rx.ICRP | index(14))' >/dev/null <<<"$r" \
	|| fail "hidden: lnsd hid no Assigned Tunnel ID in SCCRP / Assigned Session ID in ICRP: $r"
[ "$(count_sessions_of lacpy-hidden)" -eq 1 ] || fail "hidden: no established session"
tunnels_of lacpy-hidden | jq -e --argjson p "$(jq .tunnel_id <<<"$r")" '.[0].peer_tunnel_id == $p and .[0].peer_config == "hidden"' >/dev/null \
	|| fail "hidden: lnsd's peer_tunnel_id (from our hidden AVP) is wrong: $(tunnels_of lacpy-hidden) vs $r"
# lnsd's ids, unhidden by lac.py, are the ones lnsctl reports.
tunnels_of lacpy-hidden | jq -e --argjson t "$(jq .lns_tunnel_id <<<"$r")" '.[0].tunnel_id == $t' >/dev/null \
	|| fail "hidden: the unhidden Assigned Tunnel ID is not lnsd's tunnel id"
lacpy_stop hidden
log "hidden AVPs: SCCRP hid $(jq -c .hidden_rx.SCCRP <<<"$r"), ICRP hid $(jq -c .hidden_rx.ICRP <<<"$r"); unhidden ids match"

# Cisco cannot take hidden AVPs in an SCCRP it did not ask for (docs/design.md §6.3):
# same [peer] (hide-avps = yes), but an SCCRQ without hidden AVPs.
lacpy_start nohide --lns 127.0.0.1 --hostname lacpy-hidden --secret hid-s3cret
r=$(lacpy_json nohide READY)
jq -e '.hidden_rx.SCCRP == null' >/dev/null <<<"$r" || fail "nohide: lnsd hid AVPs in an SCCRP to a peer that hid none: $r"
[ "$(count_sessions_of lacpy-hidden)" -eq 1 ] || fail "nohide: no established session"
lacpy_stop nohide
log "SCCRQ without hidden AVPs: SCCRP hides nothing"

# ---- Cisco: Challenge Response of 16 + 4 bytes
lacpy_start cisco --lns 127.0.0.1 --hostname lacpy-cisco --secret cisco-s3cret --cisco-extra 4
[ "$(count_sessions_of lacpy-cisco)" -eq 1 ] || fail "cisco: no established session"
lacpy_stop cisco
log "Challenge Response with 4 extra bytes accepted"

# ---- retransmitted SCCRQ and ICRQ: one tunnel, one session
dups_before=$(lnsctl show stats -j | jq '.drops.duplicate')
lacpy_start dup --lns 127.0.0.1 --hostname lacpy-dup --dup-sccrq --dup-icrq
[ "$(count_tunnels_of lacpy-dup)" -eq 1 ] || fail "dup: not exactly one tunnel: $(tunnels_of lacpy-dup)"
[ "$(count_sessions_of lacpy-dup)" -eq 1 ] || fail "dup: not exactly one session: $(sessions_of lacpy-dup)"
lns_json sessions | jq -e 'length == 1' >/dev/null || fail "dup: lnsd has more than one session: $(lns_json sessions)"
dups=$(($(lnsctl show stats -j | jq '.drops.duplicate') - dups_before))
[ "$dups" -ge 2 ] || fail "dup: show stats counts $dups duplicates, lac.py sent 2"
lacpy_stop dup
log "retransmitted SCCRQ and ICRQ: one tunnel, one session"

# ---- ICRQs with Ns out of order: both calls
lacpy_start ooo --lns 127.0.0.1 --hostname lacpy-ooo --calls 2 --reorder
[ "$(count_sessions_of lacpy-ooo)" -eq 2 ] || fail "ooo: not two established sessions: $(sessions_of lacpy-ooo)"
[ "$(tunnels_of lacpy-ooo | jq '.[0].sessions')" -eq 2 ] || fail "ooo: tunnel does not count 2 sessions"
lacpy_stop ooo
log "ICRQ Ns k+1 before Ns k: both calls established"

# ---- MikroTik: Result Code without error code in CDN and StopCCN
lacpy_start mikrotik --lns 127.0.0.1 --hostname lacpy-mikrotik --cdn-result mikrotik --cdn-rc 3 \
	--stopccn-result mikrotik --stopccn-rc 6
tid=$(tunnels_of lacpy-mikrotik | jq -r '.[0].tunnel_id')
lacpy_stop mikrotik
expect_count "mikrotik: sessions after its CDN" "count_sessions_of lacpy-mikrotik" 0 5
expect_count "mikrotik: live tunnels after its StopCCN" "count_tunnels_of lacpy-mikrotik" 0 5
grep -E "tunnel $tid/.* session .*-> dead: CDN result 3 .*error 0" "$LNS_LOG" >/dev/null \
	|| fail "mikrotik: lnsd did not log the CDN result 3 (2-byte Result Code)"
grep -E "tunnel $tid/.*-> closing: StopCCN result 6 " "$LNS_LOG" >/dev/null \
	|| fail "mikrotik: lnsd did not log the StopCCN result 6 (2-byte Result Code)"
log "MikroTik Result Codes without error code taken"

# ---- Apple: error code byte-swapped (little endian) in CDN and StopCCN
lacpy_start apple --lns 127.0.0.1 --hostname lacpy-apple --cdn-result apple --cdn-rc 2 --cdn-error 6 \
	--stopccn-result apple --stopccn-rc 2 --stopccn-error 3
tid=$(tunnels_of lacpy-apple | jq -r '.[0].tunnel_id')
lacpy_stop apple
expect_count "apple: live tunnels after its StopCCN" "count_tunnels_of lacpy-apple" 0 5
grep -E "tunnel $tid/.* session .*-> dead: CDN result 2 .*error 6 " "$LNS_LOG" >/dev/null \
	|| fail "apple: lnsd did not take the swapped CDN error code 0x0600 as 6"
grep -E "tunnel $tid/.*-> closing: StopCCN result 2 .*error 3 " "$LNS_LOG" >/dev/null \
	|| fail "apple: lnsd did not take the swapped StopCCN error code 0x0300 as 3"
log "Apple byte-swapped error codes taken"

lnsctl show stats -j >"$ART/stats.json" || fail "lnsctl show stats -j failed"
jq -e 'type == "object"' >/dev/null <"$ART/stats.json" || fail "show stats -j is not an object"
expect_count "live tunnels at the end" lns_tunnel_count 0 5
check_lns_healthy
pass "lac.py: IPv6, hidden AVPs both ways, Cisco/MikroTik/Apple quirks, retransmitted and reordered requests"
