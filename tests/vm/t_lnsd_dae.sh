#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# RFC 5176 Disconnect-Request and CoA-Request against PPP sessions with the
# kernel data plane: Debian's xl2tpd + pppd (CHAP) as LAC in `client`; lnsd
# in `lns` with a [radius] section, dae-listen on 127.0.0.1:3799 and
# FreeRADIUS on the same loopback (user carol), which authenticates the
# sessions. radclient sends the requests from `lns`, each with an
# Event-Timestamp (lnsd requires one by default).
#  - User-Name carol with a Framed-IP-Address that is not the session's:
#    Disconnect-NAK Session-Context-Not-Found, the session stays up;
#  - User-Name carol + the session's Framed-IP-Address: Disconnect-ACK, lnsd
#    sends LCP Terminate-Request (pppd: "LCP terminated by peer") and CDN
#    result 3; session, kernel session and pppN are gone; the accounting
#    Stop says Acct-Terminate-Cause Admin-Reset (Idle-Timeout and
#    Session-Timeout for the CoA cases below);
#  - a second call, named by NAS-Port (its ppp unit) and Acct-Session-Id,
#    with Message-Authenticator: Disconnect-ACK radclient verifies, call gone;
#  - CoA Idle-Timeout 8 by User-Name: CoA-ACK, the idle call ends by itself;
#  - CoA Session-Timeout 8 by Acct-Session-Id: CoA-ACK, the call ends by
#    itself about 8 s later.
#  - rate limits (lnsd.conf(5) RATE LIMITS): iperf3 (TCP, 3 s after a 1 s
#    warm-up, each direction; UDP for a policed upload, see bw) through
#    carol's unlimited call gives the
#    baseline; dave's Access-Accept carries Filter-Id "rate5", a
#    [ppp] rate-profile of 5 Mbit/s both ways: within 15 % of 5 Mbit/s
#    down (tbf on pppN) and up (police on its ingress), and the baseline
#    at least 1.5 times that; a CoA Mikrotik-Rate-Limit "2M/2M" changes it live
#    to within 15 % of 2 Mbit/s; show sessions has the rates.
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"
require radclient freeradius iperf3 tc

topo_pair

# FreeRADIUS: Debian's configuration, our client and user.
FR=$RUNDIR/freeradius
cp -a /etc/freeradius/3.0 "$FR"
cat >"$FR/clients.conf" <<-EOC
	client lo {
		ipaddr = 127.0.0.1
		secret = rad-s3cret
	}
EOC
printf '%s\n' 'carol Cleartext-Password := "carol-pw"' \
	'dave Cleartext-Password := "dave-pw"' '	Filter-Id = "rate5"' \
	>"$FR/mods-config/files/authorize"
# lnsd requires a Message-Authenticator in Access-Accept/Reject by default;
# FreeRADIUS 3.2.1 signs a reply with one only when the reply lists it.
sed -i -e 's/^post-auth {$/&\n\tupdate reply { Message-Authenticator := 0x00 }/' \
	-e 's/^\tPost-Auth-Type REJECT {$/&\n\t\tupdate reply { Message-Authenticator := 0x00 }/' \
	"$FR/sites-enabled/default"
chown freerad:freerad "$FR/sites-enabled/default"
daemon freeradius lns freeradius -X -d "$FR"
# FreeRADIUS loads its whole configuration first: slow under TCG on a loaded host.
wait_log 120 "$ART/freeradius.log" 'Ready to process requests'

lnsd_start <<-EOC
	[radius]
	server = 127.0.0.1,rad-s3cret
	accounting = yes
	dae-listen = 127.0.0.1
	dae-clients = 127.0.0.1/32,dae-s3cret
	[ppp]
	rate-profile = rate5 5M/5M
EOC
wait_log 30 "$ART/lnsd.log" 'dae: listening on 127.0.0.1:3799'

# lac NAME [USER]: an xl2tpd LAC whose pppd authenticates as carol (or USER,
# password USER-pw) with CHAP.
lac() {
	local user=${2:-carol}
	lac_xl2tpd -w "$1" "$user" "$user-pw" refuse-pap
	ctl show sessions -j >"$LAC_DIR/sessions.json"
	cat "$LAC_DIR/sessions.json"
	S=$(jq -c '.[0]' "$LAC_DIR/sessions.json")
	[ "$(jq -r .username <<<"$S")" = "$user" ] || fail "$1: username is not $user"
}

