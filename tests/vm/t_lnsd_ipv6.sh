#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPv6 for subscribers (docs/design.md §9.6) with the kernel data plane:
# xl2tpd + pppd `+ipv6` as LAC in `client`, lnsd with [ppp] ipv6-prefix-pool
# and ipv6-delegation-pool in `lns`. The client's kernel autoconfigures an
# address from lnsd's Router Advertisement (SLAAC), dhcpcd asks for a
# delegated prefix (IA_PD) and puts a /64 of it on dummy0; lnsd routes the
# delegated prefix via pppN. Pings across from both addresses to an address
# behind lnsd; lnsctl and /metrics show the prefixes; a short DHCPv6 message
# and an RS with hop limit 64 are dropped and counted; after the hangup the
# routes are gone and the pools are empty again.
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"
require dhcpcd curl

PFX_NET=2001:db8:100:      # ipv6-prefix-pool 2001:db8:100::/56: a /64 each
PD_NET=2001:db8:40         # ipv6-delegation-pool 2001:db8:4000::/48: /56 each
BEHIND=2001:db8:ffff::1    # on lns's lo: "a host behind lnsd"
URL=http://127.0.0.1:9101/metrics

topo_pair
users_file alice alice-pw
on lns sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n lns addr add "$BEHIND/128" dev lo
ip -n lns link set lo up
lnsd_start <<-EOC
	[lnsd]
	metrics = 127.0.0.1:9101
	[ppp]
	ipv6 = yes
	ipv6-prefix-pool = 2001:db8:100::/56
	ipv6-delegation-pool = 2001:db8:4000::/48
	ipv6-delegation-length = 56
	ipv6-dns = 2001:db8::53
	ipv6-domain = example.net
	ipv6-ra-interval = 30
EOC

# the client's kernel takes RAs on the pppN to come (SLAAC)
on client sysctl -qw net.ipv6.conf.default.accept_ra=2 net.ipv6.conf.default.autoconf=1
ip -n client link add dummy0 type dummy
ip -n client link set dummy0 up
lac_xl2tpd -w v6 alice alice-pw +ipv6
ppp=$(ip -n client -o link show | awk -F': ' '$2 ~ /^ppp/ { print $2; exit }')
[ -n "$ppp" ] || fail "no pppN in client"
log "client link $ppp"

# SLAAC from the RA (the kernel's: dhcpcd below does not solicit)
slaac() { ip -n client -6 -o addr show dev "$ppp" scope global | grep -q "inet6 $PFX_NET"; }
wait_for 30 "a global address from the RA on $ppp" slaac
caddr=$(ip -n client -6 -o addr show dev "$ppp" scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
log "client address $caddr"
ip -n client -6 route show default | grep -q "dev $ppp" || fail "no default route from the RA"

# DHCPv6 prefix delegation: a /64 of it on dummy0
cat >"$RUNDIR/dhcpcd.conf" <<-EOC
	ipv6only
	noipv6rs
	nohook resolv.conf
	duid
	allowinterfaces $ppp dummy0
	interface $ppp
	  ia_pd 1 dummy0/1/64
EOC
daemon dhcpcd client dhcpcd -B -d -6 -f "$RUNDIR/dhcpcd.conf"
pd_addr() { ip -n client -6 -o addr show dev dummy0 scope global | grep -q "inet6 $PD_NET"; }
wait_for 40 "a delegated prefix on dummy0" pd_addr
daddr=$(ip -n client -6 -o addr show dev dummy0 scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
log "delegated address $daddr"

# lnsd's side: the session's prefixes, the route for the delegated one
ctl show sessions ifname,ip,ipv6-prefix,ipv6-pd
ctl show sessions -j >"$ART/sessions.json"
lnsif=$(jq -r '.[0].ifname' "$ART/sessions.json")
prefix=$(jq -r '.[0].ipv6_prefix' "$ART/sessions.json")
pd=$(jq -r '.[0].ipv6_pd' "$ART/sessions.json")
log "lnsd: $lnsif prefix $prefix pd $pd"
case $prefix in "$PFX_NET"*/64) ;; *) fail "ipv6-prefix is $prefix" ;; esac
case $pd in "$PD_NET"*/56) ;; *) fail "ipv6-pd is $pd" ;; esac
ip -n lns -6 route show "$pd" | grep -q "dev $lnsif" ||
	{ ip -n lns -6 route; fail "no route for $pd via $lnsif"; }
ip -n lns -6 route show "$prefix" | grep -q "dev $lnsif" || fail "no route for $prefix via $lnsif"

# across: from the SLAAC address and from the delegated one
expect_ping client "$BEHIND" 3
on client ping -c 3 -W 2 -I "$daddr" "$BEHIND" >/dev/null ||
	fail "no ping from the delegated address $daddr"
expect_ping lns "$caddr" 3
log "ping6 across from $caddr and $daddr"

# bad input from the subscriber: dropped and counted, the session unharmed
on client python3 - "$ppp" <<-'EOP'
	import socket, sys
	idx = socket.if_nametoindex(sys.argv[1])
	u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	u.sendto(b"\x01", ("ff02::1:2", 547, 0, idx))             # DHCPv6 under 4 bytes
	r = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
	r.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 64)
	r.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ("ff02::2", 0, 0, idx))  # RS, hop limit 64
EOP
expect_ping client "$BEHIND" 3

on lns curl -s -m 5 "$URL" >"$ART/metrics.txt" || fail "GET $URL"
grep '^lnsd_ipv6' "$ART/metrics.txt"
grep -q '^lnsd_ipv6_pool_used{pool="prefix"} 1$' "$ART/metrics.txt" || fail "prefix pool not 1"
grep -q '^lnsd_ipv6_pool_used{pool="delegation"} 1$' "$ART/metrics.txt" || fail "pd pool not 1"
awk '/^lnsd_ipv6_ra_sent_total/ { exit !($2 >= 1) }' "$ART/metrics.txt" || fail "no RA counted"
grep -q '^lnsd_ipv6_dhcp_dropped_total{reason="short"} 1$' "$ART/metrics.txt" ||
	fail "the short DHCPv6 message was not counted"
grep -q '^lnsd_ipv6_rs_dropped_total{reason="bad-hop-limit"} 1$' "$ART/metrics.txt" ||
	fail "the RS with hop limit 64 was not counted"
awk '/^lnsd_ipv6_dhcp_replies_total/ { exit !($2 >= 2) }' "$ART/metrics.txt" ||
	fail "fewer than 2 DHCPv6 replies counted"

# hangup: route and prefixes released
kill "$DAEMON_PID" 2>/dev/null || true
lac_hangup v6
wait_for 20 "session gone" count_is sessions 0
wait_for 10 "route for $pd gone" sh -c "! ip -n lns -6 route show '$pd' | grep -q ."
wait_for 10 "route for $prefix gone" sh -c "! ip -n lns -6 route show '$prefix' | grep -q ."
on lns curl -s -m 5 "$URL" >"$ART/metrics-after.txt" || fail "GET $URL"
grep -q '^lnsd_ipv6_pool_used{pool="prefix"} 0$' "$ART/metrics-after.txt" ||
	fail "prefix not released"
grep -q '^lnsd_ipv6_pool_used{pool="delegation"} 0$' "$ART/metrics-after.txt" ||
	fail "delegated prefix not released"
lac_stop
log "IPv6: SLAAC /64, delegated prefix routed, ping6 across, released after hangup"
