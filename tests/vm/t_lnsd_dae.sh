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
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip ping xl2tpd pppd jq radclient freeradius
LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
SOCK=$RUNDIR/lnsd.sock
ctl() { on lns "$LNSCTL" -s "$SOCK" "$@"; }

ns_add client lns
link_add lns eth0 192.0.2.1/24 client eth0 192.0.2.2/24

# FreeRADIUS: Debian's configuration, our client and user.
FR=$RUNDIR/freeradius
cp -a /etc/freeradius/3.0 "$FR"
cat >"$FR/clients.conf" <<-EOC
	client lo {
		ipaddr = 127.0.0.1
		secret = rad-s3cret
	}
EOC
printf 'carol Cleartext-Password := "carol-pw"\n' >"$FR/mods-config/files/authorize"
# lnsd requires a Message-Authenticator in Access-Accept/Reject by default;
# FreeRADIUS 3.2.1 signs a reply with one only when the reply lists it.
sed -i -e 's/^post-auth {$/&\n\tupdate reply { Message-Authenticator := 0x00 }/' \
	-e 's/^\tPost-Auth-Type REJECT {$/&\n\t\tupdate reply { Message-Authenticator := 0x00 }/' \
	"$FR/sites-enabled/default"
chown freerad:freerad "$FR/sites-enabled/default"
daemon freeradius lns freeradius -X -d "$FR"
# FreeRADIUS loads its whole configuration first: slow under TCG on a loaded host.
wait_log 120 "$ART/freeradius.log" 'Ready to process requests'

cat >"$ART/lnsd.conf" <<-EOC
	[lnsd]
	listen = 192.0.2.1:1701
	control-socket = $SOCK
	hostname = lns
	dataplane = kernel
	log-level = debug
	[l2tp]
	stopccn-hold = 1
	[ppp]
	auth = chap
	local-ip = 10.64.0.1
	pool = 10.64.0.10-10.64.0.20
	ifname = l2tp%d
	[radius]
	server = 127.0.0.1,rad-s3cret
	accounting = yes
	dae-listen = 127.0.0.1
	dae-clients = 127.0.0.1/32,dae-s3cret
EOC
daemon lnsd lns "$LNSD" -f -c "$ART/lnsd.conf"
wait_log 60 "$ART/lnsd.log" 'data plane: kernel'
wait_log 30 "$ART/lnsd.log" 'dae: listening on 127.0.0.1:3799'

# lac NAME N: an xl2tpd LAC whose pppd authenticates as carol with CHAP.
lac() {
	local name=$1 n=$2 w=$ART/lac-$1
	mkdir -p "$w"
	cat >"$w/lac.conf" <<-EOC
		[global]
		listen-addr = 192.0.2.2
		[lac x]
		lns = 192.0.2.1
		autodial = yes
		redial = no
		length bit = yes
		pppoptfile = $w/lac.opts
	EOC
	printf '%s\n' noauth nodefaultroute noccp novj refuse-pap "user carol" "password carol-pw" \
		debug "logfile $w/pppd.log" >"$w/lac.opts"
	daemon "xl2tpd-$name" client xl2tpd -D -c "$w/lac.conf" -p "$RUNDIR/lac$n.pid" \
		-C "$RUNDIR/lac$n.ctl"
	LAC_PID=$DAEMON_PID
	wait_for 60 "$name: ppp address on the client" \
		sh -c "ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.'"
	ctl show sessions -j >"$w/sessions.json"
	cat "$w/sessions.json"
	S=$(jq -c '.[0]' "$w/sessions.json")
	[ "$(jq -r .username <<<"$S")" = carol ] || fail "$name: username is not carol"
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
	wait_for 60 "$name: lnsd lists no session" \
		sh -c "[ \"\$(ip netns exec lns $LNSCTL -s $SOCK show sessions -j | jq length)\" = 0 ]"
	wait_for 40 "$name: no kernel session" sh -c "! ip netns exec lns ip l2tp show session | grep -q Session"
	wait_for 30 "$name: l2tpN gone" sh -c "! ip -n lns -br link | grep -q '^l2tp'"
	wait_for 40 "$name: pppd saw the Terminate-Request" grep -q 'LCP terminated by peer' "$ART/lac-$name/pppd.log"
	kill "$LAC_PID" 2>/dev/null || true
	wait "$LAC_PID" 2>/dev/null || true
}

# --- by User-Name and Framed-IP-Address
lac one 1
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
lac two 2
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
lac three 3
rad coa 'User-Name = "carol"' 'Idle-Timeout = 8'
got "Received CoA-ACK"
[ "$(ctl show sessions -j | jq length)" = 1 ] || fail "three: CoA-ACK but the call is gone at once"
gone three
stops Idle-Timeout 1
grep -E 'Idle-Timeout \(8 s\) reached' "$ART/lnsd.log" || fail "three: no Idle-Timeout in lnsd's log"
log "CoA Idle-Timeout 8 s: ACK, the idle call ended by itself"

# --- CoA Session-Timeout by Acct-Session-Id: the call ends by itself
lac four 4
asid=$(jq -r .acct_session_id <<<"$S")
[[ "$asid" =~ ^[0-9A-F]{16}$ ]] || fail "four: acct_session_id '$asid'"
rad coa "Acct-Session-Id = \"$asid\"" 'Session-Timeout = 8'
got "Received CoA-ACK"
[ "$(ctl show sessions -j | jq length)" = 1 ] || fail "four: CoA-ACK but the call is gone at once"
gone four
stops Session-Timeout 1
grep -E 'Session-Timeout \([0-9]+ s\) reached' "$ART/lnsd.log" || fail "four: no Session-Timeout in lnsd's log"
log "CoA Session-Timeout 8 s by Acct-Session-Id $asid: ACK, the call ended by itself"
