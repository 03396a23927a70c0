#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (lnsctl): the operator CLI against live tunnels and calls. lnsd
# (control plane only) and lac.py LACs share one namespace (loopback):
#  - show tunnels|sessions with chosen columns (header = names in capitals),
#    match COLUMN REGEX (ANDed), order COLUMN [desc] (numeric columns
#    numerically), -j of the selected objects; unknown column and bad regex:
#    exit 1 naming them;
#  - show config: the parsed configuration (defaults included, comments
#    gone) with every secret ([l2tp], [peer], [ipsec] psk, [radius] server
#    and dae-clients) redacted, in text and -j;
#  - show stats: starting / established / finishing buckets (a half-open
#    tunnel from a bare SCCRQ, a peer-closed tunnel in its StopCCN hold),
#    memory, uptime;
#  - terminate user (no such user: exit 3), terminate all (every lac.py gets
#    its StopCCN), exit codes 1, 2 and 3 with their messages.
source "$(dirname "$0")/lib.sh" "$@"
it_init
is_lnsd || skip "lnsd-only scenario (lnsctl against lnsd)"
command -v python3 >/dev/null || skip "python3 is not installed"
LAC_PY=$IT_DIR/lac.py
GLOBAL_SECRET=Gq7-global-S3cret
PEER_SECRET=Xy9-peer-S3cret
PSK_SECRET=Kp3-psk-S3cret
RADIUS_SECRET=Rr5-radius-S3cret
DAE_SECRET=Dd8-dae-S3cret

ip netns add "$NS_LNS"
ip -n "$NS_LNS" link set lo up
LNS_LOG=$ART/lns.log
cat >"$ART/lnsd.conf" <<EOF
# lnsd config written by tests/interop ($TEST_NAME) comment-marker-1
[lnsd]
listen = 127.0.0.1:1701
control-socket = $RUN/lnsd.sock
hostname = $LNS_HOSTNAME
dataplane = none

[l2tp]
secret = $GLOBAL_SECRET
stopccn-hold = 8
setup-timeout = 30
hello-interval = 17

[ipsec]
mode = off
psk = $PSK_SECRET

[radius]
server = 192.0.2.77:1812:1813,$RADIUS_SECRET
dae-clients = 192.0.2.0/24,$DAE_SECRET

[peer special]
match-hostname = lacpy-special
secret = $PEER_SECRET
EOF
ip netns exec "$NS_LNS" "$LNSD_BIN" -c "$ART/lnsd.conf" -f >"$LNS_LOG" 2>&1 &
LNS_PID=$!
wait_for 10 "lnsd control socket answering" "$LNSCTL_BIN" -s "$RUN/lnsd.sock" show tunnels -j
lns_alive || fail "lnsd exited during startup"

declare -A LACPY_PID=()
# lacpy NAME CALLS [ARGS...]: lac.py with CALLS calls, held until terminated.
lacpy() {
	local name=$1 calls=$2
	shift 2
	ip netns exec "$NS_LNS" python3 "$LAC_PY" --lns 127.0.0.1 --hostname "$name" --calls "$calls" \
		--hold 120 "$@" >"$ART/lacpy-$name.out" 2>"$ART/lacpy-$name.log" &
	LACPY_PID[$name]=$!
	BG_PIDS+=($!)
	wait_for 15 "lac.py $name: READY or ERROR" grep -q -E '^(READY|ERROR)' "$ART/lacpy-$name.out"
	grep -q '^ERROR' "$ART/lacpy-$name.out" && fail "lac.py $name: $(grep '^ERROR' "$ART/lacpy-$name.out")"
	return 0
}
# expect_rc WANT DESCRIPTION CMD...: run CMD, keep stdout+stderr in $OUT, check the exit code.
expect_rc() {
	local want=$1 what=$2 rc=0
	shift 2
	OUT=$("$@" 2>&1) || rc=$?
	[ "$rc" -eq "$want" ] || fail "$what: exit $rc, want $want: $OUT"
}
# header_of TEXT: the header line's words, one space apart.
header_of() { head -1 <<<"$1" | tr -s ' ' | sed 's/ $//'; }

lacpy lacpy-a 2 --secret "$GLOBAL_SECRET"
lacpy lacpy-b 1 --secret "$GLOBAL_SECRET" --hold-file "$RUN/go-b"
lacpy lacpy-special 3 --secret "$PEER_SECRET"
expect_count "established sessions" lns_established_sessions 6 10
lns_json tunnels >"$ART/tunnels.json"
lns_json sessions >"$ART/sessions.json"
tid() { jq -r --arg h "$1" '.[] | select(.peer_hostname == $h) | .tunnel_id' "$ART/tunnels.json"; }
TA=$(tid lacpy-a) TB=$(tid lacpy-b) TS=$(tid lacpy-special)
log "tunnels: lacpy-a $TA, lacpy-b $TB, lacpy-special $TS"

