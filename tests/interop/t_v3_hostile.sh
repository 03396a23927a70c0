#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (v3_hostile): hostile L2TPv3 input on the shared UDP 1701
# listener while a pseudowire between two lnsd's stays up.
#
#   netns lns:  lnsd A on 192.0.2.1:1701 (responder for three pseudowires,
#               control plane only: the host has no l2tp_eth), /metrics
#   netns lac1: lnsd B, the victim: initiator of pseudowire "office"
#               (HMAC-SHA-1 digests, 8-byte cookies, HELLO every 2 s)
#   netns lac2: the attacker (tests/interop/v3peer.py, scapy): its own
#               address has pseudowire "att" without a secret; a second
#               address 192.0.2.98 has pseudowire "dig" with a digest
#
# Cases and what each must get (docs/design.md, the LCCE's answers):
#  - junk (truncated headers, bad lengths, overrunning AVPs, a 64 KB
#    datagram, random bytes): counted under decode, lnsd alive;
#  - SCCRQs for "dig" without a digest and with wrong MD5/SHA-1 digests:
#    StopCCN 4 each, counted under auth, no connection;
#  - HELLO/ICRQ/StopCCN naming the victim's connection ID from the
#    attacker's address: dropped as wrong-peer, no answer;
#  - the same StopCCN forged with the victim's own address and port (no
#    digest): dropped as auth;
#  - on a connection of its own: an ICRQ for an unknown Remote End ID gets
#    CDN 6, a 3-byte cookie CDN 2/2, the VLAN type CDN 14, the right circuit
#    an ICRP;
#  - one SCCRQ sent 6 times is one connection; SCCRQs from 20 more ports
#    get connections only up to the per-peer cap (8), the rest are counted
#    under limit and not answered.
# After every case: the victim's connection and pseudowire are the same
# (same IDs, up, never re-established) on both sites. At the end: tshark
# decodes every message lnsd A and B sent without malformed packets or
# expert errors.
source "$(dirname "$0")/lib.sh" "$@"
is_lnsd || skip "lnsd-only scenario"
command -v curl >/dev/null || skip "curl is not installed (tools/dev/setup.sh installs it)"
PY=${LNSD_PYTHON:-/usr/bin/python3}
"$PY" -c 'import scapy.all' 2>/dev/null || skip "python3-scapy is not installed for $PY"
it_init
net_up 2
B_NS=$(lac_ns 1)
B_ADDR=$(lac_addr 1)
ATT_NS=$(lac_ns 2)
ATT_ADDR=$(lac_addr 2)
DIG_ADDR=192.0.2.98
METRICS=$LNS_ADDR:9104
V3PEER=$IT_DIR/v3peer.py
ip -n "$ATT_NS" addr add "$DIG_ADDR/24" dev eth0

pw_office() { # pw_office PEER LOCAL ROLE
	cat <<EOF
[pseudowire office]
peer = $1
local = $2
encap = udp
remote-end-id = office-lan
cookie = 8
secret = victim-v3-s3cret
auth = digest
digest = sha1
role = $3
retry-min = 1
EOF
}

cap_start v3
LNSD_EXTRA="metrics = $METRICS"
lns_start "hello-interval = 2" "
$(pw_office "$B_ADDR" "$LNS_ADDR" responder)

[pseudowire att]
peer = $ATT_ADDR
local = $LNS_ADDR
encap = udp
remote-end-id = att-circuit
cookie = 4
role = responder

[pseudowire dig]
peer = $DIG_ADDR
local = $LNS_ADDR
encap = udp
remote-end-id = dig-circuit
secret = other-v3-s3cret
auth = digest
role = responder
"

cat >"$ART/b.conf" <<EOF
[lnsd]
listen = $B_ADDR:1701
control-socket = $RUN/b.sock
hostname = site-b

[l2tp]
hello-interval = 2

