#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lnsd <-> lnsd L2TPv3 Ethernet pseudowires, negotiated by the daemons
# (lnsd/eng_lcce.c) and carried by the kernel's l2tp_eth:
#
#   lana 10.77.0.1 -- [br0 pw: lnsd A 192.0.2.1] == 192.0.2.0/24 ==
#                     [192.0.2.2 lnsd B, pw br0] -- lanb 10.77.0.2
#
# Both LAN hosts sit in one subnet: ARP resolves and ping crosses the
# pseudowire. One VM boot, two phases, one lnsd per site throughout:
#  1. UDP encapsulation on the shared port 1701, 8-byte cookies, Message
#     Digest (SHA-1), A initiator / B responder: lnsctl show pseudowires
#     (-j: state up, IDs and cookies crossed), ping and ARP both ways, the
#     kernel session's cookies, the counters rise, /metrics has the series
#     and neither lnsd read a data packet (data-in-userspace 0); lnsctl
#     show tunnels lists the v3 connection (version 3, udp); no [ppp]
#     warning on a pseudowire-only site. Data packets with A's session id
#     and a wrong cookie, sent from B's address and port, are dropped by
#     A's kernel (rx_cookie_discards rises by the number sent), lnsd reads
#     none, the pseudowire stays up and the LANs keep pinging (iperf3
#     over it against a static pair: tests/bench/vm_pw_throughput.sh);
#  2. SIGHUP on both with the pseudowire changed to an Ethernet VLAN one
#     (pw-type ethernet-vlan: Pseudowire Type 4 on both sides) over IP
#     encapsulation (protocol 115) with 4-byte cookies and role both on
#     either side (simultaneous open, settled by the Tie Breaker): the old
#     one goes, the new one comes up and carries the LANs' traffic again,
#     802.1Q frames of VLAN 100 included (ping and ARP between the LAN
#     hosts' eth0.100); show tunnels and show pseudowires give the peer
#     without a port; A's l2tpeth down and up is circuit status B sees
#     (SLI); B restarted: the pseudowire comes back and carries traffic.
# Then SIGTERM (the shutdown counts the v3 connection): no kernel tunnel or
# session is left.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip ping jq awk curl python3

LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
[ -x "$LNSD" ] || fail "no $LNSD"

ns_add lana pwa pwb lanb
link_add pwa eth0 192.0.2.1/24 pwb eth0 192.0.2.2/24
link_add lana eth0 10.77.0.1/24 pwa lan0 -
link_add lanb eth0 10.77.0.2/24 pwb lan0 -
for ns in pwa pwb; do
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" link set lan0 master br0
	ip -n "$ns" link set br0 up
done
# The LAN hosts' MTU fits the smallest pseudowire (UDP, 8-byte cookie: 1442).
ip -n lana link set eth0 mtu 1400
ip -n lanb link set eth0 mtu 1400
# VLAN 100 on both LAN hosts, one subnet: its tagged frames cross the VLAN pseudowire.
for ns in lana lanb; do
	ip -n "$ns" link add link eth0 name eth0.100 type vlan id 100
	ip -n "$ns" link set eth0.100 up
