#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 7 (tshark): capture a whole tunnel life (setup, HELLO, call, teardown
# from lnsctl) on the LNS's link and have tshark's L2TP dissector decode it:
# no malformed packet, no error-level expert info, and every message type we
# expect from the LNS is there and decoded.
source "$(dirname "$0")/lib.sh" "$@"
it_init
net_up 1
lns_start "hello-interval = 2"
cap_start tshark
lac_start 1
lac_wait_call 1
expect_count "established sessions" lns_established_sessions 1 10
if is_lnsd; then
	sleep 4 # at least one HELLO from lnsd (hello-interval = 2) and its ack
	s=$(lns_json sessions | jq -c '.[0]')
	lnsctl terminate session "$(jq -r .tunnel_id <<<"$s")" "$(jq -r .session_id <<<"$s")" \
		|| fail "lnsctl terminate session failed"
	expect_count "sessions after terminate" lns_established_sessions 0 10
	lnsctl terminate tunnel "$(jq -r .tunnel_id <<<"$s")" || fail "lnsctl terminate tunnel failed"
	expect_count "tunnels after terminate" lns_tunnel_count 0 15
else
	lac_ctl_cmd 1 "d lns"
	wait_for 10 "LAC 1 disconnected" lac_down 1
fi
sleep 1
cap_stop
cap_check_clean tshark

# name:type pairs; "from" says who must have sent it.
declare -A want=([SCCRQ]="lac 1" [SCCRP]="lns 2" [SCCCN]="lac 3" [ICRQ]="lac 10" [ICRP]="lns 11" [ICCN]="lac 12")
if is_lnsd; then
	want+=([HELLO]="lns 6" [CDN]="lns 14" [StopCCN]="lns 4")
fi
for name in "${!want[@]}"; do
	read -r who type <<<"${want[$name]}"
	if [ "$who" = lns ]; then src=$LNS_ADDR; else src=$(lac_addr 1); fi
	n=$(cap_count tshark "ip.src == $src && l2tp.avp.message_type == $type")
	[ "$n" -ge 1 ] || fail "no $name (type $type) from the ${who^^} decoded in the capture"
	log "decoded $n x $name from the ${who^^}"
done
# ZLB acknowledgements from the LNS: control messages (T bit) with no AVP.
n=$(cap_count tshark "ip.src == $LNS_ADDR && l2tp.type == 1 && !l2tp.avp.type")
[ "$n" -ge 1 ] || fail "no ZLB ack from the LNS decoded in the capture"
log "decoded $n x ZLB ack from the LNS"
check_lns_healthy
pass "capture decodes cleanly with every expected message type"
