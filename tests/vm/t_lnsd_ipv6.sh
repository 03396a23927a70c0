#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPv6 for subscribers (docs/design.md §9.6) with the kernel data plane:
# two xl2tpd + pppd `+ipv6` LACs in `client`, lnsd with [ppp]
# ipv6-prefix-pool and ipv6-delegation-pool in `lns`, authenticating with
# Debian's FreeRADIUS (-X, loopback; started first: it loads slowly). alice
# has no IPv6 attributes: her /64 and delegated /56 come from the pools; bob's
# Access-Accept carries Framed-IPv6-Prefix 2001:db8:200:1::/64 and
# Delegated-IPv6-Prefix 2001:db8:5000::/56. The client's kernel autoconfigures
# an address from lnsd's Router Advertisements (SLAAC) on both pppN; one dhcpcd
# asks for a delegated prefix (IA_PD) on each and puts a /64 of it on dummy0
# (alice) and dummy1 (bob); lnsd routes the delegated prefixes via pppN. Pings
# across from every address to an address behind lnsd; lnsctl and /metrics
# show the prefixes; FreeRADIUS's detail file has both prefixes in the Starts
# (and bob's Stop). Malformed DHCPv6 messages and Router Solicitations from
# alice are dropped and counted while bob pings without a loss; after the
# hangups the routes are gone and the pools are empty again.
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"
require dhcpcd curl freeradius python3

PFX_NET=2001:db8:100:      # ipv6-prefix-pool 2001:db8:100::/56: a /64 each
PD_NET=2001:db8:40         # ipv6-delegation-pool 2001:db8:4000::/48: /56 each
BEHIND=2001:db8:ffff::1    # on lns's lo: "a host behind lnsd"
URL=http://127.0.0.1:9101/metrics
B_PFX=2001:db8:200:1::/64  # bob's Framed-IPv6-Prefix
B_PD=2001:db8:5000::/56    # bob's Delegated-IPv6-Prefix

topo_pair
on lns sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n lns addr add "$BEHIND/128" dev lo
ip -n lns link set lo up

# FreeRADIUS (lnsd-lib.sh's fr_start), started now: it loads while lnsd and
# the client namespace are set up.
fr_start <<-EOC
	alice	Cleartext-Password := "alice-pw"
	bob	Cleartext-Password := "bob-pw"
	    Framed-IPv6-Prefix = $B_PFX,
	    Delegated-IPv6-Prefix = $B_PD
	EOC

lnsd_start <<-EOC
	[lnsd]
	metrics = 127.0.0.1:9101
	[radius]
	server = 127.0.0.1,testing123
	accounting = yes
	timeout = 3
	retries = 1
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
for d in dummy0 dummy1; do
	ip -n client link add $d type dummy
	ip -n client link set $d up
done
fr_ready
# ppp_of ADDR: the client's pppN that has IPv4 address ADDR.
ppp_of() { ip -n client -4 -o addr show | awk -v a="$1" '$2 ~ /^ppp/ && ($4 == a || index($4, a "/") == 1) { print $2; exit }'; }
lac_xl2tpd -w v6 alice alice-pw +ipv6
alice_pid=$LAC_PID
ppp=$(ppp_of "$LAC_PPP_IP")
lac_xl2tpd -w -g "port = 1702" v6b bob bob-pw +ipv6
bob_pid=$LAC_PID
ppp2=$(ppp_of "$LAC_PPP_IP")
[ -n "$ppp" ] && [ -n "$ppp2" ] || fail "no pppN in client"
log "client links: alice $ppp, bob $ppp2"

# SLAAC from the RA (the kernel's: dhcpcd below does not solicit)
gaddr() { ip -n client -6 -o addr show dev "$1" scope global | awk -v n="$2" '{ split($4, a, "/") } index(a[1], n) == 1 { print a[1]; exit }'; }
slaac() { [ -n "$(gaddr "$@")" ]; }
wait_for 30 "a global address from the RA on $ppp" slaac "$ppp" "$PFX_NET"
wait_for 30 "an address in $B_PFX from the RA on $ppp2" slaac "$ppp2" 2001:db8:200:1:
caddr=$(gaddr "$ppp" "$PFX_NET")
baddr=$(gaddr "$ppp2" 2001:db8:200:1:)
log "client addresses: alice $caddr, bob $baddr"
for p in "$ppp" "$ppp2"; do
	ip -n client -6 route show default | grep -q "dev $p" || fail "no default route from the RA on $p"
