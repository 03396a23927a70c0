#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lnsd's /metrics with the kernel data plane: Debian's xl2tpd + pppd (kernel
# mode) as LAC in `client`, lnsd (dataplane = kernel, metrics-sessions = yes)
# in `lns`. With one CHAP call passing traffic, a scrape is promtool-clean and
# has the per-tunnel (tunnel_id, peer) and per-session kernel counters from
# the dumps, the CHAP success, and the setup latency (ICRQ to IPCP up); after
# the client disconnects the gauges drop to 0 and the per-object series go.
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"
require curl promtool
URL=http://127.0.0.1:9101/metrics

topo_pair
users_file bob bob-pw
lnsd_start <<-EOC
	[lnsd]
	metrics = 127.0.0.1:9101
	metrics-sessions = yes
EOC
wait_log 10 "$ART/lnsd.log" 'metrics on http://127.0.0.1:9101/metrics'
lac_xl2tpd -w x bob bob-pw refuse-pap
wait_ping 10 client 10.64.0.1
expect_ping client 10.64.0.1 5

# scrape NAME: $ART/NAME.txt, checked by promtool (exit 0 and no remark).
scrape() {
	on lns curl -s -m 5 "$URL" >"$ART/$1.txt" || fail "GET $URL"
	promtool check metrics <"$ART/$1.txt" >"$ART/$1.promtool" 2>&1 ||
		fail "promtool check metrics: $(cat "$ART/$1.promtool")"
	[ ! -s "$ART/$1.promtool" ] || fail "promtool remarks: $(cat "$ART/$1.promtool")"
}
# value NAME FILE: the sample's value ("" when absent).
value() { awk -v m="$1" '$1 == m { print $2 }' "$ART/$2.txt"; }
# at_least REGEX MIN FILE: some sample whose name{labels} matches REGEX is >= MIN.
at_least() {
	awk -v re="$1" -v min="$2" '$1 ~ re && $2 >= min { ok = 1 } END { exit !ok }' "$ART/$3.txt" ||
		fail "no sample matching $1 with a value >= $2 in $3.txt"
}

sleep 1.2   # the kernel counters are cached for a second
scrape up
grep -E '^lnsd_(kernel_dataplane|sessions\{|tunnel_|session_|ppp_auth)' "$ART/up.txt"
[ "$(value lnsd_kernel_dataplane up)" = 1 ] || fail "lnsd_kernel_dataplane is not 1"
[ "$(value 'lnsd_sessions{state="established"}' up)" = 1 ] || fail "sessions gauge is not 1"
[ "$(value 'lnsd_ppp_auth_total{method="chap",result="success"}' up)" = 1 ] ||
	fail "CHAP success not counted"
[ "$(value lnsd_session_setup_duration_seconds_count up)" = 1 ] || fail "setup latency not counted"
at_least '^lnsd_tunnel_rx_packets_total\{tunnel_id="[0-9]+",peer="192\.0\.2\.2"\}$' 5 up
at_least '^lnsd_tunnel_tx_bytes_total\{tunnel_id="[0-9]+",peer="192\.0\.2\.2"\}$' 100 up
at_least '^lnsd_session_rx_packets_total\{tunnel_id="[0-9]+",session_id="[0-9]+"\}$' 5 up
at_least '^lnsd_session_tx_packets_total\{tunnel_id="[0-9]+",session_id="[0-9]+"\}$' 5 up
log "per-tunnel and per-session kernel counters, auth and setup latency on /metrics"

lac_hangup x
wait_for 20 "kernel tunnel gone" no_kernel_tunnel
sleep 1.5   # stopccn-hold
scrape down
[ "$(value 'lnsd_sessions{state="established"}' down)" = 0 ] || fail "sessions gauge is not 0"
[ "$(value 'lnsd_tunnels{state="established"}' down)" = 0 ] || fail "tunnels gauge is not 0"
! grep -qE '^lnsd_(tunnel|session)_rx_packets_total\{' "$ART/down.txt" ||
	fail "per-object series left after the call ended"
log "gauges back to 0, per-object series gone"