done
ip -n lana addr add 10.78.0.1/24 dev eth0.100
ip -n lanb addr add 10.78.0.2/24 dev eth0.100
wait_ping 10 pwa 192.0.2.2
lana_mac=$(ip -n lana -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
lanb_mac=$(ip -n lanb -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

# site_conf SITE ME PEER ENCAP COOKIE ROLE PW-TYPE: $ART/SITE.conf
site_conf() {
	local site=$1 me=$2 peer=$3 encap=$4 cookie=$5 role=$6 type=$7
	cat >"$ART/$site.conf" <<-EOC
		[lnsd]
		listen = $me:1701
		control-socket = $RUNDIR/$site.sock
		hostname = site-$site
		dataplane = kernel
		log-level = debug
		metrics = $me:9$([ "$site" = a ] && echo 101 || echo 102)
		[l2tp]
		hello-interval = 10
		[pseudowire office]
		peer = $peer
		local = $me
		encap = $encap
		pw-type = $type
		remote-end-id = office-lan
		cookie = $cookie
		ifname = pw-$encap
		bridge = br0
		secret = a-long-shared-secret
		auth = digest
		digest = sha1
		role = $role
	EOC
}
ctl() { "$LNSCTL" -s "$RUNDIR/$1.sock" "${@:2}"; }
pw_json() { ctl "$1" show pseudowires -j | jq -c ".[0]"; }
pw_field() { ctl "$1" show pseudowires -j | jq -r ".[0].$2"; }
pw_up() { [ "$(pw_field a state)" = up ] && [ "$(pw_field b state)" = up ]; }

check_arp() {
	ip -n "$1" neigh show "$2" | grep -qi "lladdr $3" ||
		fail "$1 did not resolve $2 to $3: $(ip -n "$1" neigh show "$2")"
	log "ok: ARP $2 -> $3 in $1"
}

# lan_check WHAT: ping and ARP both ways across the pseudowire.
lan_check() {
	ip -n lana neigh flush all
	ip -n lanb neigh flush all
	wait_ping 20 lana 10.77.0.2
	expect_ping lana 10.77.0.2 5
	expect_ping lanb 10.77.0.1 3
	check_arp lana 10.77.0.2 "$lanb_mac"
	check_arp lanb 10.77.0.1 "$lana_mac"
	log "ok: $1: the LANs reach each other"
}

# ---- phase 1: UDP, 8-byte cookies, A dials ----
site_conf a 192.0.2.1 192.0.2.2 udp 8 initiator ethernet
site_conf b 192.0.2.2 192.0.2.1 udp 8 responder ethernet
daemon lnsd-b pwb "$LNSD" -f -c "$ART/b.conf"
PID_B=$DAEMON_PID
daemon lnsd-a pwa "$LNSD" -f -c "$ART/a.conf"
PID_A=$DAEMON_PID
wait_for 60 "pseudowire up on both sites (udp)" pw_up
ctl a show pseudowires
ctl b show pseudowires
a=$(pw_json a)
b=$(pw_json b)
log "a: $a"
log "b: $b"
[ "$(jq -r .sid <<<"$a")" = "$(jq -r .peer_sid <<<"$b")" ] || fail "session ids not crossed"
[ "$(jq -r .ccid <<<"$a")" = "$(jq -r .peer_ccid <<<"$b")" ] || fail "connection ids not crossed"
[ "$(jq -r .cookie <<<"$a")" = 8 ] && [ "$(jq -r .peer_cookie <<<"$a")" = 8 ] || fail "cookies"
[ "$(jq -r .ifname <<<"$a")" = pw-udp ] || fail "ifname"
ip -n pwa -o link show pw-udp | grep -q 'master br0' || fail "pw-udp not on br0"
ip -n pwa l2tp show session
ip -n pwa l2tp show session | grep -q 'cookie' || fail "no cookie on the kernel session"
ip -n pwa l2tp show tunnel | grep -q 'UDP' || fail "the kernel tunnel is not UDP"
lan_check "udp, 8-byte cookies"
rx=$(pw_field a counters.rx_packets)
[ "$rx" -gt 5 ] || fail "site A's rx_packets is $rx"
log "ok: site A counted $rx packets received"
on pwa curl -s http://192.0.2.1:9101/metrics | grep '^lnsd_pseudowire' | tee "$ART/metrics-a.txt"
grep -q '^lnsd_pseudowire_up{name="office"[^}]*} 1' "$ART/metrics-a.txt" || fail "no lnsd_pseudowire_up 1"
grep -q '^lnsd_pseudowire_rx_packets_total{name="office"' "$ART/metrics-a.txt" ||
	fail "no lnsd_pseudowire_rx_packets_total"
# Data stays in the kernel: lnsd read no data packet.
data_read() { on "$1" curl -s "http://$2/metrics" | grep '^lnsd_l2tpv3_drops_total{reason="data-in-userspace"}'; }
data_read pwa 192.0.2.1:9101 | grep -q ' 0$' || fail "site A read data packets: $(data_read pwa 192.0.2.1:9101)"
data_read pwb 192.0.2.2:9102 | grep -q ' 0$' || fail "site B read data packets: $(data_read pwb 192.0.2.2:9102)"
log "ok: no data packet read by either lnsd"
[ "$(pw_field a pw_type)" = 5 ] && [ "$(pw_field b pw_type)" = 5 ] || fail "pw_type is not 5 (Ethernet)"

# show tunnels: the v3 control connection, with its version and encapsulation.
ctl a show tunnels
t=$(ctl a show tunnels -j | jq -c '.[0]')
log "a tunnel: $t"
[ "$(ctl a show tunnels -j | jq length)" = 1 ] || fail "show tunnels: not one row"
[ "$(jq -r '"\(.version) \(.encap) \(.peer) \(.state)"' <<<"$t")" = "3 udp 192.0.2.2:1701 established" ] ||
	fail "show tunnels row: $t"
[ "$(jq -r .tunnel_id <<<"$t")" = "$(jq -r .ccid <<<"$a")" ] || fail "show tunnels: not the pseudowire's connection"
ctl a show tunnels | grep -E '^TUNNEL .*VERSION +ENCAP' >/dev/null || fail "show tunnels: no VERSION/ENCAP columns"
# A pseudowire-only site: no [ppp] warning.
! grep -E 'warning: \[ppp\]' "$ART/lnsd-a.log" || fail "site A warned about [ppp]"

# Wrong cookie: data packets with A's session id and another cookie, from
# B's address and L2TP port (the kernel tunnel socket's 4-tuple), over UDP.
send_wrong_cookie() { # SID N
	on pwb python3 -I -S - 192.0.2.1 "$1" "$2" <<-'EOP'
		import socket, struct, sys
		dst, sid, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
		# v3 data header over UDP (RFC 3931 4.1.2.1): T=0 Ver=3, reserved,
		# Session ID; then an 8-byte cookie A never assigned and a frame.
		pkt = struct.pack("!HHI", 3, 0, sid) + bytes.fromhex("deadbeefdeadbeef") + bytes(64)
		udp = struct.pack("!HHHH", 1701, 1701, 8 + len(pkt), 0) + pkt
		s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
		for _ in range(n):
		    s.sendto(udp, (dst, 0))
	EOP
}
ck_before=$(pw_field a counters.rx_cookie_discards)
rx_before=$(pw_field a counters.rx_packets)
send_wrong_cookie "$(pw_field a sid)" 20
sleep 0.5
ck_after=$(pw_field a counters.rx_cookie_discards)
[ "$((ck_after - ck_before))" = 20 ] ||
	fail "rx_cookie_discards $ck_before -> $ck_after for 20 packets with a wrong cookie"
log "ok: 20 packets with a wrong cookie: rx_cookie_discards $ck_before -> $ck_after (rx_packets $rx_before -> $(pw_field a counters.rx_packets))"
pw_up || fail "the pseudowire went down after the wrong cookies"
expect_ping lana 10.77.0.2 3
expect_ping lanb 10.77.0.1 3
data_read pwa 192.0.2.1:9101 | grep -q ' 0$' || fail "site A read data packets: $(data_read pwa 192.0.2.1:9101)"
log "ok: wrong cookies dropped in A's kernel; pseudowire up, LANs pinging, lnsd read none"

# ---- phase 2: reload to IP encapsulation, 4-byte cookies, both dial ----
site_conf a 192.0.2.1 192.0.2.2 ip 4 both ethernet-vlan
site_conf b 192.0.2.2 192.0.2.1 ip 4 both ethernet-vlan
kill -HUP "$PID_A" "$PID_B"
wait_for 60 "pseudowire up again over IP" \
	sh -c "[ \"\$($LNSCTL -s $RUNDIR/a.sock show pseudowires -j | jq -r '.[0].encap + .[0].state')\" = ipup ] &&
	       [ \"\$($LNSCTL -s $RUNDIR/b.sock show pseudowires -j | jq -r '.[0].encap + .[0].state')\" = ipup ]"
ctl a show pseudowires
ip -n pwa l2tp show tunnel
ip -n pwa l2tp show tunnel | grep -q 'IP' || fail "the kernel tunnel is not IP"
[ "$(ip -n pwa l2tp show tunnel | grep -c '^Tunnel')" = 1 ] || fail "not exactly one tunnel on A"
! ip -n pwa link show pw-udp 2>/dev/null || fail "the UDP pseudowire's interface is left"
[ "$(pw_field a cookie)" = 4 ] || fail "cookie 4"
[ "$(pw_field a pw_type)" = 4 ] && [ "$(pw_field b pw_type)" = 4 ] ||
	fail "the negotiated Pseudowire Type is not 4 (Ethernet VLAN) on both sides"
lan_check "ip, 4-byte cookies, Ethernet VLAN pseudowire"
# 802.1Q-tagged frames of VLAN 100 cross the VLAN pseudowire.
wait_ping 20 lana 10.78.0.2
expect_ping lana 10.78.0.2 3
expect_ping lanb 10.78.0.1 3
check_arp lana 10.78.0.2 "$lanb_mac"
check_arp lanb 10.78.0.1 "$lana_mac"
log "ok: VLAN 100 frames cross the Ethernet VLAN pseudowire (Pseudowire Type 4 on both sides)"
# Over IP the peer has no port, in show tunnels and show pseudowires.
ctl a show tunnels
t=$(ctl a show tunnels -j | jq -c '.[0]')
[ "$(jq -r '"\(.version) \(.encap) \(.peer) \(.local)"' <<<"$t")" = "3 ip 192.0.2.2 192.0.2.1" ] ||
	fail "show tunnels over IP: $t"
[ "$(pw_field a peer)" = 192.0.2.2 ] || fail "show pseudowires over IP: peer $(pw_field a peer)"
on pwa curl -s http://192.0.2.1:9101/metrics | grep -q '^lnsd_pseudowire_up{name="office",peer="192.0.2.2",' ||
	fail "/metrics: the IP peer's label has a port"
log "ok: show tunnels and show pseudowires: the IP peer without a port"

# Circuit status: A's interface down is an SLI, B sees the peer's circuit down; up again.
remote_is() { [ "$(pw_field b circuit_remote)" = "$1" ]; }
ip -n pwa link set pw-ip down
wait_for 20 "B sees A's circuit down" remote_is false
ip -n pwa link set pw-ip up
wait_for 20 "B sees A's circuit up" remote_is true

# B restarted: the pseudowire comes back (A redials, or B dials: role both).
kill -TERM "$PID_B"
wait "$PID_B" || fail "lnsd B exited with $?"
daemon lnsd-b2 pwb "$LNSD" -f -c "$ART/b.conf"
PID_B=$DAEMON_PID
wait_for 90 "pseudowire up after B's restart" pw_up
lan_check "after B's restart"
data_read pwa 192.0.2.1:9101 | grep -q ' 0$' || fail "site A read data packets: $(data_read pwa 192.0.2.1:9101)"

# A first: its connection is still up when it counts it.
kill -TERM "$PID_A"
wait "$PID_A" || fail "lnsd A exited with $?"
kill -TERM "$PID_B"
wait "$PID_B" || fail "lnsd B exited with $?"
grep 'shutting down: StopCCN to 0 tunnels and 1 L2TPv3 connections' "$ART/lnsd-a.log" ||
	fail "site A's shutdown did not count its v3 connection"
[ -z "$(ip -n pwa l2tp show tunnel)" ] || fail "site A: a kernel tunnel is left"
[ -z "$(ip -n pwb l2tp show session)" ] || fail "site B: a kernel session is left"
log "ok: no kernel tunnel or session left"
