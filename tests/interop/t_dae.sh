#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (dae): RFC 5176 Disconnect-Request and CoA-Request from
# FreeRADIUS's radclient to lnsd's dae-listen. lnsd runs without the kernel
# data plane, so the sessions are L2TP calls of lac.py (our LAC) with no PPP:
# they have no user name or address yet, and are named by Calling-Station-Id
# (lac.py's Calling Number AVP "lacpy-<serial>"). All in one namespace:
# dae-listen 0.0.0.0:3799, dae-clients 127.0.0.1 only, and a veth
# with 192.0.2.1 to send from an address that is not a client.
#  - Disconnect for lacpy-1000 from 127.0.0.1: Disconnect-ACK, that call
#    gets a CDN with result 3 (lac.py sees it), the other call stays;
#  - a retransmission (same Identifier and authenticator) gets the same
#    answer from the replay cache, counted as a retransmit, not a second
#    request; so does the same request from another source port 2 s later;
#  - every radclient request carries an Event-Timestamp (required by
#    default): one without it is dropped (dropped{no-event-timestamp}), so
#    is one 400 s old (dropped{stale});
#  - wrong secret: no reply, nothing ended, dropped{bad-authenticator};
#  - from 192.0.2.1 (not in dae-clients): no reply, dropped{unknown-client};
#  - unknown session: Disconnect-NAK with Error-Cause Session-Context-Not-Found;
#  - NAS-Identifier of another NAS: NAK NAS-Identification-Mismatch;
#  - CoA with Session-Timeout: CoA-NAK Unsupported-Attribute (these calls
#    were not authenticated through RADIUS; tests/vm/t_lnsd_dae.sh has the
#    CoA-ACK);
#  - Disconnect for lacpy-1001 with a Message-Authenticator: ACK that
#    radclient verifies (HMAC-MD5 over the reply), last call gone;
#  - the counters on /metrics add up.
source "$(dirname "$0")/lib.sh" "$@"
is_lnsd || skip "lnsd-only scenario"
command -v python3 >/dev/null || skip "python3 is not installed"
command -v radclient >/dev/null || skip "radclient is not installed (package freeradius-utils; tools/dev/setup.sh)"
command -v curl >/dev/null || skip "curl is not installed (tools/dev/setup.sh installs it)"
it_init
LAC_PY=$IT_DIR/lac.py
METRICS=127.0.0.1:9102
SECRET=dae-s3cret

ip netns add "$NS_LNS"
ip -n "$NS_LNS" link set lo up
ip -n "$NS_LNS" link add v0 type veth peer name v1
ip -n "$NS_LNS" addr add 192.0.2.1/24 dev v0
ip -n "$NS_LNS" link set v0 up
ip -n "$NS_LNS" link set v1 up
LNS_LOG=$ART/lns.log
cat >"$ART/lnsd.conf" <<EOF
# lnsd config written by tests/interop ($TEST_NAME)
[lnsd]
listen = 127.0.0.1:1701
control-socket = $RUN/lnsd.sock
hostname = $LNS_HOSTNAME
dataplane = none
metrics = $METRICS

[radius]
# not contacted: without the kernel data plane no PPP authentication happens
server = 127.0.0.1:18120,unused
nas-identifier = lns-dae-test
dae-listen = 0.0.0.0:3799
dae-clients = 127.0.0.1,$SECRET
EOF
ip netns exec "$NS_LNS" "$LNSD_BIN" -c "$ART/lnsd.conf" -f >"$LNS_LOG" 2>&1 &
LNS_PID=$!
wait_for 10 "lnsd control socket answering" "$LNSCTL_BIN" -s "$RUN/lnsd.sock" show tunnels -j
lns_alive || fail "lnsd exited during startup"
wait_for 5 "dae listener" grep -q -F 'dae: listening on 0.0.0.0:3799' "$LNS_LOG"

ip netns exec "$NS_LNS" python3 "$LAC_PY" --lns 127.0.0.1 --bind 127.0.0.1 --hostname lacpy-dae \
	--calls 2 --hold 60 --hold-file "$RUN/go" >"$ART/lacpy.out" 2>"$ART/lacpy.log" &
