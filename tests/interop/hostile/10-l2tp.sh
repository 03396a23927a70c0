# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Hostile L2TP input on the listener (sourced by t_hostile.sh):
#  - an SCCRQ from CHAL_ADDR (a [peer] with a tunnel secret) with a
#    1000-byte Challenge gets an SCCRP whose Challenge Response is the MD5
#    over type 2, the secret and all 1000 bytes (RFC 2661 §4.4.3 sets no
#    upper bound; it used to be dropped without an answer);
#  - the same SCCRQ again from the same address and port is the same
#    tunnel: lnsd lists one tunnel for that peer, any second SCCRP carries
#    the same Assigned Tunnel ID;
#  - a second lnsd on the same listen address (the same configuration; one
#    with only the listen line; one on the wildcard 0.0.0.0:1701) exits 1
#    naming the address, and the first keeps running;
#  - a reload that adds a listen address another program holds (bound
#    with SO_REUSEADDR, as xl2tpd binds) is refused naming it; the old
#    configuration keeps running;
#  - reloads that move the listener to 0.0.0.0:1701 and back (our own
#    listener and the victim's tunnel socket are in the way each time) are
#    applied, and a second lnsd is still refused after each;
#  - another uid (65534, setpriv) cannot bind LNS_ADDR:1701 or 0.0.0.0:1701
#    with SO_REUSEADDR, SO_REUSEPORT or both: with the listener there; after
#    a reload moved the listener to :1702 (only the victim's tunnel socket
#    holds :1701); looping for 5 s while the attacker's SCCRQ -> SCCRP ->
#    StopCCN cycles open a new tunnel socket each (the moments the listener
#    shares its port), and every one of those SCCRQs is answered;
#  - tests/interop/badinput.py's malformed-message probe from the attacker:
#    the unknown M-bit SCCRQ gets StopCCN 2/8, the rest is counted.

ip -n "$ATT_NS" addr add "$CHAL_ADDR/24" dev eth0
cat >"$ART/chal.py" <<'EOF'
"""SCCRQ with a 1000-byte Challenge from BIND, then the same SCCRQ again;
prints one JSON line, then holds the tunnel until HOLD_FILE exists and
closes it with a StopCCN."""
import hashlib, json, os, socket, struct, sys, time
lns, bind, secret, hold = sys.argv[1], sys.argv[2], sys.argv[3].encode(), sys.argv[4]

def avp(t, v):
    return struct.pack("!HHH", 0x8000 | (6 + len(v)), 0, t) + v

def ctl(tid, ns, nr, body):
    return struct.pack("!HHHHHH", 0xC802, 12 + len(body), tid, 0, ns, nr) + body

def parse(pkt):
    if len(pkt) < 12:
        return {}
    flags, _, tid, sid, ns, nr = struct.unpack("!HHHHHH", pkt[:12])
    m = {"tid": tid, "ns": ns, "nr": nr, "avps": {}}
    off = 12
    while off + 6 <= len(pkt):
        f, _, t = struct.unpack("!HHH", pkt[off:off + 6])
        n = f & 0x3FF
        if n < 6 or off + n > len(pkt):
            break
        m["avps"][t] = pkt[off + 6:off + n]
        off += n
    m["type"] = struct.unpack("!H", m["avps"][0])[0] if 0 in m["avps"] else 0
    return m

def replies(s, secs):
    out, end = [], time.monotonic() + secs
    while time.monotonic() < end:
        try:
            out.append(parse(s.recv(4096)))
        except socket.timeout:
            pass
    return out

my_tid = 4242
chal = os.urandom(1000)
sccrq = ctl(0, 0, 0, avp(0, struct.pack("!H", 1)) + avp(2, struct.pack("!H", 0x100))
            + avp(3, struct.pack("!I", 3)) + avp(7, b"hostile-chal")
            + avp(9, struct.pack("!H", my_tid)) + avp(11, chal))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((bind, 0))