done

# DHCPv6 prefix delegation: a /64 of it on dummy0
cat >"$RUNDIR/dhcpcd.conf" <<-EOC
	ipv6only
	noipv6rs
	nohook resolv.conf
	duid
	allowinterfaces $ppp $ppp2 dummy0 dummy1
	interface $ppp
	  ia_pd 1 dummy0/1/64
	interface $ppp2
	  ia_pd 2 dummy1/1/64
EOC
daemon dhcpcd client dhcpcd -B -d -6 -f "$RUNDIR/dhcpcd.conf"
wait_for 40 "a delegated prefix on dummy0" slaac dummy0 "$PD_NET"
wait_for 40 "bob's delegated prefix $B_PD on dummy1" slaac dummy1 2001:db8:5000:
daddr=$(gaddr dummy0 "$PD_NET")
bdaddr=$(gaddr dummy1 2001:db8:5000:)
log "delegated addresses: alice $daddr, bob $bdaddr"

# lnsd's side: the session's prefixes, the route for the delegated one
ctl show sessions username,ifname,ip,ipv6-prefix,ipv6-pd
ctl show sessions -j >"$ART/sessions.json"
sess() { jq -r --arg u "$1" ".[] | select(.username == \$u) | .$2" "$ART/sessions.json"; }
lnsif=$(sess alice ifname)
prefix=$(sess alice ipv6_prefix)
pd=$(sess alice ipv6_pd)
lnsif2=$(sess bob ifname)
[ "$(sess bob ipv6_prefix)" = "$B_PFX" ] || fail "bob's ipv6-prefix is $(sess bob ipv6_prefix), not $B_PFX"
[ "$(sess bob ipv6_pd)" = "$B_PD" ] || fail "bob's ipv6-pd is $(sess bob ipv6_pd), not $B_PD"
ip -n lns -6 route show "$B_PD" | grep -q "dev $lnsif2" || fail "no route for $B_PD via $lnsif2"
ip -n lns -6 route show "$B_PFX" | grep -q "dev $lnsif2" || fail "no route for $B_PFX via $lnsif2"
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
on client ping -c 3 -i 0.2 -W 2 -I "$ppp2" "$BEHIND" >/dev/null || fail "no ping from bob's $ppp2"
on client ping -c 3 -i 0.2 -W 2 -I "$bdaddr" "$BEHIND" >/dev/null ||
	fail "no ping from bob's delegated address $bdaddr"
expect_ping lns "$baddr" 3
log "ping6 across from $caddr, $daddr, $baddr and $bdaddr"

# FreeRADIUS's accounting: the prefixes in the Starts
wait_for 20 "Start for bob" has_record bob Start
record bob Start | tee "$ART/start-bob.txt"
grep -q "Framed-IPv6-Prefix = $B_PFX" "$ART/start-bob.txt" || fail "no Framed-IPv6-Prefix in bob's Start"
grep -q "Delegated-IPv6-Prefix = $B_PD" "$ART/start-bob.txt" || fail "no Delegated-IPv6-Prefix in bob's Start"
record alice Start >"$ART/start-alice.txt"
grep -q "Framed-IPv6-Prefix = $prefix" "$ART/start-alice.txt" || fail "no Framed-IPv6-Prefix in alice's Start"
grep -q "Delegated-IPv6-Prefix = $pd" "$ART/start-alice.txt" || fail "no Delegated-IPv6-Prefix in alice's Start"

