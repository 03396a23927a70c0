# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Hostile dynamic-authorization (RFC 5176) input on the DAE listener
# (sourced by t_hostile.sh). The attacker's address is a DAE client with
# DAE_SECRET, so it can sign requests and replay them. No request names the
# victim's call: the attacker's own calls (tests/interop/lac.py, named by
# Calling-Station-Id lacpy-1000) are the targets.
#  - a signed Disconnect for a session nobody has: NAK 503;
#  - a Disconnect for the attacker's call: ACK, that call ends; the same
#    request again 2 s later from another source port, after a fresh call
#    with the same Calling-Station-Id came up (a second lac.py): the same
#    ACK from the replay cache, counted as a retransmission, and the fresh
#    call survives (nothing acted on again);
#  - the wrong secret, no Event-Timestamp, a stale Event-Timestamp, and
#    garbage, truncated and oversize datagrams: no reply, each counted under
#    its reason.

cat >"$ART/dae.py" <<'EOF'
"""dae.py LNS PORT SECRET build OUT ID CALLING TS   (TS: now, none or stale)
   dae.py LNS PORT SECRET send FILE                 (from a fresh source port)
   dae.py LNS PORT SECRET garbage
Prints one JSON line: the reply's code and Error-Cause, or "none"."""
import hashlib, json, os, socket, struct, sys, time
lns, port, secret, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4]

def ask(pkt):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    s.settimeout(2)
    s.sendto(pkt, (lns, port))
    try:
        r = s.recv(4096)
    except socket.timeout:
        return {"reply": "none", "sport": s.getsockname()[1]}
    cause = 0
    off = 20
    while off + 2 <= len(r) and r[off + 1] >= 2:
        if r[off] == 101 and r[off + 1] == 6:
            cause = struct.unpack("!I", r[off + 2:off + 6])[0]
        off += r[off + 1]
    return {"reply": r[0], "cause": cause, "bytes": r.hex(), "sport": s.getsockname()[1]}

if cmd == "build":
    out, ident, calling, ts = sys.argv[5], int(sys.argv[6]), sys.argv[7].encode(), sys.argv[8]
    body = bytes([31, 2 + len(calling)]) + calling
    if ts != "none":
        t = time.time() - (400 if ts == "stale" else 0)
        body += bytes([55, 6]) + struct.pack("!I", int(t))
    hdr = bytes([40, ident]) + struct.pack("!H", 20 + len(body))
    open(out, "wb").write(hdr + hashlib.md5(hdr + bytes(16) + body + secret).digest() + body)
elif cmd == "send":
    print(json.dumps(ask(open(sys.argv[5], "rb").read())))
elif cmd == "garbage":
    good = open(sys.argv[5], "rb").read()
    cases = {
        "random": os.urandom(64),
        "truncated": good[:19],
        "length beyond the datagram": good[:2] + struct.pack("!H", len(good) + 10) + good[4:],
        "oversize": bytes([40, 9]) + struct.pack("!H", 5000) + os.urandom(4996),
        "attribute past the end": good[:2] + struct.pack("!H", len(good) + 2) + good[4:]
                                  + bytes([31, 40]),
    }
    print(json.dumps({k: ask(v)["reply"] for k, v in cases.items()}))
EOF
dae() { ip netns exec "$ATT_NS" "$PY" "$ART/dae.py" "$LNS_ADDR" "$DAE_PORT" "$@"; }
dae_build() { dae "$DAE_SECRET" build "$@"; }
dae_send() { dae "$DAE_SECRET" send "$1" | tee -a "$ART/dae-replies.log"; }
# lacpy N : one lac.py tunnel with one call (Calling-Station-Id lacpy-1000) from the attacker
lacpy() {
	ip netns exec "$ATT_NS" "$PY" "$IT_DIR/lac.py" --lns "$LNS_ADDR" --bind "$ATT_ADDR" \
		--hostname "hostile-dae-$1" --calls 1 --hold 120 --hold-file "$RUN/dae-go" \
		>"$ART/lacpy-$1.out" 2>"$ART/lacpy-$1.log" &
	BG_PIDS+=($!)
	LACPY_PID=$!
	wait_for 15 "lac.py $1: READY or ERROR" grep -q -E '^(READY|ERROR)' "$ART/lacpy-$1.out"
	grep -q '^ERROR' "$ART/lacpy-$1.out" && fail "lac.py $1: $(grep '^ERROR' "$ART/lacpy-$1.out")"
	return 0
}
# attacker_calls: established sessions whose peer is the attacker's address
attacker_calls() {
	lns_json sessions | jq --arg a "$ATT_ADDR:" '[.[] | select(.state == "established" and (.peer | startswith($a)))] | length'
}
rm -f "$RUN/dae-go"