s.settimeout(0.2)
s.sendto(sccrq, (lns, 1701))
first = [m for m in replies(s, 2.0) if m.get("type") == 2]
# unacknowledged, the SCCRP comes again after a second: count them all
out = {"sccrp": len(first), "challenge_len": len(chal),
       "sccrp_tids": [struct.unpack("!H", m["avps"][9])[0] for m in first if 9 in m["avps"]]}
if first:
    m = first[0]
    want = hashlib.md5(bytes([2]) + secret + chal).digest()
    out["response_ok"] = m["avps"].get(13, b"")[:16] == want
    out["lns_tid"] = struct.unpack("!H", m["avps"][9])[0]
    out["lns_challenge"] = 11 in m["avps"]
s.sendto(sccrq, (lns, 1701))            # the same SCCRQ again, same port
again = replies(s, 1.5)
out["again_sccrp_tids"] = [struct.unpack("!H", m["avps"][9])[0] for m in again
                           if m.get("type") == 2 and 9 in m["avps"]]
print(json.dumps(out), flush=True)
while not os.path.exists(hold):
    replies(s, 0.2)
if first:
    s.sendto(ctl(out["lns_tid"], 1, 1, avp(0, struct.pack("!H", 4)) + avp(9, struct.pack("!H", my_tid))
                 + avp(1, struct.pack("!HH", 1, 0))), (lns, 1701))
    replies(s, 1.0)
EOF

hcase "SCCRQ with a 1000-byte Challenge, then the same SCCRQ again" \
	"an SCCRP with the right Challenge Response (MD5 over all 1000 bytes); the repeat maps to the same tunnel"
rm -f "$RUN/chal-go"
ip netns exec "$ATT_NS" "$PY" "$ART/chal.py" "$LNS_ADDR" "$CHAL_ADDR" "$CHAL_SECRET" "$RUN/chal-go" \
	>"$ART/chal.out" 2>&1 &
chal_pid=$!
BG_PIDS+=("$chal_pid")
wait_for 10 "chal.py: its result line" grep -q '^{' "$ART/chal.out"
log "chal.py: $(cat "$ART/chal.out")"
jq -e '.sccrp >= 1 and .response_ok and .lns_challenge' "$ART/chal.out" >/dev/null \
	|| fail "no SCCRP with a correct Challenge Response for a 1000-byte Challenge: $(cat "$ART/chal.out")"
lns_tid=$(jq -r .lns_tid "$ART/chal.out")
jq -e --argjson t "$lns_tid" '.sccrp_tids + .again_sccrp_tids | all(. == $t)' "$ART/chal.out" >/dev/null \
	|| fail "the repeated SCCRQ got an SCCRP for another tunnel: $(cat "$ART/chal.out")"
n=$(lns_json tunnels | jq --arg a "$CHAL_ADDR:" '[.[] | select(.peer | startswith($a))] | length')
[ "$n" = 1 ] || fail "$n tunnels from $CHAL_ADDR after the SCCRQ and its repeat: $(lns_json tunnels)"
lns_json tunnels | jq -e --arg a "$CHAL_ADDR:" --argjson t "$lns_tid" \
	'[.[] | select(.peer | startswith($a))][0] | .tunnel_id == $t and .peer_config == "hostile-challenge"' \
	>/dev/null || fail "the tunnel from $CHAL_ADDR is not tunnel $lns_tid of [peer hostile-challenge]"
touch "$RUN/chal-go"
wait "$chal_pid" || fail "chal.py failed: $(cat "$ART/chal.out")"

# second LNS CONFIG : start another lnsd in the LNS namespace; it must exit 1
# within 10 s and say that ADDR is in use
second_lnsd() {
	local conf=$1 addr=$2 rc=0
	ip netns exec "$NS_LNS" timeout 10 "$LNSD_BIN" -f -c "$conf" >"$conf.log" 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "a second lnsd with $conf: exit $rc (want 1): $(tail -3 "$conf.log")"
	grep -q -F "listen $addr: address already in use" "$conf.log" \
		|| fail "a second lnsd with $conf did not name $addr: $(tail -3 "$conf.log")"
	lns_alive || fail "the first lnsd died"
	lnsctl show tunnels -j >/dev/null || fail "the first lnsd's control socket stopped answering"
	log "second lnsd ($conf): $(grep -F 'address already in use' "$conf.log")"
}
hcase "a second lnsd on the same listen address" \
	"it exits 1 naming $LNS_ADDR:1701 (same config; only that listen line; the wildcard); the first keeps its call"