# bad input from alice, N of each kind: dropped and counted, her session
# unharmed, and bob's pings (every 0.2 s meanwhile) all answered
N=20
on client ping -c 25 -i 0.2 -W 2 -I "$ppp2" "$BEHIND" >"$ART/ping-bob.txt" 2>&1 &
ping_pid=$!
sleep 1
on client python3 - "$ppp" "$N" <<-'EOP'
	import socket, sys, time
	idx, n = socket.if_nametoindex(sys.argv[1]), int(sys.argv[2])
	u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	r = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
	dhcp = [b"\x01",                                      # under 4 bytes
		b"\x01\x00\x00\x01\x00\x01\x00\x40\x00",            # Client ID past the end
		b"\x01\x00\x00\x01\x00\x08\x00\x02\x00\x00"]        # Solicit without Client ID
	rs = [(64, bytes([133, 0, 0, 0, 0, 0, 0, 0])),        # hop limit 64
	      (255, bytes([133, 1, 0, 0, 0, 0, 0, 0])),       # code 1
	      (255, bytes([133, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]))]  # option length 0
	for _ in range(n):
	    for m in dhcp:
	        u.sendto(m, ("ff02::1:2", 547, 0, idx))
	    for hops, m in rs:
	        r.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
	        r.sendto(m, ("ff02::2", 0, 0, idx))
	    time.sleep(0.1)
EOP
wait "$ping_pid" || { cat "$ART/ping-bob.txt"; fail "bob's ping during alice's bad input failed"; }
tail -n 2 "$ART/ping-bob.txt"
grep -q " 25 received, 0% packet loss" "$ART/ping-bob.txt" ||
	fail "bob's ping lost packets during alice's bad input"
expect_ping client "$BEHIND" 3
on client ping -c 3 -i 0.2 -W 2 -I "$ppp" "$BEHIND" >/dev/null || fail "alice's $ppp lost after the bad input"

on lns curl -s -m 5 "$URL" >"$ART/metrics.txt" || fail "GET $URL"
grep '^lnsd_ipv6' "$ART/metrics.txt"
grep -q '^lnsd_ipv6_pool_used{pool="prefix"} 1$' "$ART/metrics.txt" || fail "prefix pool not 1"
grep -q '^lnsd_ipv6_pool_used{pool="delegation"} 1$' "$ART/metrics.txt" || fail "pd pool not 1"
awk '/^lnsd_ipv6_ra_sent_total/ { exit !($2 >= 1) }' "$ART/metrics.txt" || fail "no RA counted"
for r in dhcp:short dhcp:bad-option dhcp:no-client-id rs:bad-hop-limit rs:bad-code rs:bad-option; do
	grep -q "^lnsd_ipv6_${r%%:*}_dropped_total{reason=\"${r#*:}\"} $N\$" "$ART/metrics.txt" ||
		fail "not $N ${r%%:*} drops counted as ${r#*:}"
done
awk '/^lnsd_ipv6_dhcp_replies_total/ { exit !($2 >= 2) }' "$ART/metrics.txt" ||
	fail "fewer than 2 DHCPv6 replies counted"

# hangup: bob's Stop has his prefixes, routes and pool prefixes released
kill "$DAEMON_PID" 2>/dev/null || true
lac_hangup v6b
wait_for 20 "bob's session gone" count_is sessions 1
wait_for 20 "Stop for bob" has_record bob Stop
record bob Stop | tee "$ART/stop-bob.txt"
grep -q "Framed-IPv6-Prefix = $B_PFX" "$ART/stop-bob.txt" || fail "no Framed-IPv6-Prefix in bob's Stop"
grep -q "Delegated-IPv6-Prefix = $B_PD" "$ART/stop-bob.txt" || fail "no Delegated-IPv6-Prefix in bob's Stop"
wait_for 10 "route for $B_PD gone" sh -c "! ip -n lns -6 route show '$B_PD' | grep -q ."
lac_stop "$bob_pid"
lac_hangup v6
wait_for 20 "session gone" count_is sessions 0
wait_for 10 "route for $pd gone" sh -c "! ip -n lns -6 route show '$pd' | grep -q ."
wait_for 10 "route for $prefix gone" sh -c "! ip -n lns -6 route show '$prefix' | grep -q ."
on lns curl -s -m 5 "$URL" >"$ART/metrics-after.txt" || fail "GET $URL"
grep -q '^lnsd_ipv6_pool_used{pool="prefix"} 0$' "$ART/metrics-after.txt" ||
	fail "prefix not released"
grep -q '^lnsd_ipv6_pool_used{pool="delegation"} 0$' "$ART/metrics-after.txt" ||
	fail "delegated prefix not released"
lac_stop "$alice_pid"
log "IPv6: SLAAC /64s and delegated prefixes from the pools and from RADIUS, routed, in accounting; ping6 across; bad input counted; released after hangup"
