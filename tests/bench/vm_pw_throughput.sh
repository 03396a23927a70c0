#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark, run in the test VM (not a ctest test; see README.md): iperf3
# TCP for IPERF_SECONDS (4) across
#   (a) an L2TPv3 Ethernet pseudowire two lnsd's negotiated (UDP, 8-byte
#       cookies both ways, no sublayer, digest SHA-1), LANs bridged onto it:
#         lana -- [br0 pwa: lnsd] == 192.0.2.0/24 == [lnsd pwb br0] -- lanb
#   (b) a static `ip l2tp` pseudowire with the same encapsulation, cookie
#       lengths, sublayer and interface MTU between two other sites:
#         sla -- [br0 spa] == 198.51.100.0/24 == [spb br0] -- slb
# Prints BENCH lines (also $ART/bench.txt). Not asserted: under TCG only
# the ratio means anything; data stays in the kernel either way.
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
require ip ping jq iperf3
LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
SECS=${IPERF_SECONDS:-4}

ns_add lana pwa pwb lanb sla spa spb slb
link_add pwa eth0 192.0.2.1/24 pwb eth0 192.0.2.2/24
link_add spa eth0 198.51.100.1/24 spb eth0 198.51.100.2/24
link_add lana eth0 10.77.0.1/24 pwa lan0 -
link_add lanb eth0 10.77.0.2/24 pwb lan0 -
link_add sla eth0 10.79.0.1/24 spa lan0 -
link_add slb eth0 10.79.0.2/24 spb lan0 -
for ns in pwa pwb spa spb; do
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" link set lan0 master br0
	ip -n "$ns" link set br0 up
done
for ns in lana lanb sla slb; do
	ip -n "$ns" link set eth0 mtu 1400
done

# (a) the lnsd pair
for site in a b; do
	me=192.0.2.1 peer=192.0.2.2 role=initiator
	[ "$site" = b ] && me=192.0.2.2 peer=192.0.2.1 role=responder
	cat >"$ART/$site.conf" <<-EOC
		[lnsd]
		listen = $me:1701
		control-socket = $RUNDIR/$site.sock
		hostname = site-$site
		dataplane = kernel
		[pseudowire office]
		peer = $peer
		local = $me
		encap = udp
		remote-end-id = office-lan
		cookie = 8
		ifname = pw0
		bridge = br0
		secret = a-long-shared-secret
		auth = digest
		digest = sha1
		role = $role
	EOC
done
daemon lnsd-b pwb "$LNSD" -f -c "$ART/b.conf"
daemon lnsd-a pwa "$LNSD" -f -c "$ART/a.conf"
wait_for 60 "pseudowire up" sh -c "[ \"\$($LNSCTL -s $RUNDIR/a.sock show pseudowires -j | jq -r '.[0].state')\" = up ]"
wait_ping 20 lana 10.77.0.2
pw_mtu=$(ip -n pwa -o link show pw0 | grep -o 'mtu [0-9]*' | cut -d' ' -f2)

# (b) the static pair, the same ids' sizes, cookies, sublayer and MTU
static_end() { # NS TID PTID SID PSID ME PEER COOKIE PEER_COOKIE
	on "$1" ip l2tp add tunnel tunnel_id "$2" peer_tunnel_id "$3" encap udp local "$6" \
		remote "$7" udp_sport 1701 udp_dport 1701
	on "$1" ip l2tp add session name st0 tunnel_id "$2" session_id "$4" peer_session_id "$5" \
		cookie "$8" peer_cookie "$9" l2spec_type none seq none
	ip -n "$1" link set st0 mtu "$pw_mtu" master br0 up
}
static_end spa 11 22 101 202 198.51.100.1 198.51.100.2 0102030405060708 a1a2a3a4a5a6a7a8
static_end spb 22 11 202 101 198.51.100.2 198.51.100.1 a1a2a3a4a5a6a7a8 0102030405060708
wait_ping 20 sla 10.79.0.2

daemon iperf3-lanb lanb iperf3 -s
daemon iperf3-slb slb iperf3 -s
wait_for 20 "iperf3 servers" sh -c 'ip netns exec lanb ss -ltn | grep -q ":5201" &&
	ip netns exec slb ss -ltn | grep -q ":5201"'
bench() { # LABEL NS DEST
	local r
	r=$(on "$2" iperf3 -c "$3" -t "$SECS" -f m 2>&1 | awk '/receiver/ {print $(NF-2)}')
	echo "BENCH $1 iperf3 TCP ${SECS}s: ${r:-?} Mbit/s (kernel $LNSD_VM_SERIES, mtu $pw_mtu)" |
		tee -a "$ART/bench.txt"
}
bench "lnsd-pw-v3-udp-cookie8" lana 10.77.0.2
bench "static-v3-udp-cookie8" sla 10.79.0.2
"$LNSCTL" -s "$RUNDIR/a.sock" show pseudowires
log "vm_pw_throughput done on $LNSD_VM_SERIES"
