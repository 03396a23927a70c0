#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Several L2TP/IPsec clients behind one masquerading NAT (docs/design.md §5.5).
# Each client is its own namespace with charon (IKEv1 PSK, transport mode
# UDP 1701) and xl2tpd + pppd, as ipsec-lib.sh sets one up; all reach lnsd
# through one NAT, so after decryption every one of them is 198.51.100.1:1701.
#   c1 (10.10.1.2) --\
#   c2 (10.10.2.2) ---- nat (masquerade) -- lns (198.51.100.2)
#   c3 (10.10.3.2) --/
# Asserts: all dial at once; each gets its own tunnel, CHILD_SA (own reqid)
# and PPP address and pings concurrently; deleting c1's IKE SA ends only its
# tunnel while the others keep pinging; a rekeyed CHILD_SA keeps its tunnel,
# also once the old child is deleted, and the new child (of which charon
# told lnsd nothing) going down ends that tunnel only;
# the LNS never sends UDP 1701 in the clear, nor does a client while it has
# its SA (netdev ingress counters on both ends of the nat<->lns link);
# the inbound marks of the clients' CHILD_SAs do not stay on what arrives on
# pppN: lnsd's unmark rule counts them and later hooks see mark 0. On a kernel without several tunnels per 4-tuple
# (before 6.10) every client but the first on the shared 4-tuple is kept out
# (the first one's socket takes only its own SA), and the first keeps working.
# Knobs (t_lnsd_ipsec_nat_os.sh sets them): NAT_CLIENTS (3); NAT_PROFILES,
# one profile_props name per client (their count replaces NAT_CLIENTS): each
# client offers that platform's proposals, and gets the platform's suite;
# NAT_IPSEC, extra [ipsec] lines for lnsd; NAT_REKEY=0 skips the rekey part;
# NAT_DPD=1: the last client vanishes (the NAT drops its packets) and
# charon's DPD, with lnsd's dpd-delay/-timeout, ends its tunnel only;
# NAT_PINGS, pings per client in the concurrent round (10).
set -eu
# shellcheck source=tests/vm/ipsec-lib.sh
. "$(dirname "$0")/ipsec-lib.sh"