# bw NAME up|down [LIMIT]: bits/s the receiver measured, client -> lnsd's
# 10.64.0.1 (up) or back (down, iperf3 -R); 1 s warm-up left out, 3 s
# measured. TCP, except up with a LIMIT: UDP offered at twice LIMIT for 5 s,
# since TCP through a policer measures TCP's recovery from drops, not the
# limit (docs/design.md §4.9); over 5 s the policer's 500 ms bucket adds at
# most 10 %.
bw() {
	local f=$ART/iperf-$1-$2.json opt=(-t 3)
	[ "$2" = up ] || opt+=(-R)
	[ "$2" != up ] || [ -z "${3:-}" ] || opt=(-t 5 -u -l 1200 -b $(($3 * 2)))
	on client iperf3 -c 10.64.0.1 -O 1 "${opt[@]}" -J >"$f" || fail "iperf3 $1 $2 failed ($f)"
	jq -r '.end.sum_received.bits_per_second | floor' "$f"
}
# near BPS WANT WHAT: BPS within 15 % of WANT. The policer counts IP packets
# (1228 bytes for iperf3's 1200-byte datagrams), iperf3 the payload: an
# upload limit L is L * 1200 / 1228 of payload.
near() {
	awk -v b="$1" -v w="$2" 'BEGIN { exit !(b >= w * 0.85 && b <= w * 1.15) }' ||
		fail "$3: $1 bit/s is not within 15 % of $2"
	log "$3: $1 bit/s (limit $2)"
}

N=0
# rad TYPE ATTRS...: one radclient request from lns (one try, 10 s) stamped with
# Event-Timestamp now; output in $RAD_OUT
rad() {
	local type=$1
	shift
	N=$((N + 1))
	printf '%s\n' "$@" "Event-Timestamp = $(date +%s)" >"$ART/rad-$N.in"
	on lns radclient -x -r 1 -t 10 -f "$ART/rad-$N.in" 127.0.0.1:3799 "$type" dae-s3cret \
		>"$ART/rad-$N.out" 2>&1 || true
	RAD_OUT=$ART/rad-$N.out
	cat "$RAD_OUT"
}
got() { grep -q -F "$1" "$RAD_OUT" || fail "radclient: no '$1' in $RAD_OUT"; }
# stops CAUSE N: FreeRADIUS has received N Accounting-Request Stops with that Acct-Terminate-Cause.
stops() {
	wait_for 60 "$2 Stop(s) with Acct-Terminate-Cause $1 at FreeRADIUS" sh -c \
		"[ \$(grep -c 'Acct-Terminate-Cause = $1\$' '$ART/freeradius.log') -ge $2 ]"
}
gone() { # NAME: the session, the kernel session and l2tpN are gone; pppd saw LCP end
	local name=$1
	wait_count 60 sessions 0 "$name: lnsd lists no session"
	wait_for 40 "$name: no kernel session" no_kernel_session
	wait_for 30 "$name: l2tpN gone" sh -c "! ip -n lns -br link | grep -q '^l2tp'"
	wait_for 40 "$name: pppd saw the Terminate-Request" grep -q 'LCP terminated by peer' "$ART/lac-$name/pppd.log"
	lac_stop
}

# --- by User-Name and Framed-IP-Address
lac one
grep -q 'Sent Access-Accept' "$ART/freeradius.log" || fail "carol was not authenticated by FreeRADIUS"
cip=$(jq -r .ip <<<"$S")
expect_ping client 10.64.0.1 2
rad disconnect 'User-Name = "carol"' 'Framed-IP-Address = 10.64.0.250'
got "Received Disconnect-NAK"
got "Error-Cause = Session-Context-Not-Found"
[ "$(ctl show sessions -j | jq length)" = 1 ] || fail "a NAKed Disconnect ended the session"
rad disconnect 'User-Name = "carol"' "Framed-IP-Address = $cip"
got "Received Disconnect-ACK"
gone one
grep -E 'dae 127\.0\.0\.1:[0-9]+: Disconnect User-Name="carol" Framed-IP-Address=' "$ART/lnsd.log" ||
	fail "lnsd did not log the Disconnect"
grep -E 'CDN result 3' "$ART/lnsd.log" || fail "no CDN result 3 in lnsd's log"
stops Admin-Reset 1
log "Disconnect by User-Name + Framed-IP-Address ($cip): ACK, PPP terminated, call gone"