LAC=$!
BG_PIDS+=($LAC)
wait_for 15 "lac.py: READY or ERROR" grep -q -E '^(READY|ERROR)' "$ART/lacpy.out"
grep -q '^ERROR' "$ART/lacpy.out" && fail "lac.py: $(grep '^ERROR' "$ART/lacpy.out")"

sessions() { lns_json sessions | jq -c '[.[] | select(.state == "established")]'; }
count_sessions() { sessions | jq 'length'; }
[ "$(count_sessions)" -eq 2 ] || fail "not two established sessions: $(lns_json sessions)"

N=0
# rad TO TYPE SECRET ATTRS... : one radclient request (one try, 2 s) stamped with
# Event-Timestamp now; output in $ART/rad-N.out
rad() {
	local to=$1 type=$2 secret=$3
	shift 3
	N=$((N + 1))
	printf '%s\n' "$@" "Event-Timestamp = $(date +%s)" >"$ART/rad-$N.in"
	ip netns exec "$NS_LNS" radclient -x -r 1 -t 2 -f "$ART/rad-$N.in" "$to:3799" "$type" "$secret" \
		>"$ART/rad-$N.out" 2>&1 || true
	RAD_OUT=$ART/rad-$N.out
}
got() { grep -q -F "$1" "$RAD_OUT" || fail "radclient ($RAD_OUT): no '$1' in: $(cat "$RAD_OUT")"; }
no_reply() { grep -q '^Received' "$RAD_OUT" && fail "radclient ($RAD_OUT) got a reply: $(cat "$RAD_OUT")"; return 0; }
metric() { awk -v m="$1" '$1 == m { print $2 }' "$ART/metrics.txt"; }
scrape() { ip netns exec "$NS_LNS" curl -s -m 5 -o "$ART/metrics.txt" "http://$METRICS/metrics" || fail "GET /metrics failed"; }
expect_metric() {
	local got
	got=$(metric "$1")
	[ "$got" = "$2" ] || fail "$1 is '$got', expected $2"
}

# ---- Disconnect by Calling-Station-Id
rad 127.0.0.1 disconnect "$SECRET" 'Calling-Station-Id = "lacpy-1000"' 'NAS-Identifier = "lns-dae-test"'
got "Received Disconnect-ACK"
expect_count "sessions after the Disconnect" count_sessions 1 5
sessions | jq -e 'length == 1' >/dev/null || fail "other call gone too: $(lns_json sessions)"
grep -q -E 'dae 127\.0\.0\.1:[0-9]+: Disconnect Calling-Station-Id="lacpy-1000": ending 1 session' "$LNS_LOG" \
	|| fail "lnsd did not log the Disconnect"
log "Disconnect-Request (Calling-Station-Id lacpy-1000): ACK, call ended"

# ---- a retransmission, and the same request from another source port 2 s
# later, are answered from the replay cache (same bytes), not acted on again;
# without Event-Timestamp or with a stale one the request is dropped
ip netns exec "$NS_LNS" python3 - "$ART/retransmit.json" <<'EOF' || fail "retransmission check failed"
import hashlib, json, socket, sys, time
secret = b"dae-s3cret"
def request(ident, ts):
    body = bytes([31, 2 + len(b"nobody-x")]) + b"nobody-x"
    if ts is not None:
        body += bytes([55, 6]) + int(ts).to_bytes(4, "big")
    hdr = bytes([40, ident]) + (20 + len(body)).to_bytes(2, "big")
    return hdr + hashlib.md5(hdr + bytes(16) + body + secret).digest() + body
def ask(pkt):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(2)
    s.sendto(pkt, ("127.0.0.1", 3799))
    try:
        return s.recv(4096)
    except socket.timeout:
        return b""
    finally:
        s.close()
pkt = request(77, time.time())
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(2)
replies = []
for _ in range(2):
    s.sendto(pkt, ("127.0.0.1", 3799))
    replies.append(s.recv(4096))
time.sleep(2)
replies.append(ask(pkt))           # a new socket: another source port
json.dump({"same": all(r == replies[0] for r in replies), "code": replies[0][0],
           "cause": int.from_bytes(replies[0][22:26], "big") if len(replies[0]) >= 26 else 0,
           "no_ts": len(ask(request(78, None))), "stale": len(ask(request(79, time.time() - 400)))},
          open(sys.argv[1], "w"))
