#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (hostile): one hostile-input campaign over every surface lnsd
# exposes, with a well-behaved tunnel and call kept alive through all of it.
#
#   netns lns:  lnsd on 192.0.2.1:1701 (L2TP), :9102 (/metrics), :3799 (DAE),
#               the control socket $RUN/lnsd.sock
#   netns lac1: xl2tpd, the victim: one tunnel and one call, established
#               before the first case and checked after every case file
#   netns lac2: the attacker (no xl2tpd; scapy, curl, radclient, python3)
#
# The cases live in tests/interop/hostile/NN-SURFACE.sh, sourced in order.
# Each case states its expectation with hcase NAME EXPECTATION before it acts
# and calls fail when the expectation does not hold. After each file the
# victim's tunnel and call must be the same ones (same LNS tunnel and call
# ids, still established) and lnsd must be alive with no sanitizer report.
#
# What a case file may use (besides lib.sh): LNS_ADDR, ATT_NS (the attacker's
# namespace), ATT_ADDR, METRICS (addr:port of /metrics), DAE_PORT,
# DAE_SECRET (the attacker's address is a DAE client with this secret, so
# signed requests can be forged and replayed), CHAL_ADDR and CHAL_SECRET (a
# [peer] with a tunnel secret matches that address; a case file adds it to
# the attacker's eth0), PY (python3 with scapy),
# lnsctl, lns_metric "$METRICS" NAME (lib.sh: a sample's value, 0 when absent),
# lns_reload (lnsctl reload; fails the test if lnsd died).
source "$(dirname "$0")/lib.sh" "$@"
it_need lnsd curl scapy
it_init
net_up 2
ATT_NS=$(lac_ns 2)
ATT_ADDR=$(lac_addr 2)
METRICS=$LNS_ADDR:9102
DAE_PORT=3799
DAE_SECRET=hostile-dae-s3cret
# a second address of the attacker with a tunnel secret (Challenge cases)
CHAL_ADDR=192.0.2.99
CHAL_SECRET=hostile-tunnel-s3cret
LNSD_EXTRA="metrics = $METRICS"
# The bind-loop case opens ~3,000 tunnels/s from one address, one after the
# other; once (ASan build) lnsd refused one SCCRQ of ~15,700 there at the
# default per-peer half-open limit (64), the SCCCNs of the tunnels before it
# not all read yet. That case is about the bind race, not that limit.
lns_start "max-half-open = 200
max-half-open-per-peer = 200" "
[peer hostile-challenge]
match-address = $CHAL_ADDR
secret = $CHAL_SECRET

[radius]
# never answers: the victim's call has no PPP here (fake-pppd), so no
# request is sent; the section is here for the DAE listener
server = 127.0.0.1:18120,unused
nas-identifier = lns-hostile
dae-listen = $LNS_ADDR:$DAE_PORT
dae-clients = $ATT_ADDR,$DAE_SECRET
"

lns_reload() { lnsctl reload >/dev/null 2>&1; sleep 0.5; lns_alive || fail "lnsd died on reload"; }

HCASES=0
hcase() { HCASES=$((HCASES + 1)); log "case $HCASES: $1 -- expect: $2"; }

lac_start 1
lac_wait_call 1
expect_count "established sessions before the campaign" lns_established_sessions 1 10
victim=$(lns_json sessions | jq -c '[.[] | select(.state == "established") | [.tunnel_id, .session_id]]')
log "victim (tunnel, call) as lnsd lists it: $victim"

check_victim() { # after each case file
	check_lns_healthy
	local now
	now=$(lns_json sessions | jq -c '[.[] | select(.state == "established") | [.tunnel_id, .session_id]]')
	[ "$now" = "$victim" ] || fail "after $1: the victim's call changed: was $victim, now $now"
	lac_down 1 && fail "after $1: the victim LAC saw its call or tunnel go down"
	ip netns exec "$(lac_ns 1)" ping -c1 -W1 "$LNS_ADDR" >/dev/null || fail "after $1: the victim lost its path to the LNS"
	log "after $1: victim call $now intact"
}

shopt -s nullglob
files=("$IT_DIR"/hostile/[0-9][0-9]-*.sh)
[ ${#files[@]} -gt 0 ] || fail "no case files in $IT_DIR/hostile"
for f in "${files[@]}"; do
	log "==== $(basename "$f")"
	# shellcheck disable=SC1090
	source "$f"
	check_victim "$(basename "$f")"
done
log "$HCASES cases over ${#files[@]} surfaces"
pass
