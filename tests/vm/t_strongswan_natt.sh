#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Proof: strongSwan IKEv1 PSK transport mode for L2TP (UDP 1701) between a
# client behind a masquerading NAT and the LNS, each namespace with its own
# charon (own strongswan.conf, own /run for pid file and VICI socket).
# Asserts: the CHILD_SA comes up in transport mode with UDP encapsulation,
# a UDP 1701 datagram and its answer cross, and a capture on the outer link
# (nat <-> lns) shows ESP-in-UDP on port 4500 both ways and no cleartext
# UDP 1701.
# The LNS side listens the way lnsd does in [ipsec] mode = required: a socket
# with kg_xfrm's per-socket ESP policies. The LNS child has a static reqid
# (1701) and charon installs its SAs with it; a socket whose outbound
# template has reqid 0 receives through the SA but cannot answer (EAGAIN),
# the socket with reqid 1701 answers, and cleartext from the NAT box to the
# protected socket is dropped (XfrmInTmplMismatch moves).
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip nft swanctl dumpcap tshark python3 unshare
kgx="$LNSD_BUILD_DIR/tools/kgxfrm"
[ -x "$kgx" ] || fail "$kgx not built"
reqid=1701

topo_nat
# The LNS cannot reach 10.10.0.0/24: traffic must come through the NAT.
expect_ping client 198.51.100.2 2

psk=lnsd-vm-test-psk

cat >"$ART/strongswan-lns.swanctl.conf" <<EOC
connections {
	l2tp {
		version = 1
		local_addrs = 198.51.100.2
		remote_addrs = %any
		proposals = aes256-sha256-modp2048,aes128-sha1-modp2048
		aggressive = no
		encap = no
		unique = never
		rekey_time = 0s
		reauth_time = 0s
		local {
			auth = psk
		}
		remote {
			auth = psk
		}
		children {
			l2tp {
				mode = transport
				local_ts = dynamic[udp/1701]
				remote_ts = dynamic[udp]
				esp_proposals = aes256-sha1,aes128-sha1
				rekey_time = 0s
				start_action = none
				reqid = $reqid
			}
		}
	}
}
secrets {
	ike-any {
		secret = "$psk"
	}
}
EOC
cat >"$ART/strongswan-client.swanctl.conf" <<EOC
connections {
	l2tp {
		version = 1
		local_addrs = 10.10.0.2
		remote_addrs = 198.51.100.2
		proposals = aes256-sha256-modp2048
		local {
			auth = psk
		}
		remote {
			auth = psk
			id = 198.51.100.2
		}
		children {
			l2tp {
				mode = transport
				local_ts = dynamic[udp/1701]
				remote_ts = dynamic[udp/1701]
				esp_proposals = aes256-sha1
				start_action = none
			}
		}
	}
}
secrets {
	ike-lns {
		id = 198.51.100.2
		secret = "$psk"
	}
}
EOC

capture_start outer lns eth0
charon_start lns
charon_start client
swan_load lns "$ART/strongswan-lns.swanctl.conf"
swan_load client "$ART/strongswan-client.swanctl.conf"
swan lns --list-conns | grep -q '^l2tp:' || fail "connection l2tp not loaded on the LNS"
swan client --list-conns | grep -q '^l2tp:' || fail "connection l2tp not loaded on the client"

swan client --initiate --child l2tp --timeout 30 >"$ART/initiate.log" 2>&1 ||
	{ cat "$ART/initiate.log"; fail "swanctl --initiate failed"; }
swan lns --list-sas | tee "$ART/lns-sas.txt"
grep -q 'INSTALLED, TRANSPORT' "$ART/lns-sas.txt" || fail "no transport-mode CHILD_SA on the LNS"
grep -q 'TRANSPORT-in-UDP' "$ART/lns-sas.txt" || fail "the CHILD_SA on the LNS is not UDP-encapsulated (NAT not detected)"
on lns ip xfrm state | tee "$ART/lns-xfrm-state.txt" | grep -q 'encap type espinudp' ||
	fail "no espinudp xfrm state in the LNS kernel"

grep -q "reqid $reqid" "$ART/lns-xfrm-state.txt" ||
	fail "charon did not install the LNS SAs with the static reqid $reqid"
log "ok: the LNS SAs carry the static reqid $reqid"

# One L2TP-port datagram from the client through the SA; the LNS answers
# from a kg_xfrm-protected socket.
cat >"$ART/udp1701.py" <<'EOP'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[4] if len(sys.argv) > 4 else "0.0.0.0", 1701))
s.settimeout(3)
for _ in range(int(sys.argv[3])):
    s.sendto(sys.argv[2].encode(), (sys.argv[1], 1701))
    try:
        data, peer = s.recvfrom(2048)
        print("client got %r from %s:%d" % (data, peer[0], peer[1]))
        break
    except socket.timeout:
        continue
else:
    sys.exit("client: no answer")
EOP
xstat() { on lns cat /proc/net/xfrm_stat | awk -v k="$1" '$1 == k {print $2}'; }