$(pw_office "$LNS_ADDR" "$B_ADDR" initiator)
EOF
ip netns exec "$B_NS" "$LNSD_BIN" -c "$ART/b.conf" -f >"$ART/b.log" 2>&1 &
B_PID=$!
BG_PIDS+=("$B_PID")
lnsctl_b() { "$LNSCTL_BIN" -s "$RUN/b.sock" "$@"; }

metric() {
	ip netns exec "$NS_LNS" curl -s --max-time 5 "http://$METRICS/metrics" |
		awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}
drops() { metric "lnsd_l2tpv3_drops_total{reason=\"$1\"}"; }
office() { # office A|B : the victim pseudowire as that site lists it
	if [ "$1" = A ]; then lnsctl show pseudowires -j; else lnsctl_b show pseudowires -j; fi |
		jq -c '.[] | select(.name == "office") | [.state, .ccid, .peer_ccid, .sid, .peer_sid, .ups]'
}
office_up() { office "$1" | grep -q '^\["up",'; }
wait_for 30 "pseudowire office up on site A" office_up A
wait_for 10 "pseudowire office up on site B" office_up B
VA=$(office A)
VB=$(office B)
log "victim: A $VA, B $VB"
A_CCID=$(jq '.[1]' <<<"$VA")

check_victim() {
	lns_alive || fail "after $1: lnsd A died"
	kill -0 "$B_PID" 2>/dev/null || fail "after $1: lnsd B died"
	[ "$(office A)" = "$VA" ] || fail "after $1: the victim changed on A: was $VA, now $(office A)"
	[ "$(office B)" = "$VB" ] || fail "after $1: the victim changed on B: was $VB, now $(office B)"
	log "after $1: victim pseudowire intact on both sites"
}

peer() { ip netns exec "$ATT_NS" "$PY" "$V3PEER" "$LNS_ADDR" "$@"; }

# ---- junk
d0=$(drops decode)
r=$(peer junk)
log "junk: $r"
d1=$(drops decode)
[ $((d1 - d0)) -ge 200 ] || fail "junk: decode drops rose by $((d1 - d0)), want >= 200"
check_victim junk

# ---- bad digests
a0=$(drops auth)
r=$(ip netns exec "$ATT_NS" "$PY" "$V3PEER" "$LNS_ADDR" bad_digest "$DIG_ADDR")
log "bad_digest: $r"
jq -e '.answers == [[4,[4,0]],[4,[4,0]],[4,[4,0]]]' <<<"$r" >/dev/null ||
	fail "bad_digest: want StopCCN 4/0 to each of the three SCCRQs, got $r"
a1=$(drops auth)
[ $((a1 - a0)) -eq 3 ] || fail "bad_digest: auth drops rose by $((a1 - a0)), want 3"
lnsctl show pseudowires -j | jq -e '.[] | select(.name == "dig") | .state != "up"' >/dev/null ||
	fail "bad_digest: pseudowire dig came up"
check_victim bad_digest

# ---- the victim's connection ID from the attacker's address
w0=$(drops wrong-peer)
r=$(peer foreign_ids "$A_CCID")
log "foreign_ids: $r"
jq -e '.answer == null and (.acks | length) == 0' <<<"$r" >/dev/null ||
	fail "foreign_ids: lnsd answered the attacker: $r"
w1=$(drops wrong-peer)
[ $((w1 - w0)) -eq 3 ] || fail "foreign_ids: wrong-peer drops rose by $((w1 - w0)), want 3"
check_victim foreign_ids