# ---- columns
lnsctl show sessions >"$ART/default.txt" || fail "show sessions failed"
[ "$(header_of "$(cat "$ART/default.txt")")" = "TUNNEL SESSION PEER-TUNNEL PEER-SESSION PEER STATE IFNAME USERNAME IP MTU CALLING CALLED RX-BYTES TX-BYTES UPTIME" ] \
	|| fail "default session columns: $(head -1 "$ART/default.txt")"
[ "$(wc -l <"$ART/default.txt")" -eq 7 ] || fail "show sessions: not 6 rows: $(cat "$ART/default.txt")"
out=$(lnsctl show sessions tunnel,session,calling,phase,uptime-raw) || fail "show sessions with columns failed"
printf '%s\n' "$out" >"$ART/columns.txt"
[ "$(header_of "$out")" = "TUNNEL SESSION CALLING PHASE UPTIME-RAW" ] || fail "chosen columns: header $(head -1 <<<"$out")"
# Every row agrees with the JSON: tunnel, session, calling number, phase.
want=$(jq -r '.[] | "\(.tunnel_id) \(.session_id) \(.calling_number) established"' "$ART/sessions.json" | sort)
got=$(tail -n +2 <<<"$out" | awk '{print $1, $2, $3, $4}' | sort)
[ "$got" = "$want" ] || fail "chosen columns disagree with -j: got [$got] want [$want]"
tail -n +2 <<<"$out" | awk '$5 !~ /^[0-9]+$/ {bad = 1} END {exit bad}' || fail "uptime-raw is not plain seconds: $out"
out=$(lnsctl show tunnels hostname,peer-config,sessions,rx-msgs) || fail "show tunnels with columns failed"
grep -q -E '^lacpy-special +special +3 +[0-9]+$' <<<"$out" || fail "tunnel columns: no 'lacpy-special special 3 N' row: $out"
log "columns: $(head -1 <<<"$out" | tr -s ' ')"

expect_rc 1 "unknown column" lnsctl show sessions ifname,nosuchcol
grep -q -F 'unknown column "nosuchcol" for sessions' <<<"$OUT" || fail "unknown column message: $OUT"
expect_rc 1 "session-only column on tunnels" lnsctl show tunnels session
grep -q -F 'unknown column "session" for tunnels' <<<"$OUT" || fail "unknown tunnel column message: $OUT"
expect_rc 1 "match on an unknown column" lnsctl show sessions match bogus x
grep -q -F 'unknown column "bogus"' <<<"$OUT" || fail "match column message: $OUT"
expect_rc 1 "bad regex" lnsctl show sessions match calling '(lacpy'
grep -q -F 'match calling: bad regular expression "(lacpy"' <<<"$OUT" || fail "bad regex message: $OUT"
expect_rc 1 "order without column" lnsctl show sessions order
expect_rc 1 "stray word" lnsctl show sessions tunnel extra
log "unknown column, bad regex, missing operand: exit 1 with the name"

# ---- match (POSIX ERE, ANDed)
out=$(lnsctl show tunnels hostname match hostname '^lacpy-(a|b)$') || fail "match failed"
[ "$(tail -n +2 <<<"$out" | sort | tr '\n' ' ')" = "lacpy-a lacpy-b " ] || fail "match hostname ^lacpy-(a|b)\$: $out"
out=$(lnsctl show sessions session match tunnel "^$TS\$" match calling '1001$') || fail "two matches failed"
want=$(jq -r --argjson t "$TS" '.[] | select(.tunnel_id == $t and .calling_number == "lacpy-1001") | .session_id' "$ART/sessions.json")
[ "$(tail -n +2 <<<"$out")" = "$want" ] || fail "match tunnel AND calling: got $(tail -n +2 <<<"$out" | tr '\n' ' '), want $want"
out=$(lnsctl show sessions match calling 'no-such-number') || fail "empty match failed"
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "a match of nothing should print only the header: $out"
log "match: ERE alternation, two clauses ANDed, no match = header only"

# ---- order
out=$(lnsctl show tunnels hostname,sessions order sessions desc)
[ "$(tail -n +2 <<<"$out" | awk '{print $2}' | tr '\n' ' ')" = "3 2 1 " ] || fail "order sessions desc: $out"
out=$(lnsctl show tunnels hostname,sessions order sessions)
[ "$(tail -n +2 <<<"$out" | awk '{print $2}' | tr '\n' ' ')" = "1 2 3 " ] || fail "order sessions: $out"
out=$(lnsctl show sessions session order session)
want=$(jq -r '.[].session_id' "$ART/sessions.json" | sort -n | tr '\n' ' ')
[ "$(tail -n +2 <<<"$out" | tr '\n' ' ')" = "$want" ] || fail "order session (numeric): got $(tail -n +2 <<<"$out" | tr '\n' ' ') want $want"
out=$(lnsctl show sessions calling order calling desc match tunnel "^$TS\$")
[ "$(tail -n +2 <<<"$out" | tr '\n' ' ')" = "lacpy-1002 lacpy-1001 lacpy-1000 " ] || fail "order calling desc within one tunnel: $out"
log "order: numeric and text, ascending and desc"