# (a) Outbound template reqid 0: the datagram arrives (inbound reqid 0
# accepts any SA) but the answer finds no SA of reqid 0. (The socket must
# outlive the client's tries: a datagram to a closed port draws an ICMP port
# unreachable that quotes it in the clear.)
daemon lns-tmpl0 lns "$kgx" recv -r -q 0 0.0.0.0 1701 60
wait_log 10 "$ART/lns-tmpl0.log" '^ready with policy'
on client python3 "$ART/udp1701.py" 198.51.100.2 ping-tmpl0 2 &&
	fail "a reqid-0 template answered through charon's reqid-$reqid SA"
wait_log 5 "$ART/lns-tmpl0.log" '^recv .* ping-tmpl0'
grep -q '^reply EAGAIN' "$ART/lns-tmpl0.log" ||
	fail "the reqid-0 socket's answer did not fail with EAGAIN: $(cat "$ART/lns-tmpl0.log")"
log "ok: reqid-0 template: received, answer EAGAIN (the problem a static reqid solves)"
kill "$DAEMON_PID" 2>/dev/null || true
wait "$DAEMON_PID" 2>/dev/null || true

# (b) Templates with the static reqid, as lnsd installs them: answered.
daemon udp-server lns "$kgx" recv -r -q $reqid 0.0.0.0 1701 60
wait_log 10 "$ART/udp-server.log" "^ready with policy \\(reqid $reqid\\)"
on client python3 "$ART/udp1701.py" 198.51.100.2 ping-1701 5 ||
	fail "no UDP 1701 answer through the SA from the reqid-$reqid socket"
grep -q '^recv 198.51.100.1:1701 ping-1701' "$ART/udp-server.log" ||
	fail "the LNS socket did not see the client as 198.51.100.1:1701: $(cat "$ART/udp-server.log")"
grep -q '^reply ok' "$ART/udp-server.log" || fail "the reqid-$reqid socket did not answer"
log "ok: reqid-$reqid template: received from 198.51.100.1:1701 and answered through the SA"

# (c) Cleartext to the protected socket from an address charon has no
# policy for (a second address on the NAT box): dropped by the socket
# policy alone, counted.
ip -n nat addr add 198.51.100.3/32 dev eth1
# (not masqueraded to 198.51.100.1, which charon's own policies cover)
on nat nft insert rule ip nat postrouting ip saddr 198.51.100.3 accept
m0=$(xstat XfrmInTmplMismatch)
on nat python3 "$ART/udp1701.py" 198.51.100.2 clear-from-nat 2 198.51.100.3 &&
	fail "cleartext UDP 1701 from the NAT box was answered"
m1=$(xstat XfrmInTmplMismatch)
grep -q 'clear-from-nat' "$ART/udp-server.log" && fail "the protected socket received cleartext"
[ "$m1" -gt "$m0" ] || fail "XfrmInTmplMismatch did not move ($m0 -> $m1)"
log "ok: cleartext from the NAT box dropped: XfrmInTmplMismatch $m0 -> $m1"
sleep 0.5
capture_stop

# What the wire shows between nat and lns (one tshark pass: it is slow to start).
tshark -n -r "$ART/outer.pcap" -Y udp \
	-T fields -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e esp.spi >"$ART/outer-udp.txt" 2>/dev/null
awk -F'\t' '$5 != ""' "$ART/outer-udp.txt" | tee "$ART/outer-esp.txt"
to_lns=$(awk -F'\t' '$5 != "" && $1 == "198.51.100.1" && $3 == "198.51.100.2" && $4 == 4500' "$ART/outer-udp.txt" | wc -l)
from_lns=$(awk -F'\t' '$5 != "" && $1 == "198.51.100.2" && $2 == 4500 && $3 == "198.51.100.1"' "$ART/outer-udp.txt" | wc -l)
log "ESP-in-UDP/4500 packets on the outer link: $to_lns to the LNS, $from_lns from it"
[ "$to_lns" -ge 1 ] || fail "no ESP-in-UDP (port 4500) from the NAT to the LNS on the outer link"
[ "$from_lns" -ge 1 ] || fail "no ESP-in-UDP (port 4500) from the LNS to the NAT on the outer link"
# (198.51.100.3's datagrams are the deliberate cleartext of step (c).)
clear=$(awk -F'\t' '($2 == 1701 || $4 == 1701) && $1 != "198.51.100.3" && $3 != "198.51.100.3"' \
	"$ART/outer-udp.txt" | wc -l)
[ "$clear" -eq 0 ] || fail "$clear cleartext UDP 1701 packets on the outer link"
probe=$(awk -F'\t' '$1 == "198.51.100.3" && $4 == 1701' "$ART/outer-udp.txt" | wc -l)
[ "$probe" -ge 1 ] || fail "step (c)'s cleartext is not on the outer link (the drop proves nothing)"
back=$(awk -F'\t' '$3 == "198.51.100.3"' "$ART/outer-udp.txt" | wc -l)
[ "$back" -eq 0 ] || fail "the LNS answered step (c)'s cleartext ($back datagrams)"
log "ok: no cleartext UDP 1701 on the outer link but step (c)'s $probe probes, unanswered"
