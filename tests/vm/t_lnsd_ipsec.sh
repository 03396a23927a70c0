#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# L2TP/IPsec end to end through lnsd: a Linux client behind a masquerading
# NAT (charon via swanctl, IKEv1 PSK transport mode, xl2tpd + pppd kernel
# mode) dials lnsd, whose [ipsec] section makes it load the connection and
# the PSK into the server's otherwise empty charon over VICI.
# Asserts: ping through the ppp link; on the nat<->lns link only UDP 500 and
# 4500 with ESP inside UDP, no cleartext UDP 1701; lnsctl shows the tunnel's
# IKE/CHILD ids, NAT-T and cipher; a cleartext SCCRQ from another host gets
# no answer and the drop counter moves; deleting the IKE SA on the client
# tears the tunnel down in lnsd; a wrong PSK gets no SA and no tunnel.
# MTU ([ppp] mtu = auto): the session's MTU is the path MTU less IPv4, UDP
# 4500, ESP (AES-CBC IV, padding, SHA1-96 ICV), UDP, L2TP and PPP, on pppN
# and on the client's ppp; a DF ping of that size passes both ways without
# fragments on the outer link, one byte more is refused locally, and with
# the client's MTU one byte larger the ESP packet no longer fits; a TCP SYN
# forwarded to the client arrives with its MSS clamped to the MTU - 40.
set -eu
# shellcheck source=tests/vm/ipsec-lib.sh
. "$(dirname "$0")/ipsec-lib.sh"

topo_nat
# `plain`: a host that talks L2TP to the LNS without IPsec.
ns_add plain
link_add plain eth0 203.0.113.2/24 lns eth1 203.0.113.1/24
route_add plain default 203.0.113.1
expect_ping client "$LNS_IP" 2
expect_ping plain "$LNS_IP" 1

capture_start outer lns eth0
lns_start
charon_start client

# --- (a) a Linux client: IKE, then L2TP + PPP over the SA; ping ---
client_conf linux aes256-sha256-modp2048 aes256-sha1
client_ike linux
client_l2tp linux
wait_ping 15 client 10.64.0.1
expect_ping client 10.64.0.1 5
expect_ping lns "$CLIENT_PPP_IP" 5
ctl show tunnels
ctl show tunnels -j >"$ART/tunnels.json"
[ "$(jq length "$ART/tunnels.json")" = 1 ] || fail "lnsd does not show exactly one tunnel"
swan lns --list-sas | tee "$ART/lns-sas.txt"
grep -q 'INSTALLED, TRANSPORT-in-UDP' "$ART/lns-sas.txt" ||
	fail "no UDP-encapsulated transport-mode CHILD_SA on the LNS"
jq -e '.[0].ipsec | (.ike_id | tostring | length > 0) and (.child_id | tostring | length > 0)
	and .natt == true and (.cipher | test("AES"; "i"))' "$ART/tunnels.json" >/dev/null ||
	{ cat "$ART/tunnels.json"; fail "lnsctl show tunnels -j has no ipsec {ike_id, child_id, natt: true, cipher}"; }
ike_id=$(jq -r '.[0].ipsec.ike_id' "$ART/tunnels.json")
grep -qE "^lnsd[^:]*: #$ike_id, ESTABLISHED" "$ART/lns-sas.txt" ||
	fail "the tunnel's ike_id $ike_id is not an ESTABLISHED IKE SA in charon"

# --- (b) the outer link: IKE and ESP in UDP only ---
sleep 0.5
capture_stop
tshark -n -r "$ART/outer.pcap" -Y ip -T fields -e ip.src -e ip.dst -e ip.proto \
	-e udp.srcport -e udp.dstport -e esp.spi >"$ART/outer-ip.txt" 2>/dev/null
awk -F'\t' '{ print $3 "/" $4 "->" $5 (($6 != "") ? " esp" : "") }' "$ART/outer-ip.txt" |
	sort | uniq -c | tee "$ART/outer-summary.txt"