hcase "a signed Disconnect for a session nobody has" "Disconnect-NAK, Error-Cause 503"
dae_build "$ART/dae-nobody" 11 "nobody-here" now
dae_send "$ART/dae-nobody" | jq -e '.reply == 42 and .cause == 503' >/dev/null \
	|| fail "no NAK 503: $(tail -1 "$ART/dae-replies.log")"

hcase "a Disconnect for the attacker's call, replayed from another port 2 s later onto a fresh call" \
	"ACK and the call ends; the replay gets the same ACK from the cache and the fresh call survives"
lacpy 1
[ "$(attacker_calls)" = 1 ] || fail "lac.py 1: not one established call: $(lns_json sessions)"
r0=$(lns_metric "$METRICS" lnsd_radius_dae_retransmits_total)
dae_build "$ART/dae-kill" 12 "lacpy-1000" now
first=$(dae_send "$ART/dae-kill")
jq -e '.reply == 41' >/dev/null <<<"$first" || fail "the Disconnect was not ACKed: $first"
expect_count "attacker calls after the Disconnect" attacker_calls 0 5
lacpy 2
[ "$(attacker_calls)" = 1 ] || fail "lac.py 2: not one established call: $(lns_json sessions)"
sleep 2
again=$(dae_send "$ART/dae-kill")
[ "$(jq -r .sport <<<"$again")" != "$(jq -r .sport <<<"$first")" ] || fail "the replay used the same source port"
[ "$(jq -r .bytes <<<"$again")" = "$(jq -r .bytes <<<"$first")" ] \
	|| fail "the replay did not get the first answer again: $first / $again"
sleep 1
[ "$(attacker_calls)" = 1 ] || fail "the replayed Disconnect ended the fresh call: $(lns_json sessions)"
n=$(grep -c 'Disconnect Calling-Station-Id="lacpy-1000": ending 1 session' "$LNS_LOG")
[ "$n" = 1 ] || fail "the Disconnect was acted on $n times"
r1=$(lns_metric "$METRICS" lnsd_radius_dae_retransmits_total)
[ "$r1" = $((r0 + 1)) ] || fail "lnsd_radius_dae_retransmits_total $r0 -> $r1, want +1"
log "Disconnect lacpy-1000: ACK; its replay from port $(jq -r .sport <<<"$again") 2 s later: the same ACK, fresh call kept"

hcase "the wrong secret, no Event-Timestamp, a stale Event-Timestamp" "no reply; dropped and counted by reason"
declare -A before
for reason in bad-authenticator no-event-timestamp stale; do
	before[$reason]=$(lns_metric "$METRICS" "lnsd_radius_dae_dropped_total{reason=\"$reason\"}")
done
dae wrong-secret build "$ART/dae-wrong" 13 "lacpy-1000" now
dae_build "$ART/dae-nots" 14 "lacpy-1000" none
dae_build "$ART/dae-stale" 15 "lacpy-1000" stale
for req in dae-wrong dae-nots dae-stale; do
	dae_send "$ART/$req" | jq -e '.reply == "none"' >/dev/null || fail "$req got a reply: $(tail -1 "$ART/dae-replies.log")"
done
for reason in bad-authenticator no-event-timestamp stale; do
	now=$(lns_metric "$METRICS" "lnsd_radius_dae_dropped_total{reason=\"$reason\"}")
	[ "$now" = $((before[$reason] + 1)) ] || fail "dropped{$reason} ${before[$reason]} -> $now, want +1"
done
[ "$(attacker_calls)" = 1 ] || fail "a dropped request ended the attacker's call"

hcase "garbage, truncated, oversize and malformed datagrams" "no reply; each dropped and counted"
dae_drops() { # every lnsd_radius_dae_dropped_total sample, summed
	ip netns exec "$NS_LNS" curl -s --max-time 5 "http://$METRICS/metrics" |
		awk '/^lnsd_radius_dae_dropped_total/ { s += $2 } END { print s + 0 }'
}
d0=$(dae_drops)
g=$(dae "$DAE_SECRET" garbage "$ART/dae-nobody")
log "garbage: $g"
jq -e 'to_entries | all(.value == "none")' >/dev/null <<<"$g" || fail "a garbage datagram got a reply: $g"
d1=$(dae_drops)
[ "$d1" -ge $((d0 + 5)) ] || fail "lnsd_radius_dae_dropped_total moved $d0 -> $d1 for 5 bad datagrams"

touch "$RUN/dae-go"
wait "$LACPY_PID" || fail "lac.py 2 failed: $(tail -1 "$ART/lacpy-2.out")"
