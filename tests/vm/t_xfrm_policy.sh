#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-socket ESP transport policies (kmod-glue/kg_xfrm.c, docs/design.md §4.7) on
# the real kernel, IPv4 and IPv6: a UDP socket on 1701 with the policy drops
# cleartext (an xfrm_stat counter moves) while a socket without it gets the
# same packet; with manual ESP transport SAs the datagram is received and
# the socket's answer leaves as ESP; without an SA the socket sends nothing
# in the clear; the outbound template's reqid must equal the SA's (a reqid-7
# template is served by the reqid-7 SA only, a reqid-0 one by reqid 0 only).
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip nft

kgx="$LNSD_BUILD_DIR/tools/kgxfrm"
[ -x "$kgx" ] || fail "$kgx not built"

A4=192.0.2.1 B4=192.0.2.2 A6=2001:db8:1701::1 B6=2001:db8:1701::2
# ESP keys, rfc4106(gcm(aes)): 16 bytes key + 4 bytes salt.
KEY_AB=0x0102030405060708090a0b0c0d0e0f1011121314
KEY_BA=0x2122232425262728292a2b2c2d2e2f3031323334

ns_add a b
link_add a eth0 $A4/24 b eth0 $B4/24
ip -n a addr add $A6/64 dev eth0 nodad
ip -n b addr add $B6/64 dev eth0 nodad
wait_ping 10 a $B4
wait_ping 10 a $B6

