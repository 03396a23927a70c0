# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Hostile cases for the /metrics listener (sourced by t_hostile.sh; lnsd(8),
# METRICS: 64 connections, 8 per address, a request within 5 s, 16 KiB of
# request line and headers, no request body). The attacker is $ATT_NS; a scrape "from the
# LNS" comes from another address ($LNS_ADDR itself).

MHOST=${METRICS%:*}
MPORT=${METRICS##*:}
SLOWHTTP=$IT_DIR/hostile/slowhttp.py

# mscrape NS SECS : GET /metrics from namespace NS; prints the HTTP status (000: none).
mscrape() { ip netns exec "$1" curl -s -o /dev/null --max-time "$2" -w '%{http_code}' "http://$METRICS/metrics"; }
# scrape_within NS SECS : a GET /metrics from NS answered 200 within SECS (retrying).
scrape_within() {
	local ns=$1 secs=$2 t0 code
	t0=$(date +%s.%N)
	while :; do
		code=$(mscrape "$ns" 1)
		[ "$code" = 200 ] && return 0
		if awk -v a="$t0" -v b="$(date +%s.%N)" -v s="$secs" 'BEGIN { exit !(b - a > s) }'; then
			log "no 200 from /metrics within ${secs}s (last status $code)"
			return 1
		fi
		sleep 0.2
	done
}
# lnsd's TCP sockets on the metrics port in state $1 (e.g. close-wait).
msockets() { ip netns exec "$NS_LNS" ss -Htn state "$1" "( sport = :$MPORT )" | wc -l; }

refused0=$(lns_metric "$METRICS" lnsd_metrics_connections_refused_total)

hcase "slowloris: 300 connections with partial headers for 5 s, then closed" \
	"a scrape from another address works during it; within 3 s after, a scrape from the attacker's own address works; no socket left in CLOSE-WAIT; the refusals counted"
ip netns exec "$ATT_NS" "$PY" "$SLOWHTTP" slowloris "$MHOST" "$MPORT" 300 5 >"$ART/slowloris.out" &
att=$!
sleep 2
scrape_within "$NS_LNS" 2 || fail "slowloris: /metrics did not answer another address during the attack"
wait "$att"
log "slowloris: $(cat "$ART/slowloris.out") connections opened"
scrape_within "$ATT_NS" 3 || fail "slowloris: /metrics did not recover within 3 s after the attack"
cw=$(msockets close-wait)
[ "$cw" -eq 0 ] || fail "slowloris: $cw sockets of lnsd's metrics port still in CLOSE-WAIT"
refused=$(lns_metric "$METRICS" lnsd_metrics_connections_refused_total)
[ "$((refused - refused0))" -ge 250 ] ||
	fail "slowloris: lnsd_metrics_connections_refused_total grew by $((refused - refused0)), expected >= 250"
log "slowloris: recovered, no CLOSE-WAIT, $((refused - refused0)) connections refused"

timeouts0=$(lns_metric "$METRICS" lnsd_metrics_request_timeouts_total)
hcase "300 connections opened and held silent for 8 s" \
	"a scrape from another address is answered within 2 s while they are held; the 8 the attacker's address may keep are cut after 5 s (counted)"
ip netns exec "$ATT_NS" "$PY" "$SLOWHTTP" hold "$MHOST" "$MPORT" 300 8 >"$ART/hold.out" &
att=$!
sleep 1
scrape_within "$NS_LNS" 2 || fail "hold: /metrics did not answer another address while connections were held"
wait "$att"
timeouts=$(lns_metric "$METRICS" lnsd_metrics_request_timeouts_total)
[ "$((timeouts - timeouts0))" -ge 8 ] ||
	fail "hold: lnsd_metrics_request_timeouts_total grew by $((timeouts - timeouts0)), expected >= 8"
scrape_within "$ATT_NS" 3 || fail "hold: /metrics did not answer the attacker's address after the hold"
log "hold: answered during the hold; $((timeouts - timeouts0)) silent connections cut at the request deadline"

hcase "a request with a 64 KiB header" "431 (Request Header Fields Too Large), one log line, then a normal scrape works"
big=$(ip netns exec "$ATT_NS" "$PY" "$SLOWHTTP" bigheader "$MHOST" "$MPORT" 65536)
[ "$big" = 431 ] || fail "oversize header: answer '$big', expected 431"
grep -q 'metrics: .*431' "$LNS_LOG" || fail "oversize header: no log line"
scrape_within "$ATT_NS" 2 || fail "oversize header: the next scrape failed"

cat >"$ART/slowbody.py" <<'EOF'
"""slowbody.py ADDR PORT SECONDS SRC...: 8 connections from each SRC, each a
GET /metrics announcing a 100000-byte body, then a byte of it a second for
SECONDS. Prints: connections opened, answered 413, closed by the server."""
import socket, sys, time
addr, port, secs, srcs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
socks = []
for a in srcs:
    for _ in range(8):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.bind((a, 0))
            s.connect((addr, port))
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: lns\r\nContent-Length: 100000\r\n\r\n")
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        socks.append(s)
answered, closed = set(), set()
end = time.monotonic() + secs
while time.monotonic() < end:
    time.sleep(1)
    for i, s in enumerate(socks):
        if i in closed:
            continue
        try:
            d = s.recv(4096)
            if not d:
                closed.add(i)
                continue
            if d.startswith(b"HTTP/1.1 413"):
                answered.add(i)
            s.send(b"x")
        except BlockingIOError:
            pass
        except OSError:
            closed.add(i)
print(len(socks), len(answered), len(closed))
EOF
hcase "slow body: 8 addresses x 8 connections announce a request body and send a byte of it a second for 8 s" \
	"each is answered 413 and closed at once, well within the 5 s request deadline; a scrape from another address is answered within 2 s during it"
srcs=""
for i in 0 1 2 3 4 5 6 7; do
	ip -n "$ATT_NS" addr add "192.0.2.$((110 + i))/24" dev eth0
	srcs="$srcs 192.0.2.$((110 + i))"
done
# shellcheck disable=SC2086
ip netns exec "$ATT_NS" "$PY" "$ART/slowbody.py" "$MHOST" "$MPORT" 8 $srcs >"$ART/slowbody.out" &
att=$!
sleep 1
scrape_within "$NS_LNS" 2 || fail "slow body: /metrics did not answer another address during the attack"
wait "$att"
read -r opened answered closed <"$ART/slowbody.out"
log "slow body: $opened connections, $answered answered 413, $closed closed by lnsd"
[ "$opened" -ge 8 ] || fail "slow body: only $opened connections opened"
[ "$answered" -ge "$opened" ] || fail "slow body: $answered of $opened answered 413"
[ "$closed" -ge "$opened" ] || fail "slow body: $closed of $opened closed by lnsd within 8 s"
for i in 0 1 2 3 4 5 6 7; do ip -n "$ATT_NS" addr del "192.0.2.$((110 + i))/24" dev eth0; done

hcase "a well-behaved scrape after all of the above" "200, text exposition with lnsd_build_info, from the attacker's address too"
out=$(ip netns exec "$ATT_NS" curl -s --max-time 5 -D - "http://$METRICS/metrics") || fail "final scrape failed"
grep -q '^HTTP/1.1 200' <<<"$out" || fail "final scrape: $(head -1 <<<"$out")"
grep -q '^lnsd_build_info{' <<<"$out" || fail "final scrape: no lnsd_build_info"
[ "$(msockets close-wait)" -eq 0 ] || fail "final: lnsd's metrics port has sockets in CLOSE-WAIT"
