#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/lnsbench against lnsd (dataplane none) on 127.0.0.1 in a namespace of
# its own: 5 tunnels x 20 calls from 5 source addresses (127.1.0.1-5), with
# Challenge both ways and hidden AVPs both ways.
#  a) no LNS listening: lnsbench must fail (exit 1, nothing up in its JSON);
#  b) lnsd with the same secret: lnsbench's JSON says 5/5 tunnels and 100/100
#     calls up, and lnsctl show sessions -j lists 100 established sessions
#     from those 5 addresses while lnsbench holds them; after lnsbench's
#     StopCCNs no live tunnel is left;
#  c) lnsbench with a wrong secret: refused (exit 1, 0 up, the reason is the
#     secret mismatch; with hidden AVPs lnsd drops the SCCRQ it cannot unhide
#     and lnsbench times out), and lnsd has no session.
source "$(dirname "$0")/lib.sh" "$@"

LNSBENCH_BIN=$BUILD_DIR/tools/lnsbench
LNS_ADDR=127.0.0.1
LNSD_EXTRA="dataplane = none"

[ "$(id -u)" -eq 0 ] || skip "needs root (a network namespace of its own)"
command -v jq >/dev/null || skip "jq is not installed (tools/dev/setup.sh installs it)"
for b in "$LNSD_BIN" "$LNSCTL_BIN" "$LNSBENCH_BIN"; do
	[ -x "$b" ] || skip "not built: $b"
