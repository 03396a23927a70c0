#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real Prometheus server (Debian's /usr/bin/prometheus) in the LNS namespace
# scrapes lnsd's /metrics every second. Its query API must report the live
# session count: 2 with two xl2tpd calls up, 1 after one LAC hangs up; the
# scrape target is up and lnsd_build_info is stored.
source "$(dirname "$0")/lib.sh" "$@"
is_lnsd || skip "lnsd-only: xl2tpd serves no /metrics"
command -v curl >/dev/null || skip "curl is not installed (tools/dev/setup.sh installs it)"
[ -x /usr/bin/prometheus ] || skip "prometheus is not installed (tools/dev/setup.sh installs it)"
METRICS=127.0.0.1:9101
PROM=127.0.0.1:9090
LNSD_EXTRA="metrics = $METRICS"
it_init
net_up 2
lns_start

cat >"$ART/prometheus.yml" <<EOF
# written by tests/interop/t_prometheus.sh
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: lnsd
    static_configs:
      - targets: ['$METRICS']
EOF
ip netns exec "$NS_LNS" /usr/bin/prometheus --config.file="$ART/prometheus.yml" \
	--storage.tsdb.path="$ART/tsdb" --web.listen-address="$PROM" \
	--log.level=info >"$ART/prometheus.log" 2>&1 &
BG_PIDS+=($!)
PROM_PID=$!

pcurl() { ip netns exec "$NS_LNS" curl -s -m 5 "$@"; }
prom_ready() { kill -0 "$PROM_PID" && pcurl -f "http://$PROM/-/ready"; }
# prom_query EXPR : the value of the first series of an instant query ("" when none).
prom_query() {
	pcurl -G --data-urlencode "query=$1" "http://$PROM/api/v1/query" \
		| jq -r 'if .status == "success" and (.data.result | length) > 0
			 then .data.result[0].value[1] else "" end'
}
# expect_query EXPR WANT SECS : poll the query API until EXPR evaluates to WANT.
expect_query() {
	local expr=$1 want=$2 secs=$3 got="" i
	for ((i = 0; i < secs * 2; i++)); do
		got=$(prom_query "$expr" || true)
		if [ "$got" = "$want" ]; then
			log "prometheus: $expr = $got"
			return 0
		fi
		sleep 0.5
	done
	fail "prometheus: $expr is '$got' after ${secs}s, expected $want"
}

wait_for 30 "prometheus ready on $PROM" prom_ready
log "prometheus $(/usr/bin/prometheus --version 2>&1 | head -1 | awk '{print $3}') running (pid $PROM_PID)"

lac_start 1
lac_start 2
lac_wait_call 1
lac_wait_call 2
expect_count "established sessions on the LNS" lns_established_sessions 2 10

expect_query 'up{job="lnsd"}' 1 20
expect_query 'lnsd_sessions{state="established"}' 2 20
expect_query 'lnsd_tunnels{state="established"}' 2 10
expect_query "count(lnsd_build_info{version=\"$("$LNSD_BIN" -V | awk '{print $2}')\"})" 1 10
expect_query 'lnsd_session_setup_duration_seconds_count' 2 10

# One call down: the stored gauge follows within a few scrapes.
lac_ctl_cmd 1 "h $(lac_local_cid 1)"
expect_count "established sessions after one hang-up" lns_established_sessions 1 10
expect_query 'lnsd_sessions{state="established"}' 1 20
pcurl -G --data-urlencode 'query=lnsd_sessions{state="established"}' \
	"http://$PROM/api/v1/query" >"$ART/query-after.json"

# Every scrape succeeded: none failed for the whole run.
expect_query 'min_over_time(up{job="lnsd"}[5m])' 1 5
kill -TERM "$PROM_PID" 2>/dev/null || true
check_lns_healthy
pass "Prometheus scraped lnsd and its query API reports the live session count (2, then 1)"