# ---- -j: the selected objects, whole (unknown members kept)
j=$(lnsctl show sessions -j match tunnel "^$TA\$" order session desc) || fail "-j with match failed"
printf '%s\n' "$j" >"$ART/selected.json"
jq -e --argjson t "$TA" 'length == 2 and all(.[]; .tunnel_id == $t) and .[0].session_id > .[1].session_id and (.[0] | has("peer_session_id") and has("phase"))' \
	>/dev/null <<<"$j" || fail "-j did not print the 2 selected sessions of tunnel $TA, descending: $j"
j=$(lnsctl -j show tunnels tunnel,hostname match hostname special) || fail "-j before the command failed"
jq -e 'length == 1 and .[0].peer_hostname == "lacpy-special" and .[0].peer_config == "special"' >/dev/null <<<"$j" \
	|| fail "-j (before the command) with columns and match: $j"
log "-j prints the selected objects"

# ---- show config: parsed, secrets redacted
lnsctl show config >"$ART/config.txt" || fail "show config failed"
lnsctl show config -j >"$ART/config.json" || fail "show config -j failed"
for f in "$ART/config.txt" "$ART/config.json"; do
	for s in "$GLOBAL_SECRET" "$PEER_SECRET" "$PSK_SECRET" "$RADIUS_SECRET" "$DAE_SECRET"; do
		if grep -q -F "$s" "$f"; then fail "show config leaks the secret $s in $(basename "$f")"; fi
	done
done
[ "$(grep -c -x 'secret = <redacted>' "$ART/config.txt")" -eq 2 ] || fail "show config: not two redacted tunnel secrets: $(cat "$ART/config.txt")"
grep -q -x 'psk = <redacted>' "$ART/config.txt" || fail "show config: [ipsec] psk not redacted"
grep -q -x 'server = 192.0.2.77:1812:1813,<redacted>' "$ART/config.txt" || fail "show config: [radius] server secret not redacted"
grep -q -x 'dae-clients = 192.0.2.0/24,<redacted>' "$ART/config.txt" || fail "show config: [radius] dae-clients secret not redacted"
grep -q -x 'hello-interval = 17' "$ART/config.txt" || fail "show config: hello-interval from the file missing"
grep -q -x 'max-tunnels = [0-9]*' "$ART/config.txt" || fail "show config: defaults missing (not the parsed configuration)"
grep -q -x '\[peer special\]' "$ART/config.txt" || fail "show config: [peer special] missing"
if grep -q comment-marker "$ART/config.txt"; then fail "show config printed the file's text (comment)"; fi
jq -e --arg p "$ART/lnsd.conf" '.path == $p and (.text | test("secret = <redacted>"))' "$ART/config.json" >/dev/null \
	|| fail "show config -j: path/text wrong"
log "show config: parsed, $(wc -l <"$ART/config.txt") lines, all 5 secrets (tunnel, peer, PSK, RADIUS, DAE) <redacted>"

# ---- show stats: buckets, memory, uptime
# A half-open tunnel: a bare SCCRQ, never an SCCCN (held until the test ends).
ip netns exec "$NS_LNS" python3 - <<'EOF' >"$ART/halfopen.out" 2>&1 &
import socket, struct, time
def avp(t, v): return struct.pack("!HHH", 0x8000 | (6 + len(v)), 0, t) + v
avps = (avp(0, struct.pack("!H", 1)) + avp(2, struct.pack("!H", 0x0100)) + avp(7, b"lacpy-halfopen")
        + avp(3, struct.pack("!I", 3)) + avp(9, struct.pack("!H", 4242)))
