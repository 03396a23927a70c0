#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Proof: strongSwan IKEv1 PSK transport mode for L2TP (UDP 1701) between a
# client behind a masquerading NAT and the LNS, each namespace with its own
# charon (own strongswan.conf, own /run for pid file and VICI socket).
# Asserts: the CHILD_SA comes up in transport mode with UDP encapsulation,
# a UDP 1701 datagram and its answer cross, and a capture on the outer link
# (nat <-> lns) shows ESP-in-UDP on port 4500 both ways and no cleartext
# UDP 1701.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip nft swanctl dumpcap tshark python3 unshare

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

# One L2TP-port datagram each way through the SA.
cat >"$ART/udp1701.py" <<'EOP'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 1701))
s.settimeout(15)
if sys.argv[1] == "server":
    data, peer = s.recvfrom(2048)
    print("server got %r from %s:%d" % (data, peer[0], peer[1]), flush=True)
    s.sendto(b"pong " + data, peer)
else:
    for _ in range(10):
        s.sendto(b"ping-1701", (sys.argv[2], 1701))
        try:
            data, peer = s.recvfrom(2048)
            print("client got %r from %s:%d" % (data, peer[0], peer[1]))
            break
        except socket.timeout:
            continue
    else:
        sys.exit("client: no answer")
EOP
daemon udp-server lns python3 "$ART/udp1701.py" server
server=$DAEMON_PID
wait_for 10 "UDP 1701 listener in lns" sh -c "ip netns exec lns ss -lun | grep -q ':1701 '"
on client python3 "$ART/udp1701.py" client 198.51.100.2 || fail "no UDP 1701 answer through the SA"
wait "$server" || fail "the LNS side did not receive the datagram"
cat "$ART/udp-server.log"
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
clear=$(awk -F'\t' '$2 == 1701 || $4 == 1701' "$ART/outer-udp.txt" | wc -l)
[ "$clear" -eq 0 ] || fail "$clear cleartext UDP 1701 packets on the outer link"
log "ok: no cleartext UDP 1701 on the outer link"