second_lnsd "$ART/lnsd.conf" "$LNS_ADDR:1701"
printf '[lnsd]\nlisten = %s:1701\ncontrol-socket = %s/second.sock\ndataplane = none\n' \
	"$LNS_ADDR" "$RUN" >"$ART/second.conf"
second_lnsd "$ART/second.conf" "$LNS_ADDR:1701"
printf '[lnsd]\nlisten = 0.0.0.0:1701\ncontrol-socket = %s/third.sock\ndataplane = none\n' \
	"$RUN" >"$ART/third.conf"
second_lnsd "$ART/third.conf" "0.0.0.0:1701"

hcase "a reload that adds a listen address another program holds" \
	"refused naming $LNS_ADDR:1702; the running configuration stays"
ip netns exec "$NS_LNS" "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 1702))
open(sys.argv[2], "w").close()
time.sleep(60)' "$LNS_ADDR" "$RUN/holder-ready" &
holder=$!
BG_PIDS+=("$holder")
wait_for 5 "a foreign socket on $LNS_ADDR:1702" test -e "$RUN/holder-ready"
cp "$ART/lnsd.conf" "$ART/lnsd.conf.orig"
sed -i "s|^listen = .*|listen = $LNS_ADDR:1701, $LNS_ADDR:1702|" "$ART/lnsd.conf"
out=$(lnsctl reload 2>&1) && fail "the reload with $LNS_ADDR:1702 in use succeeded: $out"
grep -q -F "listen $LNS_ADDR:1702: address already in use" <<<"$out" \
	|| fail "the refused reload did not name $LNS_ADDR:1702: $out"
lns_alive || fail "lnsd died on the refused reload"
lnsctl show config | grep -qx "listen = $LNS_ADDR:1701" || fail "the running listen changed: $(lnsctl show config | grep '^listen')"
cp "$ART/lnsd.conf.orig" "$ART/lnsd.conf"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
log "reload refused: $out"

hcase "reloads that move the listener to the wildcard address and back" \
	"both applied (our own sockets do not block them); a second lnsd is still refused"
sed -i "s|^listen = .*|listen = 0.0.0.0:1701|" "$ART/lnsd.conf"
out=$(lnsctl reload 2>&1) || fail "the reload to 0.0.0.0:1701 was refused: $out"
lnsctl show config | grep -qx "listen = 0.0.0.0:1701" || fail "the reload to 0.0.0.0:1701 did not apply"
second_lnsd "$ART/second.conf" "$LNS_ADDR:1701"
cp "$ART/lnsd.conf.orig" "$ART/lnsd.conf"
out=$(lnsctl reload 2>&1) || fail "the reload back to $LNS_ADDR:1701 was refused: $out"
lnsctl show config | grep -qx "listen = $LNS_ADDR:1701" || fail "the reload back to $LNS_ADDR:1701 did not apply"
second_lnsd "$ART/third.conf" "0.0.0.0:1701"

# Another user on the LNS host must never get a socket on the L2TP port: it
# would receive SCCRQs and the tunnel datagrams meant for lnsd, pose as the
# LNS and read PAP passwords. lnsd's own sockets there have SO_REUSEPORT and
# never SO_REUSEADDR (two SO_REUSEADDR sockets share a UDP port whatever
# their uid; SO_REUSEPORT ones only with the same uid).
cat >"$ART/portgrab.py" <<'EOF'
"""bind ADDR:PORT with SO_REUSEADDR, SO_REUSEPORT and both: 'once' tries each
once, 'loop SECS' over and over for SECS seconds. Prints one JSON line:
tries, binds and errors (counts by options and by errno)."""
import errno, json, socket, sys, time
addr, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
opts = {"SO_REUSEADDR": [socket.SO_REUSEADDR], "SO_REUSEPORT": [socket.SO_REUSEPORT],
        "both": [socket.SO_REUSEADDR, socket.SO_REUSEPORT]}
