#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# L2TPv3 Ethernet pseudowires made the way lnsd makes them after negotiation
# (tools/dev/kgv3: lnsd's dp.h ops through dp_kernel.c and kmod-glue: the
# tunnel socket it owns, a managed v3 tunnel over UDP or L2TP/IP, an
# l2tp_eth session with cookies, L2-Specific Sublayer and sequencing, its
# interface named, sized from the path MTU, made a bridge port and up)
# against a static `ip l2tp` far end:
#
#   lana 10.77.0.1 -- [br0 pwa: kgv3, managed] == 192.0.2.0/24 ==
#                     [br0 pwb: ip l2tp, static] -- lanb 10.77.0.2
#
# Both LAN hosts sit in one subnet: ARP and ping cross the pseudowire.
# Cases: UDP and IP encapsulation, 4- and 8-byte cookies, the default
# L2-Specific Sublayer with sequencing, the interface going down (link
# event, "not usable") and up again, a wrong cookie on the static side (no
# ping, the managed session's rx_cookie_discards rise), an Ethernet VLAN
# pseudowire carrying 802.1Q frames, and IP and UDP encapsulation over IPv6. Then iperf3 over one managed
# pseudowire and over a pure static pair (BENCH lines, not asserted).
# Also: a second session with a taken interface name (ENOTUNIQ) or a taken
# session id (EEXIST) is refused, told apart (kgv3 --clash), and the L2TP/IP
# socket adds and strips the zero Session ID of control messages (kgv3 ipctl).
set -eu
PW_EXTRA=()
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip ping iperf3 awk

kgv3="$LNSD_BUILD_DIR/tools/kgv3"
[ -x "$kgv3" ] || fail "$kgv3 not built"

UNDERLAY_MTU=1600   # not 1500: the interface MTU must follow the path MTU

topo_sites -u "$UNDERLAY_MTU" -v
lanb_mac=$(ip -n lanb -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

# The underlay addresses of the managed (A) and static (B) end; IPv6 in case 10.
A=192.0.2.1 B=192.0.2.2

# expected_mtu ENCAP TX_COOKIE_BYTES L2SPEC: docs/design.md §4.8, term by term.
expected_mtu() {
	local o=20                              # IPv4 header
	case $A in *:*) o=40 ;; esac            # IPv6 header
	[ "$1" = udp ] && o=$((o + 8 + 4))      # UDP header, v3 flags/version + reserved
	o=$((o + 4 + $2))                       # Session ID, cookie
	[ "$3" = default ] && o=$((o + 4))      # default L2-Specific Sublayer
	o=$((o + 14))                           # the Ethernet header inside
	echo $((UNDERLAY_MTU - o))
}

# static_up NAME ENCAP PORT TID PTID SID PSID COOKIE PEER_COOKIE L2SPEC SEQ:
# the far end in pwb ("-" for no cookie); its interface is NAME, on br0.
static_up() {
	local name=$1 encap=$2 port=$3 tid=$4 ptid=$5 sid=$6 psid=$7 ck=$8 pck=$9 l2s=${10} seq=${11}
	local ports=() cookies=()
	[ "$encap" = udp ] && ports=(udp_sport "$port" udp_dport "$port")
	[ "$ck" = - ] || cookies+=(cookie "$ck")
	[ "$pck" = - ] || cookies+=(peer_cookie "$pck")
	on pwb ip l2tp add tunnel tunnel_id "$tid" peer_tunnel_id "$ptid" encap "$encap" \
		local "$B" remote "$A" "${ports[@]}"
	on pwb ip l2tp add session name "$name" tunnel_id "$tid" session_id "$sid" \
		peer_session_id "$psid" "${cookies[@]}" l2spec_type "$l2s" seq "$seq"
	ip -n pwb link set "$name" mtu 1500 master br0 up
}

