#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (notify): lnsd under a stand-in for systemd's notify socket
# ($NOTIFY_SOCKET, a datagram socket notify_listen.py reads), as lnsd.service
# (Type=notify) runs it. lnsd(8), SYSTEMD: READY=1 once the listeners and the
# control socket are open, STATUS= with tunnel and session counts every 5 s,
# RELOADING=1 with MONOTONIC_USEC then READY=1 around SIGHUP, STOPPING=1 on
# SIGTERM. lac.py brings up one tunnel with two calls so that STATUS changes.
source "$(dirname "$0")/lib.sh" "$@"
it_init
is_lnsd || skip "lnsd-only scenario (sd_notify messages of lnsd)"
command -v python3 >/dev/null || skip "python3 is not installed"
[[ $(ldd "$LNSD_BIN") == *libsystemd* ]] || skip "lnsd is built without libsystemd (no sd_notify)"

ip netns add "$NS_LNS"
ip -n "$NS_LNS" link set lo up
NOTES=$ART/notify.txt
python3 "$IT_DIR/notify_listen.py" "$RUN/notify.sock" >"$NOTES" 2>"$ART/notify_listen.log" &
BG_PIDS+=($!)
wait_for 5 "notify socket listening" grep -q '^LISTENING' "$NOTES"

LNS_LOG=$ART/lns.log
cat >"$ART/lnsd.conf" <<EOF2
# lnsd config written by tests/interop ($TEST_NAME)
[lnsd]
listen = 127.0.0.1:1701
control-socket = $RUN/lnsd.sock
hostname = $LNS_HOSTNAME
dataplane = none
EOF2
# Under strace when it is here (not for sanitizer builds, whose runtime makes
# system calls of its own): every system call of this whole life, startup,
# tunnel and calls, SIGHUP and SIGTERM, must be one lnsd.service allows
# (SystemCallFilter=@system-service ~@privileged).
trace=()
if command -v strace >/dev/null && ! [[ $(ldd "$LNSD_BIN") =~ libasan|libubsan ]]; then
	trace=(strace -f -qq -o "$ART/strace.txt")
fi
t0=$(date +%s)
ip netns exec "$NS_LNS" env NOTIFY_SOCKET="$RUN/notify.sock" "${trace[@]}" \
	"$LNSD_BIN" -c "$ART/lnsd.conf" -f >"$LNS_LOG" 2>&1 &
LNS_PID=$!
TRACER_PID=""
if [ ${#trace[@]} -gt 0 ]; then
	# Signals go to lnsd itself, whose pid starts strace's first line; the
	# background job (strace) exits with lnsd's status.
	wait_for 5 "lnsd started under strace" grep -q 'execve(' "$ART/strace.txt"
	TRACER_PID=$LNS_PID
	LNS_PID=$(awk 'NR == 1 { print $1 }' "$ART/strace.txt")
	[ "$(readlink "/proc/$LNS_PID/exe")" = "$(realpath "$LNSD_BIN")" ] || fail "pid $LNS_PID from strace is not lnsd"
fi
wait_for 10 "READY=1 from lnsd" grep -q '^READY=1$' "$NOTES"
lnsctl show tunnels -j >/dev/null || fail "READY=1 came but the control socket does not answer"
grep -q -x 'STATUS=0 tunnels, 0 sessions' "$NOTES" || fail "no STATUS=0 tunnels, 0 sessions at startup: $(cat "$NOTES")"
log "READY=1 and STATUS=0 tunnels, 0 sessions at startup"

ip netns exec "$NS_LNS" python3 "$IT_DIR/lac.py" --lns 127.0.0.1 --calls 2 --hold 30 \
	--hold-file "$RUN/go-lac" >"$ART/lacpy.out" 2>"$ART/lacpy.log" &
BG_PIDS+=($!)
wait_for 15 "lac.py READY or ERROR" grep -q -E '^(READY|ERROR)' "$ART/lacpy.out"
grep -q '^ERROR' "$ART/lacpy.out" && fail "lac.py: $(grep '^ERROR' "$ART/lacpy.out")"
# The periodic update (every 5 s) reports the tunnel and both calls.
wait_for 8 "STATUS=1 tunnels, 2 sessions" grep -q -x 'STATUS=1 tunnels, 2 sessions' "$NOTES"
log "periodic STATUS: 1 tunnels, 2 sessions ($(($(date +%s) - t0)) s after start)"

n_ready=$(grep -c -x 'READY=1' "$NOTES")
kill -HUP "$LNS_PID"
wait_for 5 "RELOADING=1 after SIGHUP" grep -q -E '^RELOADING=1\|MONOTONIC_USEC=[0-9]+$' "$NOTES"
wait_for 5 "READY=1 after the reload" test "$(grep -c -x 'READY=1' "$NOTES")" -gt "$n_ready"
# The order: RELOADING=1 comes before the new READY=1.
awk '/^RELOADING=1/ { r = 1 } r && /^READY=1$/ { ok = 1 } END { exit !ok }' "$NOTES" \
	|| fail "READY=1 does not follow RELOADING=1: $(cat "$NOTES")"
log "SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1"

kill -TERM "$LNS_PID"
wait_for 5 "STOPPING=1 after SIGTERM" grep -q -E '^STOPPING=1(\||$)' "$NOTES"
for _ in $(seq 1 50); do kill -0 "$LNS_PID" 2>/dev/null || break; sleep 0.1; done
lns_alive && fail "lnsd still runs 5 s after SIGTERM"
set +e
if [ -n "$TRACER_PID" ]; then wait "$TRACER_PID"; else wait "$LNS_PID"; fi
rc=$?
set -e
LNS_PID=""
[ "$rc" -eq 0 ] || fail "lnsd exited with status $rc after SIGTERM"

if [ -n "$TRACER_PID" ]; then
	# systemd-analyze syscall-filter prints a group's calls and the groups it includes.
	expand() {
		local x
		systemd-analyze syscall-filter "$1" | sed -n '2,$p' | tr -d ' ' | grep -v -E '^(#|$)' |
			while read -r x; do
				case $x in @*) expand "$x" ;; *) echo "$x" ;; esac
			done
	}
	expand @system-service | sort -u >"$ART/syscalls-allowed.txt"
	expand @privileged | sort -u >"$ART/syscalls-privileged.txt"
	[ -s "$ART/syscalls-allowed.txt" ] || fail "systemd-analyze syscall-filter @system-service listed nothing"
	awk '{ sub(/^[0-9]+ +/, ""); if (match($0, /^[a-z0-9_]+\(/)) print substr($0, 1, RLENGTH - 1) }' \
		"$ART/strace.txt" | grep -v -x execve | sort -u >"$ART/syscalls-used.txt"
	bad=$(comm -23 "$ART/syscalls-used.txt" "$ART/syscalls-allowed.txt" | tr '\n' ' ')
	[ -z "$bad" ] || fail "lnsd makes system calls outside @system-service: $bad"
	bad=$(comm -12 "$ART/syscalls-used.txt" "$ART/syscalls-privileged.txt" | tr '\n' ' ')
	[ -z "$bad" ] || fail "lnsd makes @privileged system calls, which lnsd.service denies: $bad"
	log "system calls: $(wc -l <"$ART/syscalls-used.txt") distinct, all in @system-service, none @privileged"
fi
log "notify messages: $(tr '\n' ' ' <"$NOTES")"
pass "sd_notify: READY, STATUS with counts, RELOADING/READY around SIGHUP, STOPPING on SIGTERM"