end = time.monotonic() + (float(sys.argv[4]) if mode == "loop" else 0)
tries, binds, errs = 0, {}, {}
while True:
    for name, ol in opts.items():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for o in ol:
            s.setsockopt(socket.SOL_SOCKET, o, 1)
        tries += 1
        try:
            s.bind((addr, port))
            binds[name] = binds.get(name, 0) + 1
        except OSError as e:
            k = errno.errorcode.get(e.errno, str(e.errno))
            errs[k] = errs.get(k, 0) + 1
        s.close()
    if time.monotonic() >= end:
        break
print(json.dumps({"tries": tries, "binds": binds, "errors": errs}), flush=True)
EOF
cat >"$ART/sccrqloop.py" <<'EOF'
"""From BIND, SECS seconds of SCCRQ -> SCCRP -> StopCCN, each from a new
source port (so lnsd opens a new tunnel socket each time). One JSON line."""
import json, socket, struct, sys, time
lns, bind, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])

def avp(t, v):
    return struct.pack("!HHH", 0x8000 | (6 + len(v)), 0, t) + v

def ctl(tid, ns, nr, body):
    return struct.pack("!HHHHHH", 0xC802, 12 + len(body), tid, 0, ns, nr) + body

def sccrp_tid(p):
    """the Assigned Tunnel ID of an SCCRP, else None"""
    tid, off = None, 12
    if len(p) < 20 or p[16:18] != b"\x00\x00" or p[18:20] != b"\x00\x02":
        return None
    while off + 6 <= len(p):
        f, _, t = struct.unpack("!HHH", p[off:off + 6])
        if t == 9 and (f & 0x3FF) == 8:
            tid = struct.unpack("!H", p[off + 6:off + 8])[0]
        off += max(6, f & 0x3FF)
    return tid

sent = answered = 0
end = time.monotonic() + secs
while time.monotonic() < end:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((bind, 0))
    s.settimeout(1.0)
    my_tid = 1 + sent % 65000
    s.sendto(ctl(0, 0, 0, avp(0, struct.pack("!H", 1)) + avp(2, struct.pack("!H", 0x100))
                 + avp(3, struct.pack("!I", 3)) + avp(7, b"hostile-loop")
                 + avp(9, struct.pack("!H", my_tid))), (lns, 1701))
    sent += 1
    lns_tid = None
    try:
        while lns_tid is None:
            lns_tid = sccrp_tid(s.recv(4096))
    except socket.timeout:
        pass
    if lns_tid is not None:
        answered += 1
        s.sendto(ctl(lns_tid, 1, 1, avp(0, struct.pack("!H", 4)) + avp(9, struct.pack("!H", my_tid))
                     + avp(1, struct.pack("!HH", 1, 0))), (lns, 1701))
    s.close()
print(json.dumps({"sccrq": sent, "sccrp": answered}), flush=True)
EOF
# foreign_bind ADDR PORT MODE [SECS] : portgrab.py as uid 65534 in the LNS namespace
foreign_bind() {
	ip netns exec "$NS_LNS" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PY" -c "$(cat "$ART/portgrab.py")" "$@"
}
# no_foreign_bind WHAT ADDR PORT : fail unless each bind failed with EADDRINUSE
no_foreign_bind() {
	local what=$1 out
	shift
	out=$(foreign_bind "$@" once) || fail "portgrab.py as uid 65534 failed ($what): $out"
	jq -e '.binds == {} and (.errors | keys) == ["EADDRINUSE"]' <<<"$out" >/dev/null \
		|| fail "uid 65534 bound $1:$2 $what: $out"
	log "uid 65534 on $1:$2 $what: $out"
}