# managed_up NAME KGV3-ARGS...: kgv3 in pwa until READY (KGV3_LOG, KGV3_PID).
managed_up() {
	local name=$1
	shift
	daemon "kgv3-$name" pwa "$kgv3" up --local "$A" --peer "$B" --bridge br0 "$@"
	KGV3_PID=$DAEMON_PID
	KGV3_LOG=$ART/kgv3-$name.log
	wait_for 30 "kgv3 $name ready" grep -qE '^(READY|FAIL)' "$KGV3_LOG"
	cat "$KGV3_LOG"
	grep -q '^READY' "$KGV3_LOG" || fail "kgv3 $name did not come up"
}

# managed_down: SIGTERM; kgv3 closes the session and socket and checks the kernel let go.
managed_down() {
	kill -TERM "$KGV3_PID"
	wait "$KGV3_PID" || fail "kgv3 exited with status $? ($(tail -n 1 "$KGV3_LOG"))"
	grep -q '^CLOSED' "$KGV3_LOG" || fail "kgv3 did not close cleanly"
	[ -z "$(on pwa ip l2tp show tunnel)" ] || fail "pwa: a tunnel is left"
}

# pw_stat TID SID FIELD: one counter of the managed session (genetlink SESSION_GET).
pw_stat() {
	on pwa "$kgv3" stats "$1" "$2" | sed -n "s/.* $3=\([0-9]*\).*/\1/p"
}

# check_arp NS ADDR MAC: NS resolved ADDR to MAC (across the pseudowire).
check_arp() {
	ip -n "$1" neigh show "$2" | grep -qi "lladdr $3" ||
		fail "$1 did not resolve $2 to $3: $(ip -n "$1" neigh show "$2")"
	log "ok: ARP $2 -> $3 in $1"
}