# ---- the same StopCCN forged with the victim's address (no digest)
a0=$(drops auth)
ip netns exec "$ATT_NS" "$PY" - "$B_ADDR" "$LNS_ADDR" "$A_CCID" <<'EOF'
import struct, sys
from scapy.all import IP, UDP, Raw, send
src, dst, ccid = sys.argv[1], sys.argv[2], int(sys.argv[3])
def avp(t, v): return struct.pack("!HHH", 0x8000 | (6 + len(v)), 0, t) + v
body = avp(0, struct.pack("!H", 4)) + avp(1, struct.pack("!HH", 1, 0)) + avp(61, struct.pack("!I", 1))
for ns in range(0, 40, 4):   # Ns around anything the victim may be at
    pkt = struct.pack("!HHIHH", 0xC803, 12 + len(body), ccid, ns, 0) + body
    send(IP(src=src, dst=dst) / UDP(sport=1701, dport=1701) / Raw(pkt), verbose=0)
EOF
sleep 1
a1=$(drops auth)
[ $((a1 - a0)) -ge 10 ] || fail "forged StopCCN: auth drops rose by $((a1 - a0)), want 10"
check_victim forged_stopccn

# ---- calls on a connection of the attacker's own
r=$(peer calls att-circuit)
log "calls: $r"
jq -e '.connected' <<<"$r" >/dev/null || fail "calls: the attacker's own connection was refused: $r"
jq -e '.unknown_reid.answer == 14 and .unknown_reid.result[0] == 6' <<<"$r" >/dev/null ||
	fail "calls: unknown Remote End ID: want CDN 6, got $(jq -c .unknown_reid <<<"$r")"
jq -e '.cookie3.answer == 14 and .cookie3.result == [2,2]' <<<"$r" >/dev/null ||
	fail "calls: 3-byte cookie: want CDN 2/2, got $(jq -c .cookie3 <<<"$r")"
jq -e '.vlan_type.answer == 14 and .vlan_type.result[0] == 14' <<<"$r" >/dev/null ||
	fail "calls: VLAN type for an Ethernet circuit: want CDN 14, got $(jq -c .vlan_type <<<"$r")"
jq -e '.right.answer == 11' <<<"$r" >/dev/null ||
	fail "calls: the configured circuit: want ICRP, got $(jq -c .right <<<"$r")"
check_victim calls

# ---- replays and an SCCRQ flood from one configured address
l0=$(drops limit)
r=$(peer replay)
log "replay: $r"
jq -e '.replay_ccids == 1' <<<"$r" >/dev/null || fail "replay: one SCCRQ 6 times made $(jq .replay_ccids <<<"$r") connections"
none=$(jq '.flood.none' <<<"$r")
jq -e '.flood.sccrp + .flood.none == 20 and .flood.sccrp <= 7' <<<"$r" >/dev/null ||
	fail "replay: 20 SCCRQs from new ports: want at most 7 accepted (cap 8, one taken), the rest unanswered; got $r"
l1=$(drops limit)
[ $((l1 - l0)) -eq "$none" ] || fail "replay: limit drops rose by $((l1 - l0)), want $none (the unanswered SCCRQs)"
n=$(lnsctl show pseudowires -j >/dev/null && metric lnsd_l2tpv3_connections_established_total)
log "connections established so far: $n"
check_victim replay

# Two HELLO intervals of quiet: the victim keeps its connection (HELLOs acked).
sleep 5
check_victim quiet

# ---- what lnsd A and B sent decodes cleanly
cap_stop
tshark -n -r "$ART/v3.pcap" -Y "ip.src == $LNS_ADDR || ip.src == $B_ADDR" -w "$ART/v3-lnsd.pcap" 2>/dev/null ||
	fail "tshark cannot filter $ART/v3.pcap"
cap_check_clean v3-lnsd
types=$(tshark -n -r "$ART/v3-lnsd.pcap" -Y l2tp -T fields -e l2tp.avp.message_type 2>/dev/null | tr ',' '\n' | sort -un | tr '\n' ' ')
log "message types lnsd sent: $types"
for t in 2 4 6 11 14; do
	grep -qw "$t" <<<"$types" || fail "no message of type $t from lnsd in the capture (types: $types)"
done
pass "hostile L2TPv3 input answered and counted; the victim pseudowire never moved"