# stat NS: /proc/net/xfrm_stat of NS, one "Name value" per line.
stat() { on "$1" cat /proc/net/xfrm_stat | awk '{print $1, $2}'; }
# moved BEFORE AFTER: the counters that changed, "Name +delta" per line.
moved() {
	printf '%s\n---\n%s\n' "$1" "$2" |
		awk '$0 == "---" { after = 1; next } !after { v[$1] = $2; next }
		     $2 != v[$1] { printf "%s +%d\n", $1, $2 - v[$1] }'
}
# wire NS: count what arrives on NS's eth0, i.e. what the other end put on
# the wire (netdev ingress, before any xfrm): UDP from port 1703 (controls),
# other UDP from or to port 1701, and ESP. wire_get NS COUNTER; wire_zero NS.
wire() {
	on "$1" nft -f - <<-EOF
		table netdev wire {
			counter c1701 {}
			counter c1703 {}
			counter cesp {}
			chain ingress {
				type filter hook ingress device "eth0" priority 0; policy accept;
				udp sport 1703 counter name c1703 accept
				udp sport 1701 counter name c1701 accept
				udp dport 1701 counter name c1701 accept
				meta l4proto esp counter name cesp accept
			}
		}
	EOF
}
wire_get() { on "$1" nft list counter netdev wire "$2" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
wire_zero() { on "$1" nft delete table netdev wire && wire "$1"; }
wire a
wire b
# fam 4|6: the kgxfrm family flag and the a/b addresses.
fam() {
	if [ "$1" = 4 ]; then F="" A=$A4 B=$B4; else F=-6 A=$A6 B=$B6; fi
}

out=$(on b "$kgx" probe) || fail "kg_xfrm_available() is false in the VM: $out"
log "ok: kg_xfrm_available(): $out"

# b: protected sockets (answering) on 1701, an unprotected control on 1702.
daemon recv4 b "$kgx" recv -r 0.0.0.0 1701 600
daemon recv6 b "$kgx" recv -6 -r :: 1701 600
daemon plain4 b "$kgx" recv -n -r 0.0.0.0 1702 600
# A key manager listening for the kernel's acquires, as charon does.
daemon acquire b ip xfrm monitor acquire
for d in recv4 recv6; do wait_log 10 "$ART/$d.log" '^ready with policy'; done
wait_log 10 "$ART/plain4.log" '^ready without policy'

# 1. Cleartext to the protected socket: dropped, counted; the control answers.
wire_zero b
for f in 4 6; do
	fam $f
	s0=$(stat b)
	if out=$(on a "$kgx" send $F -w 2000 $B 1701 clear-v$f); then
		fail "cleartext v$f to the protected socket was answered: $out"
	fi
	s1=$(stat b)
	grep -q "clear-v$f" "$ART/recv$f.log" && fail "the protected socket received cleartext v$f"
	d=$(moved "$s0" "$s1")
	log "cleartext v$f to b:1701: $(echo "$out" | tr '\n' ' ')| b xfrm_stat: ${d:-nothing moved}"
	grep -q '^XfrmInTmplMismatch +[1-9]' <<<"$d" || fail "XfrmInTmplMismatch did not move in b for v$f"
done
out=$(on a "$kgx" send -w 3000 $B4 1702 plain-v4) || fail "control on 1702 not answered: $out"
grep -q "echo:plain-v4" <<<"$out" || fail "control: wrong answer: $out"
n=$(wire_get b c1701)
[ "${n:-0}" -ge 2 ] || fail "the cleartext datagrams to b:1701 are not on b's wire ($n)"
log "ok: cleartext reached b's eth0 ($n datagrams) and was dropped by the socket policy"

# 2. Manual ESP transport SAs (reqid 0) in both namespaces; global policies
# only in a. b has none: its socket policies alone demand and produce ESP.
sa() { # NS SRC DST SPI KEY [REQID]
	ip -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$4" reqid "${6:-0}" \
		mode transport aead 'rfc4106(gcm(aes))' "$5" 128
}
for ns in a b; do
	sa $ns $A4 $B4 0x1004 $KEY_AB
	sa $ns $B4 $A4 0x2004 $KEY_BA
	sa $ns $A6 $B6 0x1006 $KEY_AB
	sa $ns $B6 $A6 0x2006 $KEY_BA
done
for f in 4 6; do
	fam $f
	ip -n a xfrm policy add src $A dst $B proto udp dport 1701 dir out tmpl proto esp mode transport
	ip -n a xfrm policy add src $B dst $A proto udp sport 1701 dir in tmpl proto esp mode transport
done
wire_zero a
for f in 4 6; do
	fam $f
	s0=$(stat b)
	out=$(on a "$kgx" send $F -w 3000 $B 1701 esp-v$f) || fail "ESP v$f to b:1701 not answered: $out"
	grep -q "echo:esp-v$f" <<<"$out" || fail "ESP v$f: wrong answer: $out"
	grep -q "^recv .* esp-v$f\$" "$ART/recv$f.log" || fail "the protected socket did not log esp-v$f"
	d=$(moved "$s0" "$(stat b)")
	log "ok: v$f inside ESP received and answered: $(echo "$out" | tr '\n' ' ')| b xfrm_stat: ${d:-nothing moved}"
done
n=$(wire_get a c1701)
[ "$n" = 0 ] || fail "b put $n cleartext UDP 1701 datagrams on the wire while the SAs are up"
n=$(wire_get a cesp)
[ "${n:-0}" -ge 2 ] || fail "b's answers are not on the wire as ESP ($n)"
for f in 4 6; do
	fam $f
	spi=0x2004; [ $f = 4 ] || spi=0x2006
	pk=$(ip -n b -s xfrm state get src $B dst $A proto esp spi $spi |
		sed -n 's/.*(bytes), \([0-9]*\)(packets).*/\1/p' | head -n 1)
	[ "${pk:-0}" -ge 1 ] || fail "b's SA $spi to a counts no packets ('${pk:-}')"
	log "ok: b's answer v$f left as ESP (SA $spi: $pk packets; $n ESP packets b->a in all)"
done

# 3. Outbound without an SA: nothing in the clear. a has no SA or policy
# left, so its plain sink would take a cleartext datagram; a control
# datagram from b without the policy shows that path works.
ip -n a xfrm policy flush
ip -n a xfrm state flush
ip -n b xfrm state flush
daemon sink4 a "$kgx" recv -n 0.0.0.0 1701 600
daemon sink6 a "$kgx" recv -6 -n :: 1701 600
for d in sink4 sink6; do wait_log 10 "$ART/$d.log" '^ready without policy'; done
wire_zero a
# sendout TAG [REQID]: the protected socket in b (bound to 1701, templates
# with REQID, default 0) sends to a:1701.
sendout() {
	out=$(on b "$kgx" send $F -p -q "${2:-0}" -s 1701 $A 1701 "$1") || true
	log "$1 from b's protected socket (reqid ${2:-0}): $out"
}
for f in 4 6; do
	fam $f
	sendout out-v$f
	[ "$out" = "sendto EAGAIN" ] || fail "no SA, v$f: expected EAGAIN from sendto: $out"
	out=$(on b "$kgx" send $F -s 1703 $A 1701 ctl-v$f) || fail "control send v$f: $out"
done
for f in 4 6; do
	wait_log 5 "$ART/sink$f.log" "ctl-v$f"
	grep -q 'out-' "$ART/sink$f.log" && fail "a received cleartext from b's protected socket (v$f)"
done
n=$(wire_get a c1701)
[ "$n" = 0 ] || fail "b's protected socket put $n cleartext datagrams on the wire"
n=$(wire_get a c1703)
[ "${n:-0}" -ge 2 ] || fail "the control datagrams are not on the wire ($n)"
grep -q 'dir out' "$ART/acquire.log" || fail "no acquire for the socket's outbound policy"
log "ok: without an SA b's protected socket sent nothing in the clear; acquire: $(head -n 1 "$ART/acquire.log")"

# 4. reqid: an outbound template is served only by SAs of exactly its reqid
# (one family is enough: the lookup is family-independent).
fam 4
spi=0x3004
for ns in a b; do sa $ns $B $A $spi $KEY_BA 7; done
sendout reqid7-by-tmpl0-v4
[ "$out" = "sendto EAGAIN" ] || fail "an SA with reqid 7 served a reqid-0 template (v4): $out"
sendout reqid7-by-tmpl7-v4 7
[ "$out" = "sendto ok" ] || fail "an SA with reqid 7 did not serve a reqid-7 template (v4): $out"
for ns in a b; do ip -n $ns xfrm state delete src $B dst $A proto esp spi $spi; done
for ns in a b; do sa $ns $B $A $spi $KEY_BA 0; done
sendout reqid0-by-tmpl7-v4 7
[ "$out" = "sendto EAGAIN" ] || fail "an SA with reqid 0 served a reqid-7 template (v4): $out"
sendout reqid0-by-tmpl0-v4
[ "$out" = "sendto ok" ] || fail "an SA with reqid 0 did not serve a reqid-0 template (v4): $out"
wait_log 5 "$ART/sink4.log" "reqid0-by-tmpl0-v4"
wait_log 5 "$ART/sink4.log" "reqid7-by-tmpl7-v4"
grep -q "by-tmpl0-v4.*reqid7\|reqid7-by-tmpl0\|reqid0-by-tmpl7" "$ART/sink4.log" &&
	fail "a received a datagram that no SA of its template's reqid carried"
log "ok: v4: a template's reqid selects SAs of exactly that reqid (7->7, 0->0, never across)"
log "per-socket ESP policies behave as documented on $LNSD_VM_SERIES"