other=$(awk -F'\t' '!($3 == 17 && ($4 == 500 || $4 == 4500) && ($5 == 500 || $5 == 4500))' "$ART/outer-ip.txt" | wc -l)
[ "$other" -eq 0 ] || fail "$other IP packets on the outer link are not UDP 500/4500 (see outer-summary.txt)"
clear=$(awk -F'\t' '$4 == 1701 || $5 == 1701' "$ART/outer-ip.txt" | wc -l)
[ "$clear" -eq 0 ] || fail "$clear cleartext UDP 1701 packets on the outer link"
to_lns=$(awk -F'\t' '$6 != "" && $2 == "'"$LNS_IP"'" && $5 == 4500' "$ART/outer-ip.txt" | wc -l)
from_lns=$(awk -F'\t' '$6 != "" && $1 == "'"$LNS_IP"'" && $4 == 4500' "$ART/outer-ip.txt" | wc -l)
log "ESP-in-UDP/4500 on the outer link: $to_lns packets to the LNS, $from_lns from it"
[ "$to_lns" -ge 10 ] || fail "only $to_lns ESP-in-UDP packets to the LNS (10 pings + L2TP/PPP setup)"
[ "$from_lns" -ge 10 ] || fail "only $from_lns ESP-in-UDP packets from the LNS"
log "ok: only UDP 500/4500 on the outer link, ESP in UDP, no cleartext L2TP"

# --- (b2) [ppp] mtu = auto over ESP with NAT-T; the MSS clamp ---
ctl show sessions -j >"$ART/sessions.json"
mtu=$(jq '.[0].mtu' "$ART/sessions.json")
ifn=$(jq -r '.[0].ifname' "$ART/sessions.json")
seq=$(jq '.[0].seq_required' "$ART/sessions.json")
cipher=$(jq -r '.[0].ipsec.cipher' "$ART/tunnels.json")
case $cipher in
AES_CBC-*/HMAC_SHA1_96) iv=16 blk=16 icv=12 ;;   # RFC 3602, RFC 2404
*) fail "the test expects AES-CBC with HMAC-SHA1-96, charon chose $cipher" ;;
esac
pmtu=$(link_mtu lns 198.51.100.1)
inner=$((8 + 6 + 4))                         # UDP, L2TP data header, PPP (FF03 + protocol)
[ "$seq" = false ] || inner=$((inner + 4))   # Ns/Nr
room=$((pmtu - 20 - 8 - 8 - iv - icv))        # IPv4, UDP 4500, SPI + seq, IV, ICV
want=$((room / blk * blk - 2 - inner))
want_nonatt=$(((room + 8) / blk * blk - 2 - inner))
log "mtu: lnsd $mtu on $ifn, expected $want (path $pmtu, $cipher, NAT-T; without NAT-T it would be $want_nonatt)"
[ "$mtu" = "$want" ] || fail "show sessions: mtu $mtu, expected $want"
[ "$(if_mtu lns "$ifn")" = "$want" ] || fail "$ifn has MTU $(if_mtu lns "$ifn"), expected $want"
how=$(grep -oE "mtu $want on $ifn \(auto: path $pmtu( \(socket [0-9]+\))?, IPv4(, sequencing)?, ESP \"$cipher\", NAT-T\)" "$ART/lnsd.log") ||
	fail "lnsd did not log how it found mtu $want"
# The connected socket's IP_MTU is the kernel's own ESP sizing (esp4_get_mtu():
# the largest IP packet before ESP): less IPv4 and the inner headers it must be ours.
ksock=$(echo "$how" | sed -n 's/.*(socket \([0-9]*\)).*/\1/p')
log "the IP_MTU of the tunnel socket: ${ksock:-that of the route, no ESP bundle yet}"
[ -z "$ksock" ] || [ $((ksock - 20 - inner)) = "$want" ] ||
	fail "the kernel's ESP sizing ($ksock - 20 - $inner) disagrees with lnsd's $want"