read -ra PROFILES <<<"${NAT_PROFILES:-}"
N=${#PROFILES[@]}
[ "$N" -gt 0 ] || N=${NAT_CLIENTS:-3}
PINGS=${NAT_PINGS:-10}
ns_add nat lns
link_add nat eth1 198.51.100.1/24 lns eth0 198.51.100.2/24
nat_masquerade nat eth1
for i in $(seq 1 "$N"); do
	ns_add "c$i"
	link_add "c$i" eth0 "10.10.$i.2/24" nat "eth$((i + 1))" "10.10.$i.1/24"
	route_add "c$i" default "10.10.$i.1"
done
# The kernel before 6.10 delivers L2TP by socket, not by tunnel ID.
multi=0
kv=$(uname -r)
kmaj=${kv%%.*} kmin=${kv#*.}
kmin=${kmin%%.*}
if [ "$kmaj" -gt 6 ] || { [ "$kmaj" -eq 6 ] && [ "$kmin" -ge 10 ]; }; then multi=1; fi
log "kernel $kv: several L2TP tunnels per 4-tuple: $multi"

# wire NS IF: count what arrives on NS's IF from the other side (netdev
# ingress, before any xfrm): UDP 1701 in the clear, ESP in UDP 4500.
wire() {
	on "$1" nft -f - <<-EOF
		table netdev wire {
			counter clear {}
			counter natt {}
			chain ingress {
				type filter hook ingress device "$2" priority 0; policy accept;
				udp sport 1701 counter name clear accept
				udp dport 1701 counter name clear accept
				udp dport 4500 udp length > 16 counter name natt accept
				udp sport 4500 udp length > 16 counter name natt accept
			}
		}
	EOF
}
wire_get() { on "$1" nft list counter netdev wire "$2" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
wire lns eth0    # from the NAT
wire nat eth1    # from the LNS
# What arrives on pppN, seen at the LNS's input hook (after lnsd's unmark
# chain): every packet, and those still with a mark (must stay 0).
on lns nft -f - <<-EOF
	table inet markprobe {
		counter pppin {}
		counter pppmarked {}
		chain input {
			type filter hook input priority filter; policy accept;
			meta iifkind "ppp" counter name pppin
			meta iifkind "ppp" meta mark != 0 counter name pppmarked
		}
	}
EOF
mark_get() { on lns nft list counter inet markprobe "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
lns_start "${NAT_IPSEC:-}"
for i in $(seq 1 "$N"); do charon_start "c$i"; done

# conf I: c$i's swanctl.conf, as client_conf writes one, from its own address.
conf() {
	local i=$1 ike=aes256-sha256-modp2048 esp=aes256-sha1
	if [ "${#PROFILES[@]}" -gt 0 ]; then
		profile_props "${PROFILES[$((i - 1))]}"
		ike=$PROF_IKE esp=$PROF_ESP
	fi
	client_conf "c$i" "$ike" "$esp"
	sed -i "s/local_addrs = 10.10.0.2/local_addrs = 10.10.$i.2/" "$ART/client-c$i.swanctl.conf"
	swan_load "c$i" "$ART/client-c$i.swanctl.conf" --clear
}
ike() {
	swan "c$1" --initiate --child "c$1" --timeout 150 >"$ART/initiate-c$1.log" 2>&1
}

# --- (a) all clients bring up IKE at once, then dial L2TP at once ---
for i in $(seq 1 "$N"); do conf "$i"; done
pids=()
for i in $(seq 1 "$N"); do
	ike "$i" &
	pids+=($!)
done
for i in $(seq 1 "$N"); do
	wait "${pids[$((i - 1))]}" || { cat "$ART/initiate-c$i.log"; fail "c$i: swanctl --initiate failed"; }
done
swan lns --list-sas | tee "$ART/lns-sas.txt"
nsa=$(grep -c 'INSTALLED, TRANSPORT-in-UDP' "$ART/lns-sas.txt" || true)
[ "$nsa" = "$N" ] || fail "the LNS has $nsa UDP-encapsulated CHILD_SAs, not $N"
nreq=$(grep -oE 'reqid [0-9]+' "$ART/lns-sas.txt" | sort -u | wc -l)
log "CHILD_SAs on the LNS: $nsa, distinct reqids: $nreq"
# Each profile's client got its platform's IKE suite; the LNS has as many
# IKE_SAs with that suite as there are clients of the profile.
for i in $(seq 1 "${#PROFILES[@]}"); do
	profile_props "${PROFILES[$((i - 1))]}"
	swan "c$i" --list-sas >"$ART/c$i-sas.txt"
	grep -qF "$PROF_SUITE" "$ART/c$i-sas.txt" ||
		{ cat "$ART/c$i-sas.txt"; fail "c$i (${PROFILES[$((i - 1))]}): IKE suite is not $PROF_SUITE"; }
	want=$(printf '%s\n' "${PROFILES[@]}" | grep -cx "${PROFILES[$((i - 1))]}")
	got=$(grep -cF "$PROF_SUITE" "$ART/lns-sas.txt")
	[ "$got" = "$want" ] || fail "the LNS has $got IKE_SAs with $PROF_SUITE, not $want"
	log "ok: c$i (${PROFILES[$((i - 1))]}): IKE $PROF_SUITE, $(grep -oE '(AES|3DES)[A-Z0-9_/-]*' "$ART/c$i-sas.txt" | sed -n 2p) ESP"
done

declare -A LPID PPPIP
# dial I: xl2tpd + pppd in c$i dial lnsd at once.
dial() {
	lac_xl2tpd -n "c$1" -a "10.10.$1.2" -g "port = 1701" "c$1" "$USER_NAME" "$USER_PW" \
		refuse-pap refuse-chap refuse-eap "ip-up-script /bin/true" "ip-down-script /bin/true"
	LPID[$1]=$LAC_PID
}
# pings_from FIRST LAST COUNT: c$FIRST..c$LAST each ping lnsd COUNT times.
pings_from() {
	local i
	for i in $(seq "$1" "$2"); do expect_ping "c$i" 10.64.0.1 "$3"; done
}
# up I: c$i has a ppp address; prints it.
up() { ppp_addrs "c$1" | sed -n 1p | grep .; }
if [ "$multi" = 1 ]; then
	for i in $(seq 1 "$N"); do dial "$i"; done
	for i in $(seq 1 "$N"); do
		wait_for 90 "c$i: ppp address" up "$i"
		PPPIP[$i]=$(up "$i")
	done
	ctl show tunnels | tee "$ART/tunnels.txt"
	[ "$(ctl show tunnels -j | jq length)" = "$N" ] || fail "lnsd does not show $N tunnels"
	[ "$(printf '%s\n' "${PPPIP[@]}" | sort -u | wc -l)" = "$N" ] ||
		fail "the clients' PPP addresses are not distinct: ${PPPIP[*]}"
	[ "$nreq" -ge "$N" ] || fail "the $N CHILD_SAs on the LNS share reqids ($nreq distinct)"
	ctl show tunnels -j | jq -r '.[].ipsec.child_id' | sort -u >"$ART/child-ids.txt"
	[ "$(wc -l <"$ART/child-ids.txt")" = "$N" ] ||
		fail "the tunnels are not bound to $N distinct CHILD_SAs: $(tr '\n' ' ' <"$ART/child-ids.txt")"
	# Concurrent pings from every client.
	pids=()
	for i in $(seq 1 "$N"); do
		on "c$i" ping -c "$PINGS" -i 0.2 -W 2 10.64.0.1 >"$ART/ping-c$i.txt" 2>&1 &
		pids+=($!)
	done
	for i in $(seq 1 "$N"); do
		wait "${pids[$((i - 1))]}" || true
		tail -n 2 "$ART/ping-c$i.txt"
		grep -q " $PINGS received, 0% packet loss" "$ART/ping-c$i.txt" ||
			fail "c$i: concurrent ping through its tunnel lost packets"
	done
	for i in $(seq 1 "$N"); do expect_ping lns "${PPPIP[$i]}" 2; done
	log "ok: $N clients behind one NAT: $N tunnels, $N CHILD_SAs, $N addresses, concurrent pings"

	if [ "${NAT_REKEY:-1}" = 1 ]; then
		# --- (b) c2 rekeys its CHILD_SA (IKEv1 quick mode): the new SA keeps the
		# old one's mark and reqid, so its tunnel keeps sending and passing ---
		swan lns --list-sas >"$ART/lns-sas-before-rekey.txt"
		swan c2 --rekey --child c2 >/dev/null || fail "swanctl --rekey --child c2"
		# rekeyed: the LNS has a CHILD_SA in state REKEYED and one more INSTALLED.
		rekeyed() {
			swan lns --list-sas >"$ART/lns-sas-rekey.txt"
			grep -q 'REKEYED' "$ART/lns-sas-rekey.txt" &&
				[ "$(grep -c 'INSTALLED, TRANSPORT' "$ART/lns-sas-rekey.txt")" = "$N" ]
		}
		wait_for 120 "c2's CHILD_SA rekeyed on the LNS" rekeyed
		# "l2tp: #ID, reqid R, STATE" and the next "in SPI (0xMARK)" line, per child.
		awk '/ l2tp: #/ { st = $5; rq = $4 } / in  / && st { print st, rq, $3; st = "" }' \
			"$ART/lns-sas-rekey.txt" | tr -d ',' | tee "$ART/rekey-marks.txt"
		old=$(awk '$1 == "REKEYED" { print $2, $3 }' "$ART/rekey-marks.txt")
		if [ -z "$old" ] ||
			[ "$(awk -v o="$old" '$1 == "INSTALLED" && $2 " " $3 == o' "$ART/rekey-marks.txt" | wc -l)" != 1 ]; then
			fail "the rekeyed CHILD_SA's successor does not have its reqid and mark ($old)"
		fi
		[ "$(ctl show tunnels -j | jq length)" = "$N" ] || fail "a tunnel went with c2's rekey"
		expect_ping c2 10.64.0.1 5
		log "ok: c2 rekeyed its CHILD_SA (reqid and mark kept: $old); its tunnel passes traffic"
		# c2 deletes the old (REKEYED) child: charon on the LNS reports that
		# no more than it reported the new one (no event): lnsd keeps the
		# tunnel on its record of the old child, whose reqid and mark are the
		# new one's.
		swan c2 --list-sas >"$ART/c2-sas-rekey.txt"
		oldid=$(awk '/ c2: #/ && /REKEYED/ { gsub(/[#,]/, "", $2); print $2 }' "$ART/c2-sas-rekey.txt")
		newid=$(awk '/ c2: #/ && /INSTALLED/ { gsub(/[#,]/, "", $2); print $2 }' "$ART/c2-sas-rekey.txt")
		if [ -z "$oldid" ] || [ -z "$newid" ]; then fail "c2 has no REKEYED and INSTALLED CHILD_SA"; fi
		swan c2 --terminate --child-id "$oldid" --timeout 20 >/dev/null ||
			fail "swanctl --terminate --child-id $oldid on c2"
		sleep 2
		[ "$(ctl show tunnels -j | jq length)" = "$N" ] || fail "a tunnel went with c2's old CHILD_SA"
		expect_ping c2 10.64.0.1 5
		log "ok: c2's old CHILD_SA deleted: its tunnel passes traffic on the new one"
	fi

	# Once c1's SA is gone its xl2tpd may send in the clear (the LNS drops
	# that): count what came from the NAT up to here.
	clear_lns=$(wire_get lns clear)

	# --- (c) c1 deletes its IKE SA: only its tunnel ends ---
	swan c1 --terminate --ike c1 --timeout 20 >/dev/null || fail "swanctl --terminate --ike c1"
	wait_count 30 tunnels $((N - 1)) "lnsd keeps $((N - 1)) tunnels after c1 left"
	lac_stop "${LPID[1]}"
	pings_from 2 "$N" 5
	log "ok: c1 leaving ended only its tunnel"

	if [ "${NAT_REKEY:-1}" = 1 ]; then
		# --- (c2) c2 deletes its new CHILD_SA, which lnsd never heard of: the
		# down event names an unknown child; lnsd takes its predecessor's
		# tunnel down (list-sas of the IKE_SA shows no other child of its mark) ---
		swan c2 --terminate --child-id "$newid" --timeout 20 >/dev/null ||
			fail "swanctl --terminate --child-id $newid on c2"
		wait_count 30 tunnels $((N - 2)) "lnsd keeps $((N - 2)) tunnels after c2's new CHILD_SA went"
		lac_stop "${LPID[2]}"
		[ "$(ctl show stats -j | jq .ipsec.rekey_successors)" = 0 ] ||
			fail "lnsd counted a rekey successor where there was none"
		pings_from 3 "$N" 5
		log "ok: c2's unannounced CHILD_SA going down ended its tunnel only"
	fi

	# --- (f) the last client vanishes: the NAT drops whatever it sends
	# and whatever comes for it, without a word (no ICMP). charon on the
	# LNS finds it dead by DPD (lnsd's dpd-delay, dpd-timeout) and deletes
	# its IKE_SA; lnsd ends that client's tunnel only ---
	if [ "${NAT_DPD:-0}" = 1 ]; then
		td0=$(ctl show stats -j | jq .ipsec.child_down_teardowns)
		ntun=$(ctl show tunnels -j | jq length)
		on nat nft -f - <<-EOF
			table inet vanish {
				chain gone {
					type filter hook forward priority -10; policy accept;
					iifname "eth$((N + 1))" drop
					oifname "eth$((N + 1))" drop
				}
			}
		EOF
		t0=$(date +%s.%N)
		log "c$N vanished (its packets dropped at the NAT)"
		wait_count 120 tunnels $((ntun - 1)) "lnsd keeps $((ntun - 1)) tunnels after c$N vanished"
		t1=$(date +%s.%N)
		log "DPD: c$N's tunnel ended $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s after it vanished"
		grep -E "tearing the tunnel down" "$ART/lnsd.log" | tail -n 1
		[ "$(ctl show stats -j | jq .ipsec.child_down_teardowns)" -gt "$td0" ] ||
			fail "lnsd did not count c$N's tunnel as torn down with its SA"
		grep -E 'DPD|dead' "$ART/charon-lns.log" | tail -n 3 || true
		lac_stop "${LPID[$N]}"
		pings_from "$((N - ntun + 1))" "$((N - 1))" 3
		log "ok: DPD found c$N dead; only its tunnel ended, the others ping"
	fi
else
	# 6.1: the first client on the 4-tuple keeps working; the others'
	# datagrams land on its socket, whose inbound template names its own
	# CHILD_SA's reqid: the kernel drops them (XfrmInTmplMismatch), and
	# they do not break it.
	dial 1
	wait_for 90 "c1: ppp address" up 1
	mm0=$(ctl show stats -j | jq .xfrm_in_tmpl_mismatch)
	for i in $(seq 2 "$N"); do dial "$i"; done
	mm_rose() { [ "$(ctl show stats -j | jq .xfrm_in_tmpl_mismatch)" -gt "$mm0" ]; }
	wait_for 30 "the other clients' SCCRQs dropped by c1's socket policy" mm_rose
	sleep 3
	ctl show tunnels | tee "$ART/tunnels.txt"
	[ "$(ctl show tunnels -j | jq length)" = 1 ] || fail "lnsd has more than c1's tunnel"
	expect_ping c1 10.64.0.1 5
	log "ok: before 6.10 the first client keeps working, the others are dropped by its socket policy"
fi

# --- (d) between NAT and LNS: nothing in the clear ---
for ns in lns nat; do
	c=$(wire_get $ns clear) x=$(wire_get $ns natt)
	[ "$ns" = nat ] || c=${clear_lns:-$c}
	log "arrived at $ns from the other side: $c cleartext UDP 1701, $x UDP 4500"
	[ "$c" = 0 ] || fail "$c cleartext UDP 1701 datagrams between NAT and LNS (seen at $ns)"
	[ "${x:-0}" -ge 10 ] || fail "only ${x:-0} UDP 4500 datagrams arrived at $ns"
done
log "ok: no cleartext UDP 1701 between NAT and LNS"

# --- (e) the CHILD_SAs' inbound marks were cleared on pppN by lnsd ---
on lns nft list table inet lnsd >"$ART/lnsd-nft.txt"
unmarked=$(sed -n '/meta mark set 0/s/.*counter packets \([0-9]*\).*/\1/p' "$ART/lnsd-nft.txt")
ppp=$(mark_get pppin) marked=$(mark_get pppmarked)
log "from pppN: $ppp packets at input, ${unmarked:-none} unmarked by lnsd, $marked still marked"
[ "${unmarked:-0}" -ge 5 ] || fail "lnsd's unmark rule counted ${unmarked:-no} packets"
[ "$ppp" -ge 5 ] || fail "only $ppp packets from pppN at the LNS's input hook"
[ "$marked" = 0 ] || fail "$marked packets from pppN still carried a mark at input"
log "ok: marks cleared on pppN"
kill -0 "$LNSD_PID" || fail "lnsd died"
lns_stop
if on lns nft list table inet lnsd >/dev/null 2>&1; then fail "table inet lnsd left after lnsd exited"; fi
log "ok: lnsd removed its nftables table (and the unmark chain) on SIGTERM"
