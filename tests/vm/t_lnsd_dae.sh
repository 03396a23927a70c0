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
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"
require radclient freeradius

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

lnsd_start <<-EOC
	[radius]
	server = 127.0.0.1,rad-s3cret
	accounting = yes
	dae-listen = 127.0.0.1
	dae-clients = 127.0.0.1/32,dae-s3cret
EOC
wait_log 30 "$ART/lnsd.log" 'dae: listening on 127.0.0.1:3799'

# lac NAME: an xl2tpd LAC whose pppd authenticates as carol with CHAP.
lac() {
	lac_xl2tpd -w "$1" carol carol-pw refuse-pap
	ctl show sessions -j >"$LAC_DIR/sessions.json"
	cat "$LAC_DIR/sessions.json"
	S=$(jq -c '.[0]' "$LAC_DIR/sessions.json")
	[ "$(jq -r .username <<<"$S")" = carol ] || fail "$1: username is not carol"
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
