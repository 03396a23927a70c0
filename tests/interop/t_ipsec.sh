#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (ipsec): lnsd's [ipsec] mode = required against the real charon,
# on the host kernel (xfrm policies work here; ESP does not, so no SA ever
# comes up: the VM tests cover the encrypted path).
#  a) charon is not running when lnsd starts: lnsd starts anyway, logs the
#     failure and retries; `lnsctl show stats` says vici_up false.
#  b) charon starts: lnsd connects, loads its PSK and connection; swanctl
#     --list-conns shows lnsd-l2tp as an IKEv1 transport-mode responder for
#     udp/1701 with the built-in proposals; show stats and /metrics say so.
#  c) a LAC speaking cleartext L2TP gets no tunnel: the per-socket policy
#     drops its SCCRQs and the kernel's XfrmInTmplMismatch (show stats
#     xfrm_in_tmpl_mismatch, /metrics) moves.
#  d) charon is stopped and started again: lnsd notices, reconnects and
#     loads everything again.
#  e) reload with legacy-proposals = yes: charon gets the MODP1024 set.
#  f) mode = required without CAP_NET_ADMIN: lnsd refuses to start with a
#     message that names the policy; a required section without a PSK is a
#     config error naming file, line and key.
source "$(dirname "$0")/lib.sh" "$@"
# shellcheck source=tests/interop/charon.sh
source "$(dirname "$0")/charon.sh"
it_init
is_lnsd || skip "lnsd-only scenario (ipsec)"
charon=/usr/lib/ipsec/charon
[ -x "$charon" ] || skip "$charon is not installed (strongswan-charon)"
command -v swanctl >/dev/null || skip "swanctl is not installed (strongswan-swanctl)"
command -v setpriv >/dev/null || skip "setpriv is not installed (util-linux)"
command -v curl >/dev/null || skip "curl is not installed"
net_up 1

sock=$RUN/charon.vici
mkdir -p "$RUN/charon-run"
charon_write_conf "$ART/strongswan.conf" "$sock"
export STRONGSWAN_CONF=$ART/strongswan.conf
CHARON_PID=""
charon_start() {
	# shellcheck disable=SC2016 # $0 and $1 belong to the inner sh
	ip netns exec "$NS_LNS" unshare -m --propagation private \
		sh -c 'mount --bind "$0" /run && exec "$1"' "$RUN/charon-run" "$charon" \
		>>"$ART/charon.log" 2>&1 &
	CHARON_PID=$!
	BG_PIDS+=("$CHARON_PID")
	wait_for 20 "charon's VICI socket" test -S "$sock"
}
charon_stop() {
	kill -TERM "$CHARON_PID"
	wait "$CHARON_PID" 2>/dev/null || true
	rm -f "$sock"
}
swan() { swanctl "$@" --uri "unix://$sock" 2>>"$ART/swanctl.log"; }
stats() { lnsctl show stats -j; }
metrics() { ip netns exec "$NS_LNS" curl -sf "http://$LNS_ADDR:9101/metrics"; }
mismatch() { ip netns exec "$NS_LNS" awk '$1 == "XfrmInTmplMismatch" {print $2}' /proc/net/xfrm_stat; }

ipsec_section="[ipsec]
vici-socket = $sock
psk = interop-psk"
LNSD_EXTRA="metrics = $LNS_ADDR:9101
dataplane = none"

# ---- a) charon not there yet
lns_start "" "$ipsec_section"
wait_for 5 "lnsd to log the VICI failure" grep -q "ipsec: cannot connect to charon's VICI socket $sock" "$LNS_LOG"
grep "ipsec: cannot connect" "$LNS_LOG" | head -1
stats | jq -e '.ipsec.vici_up == false and .ipsec.conn_loaded == false and (.ipsec.last_error | test("cannot connect"))' >/dev/null ||
	fail "show stats does not say charon is unreachable: $(stats | jq -c .ipsec)"
lnsctl show stats | grep -i -q 'ipsec' || fail "lnsctl show stats (text) says nothing about IPsec"
pass "a) lnsd runs without charon and says so"

# ---- b) charon starts: lnsd loads its connection
charon_start
wait_for 40 "lnsd to load its connection into charon" grep -q 'ipsec: charon loaded connection lnsd-l2tp' "$LNS_LOG"
grep -E 'ipsec: (connected|charon loaded)' "$LNS_LOG"
grep -q 'connected to charon at .* again after [0-9]* failed attempt' "$LNS_LOG" ||
	fail "the recovery is not logged"
conns=$(swan --list-conns)
echo "$conns" | tee "$ART/list-conns.txt"
grep -q '^lnsd-l2tp: IKEv1' <<<"$conns" || fail "charon has no IKEv1 connection lnsd-l2tp"
grep -q 'l2tp: TRANSPORT' <<<"$conns" || fail "lnsd-l2tp's child is not transport mode"
grep -q 'local:.*dynamic\[udp/l2f\]\|local:.*dynamic\[udp/1701\]' <<<"$conns" ||
	fail "the child's local TS is not udp/1701"
