# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Case file for t_hostile.sh: the strings an unauthenticated LAC sends.
#
# From the attacker's namespace a LAC of our own (lac.py, subclassed here)
# brings up a tunnel whose SCCRQ Host Name and Vendor Name, and a call whose
# ICRQ Calling and Called Number, carry a newline followed by a forged line
# in lnsd's own log format, double quotes, a backslash and terminal escape
# sequences (the Vendor Name is also not UTF-8). lnsd must log each of them
# escaped on the event's one line, lnsctl's tables must show the escaped
# form with no raw control byte, and the JSON (lnsctl -j) must carry the
# exact bytes (U+FFFD for each byte that is not UTF-8; lnsctl(8), JSON).

STR_OUT=$ART/strings-lac.out
STR_HOLD=$RUN/strings.hold
STR_CHECK=$RUN/strings-check.py

# The hostile values, shared by the LAC and the JSON check (Python literals);
# each under 64 bytes, what lnsd keeps of a Host Name or a number.
cat >"$STR_CHECK" <<'PY'
FORGE = b"\n12:00:00.000 notice: FORGED"
HOST = b'ev"l\\\x1b[2J\x1b]0;pw\x07' + FORGE + b" tunnel 1/1"
VENDOR = b"vend\xff" + FORGE + b" vendor\x1b[31m"
CALLING = b"555" + FORGE + b' call "c"\r\x1b[1m'
CALLED = b"666\x1b[0m" + FORGE + b" called"
PY

hcase "SCCRQ Host Name/Vendor Name and ICRQ Calling/Called Number with newline, quotes, ESC" \
	"one escaped log line per event, escaped lnsctl tables without ESC, exact bytes in lnsctl -j"
rm -f "$STR_HOLD"
ip netns exec "$ATT_NS" "$PY" - "$IT_DIR" "$STR_CHECK" "$LNS_ADDR" "$STR_HOLD" >"$STR_OUT" 2>&1 <<'PY' &
import argparse, json, sys
sys.path.insert(0, sys.argv[1])
import lac
exec(open(sys.argv[2]).read())

SUBST = {lac.A_HOST: HOST, lac.A_VENDOR: VENDOR, lac.A_CALLING: CALLING}

class Hostile(lac.Lac):
    def avp(self, attr, value, mandatory=True, hidden=False):
        return super().avp(attr, SUBST.get(attr, value), mandatory, hidden)

    def call_avps(self, sid, serial):
        return super().call_avps(sid, serial) + [self.avp(21, CALLED)]   # Called Number

a = argparse.Namespace(lns=sys.argv[3], port=1701, bind=None, hostname="unused", secret="",
                       hide=False, calls=1, dup_sccrq=False, dup_icrq=False, reorder=False,
                       cisco_extra=0, cdn_result="rfc", cdn_rc=1, cdn_error=0,
                       stopccn_result="rfc", stopccn_rc=1, stopccn_error=0, hold=120.0,
                       hold_file=sys.argv[4], expect_hidden=False)
h = Hostile(a)
try:
    h.tunnel_up()
    h.calls_up(1)
    print("READY " + json.dumps(h.summary()), flush=True)
    h.hold()
    h.teardown()
except (lac.ProtocolError, OSError) as e:
    print(f"ERROR {e}", flush=True)
    sys.exit(1)
print("DONE", flush=True)
PY
STR_PID=$!
BG_PIDS+=("$STR_PID")
wait_for 20 "the hostile LAC's tunnel and call" grep -q -E '^(READY|ERROR)' "$STR_OUT"
grep -q '^READY' "$STR_OUT" || fail "the hostile LAC did not get its tunnel and call: $(cat "$STR_OUT")"
wait_for 10 "lnsd to list the hostile call as established" sh -c \
	"'$LNSCTL_BIN' -s '$RUN/lnsd.sock' show sessions -j | jq -e '[.[] | select(.peer | startswith(\"$ATT_ADDR:\")) | select(.state == \"established\")] | length == 1'"