hdr = struct.pack("!HHHHHH", 0xc802, 12 + len(avps), 0, 0, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(hdr + avps, ("127.0.0.1", 1701))
print("SENT", flush=True)
time.sleep(60)
EOF
BG_PIDS+=($!)
wait_for 10 "half-open tunnel listed" sh -c "'$LNSCTL_BIN' -s '$RUN/lnsd.sock' show tunnels -j | grep -q lacpy-halfopen"
st=$(lnsctl show stats -j) || fail "show stats -j failed"
printf '%s\n' "$st" >"$ART/stats1.json"
jq -e '.tunnels_phase == {"starting": 1, "established": 3, "finishing": 0}' >/dev/null <<<"$st" \
	|| fail "tunnels_phase with 3 up + 1 half-open: $(jq -c .tunnels_phase <<<"$st")"
jq -e '.sessions_phase == {"starting": 0, "established": 6, "finishing": 0}' >/dev/null <<<"$st" \
	|| fail "sessions_phase with 6 calls: $(jq -c .sessions_phase <<<"$st")"
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$LNS_PID/status")
jq -e --argjson k "$rss_kb" '.rss_bytes > 1048576 and (.rss_bytes / 1024 - $k | fabs) < 4096' >/dev/null <<<"$st" \
	|| fail "rss_bytes $(jq .rss_bytes <<<"$st") vs VmRSS ${rss_kb} kB"
jq -e --argjson p "$LNS_PID" '.pid == $p and (.version | length > 0)' >/dev/null <<<"$st" || fail "pid/version: $st"
up1=$(jq .uptime_s <<<"$st")
lnsctl show stats >"$ART/stats.txt" || fail "show stats failed"
if ! grep -q -x 'tunnels_phase:' "$ART/stats.txt" || ! grep -q -x '  established: 6' "$ART/stats.txt"; then
	fail "show stats text lacks the buckets: $(head -20 "$ART/stats.txt")"
fi
# A tunnel the peer closed stays in its StopCCN hold (stopccn-hold = 8): finishing.
touch "$RUN/go-b"
wait "${LACPY_PID[lacpy-b]}" || fail "lac.py lacpy-b failed to hang up"
st=$(lnsctl show stats -j)
printf '%s\n' "$st" >"$ART/stats2.json"
jq -e '.tunnels_phase.finishing == 1 and .tunnels_phase.established == 2 and .sessions_phase.established == 5' >/dev/null <<<"$st" \
	|| fail "after terminate tunnel: tunnels $(jq -c .tunnels_phase <<<"$st") sessions $(jq -c .sessions_phase <<<"$st")"
[ "$(jq .uptime_s <<<"$st")" -ge "$up1" ] || fail "uptime went backwards"
[ "$(jq .uptime_s <<<"$st")" -ge 1 ] || fail "uptime_s is 0 after seconds of running"
out=$(lnsctl show tunnels -a hostname,phase match hostname '^lacpy-b$')
grep -q -E '^lacpy-b +finishing$' <<<"$out" || fail "show tunnels -a: lacpy-b is not finishing: $out"
log "stats: starting/established/finishing right, rss $(($(jq .rss_bytes <<<"$st") / 1024)) kB (VmRSS $rss_kb kB), uptime $(jq .uptime_s <<<"$st") s"

# ---- terminate user / all, exit codes
expect_rc 3 "terminate user nobody" lnsctl terminate user nobody
grep -q -F 'lnsctl: no session of user "nobody"' <<<"$OUT" || fail "terminate user message: $OUT"
expect_rc 1 "terminate user without a name" lnsctl terminate user
expect_rc 3 "terminate unknown tunnel" lnsctl terminate tunnel 4242
grep -q -F 'lnsctl: no tunnel 4242' <<<"$OUT" || fail "terminate tunnel message: $OUT"
expect_rc 1 "bad tunnel id" lnsctl terminate tunnel 0
expect_rc 1 "unknown command" lnsctl frobnicate
expect_rc 2 "no daemon" "$LNSCTL_BIN" -s "$RUN/nothing.sock" show stats
grep -q -F "cannot connect to $RUN/nothing.sock" <<<"$OUT" || fail "no-daemon message: $OUT"
expect_rc 0 "terminate all" lnsctl terminate all
[ "$OUT" = "terminating 3 tunnels (5 sessions)" ] || fail "terminate all said: $OUT (want 3 tunnels: a, special, half-open)"
for n in lacpy-a lacpy-special; do
	wait "${LACPY_PID[$n]}" || fail "lac.py $n failed after terminate all: $(tail -1 "$ART/lacpy-$n.out")"
	jq -e '.stopccn_rx[0] == 1' >/dev/null <<<"$(sed -n 's/^DONE //p' "$ART/lacpy-$n.out")" \
		|| fail "$n: no StopCCN result 1 after terminate all: $(tail -1 "$ART/lacpy-$n.out")"
done
expect_count "live tunnels after terminate all" lns_tunnel_count 0 5
expect_rc 0 "terminate all with nothing left" lnsctl terminate all
[ "$OUT" = "terminating 0 tunnels (0 sessions)" ] || fail "second terminate all said: $OUT"
grep -q 'control socket: terminating all 3 tunnels' "$LNS_LOG" || fail "lnsd did not log terminate all"
log "terminate user (none: exit 3), terminate all (StopCCN 1 to each), exit codes 1/2/3"

check_lns_healthy
pass "lnsctl: columns, match, order, -j, show config redaction, stats buckets, terminate user/all, exit codes"
