#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prometheus endpoint: lnsd with metrics = 127.0.0.1:9101 on the LNS
# namespace's loopback, two xl2tpd LACs with a call each. A live scrape must
# pass `promtool check metrics` without a single lint remark, count the two
# established sessions and tunnels, the SCCRQs/ICRQs received and the setup
# latencies, carry every drop reason; other paths get 404, POST gets 405.
source "$(dirname "$0")/lib.sh" "$@"
is_lnsd || skip "lnsd-only: xl2tpd serves no /metrics"
command -v curl >/dev/null || skip "curl is not installed (tools/dev/setup.sh installs it)"
command -v promtool >/dev/null || skip "promtool is not installed (package prometheus; tools/dev/setup.sh)"
METRICS=127.0.0.1:9101
LNSD_EXTRA="metrics = $METRICS"
it_init
net_up 2
lns_start
lac_start 1
lac_start 2
lac_wait_call 1
lac_wait_call 2
expect_count "established sessions on the LNS" lns_established_sessions 2 10

# curl inside the LNS namespace: the endpoint is on its loopback only.
mcurl() { ip netns exec "$NS_LNS" curl -s -m 5 "$@"; }
# metric NAME{LABELS} : its value in the last scrape ("" when absent).
metric() { awk -v m="$1" '$1 == m { print $2 }' "$ART/metrics.txt"; }
expect_metric() {
	local got
	got=$(metric "$1")
	[ "$got" = "$2" ] || fail "$1 is '$got', expected $2"
}
expect_metric_ge() {
	local got
	got=$(metric "$1")
	if [ -z "$got" ] || [ "${got%.*}" -lt "$2" ]; then
		fail "$1 is '$got', expected at least $2"
	fi
}

mcurl -D "$ART/metrics.headers" -o "$ART/metrics.txt" "http://$METRICS/metrics" \
	|| fail "GET /metrics failed"
grep -q '^HTTP/1.1 200' "$ART/metrics.headers" || fail "GET /metrics: $(head -1 "$ART/metrics.headers")"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$ART/metrics.headers" \
	|| fail "GET /metrics: wrong Content-Type: $(grep -i content-type "$ART/metrics.headers")"
log "scraped $(grep -vc '^#' "$ART/metrics.txt") samples"

# promtool exits non-zero on parse errors and prints lint problems (even with exit 0).
promtool check metrics <"$ART/metrics.txt" >"$ART/promtool.out" 2>&1 \
	|| fail "promtool check metrics failed: $(cat "$ART/promtool.out")"
[ ! -s "$ART/promtool.out" ] || fail "promtool check metrics remarks: $(cat "$ART/promtool.out")"
log "promtool check metrics: exit 0, no remarks"

expect_metric "lnsd_build_info{version=\"$("$LNSD_BIN" -V | awk '{print $2}')\"}" 1
expect_metric_ge lnsd_start_time_seconds 1
expect_metric 'lnsd_sessions{state="established"}' 2
expect_metric 'lnsd_sessions{state="wait_connect"}' 0
expect_metric 'lnsd_tunnels{state="established"}' 2
expect_metric_ge 'lnsd_control_messages_received_total{type="SCCRQ"}' 2
expect_metric_ge 'lnsd_control_messages_received_total{type="SCCCN"}' 2
expect_metric_ge 'lnsd_control_messages_received_total{type="ICRQ"}' 2
expect_metric_ge 'lnsd_control_messages_received_total{type="ICCN"}' 2
expect_metric_ge 'lnsd_control_messages_sent_total{type="SCCRP"}' 2
expect_metric_ge 'lnsd_control_messages_sent_total{type="ICRP"}' 2
expect_metric lnsd_tunnel_setups_total 2
expect_metric lnsd_tunnels_established_total 2
expect_metric lnsd_sessions_established_total 2
expect_metric lnsd_session_setup_duration_seconds_count 2
expect_metric 'lnsd_session_setup_duration_seconds_bucket{le="+Inf"}' 2
expect_metric_ge lnsd_control_retransmissions_total 0
expect_metric_ge lnsd_control_late_retransmissions_total 0
# Receipt to ack: SCCRQ, SCCCN, ICRQ and ICCN of each tunnel, at least the first three.
expect_metric_ge lnsd_l2tp_ack_delay_seconds_count 6
expect_metric_ge 'lnsd_l2tp_ack_delay_seconds_bucket{le="+Inf"}' 6
for r in decode data_in_userspace unknown_tunnel wrong_peer duplicate out_of_window unexpected \
	unknown_session limit auth recv_error oversized no_pktinfo bad_family send_error \
	no_listener icmp_error rxq_overflow ipsec_sa_mismatch; do
	expect_metric_ge "lnsd_dropped_packets_total{reason=\"$r\"}" 0
done
expect_metric 'lnsd_ppp_auth_total{method="pap",result="success"}' 0
expect_metric 'lnsd_ppp_auth_total{method="mschapv2",result="failure"}' 0
expect_metric_ge process_resident_memory_bytes 1
expect_metric_ge process_open_fds 1
# The listener's own counters (lnsd(8) METRICS), at rest.
expect_metric lnsd_metrics_connections_refused_total 0
expect_metric lnsd_metrics_request_timeouts_total 0
# The host kernel has no L2TP: control plane only, so no per-tunnel kernel series.
if [ "$(metric lnsd_kernel_dataplane)" = 0 ]; then
	grep -q '^lnsd_tunnel_rx_packets_total{' "$ART/metrics.txt" \
		&& fail "per-tunnel kernel counters without the kernel data plane"
fi
# The gauge agrees with lnsctl.
[ "$(lnsctl show stats -j | jq '.sessions_by_state.established')" = 2 ] \
	|| fail "lnsctl show stats disagrees with /metrics"

# Only GET/HEAD /metrics.
for path in / /foo /metrics/ /metricsx; do
	code=$(mcurl -o /dev/null -w '%{http_code}' "http://$METRICS$path")
	[ "$code" = 404 ] || fail "GET $path: HTTP $code, expected 404"
done
code=$(mcurl -o /dev/null -w '%{http_code}' -X POST -d x=1 "http://$METRICS/metrics")
[ "$code" = 405 ] || fail "POST /metrics: HTTP $code, expected 405"
code=$(mcurl -o /dev/null -w '%{http_code}' -I "http://$METRICS/metrics")
[ "$code" = 200 ] || fail "HEAD /metrics: HTTP $code, expected 200"
log "404 for other paths, 405 for POST, HEAD answered"

# A client that connects and says nothing must not stall the daemon.
ip netns exec "$NS_LNS" bash -c "exec 3<>/dev/tcp/${METRICS%:*}/${METRICS#*:}; sleep 20" &
BG_PIDS+=($!)
sleep 0.5
mcurl -o /dev/null "http://$METRICS/metrics" || fail "scrape blocked behind an idle connection"
lnsctl show stats -j >/dev/null || fail "lnsctl blocked behind an idle metrics connection"

# One LAC hangs up: the gauge follows.
lac_ctl_cmd 1 "h $(lac_local_cid 1)"
expect_count "established sessions after one hang-up" lns_established_sessions 1 10
mcurl -o "$ART/metrics.txt" "http://$METRICS/metrics" || fail "GET /metrics failed"
expect_metric 'lnsd_sessions{state="established"}' 1
expect_metric_ge 'lnsd_control_messages_received_total{type="CDN"}' 1
check_lns_healthy
pass "/metrics: promtool-clean exposition, gauges follow the live sessions, 404/405 elsewhere"