cif=$(ip -n client -4 -o addr show | awk -v a="$CLIENT_PPP_IP" '$4 == a || $4 ~ "^"a"/" { print $2 }')
[ "$(if_mtu client "$cif")" = "$want" ] || fail "the client's $cif has MTU $(if_mtu client "$cif"), expected $want"
# frags NS: the namespace's FragOKs (IPv4 datagrams it fragmented).
frags() { on "$1" awk '$1 == "Ip:" { if (!c) { for (i = 2; i <= NF; i++) if ($i == "FragOKs") c = i } else print $c }' /proc/net/snmp; }
fc0=$(frags client)
fl0=$(frags lns)
on client ping -c 2 -W 3 -M do -s $((want - 28)) 10.64.0.1 >"$ART/ping-df.txt" ||
	fail "a DF ping of $want bytes from the client did not pass"
on lns ping -c 2 -W 3 -M do -s $((want - 28)) "$CLIENT_PPP_IP" >>"$ART/ping-df.txt" ||
	fail "a DF ping of $want bytes from the LNS did not pass"
[ "$(frags client)" = "$fc0" ] && [ "$(frags lns)" = "$fl0" ] ||
	fail "packets of $want bytes were fragmented on the outer link (FragOKs client $fc0 -> $(frags client), lns $fl0 -> $(frags lns))"
if on client ping -c 1 -W 3 -M do -s $((want - 27)) 10.64.0.1 >"$ART/ping-df1.txt" 2>&1; then
	fail "a DF ping one byte over the MTU passed"
fi
cat "$ART/ping-df1.txt"
grep -q "message too long, mtu=$want" "$ART/ping-df1.txt" || fail "no local EMSGSIZE for one byte over the MTU"
# One byte more on the client's link: the ESP packet no longer fits the path.
ip -n client link set "$cif" mtu $((want + 1))
on client ping -c 1 -W 3 -M do -s $((want - 27)) 10.64.0.1 >"$ART/ping-over.txt" 2>&1 && over=passed || over=lost
ip -n client link set "$cif" mtu "$want"
log "one byte over on the client's link: ping $over, client FragOKs $fc0 -> $(frags client)"
[ "$(frags client)" -gt "$fc0" ] || [ "$over" = lost ] ||
	fail "$((want + 1)) bytes fit the path unfragmented: the computed MTU is not the largest"
log "ok: mtu $want fits the path exactly (DF both ways, no fragments; one byte more does not)"
# A SYN from `plain` (MSS 1460 on its 1500-byte link) forwarded out of pppN.
capture_start mss client "$cif" "tcp port 5001"
on plain python3 -c 'import socket, sys
s = socket.socket(); s.settimeout(2)
try: s.connect((sys.argv[1], 5001))
except OSError: pass' "$CLIENT_PPP_IP"
sleep 0.5
capture_stop
mss=$(tshark -n -r "$ART/mss.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e tcp.options.mss_val | sort -u)
log "MSS of the SYN from plain on the client's $cif: $mss (route MTU $want - 40 = $((want - 40)))"
[ "$mss" = $((want - 40)) ] || fail "the forwarded SYN's MSS is '$mss', not $((want - 40))"
log "ok: TCP MSS clamped to $((want - 40)) on the way into the PPP link"

# --- (c) cleartext L2TP from `plain`: no answer, the drop counter moves ---
cat >"$ART/sccrq.py" <<'EOP'
# A cleartext L2TPv2 SCCRQ to ADDR:1701; exit 0 if nothing answers.
import socket, struct, sys

def avp(attr, value):
    return struct.pack("!HHH", 0x8000 | (6 + len(value)), 0, attr) + value

avps = (avp(0, struct.pack("!H", 1)) + avp(2, b"\x01\x00") +
        avp(3, struct.pack("!I", 3)) + avp(7, b"plain") +
        avp(9, struct.pack("!H", 4242)))
msg = struct.pack("!HHHHHH", 0xc802, 12 + len(avps), 0, 0, 0, 0) + avps
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 1701))
s.settimeout(2)
for i in range(3):
    s.sendto(msg, (sys.argv[1], 1701))
    try:
        data, peer = s.recvfrom(4096)
    except socket.timeout:
        continue
    sys.exit("answered by %s:%d: %s" % (peer[0], peer[1], data.hex()))