# The log: no line starts with the forged text, no raw ESC, each name escaped on its event's line.
grep -q '^12:00:00.000 notice: FORGED' "$LNS_LOG" && fail "a forged line in lnsd's log: $(grep -n 'FORGED' "$LNS_LOG")"
grep -q $'\x1b' "$LNS_LOG" && fail "a raw ESC in lnsd's log"
grep -q -F 'new control connection from host "ev\"l\\\x1b[2J\x1b]0;pw\x07\n12:00:00.000 notice: FORGED tunnel 1/1" (peer' "$LNS_LOG" ||
	fail "the Host Name is not in lnsd's log in the escaped form: $(grep -n 'FORGED' "$LNS_LOG")"
grep -q -F '(calling "555\n12:00:00.000 notice: FORGED call \"c\"\r\x1b[1m", called "666\x1b[0m\n12:00:00.000 notice: FORGED called", serial' "$LNS_LOG" ||
	fail "the Calling/Called Number are not in lnsd's log in the escaped form: $(grep -n 'FORGED' "$LNS_LOG")"

# The tables: one line per row, no raw ESC or CR, the escaped form.
# (the attacker's address may hold other tunnels from earlier case files: pick ours by name)
out=$(lnsctl show tunnels tunnel,peer,hostname,vendor match peer "^$ATT_ADDR:" match hostname "FORGED tunnel")
log "lnsctl show tunnels (hostile row):"$'\n'"$(printf '%s' "$out" | cat -v)"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || fail "show tunnels: not one line for the hostile tunnel: $(printf '%s' "$out" | cat -v)"
printf '%s' "$out" | grep -q $'[\x1b\r\x07]' && fail "show tunnels printed a raw control byte"
printf '%s' "$out" | grep -q -F 'ev\"l\\\x1b[2J\x1b]0;pw\x07\n12:00:00.000 notice: FORGED tunnel 1/1' ||
	fail "show tunnels does not show the escaped Host Name: $out"
printf '%s' "$out" | grep -q -F 'vend\xef\xbf\xbd\n12:00:00.000 notice: FORGED vendor\x1b[31m' ||
	fail "show tunnels does not show the escaped Vendor Name (U+FFFD for the byte 0xff): $out"
out=$(lnsctl show sessions tunnel,session,calling,called match peer "^$ATT_ADDR:" match calling "FORGED call")
[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || fail "show sessions: not one line for the hostile call: $(printf '%s' "$out" | cat -v)"
printf '%s' "$out" | grep -q $'[\x1b\r\x07]' && fail "show sessions printed a raw control byte"
printf '%s' "$out" | grep -q -F '555\n12:00:00.000 notice: FORGED call \"c\"\r\x1b[1m' ||
	fail "show sessions does not show the escaped Calling Number: $out"

# The JSON: the exact bytes (the Vendor Name's 0xff as U+FFFD, as documented).
{ lnsctl show tunnels -j; echo '----'; lnsctl show sessions -j; } | "$PY" -c '
import json, sys
exec(open(sys.argv[1]).read())
att = sys.argv[2] + ":"
tun, ses = sys.stdin.read().split("----\n")
t = [x for x in json.loads(tun) if x["peer"].startswith(att) and "FORGED tunnel" in x["peer_hostname"]]
s = [x for x in json.loads(ses) if x["peer"].startswith(att) and "FORGED call" in x["calling_number"]]
assert len(t) == 1 and len(s) == 1, (t, s)
want = {"peer_hostname": HOST.decode(), "peer_vendor": VENDOR.decode("utf-8", "replace")}
for k, v in want.items():
    assert t[0][k] == v, (k, t[0][k], v)
want = {"calling_number": CALLING.decode(), "called_number": CALLED.decode()}
for k, v in want.items():
    assert s[0][k] == v, (k, s[0][k], v)
' "$STR_CHECK" "$ATT_ADDR" || fail "lnsctl -j does not carry the peer's exact bytes"

touch "$STR_HOLD"
wait_for 20 "the hostile LAC to hang up" grep -q -E '^(DONE|ERROR)' "$STR_OUT"
grep -q '^DONE' "$STR_OUT" || fail "the hostile LAC's teardown failed: $(cat "$STR_OUT")"
log "peer strings: escaped in the log and the tables, exact in JSON"
