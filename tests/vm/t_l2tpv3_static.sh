#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Proof: a static L2TPv3 (UDP encap) pseudowire made with `ip l2tp` between
# two namespaces; ping across the l2tpeth interfaces and check that the
# session counters moved, i.e. the frames went through the kernel's l2tp_eth.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip ping

ns_add lac lns
link_add lac eth0 192.0.2.2/24 lns eth0 192.0.2.1/24

# ends: NS LOCAL REMOTE TID PTID SID PSID SPORT DPORT PW_ADDR
pw() {
	on "$1" ip l2tp add tunnel tunnel_id "$4" peer_tunnel_id "$5" encap udp \
		local "$2" remote "$3" udp_sport "$8" udp_dport "$9"
	on "$1" ip l2tp add session name l2tpeth0 tunnel_id "$4" session_id "$6" peer_session_id "$7"
	ip -n "$1" addr add "${10}" dev l2tpeth0
	ip -n "$1" link set l2tpeth0 up
}
pw lac 192.0.2.2 192.0.2.1 1000 2000 10 20 5000 6000 10.42.0.2/30
pw lns 192.0.2.1 192.0.2.2 2000 1000 20 10 6000 5000 10.42.0.1/30
on lns ip l2tp show session

wait_ping 10 lac 10.42.0.1
expect_ping lac 10.42.0.1 5

rx=$(on lns ip -s -j l2tp show session 2>/dev/null | grep -o '"rx_packets":[0-9]*' | head -n 1 | cut -d: -f2) || true
if [ -z "$rx" ]; then
	# iproute2 may not print session stats as JSON; use the link counters.
	rx=$(ip -n lns -s -j link show l2tpeth0 | grep -o '"rx":{"bytes":[0-9]*,"packets":[0-9]*' | sed 's/.*://')
fi
log "lns l2tpeth0 received $rx packets"
[ "${rx:-0}" -ge 5 ] || fail "expected >= 5 packets received on the lns pseudowire, got '${rx:-none}'"