print("3 SCCRQs sent, no answer")
EOP
mismatch() { on lns awk '$1 == "XfrmInTmplMismatch" {print $2}' /proc/net/xfrm_stat; }
m0=$(mismatch)
ctl show stats -j >"$ART/stats0.json"
on plain python3 "$ART/sccrq.py" "$LNS_IP" || fail "lnsd answered a cleartext SCCRQ"
m1=$(mismatch)
log "XfrmInTmplMismatch in lns: $m0 -> $m1"
[ "$m1" -ge $((m0 + 3)) ] || fail "the kernel did not count the 3 cleartext SCCRQs as XfrmInTmplMismatch"
ctl show stats >"$ART/stats1.txt"
ctl show stats -j >"$ART/stats1.json"
[ "$(jq .xfrm_in_tmpl_mismatch "$ART/stats1.json")" = "$m1" ] ||
	fail "lnsctl show stats -j: xfrm_in_tmpl_mismatch is not the kernel's $m1"
grep "xfrm_in_tmpl_mismatch: $m1\$" "$ART/stats1.txt" ||
	fail "lnsctl show stats does not show xfrm_in_tmpl_mismatch: $m1"
[ "$(ctl show tunnels -j | jq length)" = 1 ] || fail "the cleartext SCCRQ changed lnsd's tunnels"
grep -q '203\.0\.113\.2' "$ART/lnsd.log" && fail "lnsd saw the cleartext peer 203.0.113.2"
expect_ping client 10.64.0.1 2
log "ok: cleartext L2TP dropped by the kernel, counted, the IPsec client unaffected"

# --- (d) the client deletes its IKE SA: lnsd tears the tunnel down ---
swan client --terminate --ike linux --timeout 20 || fail "swanctl --terminate --ike linux"
wait_count 30 tunnels 0 "tunnel gone in lnsd after the IKE SA was deleted"
wait_for 10 "kernel tunnel gone in lns" no_kernel_tunnel
grep -iE 'tunnel [0-9]+: .*(IKE_SA|CHILD_SA).*down' "$ART/lnsd.log" ||
	fail "lnsd logged nothing about the CHILD_SA going down"
lac_stop
log "ok: deleting the IKE SA on the client tore the L2TP tunnel down in lnsd"

# --- (e) a wrong PSK: no SA, no tunnel, a clear log line ---
client_conf badpsk aes256-sha256-modp2048 aes256-sha1 not-the-psk
swan_load client "$ART/client-badpsk.swanctl.conf" --clear
if swan client --initiate --child badpsk --timeout 15 >"$ART/initiate-badpsk.log" 2>&1; then
	fail "the client got an SA with a wrong PSK"
fi
tail -n 5 "$ART/initiate-badpsk.log"
swan lns --list-sas >"$ART/lns-sas-badpsk.txt"
grep -q ESTABLISHED "$ART/lns-sas-badpsk.txt" && fail "the LNS has an IKE SA after a wrong PSK"
[ "$(ctl show tunnels -j | jq length)" = 0 ] || fail "lnsd has a tunnel after a wrong PSK"
grep -E 'integrity check failed|decryption failed|authentication.*failed|pre-shared key' \
	"$ART/charon-lns.log" | tail -n 3 || fail "the server's charon logged nothing about the wrong PSK"
kill -0 "$LNSD_PID" || fail "lnsd died"
log "ok: wrong PSK refused, no SA, no tunnel"