EOF
jq -e '.same and .code == 42 and .cause == 503 and .no_ts == 0 and .stale == 0' "$ART/retransmit.json" >/dev/null \
	|| fail "retransmission: $(cat "$ART/retransmit.json")"
grep -q -E 'dae 127\.0\.0\.1:[0-9]+: dropped a request without Event-Timestamp' "$LNS_LOG" \
	|| fail "no log line for the request without Event-Timestamp"
log "retransmission, and the same request from another port 2 s later: the same Disconnect-NAK three times; no or a stale Event-Timestamp: dropped"

# ---- wrong secret: dropped
rad 127.0.0.1 disconnect wrong-secret 'Calling-Station-Id = "lacpy-1001"'
no_reply
[ "$(count_sessions)" -eq 1 ] || fail "a request with the wrong secret ended a session"
log "wrong secret: no reply, nothing ended"

# ---- not a client: dropped
rad 192.0.2.1 disconnect "$SECRET" 'Calling-Station-Id = "lacpy-1001"'
no_reply
[ "$(count_sessions)" -eq 1 ] || fail "a request from a non-client ended a session"
grep -q -F 'dae: dropped a request from 192.0.2.1' "$LNS_LOG" || fail "no log line for the non-client"
log "source 192.0.2.1 (not in dae-clients): no reply, nothing ended"

# ---- unknown session, other NAS, CoA
rad 127.0.0.1 disconnect "$SECRET" 'Calling-Station-Id = "nobody"'
got "Received Disconnect-NAK"
got "Error-Cause = Session-Context-Not-Found"
rad 127.0.0.1 disconnect "$SECRET" 'Calling-Station-Id = "lacpy-1001"' 'NAS-Identifier = "another-nas"'
got "Received Disconnect-NAK"
got "Error-Cause = NAS-Identification-Mismatch"
rad 127.0.0.1 coa "$SECRET" 'Calling-Station-Id = "lacpy-1001"' 'Session-Timeout = 600'
got "Received CoA-NAK"
got "Error-Cause = Unsupported-Attribute"
[ "$(count_sessions)" -eq 1 ] || fail "a NAKed request ended a session"
log "unknown session: NAK 503; other NAS-Identifier: NAK 403; CoA Session-Timeout: NAK 401"

# ---- Message-Authenticator both ways
rad 127.0.0.1 disconnect "$SECRET" 'Calling-Station-Id = "lacpy-1001"' 'Message-Authenticator = 0x00'
got "Received Disconnect-ACK"
got "Message-Authenticator"
expect_count "sessions after the second Disconnect" count_sessions 0 5
log "Disconnect with Message-Authenticator: ACK verified by radclient, last call ended"

scrape
expect_metric 'lnsd_radius_dae_requests_total{type="disconnect",result="ack"}' 2
expect_metric 'lnsd_radius_dae_requests_total{type="disconnect",result="nak"}' 3
expect_metric 'lnsd_radius_dae_requests_total{type="coa",result="nak"}' 1
expect_metric 'lnsd_radius_dae_requests_total{type="coa",result="ack"}' 0
expect_metric 'lnsd_radius_dae_retransmits_total' 2
expect_metric 'lnsd_radius_dae_dropped_total{reason="bad-authenticator"}' 1
expect_metric 'lnsd_radius_dae_dropped_total{reason="unknown-client"}' 1
expect_metric 'lnsd_radius_dae_dropped_total{reason="no-event-timestamp"}' 1
expect_metric 'lnsd_radius_dae_dropped_total{reason="stale"}' 1
log "metrics: $(grep '^lnsd_radius_dae' "$ART/metrics.txt" | grep -v ' 0$' | tr '\n' ' ')"

touch "$RUN/go"
wait "$LAC" || fail "lac.py failed: $(tail -1 "$ART/lacpy.out")"
d=$(sed -n 's/^DONE //p' "$ART/lacpy.out")
jq -e '.cdn_rx | length == 2 and all(.result[0] == 3)' >/dev/null <<<"$d" \
	|| fail "lac.py did not get two CDNs with result 3: $d"
check_lns_healthy
pass "Disconnect/CoA from radclient: ACK ends the named call (CDN 3), NAK 503/403/401, drops for wrong secret, non-clients and no or stale Event-Timestamp, retransmission and replay from another port answered from the cache"