# pw_case N ENCAP RXCK TXCK L2SPEC SEQ: managed pwa <-> static pwb, ping and ARP both ways.
# RXCK: the cookie pwa requires (pwb sends it), TXCK: the one pwa sends ("-": none).
pw_case() {
	local n=$1 encap=$2 rxck=$3 txck=$4 l2s=$5 seq=$6
	local tid=$((1000 + n)) ptid=$((2000 + n)) sid=$((100 + n)) psid=$((200 + n))
	local port=$((5000 + n)) args=() exp txlen=0
	log "=== case $n: encap $encap, cookies rx $rxck tx $txck, l2spec $l2s, seq $seq"
	[ "$rxck" = - ] || args+=(--rx-cookie "$rxck")
	[ "$txck" = - ] || { args+=(--tx-cookie "$txck"); txlen=$((${#txck} / 2)); }
	[ "$seq" = both ] && args+=(--seq)
	static_up "s$n" "$encap" "$port" "$ptid" "$tid" "$psid" "$sid" "$rxck" "$txck" "$l2s" "$seq"
	managed_up "$n" --encap "$encap" --port "$port" --peer-port "$port" --tid "$tid" \
		--ptid "$ptid" --sid "$sid" --psid "$psid" --l2spec "$l2s" --ifname "m$n" "${args[@]}" \
		"${PW_EXTRA[@]}"
	# The kernel kept the name asked for.
	grep -q "kernel_ifname=m$n " "$KGV3_LOG" || fail "case $n: the kernel did not take IFNAME"
	exp=$(expected_mtu "$encap" "$txlen" "$l2s")
	ip -n pwa -o link show "m$n" | grep -q " mtu $exp " ||
		fail "case $n: m$n MTU is not $exp: $(ip -n pwa -o link show "m$n")"
	log "ok: m$n MTU $exp = $UNDERLAY_MTU - overhead ($(grep -o 'kernel_mtu=[0-9]*' "$KGV3_LOG") by l2tp_eth itself)"
	ip -n pwa -o link show "m$n" | grep -q 'master br0' || fail "case $n: m$n not on br0"
	ip -n lana neigh flush all
	ip -n lanb neigh flush all
	wait_ping 15 lana 10.77.0.2
	expect_ping lana 10.77.0.2 5
	expect_ping lanb 10.77.0.1 3
	check_arp lana 10.77.0.2 "$lanb_mac"
	local rx
	rx=$(pw_stat "$tid" "$sid" rx_packets)
	[ "${rx:-0}" -ge 8 ] || fail "case $n: managed session received ${rx:-no} packets"
	log "ok: case $n: managed session rx_packets $rx"
	# Traffic passed with the cookies configured: the kernel holds them too (SESSION_GET).
	grep -q "tx_cookie_len=$txlen rx_cookie_len=$(( ${#rxck} > 1 ? ${#rxck} / 2 : 0 ))" \
		"$KGV3_LOG" || fail "case $n: cookie lengths not as configured"
}

pw_end() { # N: both ends down
	managed_down
	on pwb ip l2tp del tunnel tunnel_id $((2000 + $1))
}

# 1: UDP, 4-byte cookies, no sublayer; then the interface goes down and up.
# kgv3 --clash: a second session named m1 is refused as a name clash
# (ENOTUNIQ), one with m1's session id as an id clash (EEXIST).
PW_EXTRA=(--clash)
pw_case 1 udp 0a0b0c0d 11223344 none none
PW_EXTRA=()
grep -q '^CLASH name=ENOTUNIQ id=EEXIST$' "$KGV3_LOG" ||
	fail "case 1: clashes not told apart: $(grep '^CLASH' "$KGV3_LOG")"
log "ok: a taken interface name gives ENOTUNIQ, a taken session id EEXIST"
ip -n pwa link set m1 down
wait_for 10 "link event: m1 down" grep -qE '^LINK m1 admin=0 .*usable=0' "$KGV3_LOG"
on pwa "$kgv3" state m1 | grep -q 'usable=0' || fail "m1 down but reported usable"
! on lana ping -c 2 -W 1 10.77.0.2 >/dev/null || fail "ping across a pseudowire whose interface is down"
ip -n pwa link set m1 up
wait_for 10 "link event: m1 up" grep -qE '^LINK m1 admin=1 .*usable=1' "$KGV3_LOG"
on pwa "$kgv3" state m1 | tee -a "$ART/states.txt" | grep -q 'usable=1' || fail "m1 up but not usable"
wait_ping 15 lana 10.77.0.2
pw_end 1

# 2: UDP, 8-byte cookies, default L2-Specific Sublayer with sequencing both ways.
pw_case 2 udp 0102030405060708 a1a2a3a4a5a6a7a8 default both
pw_end 2

# The L2TP/IP socket's control messages (docs/design.md §4.8): what the
# daemon sends arrives as sent on the socket bound to the header's Control
# Connection ID, and the wire has the zero Session ID in front: the kernel
# adds and strips it, so lnsd frames nothing itself on that socket.
on pwa "$kgv3" ipctl 127.0.0.1 | tee "$ART/ipctl.txt"
grep -q '^IPCTL sent=12 received=12 same=1 wire_payload=16 zero_sid=1 rest_same=1$' \
	"$ART/ipctl.txt" || fail "L2TP/IP control framing is not the kernel's"
log "ok: L2TP/IP: the kernel adds and strips the zero Session ID of control messages"

# 3, 4: L2TP/IP (protocol 115) with 4- and 8-byte cookies.
pw_case 3 ip 0a0b0c0d 11223344 none none
pw_end 3
pw_case 4 ip 0102030405060708 a1a2a3a4a5a6a7a8 default both
pw_end 4

# 5: the static end sends a cookie the managed end did not assign: nothing passes
# and the kernel counts the discards on the managed session.
wrong_cookie() { # N ENCAP
	local n=$1 encap=$2 tid=$((1000 + $1)) ptid=$((2000 + $1)) sid=$((100 + $1)) psid=$((200 + $1))
	local port=$((5000 + $1)) before after
	log "=== case $n: wrong cookie from the static end, encap $encap"
	static_up "s$n" "$encap" "$port" "$ptid" "$tid" "$psid" "$sid" deadbeefdeadbeef a1a2a3a4a5a6a7a8 none none
	managed_up "$n" --encap "$encap" --port "$port" --peer-port "$port" --tid "$tid" --ptid "$ptid" \
		--sid "$sid" --psid "$psid" --l2spec none --ifname "m$n" \
		--rx-cookie 0102030405060708 --tx-cookie a1a2a3a4a5a6a7a8
	before=$(pw_stat "$tid" "$sid" rx_cookie_discards)
	ip -n lana neigh flush all
	! on lana ping -c 3 -W 1 10.77.0.2 >/dev/null || fail "case $n: ping passed with a wrong cookie"
	after=$(pw_stat "$tid" "$sid" rx_cookie_discards)
	on pwa "$kgv3" stats "$tid" "$sid"
	[ "${after:-0}" -gt "${before:-0}" ] ||
		fail "case $n: rx_cookie_discards did not rise (${before:-?} -> ${after:-?})"
	[ "$(pw_stat "$tid" "$sid" rx_packets)" = 0 ] || fail "case $n: packets with a wrong cookie were taken"
	log "ok: case $n: no ping, rx_cookie_discards ${before} -> ${after}"
	pw_end "$n"
}
wrong_cookie 5 udp
wrong_cookie 6 ip

# 7: Ethernet VLAN pseudowire: 802.1Q-tagged frames of VLAN 100 cross it.
log "=== case 7: Ethernet VLAN pseudowire"
static_up s7 udp 5007 2007 1007 207 107 0a0b0c0d 11223344 none none
managed_up 7 --encap udp --port 5007 --peer-port 5007 --tid 1007 --ptid 2007 --sid 107 \
	--psid 207 --l2spec none --ifname m7 --pw vlan --rx-cookie 0a0b0c0d --tx-cookie 11223344 --probe
grep '^PROBE' "$KGV3_LOG" || true
wait_ping 15 lana 10.78.0.2
expect_ping lana 10.78.0.2 3
check_arp lana 10.78.0.2 "$lanb_mac"
pw_end 7

# 10: L2TP/IPv6 (l2tp_ip6) with 4-byte cookies and the sublayer: the IPv6 socket and MTU term.
ip -n pwa addr add 2001:db8:77::1/64 dev eth0 nodad
ip -n pwb addr add 2001:db8:77::2/64 dev eth0 nodad
wait_ping 10 pwa 2001:db8:77::2
A=2001:db8:77::1 B=2001:db8:77::2
pw_case 10 ip 0a0b0c0d 11223344 default none
pw_end 10
pw_case 11 udp 0a0b0c0d 11223344 none none
pw_end 11
A=192.0.2.1 B=192.0.2.2

# BENCH: iperf3 over a managed pseudowire (UDP, 8-byte cookies) and over a
# static pair with the same ids, cookies and MTU. Measured, not asserted.
daemon iperf3 lanb iperf3 -s
wait_for 20 "iperf3 server" sh -c 'ip netns exec lanb ss -ltn | grep -q ":5201"' 
bench() { # LABEL
	local r
	r=$(on lana iperf3 -c 10.77.0.2 -t 4 -f m 2>&1 | awk '/receiver/ {print $(NF-2)}')
	echo "BENCH $1 iperf3 TCP lana->lanb: ${r:-?} Mbit/s (kernel $LNSD_VM_SERIES, TCG guest)" |
		tee -a "$ART/bench.txt"
}
pw_case 8 udp 0102030405060708 a1a2a3a4a5a6a7a8 none none
bench "managed-v3-udp-cookie8"
pw_end 8
log "=== static pair for comparison"
static_up s9 udp 5009 2009 1009 209 109 0102030405060708 a1a2a3a4a5a6a7a8 none none
on pwa ip l2tp add tunnel tunnel_id 1009 peer_tunnel_id 2009 encap udp local 192.0.2.1 \
	remote 192.0.2.2 udp_sport 5009 udp_dport 5009
on pwa ip l2tp add session name m9 tunnel_id 1009 session_id 109 peer_session_id 209 \
	cookie a1a2a3a4a5a6a7a8 peer_cookie 0102030405060708 l2spec_type none seq none
ip -n pwa link set m9 mtu "$(expected_mtu udp 8 none)" master br0 up
wait_ping 15 lana 10.77.0.2
bench "static-v3-udp-cookie8"
on pwa ip l2tp del tunnel tunnel_id 1009
on pwb ip l2tp del tunnel tunnel_id 2009

log "L2TPv3 kernel pseudowires passed on $LNSD_VM_SERIES"
