#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An L2TPv3 Ethernet pseudowire between two lnsd sites protected by ESP
# (docs/design.md §5.6): [pseudowire] ipsec = yes, each site with its own
# charon, lnsd loading one IKEv2 transport connection per pseudowire
# (start_action = trap, static reqid) over VICI:
#
#   lana 10.77.0.1 -- [br0 pw: lnsd A 192.0.2.1] == ESP(L2TP/IP) ==
#                     [192.0.2.2 lnsd B, pw br0] -- lanb 10.77.0.2
#
#  1. both charons up, lnsd B (responder), then lnsd A (initiator): A's
#     first SCCRQ meets its socket's ESP policy, the kernel's ACQUIRE names
#     the trap's reqid, charon negotiates, the pseudowire comes up with the
#     SA installed; ARP and ping across; the capture between the sites holds
#     ESP and not one cleartext L2TP packet (protocol 115, UDP 1701); no
#     data packet read by either lnsd;
#  2. the IKE_SA terminated on A: both lnsd close the connection, A redials,
#     the trap brings a new SA, the pseudowire is up again and carries the
#     LANs' traffic;
#  3. SIGTERM: no kernel tunnel or session, lnsd's connections unloaded;
#     charon stopped: no xfrm state or policy left.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip ping jq awk curl swanctl dumpcap tshark

LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
[ -x "$LNSD" ] || fail "no $LNSD"
PSK=pw-ipsec-vm-psk-5e2b

ns_add lana pwa pwb lanb
link_add pwa eth0 192.0.2.1/24 pwb eth0 192.0.2.2/24
link_add lana eth0 10.77.0.1/24 pwa lan0 -
link_add lanb eth0 10.77.0.2/24 pwb lan0 -
for ns in pwa pwb; do
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" link set lan0 master br0
	ip -n "$ns" link set br0 up
done
# ESP (transport, up to 16 IV + 2 trailer + 16 pad + 16 ICV) on top of L2TP/IP
ip -n lana link set eth0 mtu 1380
ip -n lanb link set eth0 mtu 1380
wait_ping 10 pwa 192.0.2.2

(umask 077 && printf '%s\n' "$PSK" >"$RUNDIR/psk")
charon_start pwa
CHARON_A=$DAEMON_PID
charon_start pwb
CHARON_B=$DAEMON_PID

# site_conf SITE ME PEER ROLE: $ART/SITE.conf
site_conf() {
	local site=$1 me=$2 peer=$3 role=$4
	cat >"$ART/$site.conf" <<-EOC
		[lnsd]
		listen = $me:1701
		control-socket = $RUNDIR/$site.sock
		hostname = site-$site
		dataplane = kernel
		log-level = debug
		metrics = $me:9$([ "$site" = a ] && echo 101 || echo 102)
		[ipsec]
		mode = off
		vici-socket = $RUNDIR/charon-pw$site/charon.vici
		psk-file = $RUNDIR/psk
		[pseudowire office]
		peer = $peer
		local = $me
		encap = ip
		ipsec = yes
		remote-end-id = office-lan
		cookie = 8
		ifname = pw-ip
		bridge = br0
		role = $role
		retry-min = 1
		retry-max = 4
	EOC
}
ctl() { "$LNSCTL" -s "$RUNDIR/$1.sock" "${@:2}"; }
pw_field() { ctl "$1" show pseudowires -j | jq -r ".[0].$2"; }
pw_up() { [ "$(pw_field a state)" = up ] && [ "$(pw_field b state)" = up ]; }
lan_check() {
	ip -n lana neigh flush all
	ip -n lanb neigh flush all
	wait_ping 20 lana 10.77.0.2
	expect_ping lana 10.77.0.2 5
	expect_ping lanb 10.77.0.1 3
	log "ok: $1: the LANs reach each other"
}
sa_installed() { swan pwa --list-sas --ike lnsd-pw-office 2>/dev/null | grep -q 'INSTALLED, TRANSPORT'; }
data_read() { on "$1" curl -s "http://$2/metrics" | grep '^lnsd_l2tpv3_drops_total{reason="data-in-userspace"}'; }