done
rm -rf "$ART"
mkdir -p "$ART"
RUN=$(mktemp -d /tmp/lnsit.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS_LNS" 2>/dev/null || skip "cannot create network namespaces here"
ip -n "$NS_LNS" link set lo up

bench() { ip netns exec "$NS_LNS" "$LNSBENCH_BIN" "$@"; }
# jq over lnsbench's JSON report of the first (setup) phase
phase0() { jq -r ".phases[0].$1" "$2"; }

# a) nobody listens: every tunnel times out (short timers keep this quick)
log "a) lnsbench with no LNS listening"
rc=0
bench -t 5 -s 20 --secret s3cret --hidden --rto 200 --retries 2 --timeout 4 --json \
	"$LNS_ADDR:1701" >"$ART/absent.json" 2>"$ART/absent.err" || rc=$?
[ "$rc" -eq 1 ] || fail "lnsbench without an LNS exited $rc, want 1"
[ "$(phase0 tunnels_up "$ART/absent.json")" = 0 ] || fail "tunnels up without an LNS: $(cat "$ART/absent.json")"
[ "$(phase0 sessions_failed "$ART/absent.json")" = 100 ] || fail "want 100 failed sessions: $(cat "$ART/absent.json")"
pass "no LNS: exit 1, 0 tunnels up, 100 sessions failed"

# b) lnsd with the secret, hiding its own AVPs too
lns_start "secret = s3cret
hide-avps = yes"
log "b) 5 tunnels x 20 calls, challenge and hidden AVPs"
# not through bench(): $! must be lnsbench itself (ip netns exec execs it) for the kill below
ip netns exec "$NS_LNS" "$LNSBENCH_BIN" -t 5 -s 20 --secret s3cret --hidden --hold 60 \
	--ready-file "$RUN/ready" --json "$LNS_ADDR:1701" >"$ART/up.json" 2>"$ART/up.err" &
BENCH_PID=$!
BG_PIDS+=("$BENCH_PID")
wait_for 30 "lnsbench's setup phase to end" test -s "$RUN/ready"
lns_json sessions >"$ART/sessions.json"
n=$(jq '[.[] | select(.state == "established")] | length' "$ART/sessions.json")
[ "$n" = 100 ] || fail "lnsd lists $n established sessions, want 100"
peers=$(lns_json tunnels | jq -r '[.[] | select(.state == "established") | .peer | sub(":[0-9]+$"; "")] | unique | join(" ")')
[ "$peers" = "127.1.0.1 127.1.0.2 127.1.0.3 127.1.0.4 127.1.0.5" ] || fail "tunnel peers: '$peers'"
pass "lnsd: 100 established sessions on 5 tunnels from 127.1.0.1-5"
kill -TERM "$BENCH_PID"   # ends the hold: StopCCN to every tunnel, then the report
rc=0
wait "$BENCH_PID" || rc=$?
[ "$rc" -eq 0 ] || fail "lnsbench exited $rc: $(cat "$ART/up.json" "$ART/up.err")"
for kv in tunnels_up=5 sessions_up=100 tunnels_failed=0 sessions_failed=0 \
	tunnel_setup.n=5 session_setup.n=100; do
	got=$(phase0 "${kv%=*}" "$ART/up.json")
	[ "$got" = "${kv#*=}" ] || fail "lnsbench JSON ${kv%=*} = $got, want ${kv#*=}"
done
[ "$(jq .hidden "$ART/up.json")" = true ] || fail "JSON does not say hidden"
expect_count "live tunnels on lnsd after lnsbench's StopCCNs" lns_tunnel_count 0 10
expect_count "sessions on lnsd after lnsbench's StopCCNs" lns_established_sessions 0 2
pass "lnsbench JSON: 5/5 tunnels, 100/100 sessions up; all closed afterwards"

# c) wrong secret, AVPs in clear: the LNS's Challenge Response does not verify
log "c) lnsbench with a wrong secret"
rc=0
bench -t 5 -s 20 --secret wrong-s3cret --timeout 20 --json \
	"$LNS_ADDR:1701" >"$ART/wrong.json" 2>"$ART/wrong.err" || rc=$?
[ "$rc" -eq 1 ] || fail "lnsbench with a wrong secret exited $rc, want 1"
[ "$(phase0 sessions_up "$ART/wrong.json")" = 0 ] || fail "sessions up with a wrong secret"
[ "$(phase0 tunnels_failed "$ART/wrong.json")" = 5 ] || fail "want 5 failed tunnels: $(cat "$ART/wrong.json")"
jq -e '.phases[0].failures | keys | any(test("secret mismatch"))' "$ART/wrong.json" >/dev/null \
	|| fail "no secret-mismatch reason in $(jq -c .phases[0].failures "$ART/wrong.json")"
# c2) wrong secret with hidden AVPs: lnsd cannot unhide the SCCRQ's Assigned
# Tunnel ID and drops it (counted, logged); lnsbench must still fail.
rc=0
bench -t 5 -s 20 --secret wrong-s3cret --hidden --rto 200 --retries 2 --timeout 4 --json \
	"$LNS_ADDR:1701" >"$ART/wrong-hidden.json" 2>"$ART/wrong-hidden.err" || rc=$?
[ "$rc" -eq 1 ] || fail "lnsbench with a wrong secret and hidden AVPs exited $rc, want 1"
[ "$(phase0 sessions_up "$ART/wrong-hidden.json")" = 0 ] || fail "sessions up with a wrong secret (hidden)"
expect_count "sessions on lnsd after the wrong secret" lns_established_sessions 0 2
check_lns_healthy
pass "wrong secret: exit 1, 0 up, reason secret mismatch; lnsd healthy"

# d) lnsd with max-starting = 3 (dataplane none: a call starts at its ICRQ,
# is up at its ICCN): lnsbench opens 20 calls per tunnel at once; without
# --busy-retry the calls beyond 3 fail with CDN result 4, with it all come up
# after redials, and lnsd's counters agree with lnsbench's
log "d) max-starting = 3, lnsbench with and without --busy-retry"
kill -TERM "$LNS_PID"
wait "$LNS_PID" 2>/dev/null || true
lns_start "max-starting = 3"
rc=0
bench -t 2 -s 20 --json "$LNS_ADDR:1701" >"$ART/busy-fail.json" 2>"$ART/busy-fail.err" || rc=$?
[ "$rc" -eq 1 ] || fail "lnsbench without --busy-retry exited $rc, want 1"
jq -e '.phases[0].failures["session: CDN result 4 error 4"] > 0' "$ART/busy-fail.json" >/dev/null \
	|| fail "no CDN 4/4 failures: $(jq -c .phases[0].failures "$ART/busy-fail.json")"
refused1=$(lnsctl show stats -j | jq .sessions_refused_busy)
[ "$refused1" = "$(phase0 sessions_failed "$ART/busy-fail.json")" ] \
	|| fail "lnsd refused $refused1 busy, lnsbench counts $(phase0 sessions_failed "$ART/busy-fail.json") failed"
rc=0
bench -t 2 -s 20 --busy-retry 50 --json "$LNS_ADDR:1701" >"$ART/busy.json" 2>"$ART/busy.err" || rc=$?
[ "$rc" -eq 0 ] || fail "lnsbench --busy-retry exited $rc: $(cat "$ART/busy.json" "$ART/busy.err")"
[ "$(phase0 sessions_up "$ART/busy.json")" = 40 ] || fail "want 40 sessions up: $(cat "$ART/busy.json")"
busy=$(jq .busy.refused "$ART/busy.json")
[ "$busy" -gt 0 ] && [ "$(jq .busy.redialled "$ART/busy.json")" = "$busy" ] \
	|| fail "busy refusals/redials: $(jq -c .busy "$ART/busy.json")"
st=$(lnsctl show stats -j)
[ "$(jq .sessions_refused_busy <<<"$st")" = $((refused1 + busy)) ] \
	|| fail "lnsd refused $(jq .sessions_refused_busy <<<"$st") busy in all, want $((refused1 + busy))"
[ "$(jq .sessions_starting_max <<<"$st")" = 3 ] || fail "starting at most $(jq .sessions_starting_max <<<"$st"), want 3"
expect_count "sessions on lnsd after lnsbench's StopCCNs" lns_established_sessions 0 2
check_lns_healthy
pass "max-starting 3: CDN 4/4 beyond it; --busy-retry brought 40/40 up after $busy refusals"