hcase "another user binds the L2TP port while the victim's tunnel is up" \
	"EADDRINUSE for $LNS_ADDR:1701 and 0.0.0.0:1701 with SO_REUSEADDR, SO_REUSEPORT and both"
no_foreign_bind "(the listener and the victim's tunnel socket there)" "$LNS_ADDR" 1701
no_foreign_bind "(the listener and the victim's tunnel socket there)" 0.0.0.0 1701

hcase "a reload moves the listener to :1702 while the victim's tunnel socket keeps :1701" \
	"another user still cannot bind $LNS_ADDR:1701 or 0.0.0.0:1701; the reload back is applied"
sed -i "s|^listen = .*|listen = $LNS_ADDR:1702|" "$ART/lnsd.conf"
out=$(lnsctl reload 2>&1) || fail "the reload to $LNS_ADDR:1702 was refused: $out"
lnsctl show config | grep -qx "listen = $LNS_ADDR:1702" \
	|| fail "the reload to $LNS_ADDR:1702 did not apply"
no_foreign_bind "(only the victim's tunnel socket there)" "$LNS_ADDR" 1701
no_foreign_bind "(only the victim's tunnel socket there)" 0.0.0.0 1701
cp "$ART/lnsd.conf.orig" "$ART/lnsd.conf"
out=$(lnsctl reload 2>&1) || fail "the reload back to $LNS_ADDR:1701 was refused: $out"
lnsctl show config | grep -qx "listen = $LNS_ADDR:1701" \
	|| fail "the reload back to $LNS_ADDR:1701 did not apply"
second_lnsd "$ART/second.conf" "$LNS_ADDR:1701"

hcase "another user loops bind() on the L2TP port while SCCRQs open tunnel sockets" \
	"0 successful binds in 5 s; every SCCRQ (a new tunnel socket each) gets its SCCRP"
ip netns exec "$ATT_NS" "$PY" "$ART/sccrqloop.py" "$LNS_ADDR" "$ATT_ADDR" 5 \
	>"$ART/sccrqloop.out" 2>&1 &
loop_pid=$!
BG_PIDS+=("$loop_pid")
out=$(foreign_bind "$LNS_ADDR" 1701 loop 5) || fail "portgrab.py loop as uid 65534 failed: $out"
wait "$loop_pid" || fail "sccrqloop.py failed: $(cat "$ART/sccrqloop.out")"
log "uid 65534 bind loop: $out; SCCRQ loop: $(cat "$ART/sccrqloop.out")"
jq -e '.binds == {}' <<<"$out" >/dev/null || fail "uid 65534 bound $LNS_ADDR:1701 in the race: $out"
jq -e '.sccrq >= 100 and .sccrp == .sccrq' "$ART/sccrqloop.out" >/dev/null \
	|| fail "SCCRQs during the bind loop not all answered (or too few): $(cat "$ART/sccrqloop.out")"

hcase "malformed L2TP messages (badinput.py probe) from the attacker" \
	"the unknown M-bit SCCRQ gets StopCCN 2/8; the rest is dropped and counted"
stats0=$(lnsctl show stats -j)
ip netns exec "$ATT_NS" "$PY" "$IT_DIR/badinput.py" probe --lns "$LNS_ADDR" --flood 50 \
	--expect-mbit-stopccn >"$ART/badinput-probe.log" 2>&1 \
	|| fail "a bad-input case did not get its defined answer: $(grep -v '^{' "$ART/badinput-probe.log")"
stats1=$(lnsctl show stats -j)
for k in decode unknown-tunnel; do
	a=$(jq ".drops[\"$k\"] // 0" <<<"$stats0")
	b=$(jq ".drops[\"$k\"] // 0" <<<"$stats1")
	[ "$b" -gt "$a" ] || fail "drop counter $k did not move ($a -> $b)"
done
log "badinput probe: $(grep -c '^ok' "$ART/badinput-probe.log") cases answered as defined"