# ---- phase 1: up through the trap ----
site_conf a 192.0.2.1 192.0.2.2 initiator
site_conf b 192.0.2.2 192.0.2.1 responder
capture_start wire pwa eth0
t0=$(date +%s)
daemon lnsd-b pwb "$LNSD" -f -c "$ART/b.conf"
PID_B=$DAEMON_PID
wait_log 30 "$ART/lnsd-b.log" 'charon loaded lnsd-pw-office'
daemon lnsd-a pwa "$LNSD" -f -c "$ART/a.conf"
PID_A=$DAEMON_PID
wait_for 90 "pseudowire up on both sites (ESP)" pw_up
log "pseudowire up $(($(date +%s) - t0)) s after lnsd B's start"
sa_installed || fail "pseudowire up without an installed transport SA on A"
swan pwa --list-sas | tee "$ART/sas-a.txt"
swan pwa --list-conns | tee "$ART/conns-a.txt"
grep -q 'lnsd-pw-office: IKEv2' "$ART/conns-a.txt" || fail "charon A has no lnsd-pw-office"
grep -q 'TRAP\|trap' "$ART/conns-a.txt" || log "note: list-conns does not show the trap"
on pwa ip xfrm policy | tee "$ART/policy-a.txt"
on pwa ip xfrm state | tee "$ART/state-a.txt"
grep -q 'proto esp .*reqid 65536 mode transport' "$ART/state-a.txt" || fail "no ESP state with reqid 65536 on A"
ip -n pwa l2tp show tunnel | grep -q 'IP' || fail "the kernel tunnel is not IP"
lan_check "ESP, first SA"
data_read pwa 192.0.2.1:9101 | grep -q ' 0$' || fail "site A read data packets"
data_read pwb 192.0.2.2:9102 | grep -q ' 0$' || fail "site B read data packets"
log "ok: no data packet read by either lnsd"

# ---- phase 2: the IKE_SA goes, the pseudowire goes and comes back ----
ups_a=$(grep -c 'pseudowire office: pw-ip up' "$ART/lnsd-a.log")
swan pwa --terminate --ike lnsd-pw-office --timeout 30 >"$ART/terminate.log" 2>&1 || true
# Each site closes the connection on its own SA event, or on the StopCCN of
# the site whose event came first (then its own event finds nothing open).
sa_close='pseudowire office: its .* went down: closing L2TPv3 connection'
closed="$sa_close|L2TPv3 connection [0-9/]+ (to|from) [^ ]+ \\(ip\\): established -> closing"
wait_log 30 "$ART/lnsd-a.log" "$closed"
wait_log 30 "$ART/lnsd-b.log" "$closed"
grep -qE "$sa_close" "$ART/lnsd-a.log" "$ART/lnsd-b.log" ||
	fail "neither site closed the connection on its SA event"
log "ok: the SA's end closed the pseudowire on both sites"
up_again() { [ "$(grep -c 'pseudowire office: pw-ip up' "$ART/lnsd-a.log")" -gt "$ups_a" ] && pw_up; }
wait_for 120 "pseudowire up again (redial, new SA)" up_again
sa_installed || fail "pseudowire up again without an installed SA"
lan_check "ESP, after the IKE_SA was terminated"
data_read pwa 192.0.2.1:9101 | grep -q ' 0$' || fail "site A read data packets"
data_read pwb 192.0.2.2:9102 | grep -q ' 0$' || fail "site B read data packets"
capture_stop

# ---- the wire: ESP only ----
esp=$(tshark -r "$ART/wire.pcap" -Y esp 2>/dev/null | wc -l)
clear=$(tshark -r "$ART/wire.pcap" -Y 'ip.proto == 115 || udp.port == 1701 || l2tp' 2>/dev/null | wc -l)
log "capture between the sites: $esp ESP packets, $clear cleartext L2TP packets"
[ "$esp" -gt 20 ] || fail "only $esp ESP packets on the wire"
[ "$clear" = 0 ] || { tshark -r "$ART/wire.pcap" -Y 'ip.proto == 115 || udp.port == 1701' | head; fail "cleartext L2TP on the wire"; }
on pwa cat /proc/net/xfrm_stat | tee "$ART/xfrm_stat-a.txt"

# ---- shutdown ----
kill -TERM "$PID_A" "$PID_B"
wait "$PID_A" || fail "lnsd A exited with $?"
wait "$PID_B" || fail "lnsd B exited with $?"
[ -z "$(ip -n pwa l2tp show tunnel)" ] || fail "site A: a kernel tunnel is left"
[ -z "$(ip -n pwb l2tp show session)" ] || fail "site B: a kernel session is left"
log "ok: no kernel tunnel or session left"
sleep 1
swan pwa --list-conns | tee "$ART/conns-a-after.txt"
grep -q lnsd-pw-office "$ART/conns-a-after.txt" && fail "lnsd A left its connection in charon"
log "ok: lnsd unloaded its connection"
kill -TERM "$CHARON_A" "$CHARON_B"
wait "$CHARON_A" 2>/dev/null || true
wait "$CHARON_B" 2>/dev/null || true
for ns in pwa pwb; do
	[ -z "$(on $ns ip xfrm state)" ] || fail "$ns: xfrm state left: $(on $ns ip xfrm state)"
	[ -z "$(on $ns ip xfrm policy)" ] || fail "$ns: xfrm policy left: $(on $ns ip xfrm policy)"
done
log "ok: no xfrm state or policy left"