# --- by NAS-Port (the ppp unit) and Acct-Session-Id, with Message-Authenticator
lac two
ifn=$(jq -r .ifname <<<"$S")
unit=${ifn#l2tp}
asid=$(jq -r .acct_session_id <<<"$S")
[[ "$asid" =~ ^[0-9A-F]{16}$ ]] || fail "two: acct_session_id '$asid'"
rad disconnect "NAS-Port = $unit" "Acct-Session-Id = \"$asid\"" 'Message-Authenticator = 0x00'
got "Received Disconnect-ACK"
got "Message-Authenticator"
gone two
stops Admin-Reset 2
log "Disconnect by NAS-Port $unit ($ifn) + Acct-Session-Id $asid with Message-Authenticator: ACK, call gone"

# --- CoA Idle-Timeout by User-Name: the idle call ends by itself
lac three
# before the CoA: carol's call is unlimited, the baseline for the rate checks
daemon iperf3 lns iperf3 -s -B 10.64.0.1
wait_for 20 "iperf3 listening" sh -c "ip netns exec lns ss -ltn | grep -q '10.64.0.1:5201'"
[ "$(jq -r '.rate_down, .rate_up' <<<"$S" | tr '\n' ' ')" = "0 0 " ] || fail "three: not unlimited"
base_up=$(bw unlimited up)
base_down=$(bw unlimited down)
log "unlimited call: up $base_up bit/s, down $base_down bit/s"
rad coa 'User-Name = "carol"' 'Idle-Timeout = 8'
got "Received CoA-ACK"
[ "$(ctl show sessions -j | jq length)" = 1 ] || fail "three: CoA-ACK but the call is gone at once"
gone three
stops Idle-Timeout 1
grep -E 'Idle-Timeout \(8 s\) reached' "$ART/lnsd.log" || fail "three: no Idle-Timeout in lnsd's log"
log "CoA Idle-Timeout 8 s: ACK, the idle call ended by itself"

# --- CoA Session-Timeout by Acct-Session-Id: the call ends by itself
lac four
asid=$(jq -r .acct_session_id <<<"$S")
[[ "$asid" =~ ^[0-9A-F]{16}$ ]] || fail "four: acct_session_id '$asid'"
rad coa "Acct-Session-Id = \"$asid\"" 'Session-Timeout = 8'
got "Received CoA-ACK"
[ "$(ctl show sessions -j | jq length)" = 1 ] || fail "four: CoA-ACK but the call is gone at once"
gone four
stops Session-Timeout 1
grep -E 'Session-Timeout \([0-9]+ s\) reached' "$ART/lnsd.log" || fail "four: no Session-Timeout in lnsd's log"
log "CoA Session-Timeout 8 s by Acct-Session-Id $asid: ACK, the call ended by itself"

# --- rate limits: dave's Filter-Id picks rate-profile rate5 (5 Mbit/s both ways)
lac five dave
[ "$(jq -r '.rate_down, .rate_up' <<<"$S" | tr '\n' ' ')" = "5000000 5000000 " ] ||
	fail "five: show sessions has not the rate5 profile's rates"
ifn=$(jq -r .ifname <<<"$S")
on lns tc qdisc show dev "$ifn"
on lns tc filter show dev "$ifn" ingress
up=$(bw rate5 up 5000000)
down=$(bw rate5 down)
near "$up" $((5000000 * 1200 / 1228)) "Filter-Id rate5, up (policed)"
near "$down" 5000000 "Filter-Id rate5, down (shaped)"
for b in "$base_up" "$base_down"; do
	[ "$b" -ge 7500000 ] || fail "the unlimited call's $b bit/s is not clearly above 5 Mbit/s"
done
rad coa 'User-Name = "dave"' 'Mikrotik-Rate-Limit = "2M/2M"'
got "Received CoA-ACK"
ctl show sessions -j | jq -e '.[0].rate_down == 2000000 and .[0].rate_up == 2000000' ||
	fail "five: show sessions does not have the CoA's rates"
up=$(bw coa2m up 2000000)
down=$(bw coa2m down)
near "$up" $((2000000 * 1200 / 1228)) "CoA Mikrotik-Rate-Limit 2M/2M, up"
near "$down" 2000000 "CoA Mikrotik-Rate-Limit 2M/2M, down"
rad coa 'User-Name = "dave"' 'Filter-Id = "no-such-profile"'
got "Received CoA-NAK"
got "Error-Cause = Invalid-Attribute-Value"
ctl show sessions -j | jq -e '.[0].rate_down == 2000000' || fail "five: a NAKed CoA changed the rate"
rad disconnect 'User-Name = "dave"'
got "Received Disconnect-ACK"
gone five
log "rate limits: profile 5M by Filter-Id, CoA to 2M live, bad Filter-Id NAKed"
