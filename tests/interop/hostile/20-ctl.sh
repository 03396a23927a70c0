# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Hostile cases for the control socket (sourced by t_hostile.sh; lnsctl(8),
# CONTROL SOCKET PROTOCOL: 64 clients, the one quiet longest makes room for
# a new one; one reply at a time per client; 10 s to complete a request or
# to take a reply, 60 s idle).

CTLSOCK=$RUN/lnsd.sock
CTLCLIENT=$IT_DIR/hostile/ctlclient.py

# cstat KEY : a member of show stats' control_socket object.
cstat() { lnsctl show stats -j | jq -r ".control_socket.$1"; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$LNS_PID/status"; }
# lnsctl_within SECS : lnsctl show stats answers within SECS; logs how long it took.
lnsctl_within() {
	local t0 t1
	t0=$(date +%s%N)
	timeout "$1" "$LNSCTL_BIN" -s "$CTLSOCK" show stats -j >/dev/null || return 1
	t1=$(date +%s%N)
	log "lnsctl show stats answered in $(((t1 - t0) / 1000000)) ms"
}

hcase "70 idle clients (the limit is 64), held 4 s" \
	"lnsctl answers within 1 s while they are held; the quietest are closed to make room (evicted counted)"
evicted0=$(cstat evicted)
"$PY" "$CTLCLIENT" idle "$CTLSOCK" 70 4 >"$ART/ctl-idle.out" &
att=$!
sleep 1.5
lnsctl_within 1 || fail "idle clients: lnsctl did not get an answer within 1 s"
lnsctl_within 1 || fail "idle clients: a second lnsctl did not get an answer within 1 s"
wait "$att"
evicted=$(cstat evicted)
[ "$((evicted - evicted0))" -ge 7 ] || fail "idle clients: evicted grew by $((evicted - evicted0)), expected >= 7"
log "idle clients: $(cat "$ART/ctl-idle.out") of 70 closed by lnsd, evicted +$((evicted - evicted0))"

hcase "60 clients flood show-stats requests and read nothing, for up to 25 s" \
	"each is closed within 20 s (10 s after its socket stopped taking replies; about 10 s here, more under ASan); lnsd holds under 4 KiB of replies per client and its VmRSS grows by less than 4 MiB (not checked under ASan); lnsctl answers within 1 s meanwhile"
timeouts0=$(cstat timeouts)
rss0=$(rss_kb)
pids=()
for i in $(seq 1 60); do
	"$PY" "$CTLCLIENT" flood "$CTLSOCK" 25 show-stats >"$ART/ctl-flood$i.out" &
	pids+=($!)
done
sleep 4
rss1=$(rss_kb)
lnsctl_within 1 || fail "flood: lnsctl did not get an answer within 1 s"
queued=$(cstat queued_bytes)
wait "${pids[@]}"
rss2=$(rss_kb)
log "flood: VmRSS ${rss0} kB before, ${rss1} kB during, ${rss2} kB after; ${queued} reply bytes queued during"
# One reply held per client: a show-stats reply is under 4 KiB.
[ "$queued" -lt $((60 * 4096)) ] || fail "flood: $queued reply bytes held for 60 clients (bound $((60 * 4096)))"
if [[ $(ldd "$LNSD_BIN") =~ libasan ]]; then
	log "flood: VmRSS bound not checked: AddressSanitizer keeps freed memory in quarantine"
else
	[ "$((rss1 - rss0))" -lt 4096 ] || fail "flood: VmRSS grew by $((rss1 - rss0)) kB (bound 4096)"
	[ "$((rss2 - rss0))" -lt 4096 ] || fail "flood: VmRSS after is $((rss2 - rss0)) kB above before (bound 4096)"
fi
slowest=0
for i in $(seq 1 60); do
	read -r state secs _ <"$ART/ctl-flood$i.out"
	[ "$state" = closed ] || fail "flood: client $i was never closed ($(cat "$ART/ctl-flood$i.out"))"
	awk -v s="$secs" 'BEGIN { exit !(s <= 20) }' || fail "flood: client $i closed only after $secs s"
	slowest=$(awk -v a="$slowest" -v b="$secs" 'BEGIN { print (b > a ? b : a) }')
done
log "flood: all 60 closed, the last after $slowest s"
timeouts=$(cstat timeouts)
[ "$((timeouts - timeouts0))" -ge 60 ] || fail "flood: timeouts grew by $((timeouts - timeouts0)), expected >= 60"
grep -q 'control socket: closing a client: it stopped reading its reply' "$LNS_LOG" ||
	fail "flood: no log line for the closed clients"

hcase "bad requests: a 6000-byte line, truncated JSON, binary garbage" \
	"an error reply for each (the oversize one also closes the connection), bad_requests counted, a log line; lnsctl still works"
bad0=$(cstat bad_requests)
out=$("$PY" "$CTLCLIENT" raw "$CTLSOCK" oversize)
grep -q '"error":"request longer than 4096 bytes"' <<<"$out" || fail "oversize: $out"
[ "$(tail -1 <<<"$out")" = closed ] || fail "oversize: the connection stayed open"
out=$("$PY" "$CTLCLIENT" raw "$CTLSOCK" truncated)
grep -q '"ok":false,"error":"bad JSON' <<<"$out" || fail "truncated JSON: $out"
out=$("$PY" "$CTLCLIENT" raw "$CTLSOCK" binary)
grep -q '"ok":false,"error":"bad JSON' <<<"$out" || fail "binary garbage: $out"
bad=$(cstat bad_requests)
[ "$((bad - bad0))" -eq 3 ] || fail "bad requests: bad_requests grew by $((bad - bad0)), expected 3"
grep -q 'control socket: bad request: bad JSON' "$LNS_LOG" || fail "bad requests: no log line"
lnsctl_within 1 || fail "bad requests: lnsctl failed afterwards"