grep -q 'local pre-shared key authentication' <<<"$conns" || fail "no PSK authentication"
jq -e '.ipsec.vici_up and .ipsec.conn_loaded and .ipsec.last_error == ""' >/dev/null <<<"$(stats)" ||
	fail "show stats: $(stats | jq -c .ipsec)"
m=$(metrics)
grep -q '^lnsd_ipsec_vici_up 1$' <<<"$m" || fail "/metrics lnsd_ipsec_vici_up is not 1"
grep -q '^lnsd_ipsec_conn_loaded 1$' <<<"$m" || fail "/metrics lnsd_ipsec_conn_loaded is not 1"
pass "b) charon reachable: connection lnsd-l2tp and PSK loaded"

# ---- c) cleartext L2TP is dropped by the socket policy
m0=$(mismatch)
lac_start 1
sleep 6
n=$(lns_json tunnels | jq length)
[ "$n" -eq 0 ] || fail "a cleartext LAC got $n tunnel(s) in required mode"
grep -q 'new control connection' "$LNS_LOG" && fail "lnsd saw a cleartext SCCRQ"
m1=$(mismatch)
[ "$m1" -gt "$m0" ] || fail "XfrmInTmplMismatch did not move ($m0 -> $m1)"
s=$(stats | jq '.xfrm_in_tmpl_mismatch')
[ "$s" -ge "$m1" ] || fail "show stats xfrm_in_tmpl_mismatch $s < $m1"
grep -q "^lnsd_xfrm_in_tmpl_mismatch_total [1-9]" <<<"$(metrics)" ||
	fail "/metrics has no moving lnsd_xfrm_in_tmpl_mismatch_total"
lac_stop 1 2>/dev/null || kill "${LAC_PIDS[1]}" 2>/dev/null || true
pass "c) cleartext SCCRQs dropped: XfrmInTmplMismatch $m0 -> $m1, no tunnel"

# ---- d) charon restarts
charon_stop
wait_for 10 "lnsd to notice charon went away" grep -q "ipsec: charon's .* connection: closed by charon" "$LNS_LOG"
stats | jq -e '.ipsec.vici_up == false' >/dev/null || fail "vici_up still true after charon stopped"
before=$(grep -c 'ipsec: charon loaded connection' "$LNS_LOG")
charon_start
wait_for 40 "lnsd to load its connection again" \
	sh -c "[ \$(grep -c 'ipsec: charon loaded connection' '$LNS_LOG') -gt $before ]"
swan --list-conns | grep -q '^lnsd-l2tp: IKEv1' || fail "lnsd-l2tp not loaded after charon's restart"
pass "d) charon restarted: reconnected and reloaded"

# ---- e) reload with the legacy proposals
sed -i 's/^psk = interop-psk$/psk = interop-psk\nlegacy-proposals = yes/' "$ART/lnsd.conf"
before=$(grep -c 'ipsec: charon loaded connection' "$LNS_LOG")
kill -HUP "$LNS_PID"
wait_for 10 "lnsd to load its connection after the reload" \
	sh -c "[ \$(grep -c 'ipsec: charon loaded connection' '$LNS_LOG') -gt $before ]"
# charon logs each loaded connection's proposals (cfg level 2).
props=$(grep '\[CFG\]   proposals = ' "$ART/charon.log" | tail -n 1)
echo "$props"
grep -q 'IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024' <<<"$props" ||
	fail "charon's last loaded proposals lack the legacy MODP_1024 set"
grep -q 'IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048' <<<"$props" ||
	fail "charon's last loaded proposals lost the built-in set"
pass "e) reload re-sent load-conn; charon now has the legacy MODP1024 proposals"

# ---- f) refusals at startup
cat >"$ART/nocap.conf" <<EOF
[lnsd]
listen = $LNS_ADDR:1702
control-socket = $RUN/nocap.sock
dataplane = none
$ipsec_section
EOF
rc=0
ip netns exec "$NS_LNS" setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
	"$LNSD_BIN" -c "$ART/nocap.conf" -f >"$ART/nocap.log" 2>&1 || rc=$?
cat "$ART/nocap.log"
[ "$rc" -ne 0 ] || fail "lnsd started in required mode without CAP_NET_ADMIN"
grep -q "listen $LNS_ADDR:1702: cannot install the per-socket IPsec policy that \[ipsec\] mode = required needs" \
	"$ART/nocap.log" || fail "the refusal does not say why"
printf '[lnsd]\nlisten = %s:1703\n[ipsec]\nvici-socket = %s\n' "$LNS_ADDR" "$sock" >"$ART/nopsk.conf"
rc=0
"$LNSD_BIN" -c "$ART/nopsk.conf" -f >"$ART/nopsk.log" 2>&1 || rc=$?
cat "$ART/nopsk.log"
[ "$rc" -ne 0 ] || fail "lnsd started in required mode without a PSK"
grep -q "$ART/nopsk.conf:3: \[ipsec\] psk: mode = required needs a pre-shared key" "$ART/nopsk.log" ||
	fail "the missing PSK is not reported with file, line and key"
check_lns_healthy
pass "f) no CAP_NET_ADMIN or no PSK: lnsd refuses to start, saying why"
