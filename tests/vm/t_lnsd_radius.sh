#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# RADIUS with the kernel data plane: Debian's FreeRADIUS (-X, loopback) and
# lnsd in `lns`, Debian's xl2tpd + pppd as LAC in `client`. The first
# [radius] server is an address nobody answers (192.0.2.99): the first
# request fails over to FreeRADIUS and lnsd logs it. Then, one call at a
# time: PAP (alice), CHAP (bob: Framed-IP-Address 10.64.0.99, Class,
# Acct-Interim-Interval 5), MS-CHAPv2 (carol: pppd checks the S= that came
# in MS-CHAP2-Success; MS DNS servers in IPCP), Idle-Timeout (dave), Session-Timeout (erin) and a
# wrong PAP password. Bob's Framed-Route is a route via pppN. Last, lnsd is
# stopped with a call up: its Stop says Admin-Reboot. FreeRADIUS's detail file
# must show Start, Interim-Update and Stop for bob with the Class echoed,
# non-zero octets after a ping of ~30 KB and the Acct-Session-Id that
# `lnsctl show sessions -j` shows. Every Access-Accept/Reject above carries a
# Message-Authenticator that lnsd requires (FreeRADIUS 3.2.1 adds it because
# post-auth lists it). Last block: replies signed with another secret (see there).
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"
require freeradius curl

topo_pair

# --- FreeRADIUS (lnsd-lib.sh's fr_start): our users first ---
fr_start <<-'EOC'
	alice	Cleartext-Password := "alice-pw"
	bob	Cleartext-Password := "bob-pw"
	    Framed-IP-Address = 10.64.0.99,
	    Class = "cls-bob",
	    Acct-Interim-Interval = 5,
	    Framed-Route = "192.168.77.0/24 0.0.0.0 1"
	carol	Cleartext-Password := "carol-pw"
	    MS-Primary-DNS-Server = 192.0.2.53,
	    MS-Secondary-DNS-Server = 192.0.2.54
	dave	Cleartext-Password := "dave-pw"
	    Idle-Timeout = 4
	erin	Cleartext-Password := "erin-pw"
	    Session-Timeout = 6
	EOC
fr_ready

lnsd_start <<-EOC
	[lnsd]
	metrics = 127.0.0.1:9101
	[ppp]
	auth = mschapv2, chap, pap
	# pppN keeps its name: Framed-Route goes via dev pppN.
	ifname =
	[radius]
	server = 192.0.2.99,testing123
	server = 127.0.0.1:1812:1813,testing123
	nas-identifier = lns-vm
	# Two tries of 3 s: FreeRADIUS -X under a loaded TCG guest can take a
	# couple of seconds for one answer.
	timeout = 3
	retries = 1
EOC

# lac NAME USER PASSWORD N REFUSE...: an xl2tpd LAC (call N, from port
# LAC_PORT) whose pppd refuses the methods given.
declare -A lac_ctl=()
lac() {
	local name=$1 user=$2 pw=$3 n=$4
	shift 4
	lac_xl2tpd ${LAC_PORT:+-g "port = $LAC_PORT"} "$name" "$user" "$pw" refuse-eap "$@"
	lac_ctl[$n]=$LAC_CTL
}

# hangup N: the LAC of call N ends it; wait until lnsd has no session left.
hangup() {
	echo "d x" >"${lac_ctl[$1]}"
	wait_count 20 sessions 0 "no session in lnsd"
	kill "$LAC_PID"
	wait "$LAC_PID" 2>/dev/null || true
}

client_ip() { ip -n client -4 -o addr show | awk '/ppp/ {split($4, a, "/"); print a[1]}'; }

# --- PAP, through the failover ---
lac pap alice alice-pw 1 refuse-chap refuse-mschap refuse-mschap-v2
wait_for 60 "ppp address on the client (PAP)" sh -c "ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.'"
grep -q 'PAP authentication of "alice" accepted by RADIUS 127.0.0.1:1812' "$ART/lnsd.log" ||
	fail "lnsd did not log alice's PAP accept from 127.0.0.1"
grep -E 'radius: authentication server 192.0.2.99:1812: no answer .*failing over to 127.0.0.1:1812' \
	"$ART/lnsd.log" || fail "no failover from 192.0.2.99 logged"
grep -q 'Auth-Type = PAP' "$ART/freeradius.log" || fail "FreeRADIUS did not do PAP"
wait_ping 10 client 10.64.0.1
hangup 1

# --- CHAP: the RADIUS address, Class, interim updates, counters ---
lac chap bob bob-pw 2 refuse-pap refuse-mschap refuse-mschap-v2
wait_for 60 "10.64.0.99 on the client (CHAP)" sh -c "ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.99'"
grep -q 'CHAP authentication of "bob" accepted by RADIUS' "$ART/lnsd.log" ||
	fail "lnsd did not log bob's CHAP accept"
ip -n lns route show 192.168.77.0/24 | tee "$ART/route-bob.txt"
grep -q 'dev ppp' "$ART/route-bob.txt" || fail "no Framed-Route 192.168.77.0/24 via pppN"
grep -q 'Auth-Type = CHAP' "$ART/freeradius.log" || fail "FreeRADIUS did not do CHAP"
wait_ping 10 client 10.64.0.1
on client ping -q -c 30 -s 1000 -i 0.2 10.64.0.1 || fail "ping from bob's client"
ctl show sessions -j >"$ART/sessions-bob.json"
cat "$ART/sessions-bob.json"
sid=$(jq -r '.[0].acct_session_id' "$ART/sessions-bob.json")
[ "$(jq -r '.[0].ip' "$ART/sessions-bob.json")" = 10.64.0.99 ] || fail "session ip is not 10.64.0.99"
[[ $sid =~ ^[0-9A-F]{16}$ ]] || fail "acct_session_id '$sid' is not 16 hex digits"
# An Interim-Update after the ping carries its octets (the interval is 5 s).
wait_for 30 "an Interim-Update for bob with input octets" sh -c \
	"cat $RUNDIR/frlog/radacct/127.0.0.1/detail-* | awk -v s=\"\\\"$sid\\\"\" '
		/^[A-Z][a-z][a-z] / { interim = 0; mine = 0; oct = 0 }
		/Acct-Status-Type = Interim-Update/ { interim = 1 }
		\$1 == \"Acct-Session-Id\" && \$3 == s { mine = 1 }
		\$1 == \"Acct-Input-Octets\" && \$3 > 30000 { oct = 1 }
		interim && mine && oct { found = 1 }
		END { exit !found }'"
# --- a second call as bob while his first holds 10.64.0.99: refused, the first lives on ---
bob_pid=$LAC_PID
LAC_PORT=1702 lac dup bob bob-pw 9 refuse-pap refuse-mschap refuse-mschap-v2
wait_log 60 "$ART/lnsd.log" 'Framed-IP-Address 10\.64\.0\.99: already in use by another session; refusing'
wait_count 30 sessions 1 "the refused call gone"
kill "$LAC_PID"
wait "$LAC_PID" 2>/dev/null || true
LAC_PID=$bob_pid
on client ping -q -c 3 -W 2 10.64.0.1 || fail "bob's first call did not survive the refused duplicate"
hangup 2
# (alice's Stop is in the file already: wait for bob's, of this session)
bob_stop() { record bob Stop | grep -qF "Acct-Session-Id = \"$sid\""; }
wait_for 20 "Stop for bob in the detail file" bob_stop
detail >"$ART/detail.txt"
# The Stop record of bob's session: every attribute of that record.
awk -v s="\"$sid\"" '
	/^[A-Z][a-z][a-z] / { if (rec ~ /Acct-Status-Type = Stop/ && rec ~ ("Acct-Session-Id = " s)) print rec; rec = "" }
	{ rec = rec $0 "\n" }
	END { if (rec ~ /Acct-Status-Type = Stop/ && rec ~ ("Acct-Session-Id = " s)) print rec }' \
	"$ART/detail.txt" >"$ART/stop-bob.txt"
cat "$ART/stop-bob.txt"
grep -q 'Class = 0x636c732d626f62' "$ART/stop-bob.txt" || fail "Class not echoed in the Stop"
grep -q 'Framed-IP-Address = 10.64.0.99' "$ART/stop-bob.txt" || fail "no Framed-IP-Address in the Stop"
grep -q 'NAS-Identifier = "lns-vm"' "$ART/stop-bob.txt" || fail "no NAS-Identifier in the Stop"
grep -q 'Tunnel-Type:0 = L2TP' "$ART/stop-bob.txt" || fail "no Tunnel-Type in the Stop"
grep -q 'Acct-Terminate-Cause = ' "$ART/stop-bob.txt" || fail "no Acct-Terminate-Cause in the Stop"
in=$(awk '$1 == "Acct-Input-Octets" { print $3 }' "$ART/stop-bob.txt")
out=$(awk '$1 == "Acct-Output-Octets" { print $3 }' "$ART/stop-bob.txt")
log "bob's Stop: $in octets in, $out out"
[ "${in:-0}" -gt 30000 ] && [ "${out:-0}" -gt 30000 ] || fail "Stop octets too small ($in/$out)"
grep -c 'Acct-Status-Type = Start' "$ART/detail.txt" | grep -qv '^0$' || fail "no Start record"

# --- MS-CHAPv2: pppd checks the Authenticator Response from MS-CHAP2-Success ---
lac mschap carol carol-pw 3 refuse-pap refuse-chap refuse-mschap usepeerdns
w=$ART/lac-mschap
wait_for 60 "ppp address on the client (MS-CHAPv2)" sh -c "ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.'"
grep -q 'rcvd \[CHAP Success id=0x[0-9a-f]* "S=[0-9A-F]\{40\}' "$w/pppd.log" ||
	fail "no MS-CHAPv2 Success with S= in pppd's log"
grep -q 'mutual authentication failed' "$w/pppd.log" && fail "pppd refused the S= from RADIUS"
grep -q 'MS-CHAPv2 authentication of "carol" accepted by RADIUS' "$ART/lnsd.log" ||
	fail "lnsd did not log carol's MS-CHAPv2 accept"
# MS-Primary/Secondary-DNS-Server reach the client in IPCP.
grep -E 'DNS address' "$w/pppd.log" || true
grep -qE 'primary +DNS address 192\.0\.2\.53' "$w/pppd.log" || fail "pppd did not get DNS 192.0.2.53"
grep -qE 'secondary +DNS address 192\.0\.2\.54' "$w/pppd.log" || fail "pppd did not get DNS 192.0.2.54"
wait_ping 10 client 10.64.0.1
hangup 3

# --- Idle-Timeout (dave, 4 s, no traffic) and Session-Timeout (erin, 6 s, pinging) ---
lac idle dave dave-pw 5 refuse-chap refuse-mschap refuse-mschap-v2
wait_for 60 "Stop for dave" has_record dave Stop
record dave Stop | tee "$ART/stop-dave.txt"
grep -q 'Acct-Terminate-Cause = Idle-Timeout' "$ART/stop-dave.txt" || fail "dave's Stop is not Idle-Timeout"
grep -q 'Idle-Timeout (4 s) reached' "$ART/lnsd.log" || fail "lnsd did not log dave's Idle-Timeout"
kill "$LAC_PID"
wait "$LAC_PID" 2>/dev/null || true
lac session erin erin-pw 6 refuse-chap refuse-mschap refuse-mschap-v2
wait_for 60 "ppp address on the client (erin)" sh -c "ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.'"
on client ping -q -c 20 -i 0.5 10.64.0.1 >/dev/null 2>&1 || true
wait_for 60 "Stop for erin" has_record erin Stop
record erin Stop | tee "$ART/stop-erin.txt"
grep -q 'Acct-Terminate-Cause = Session-Timeout' "$ART/stop-erin.txt" ||
	fail "erin's Stop is not Session-Timeout"
t=$(awk '$1 == "Acct-Session-Time" { print $3 }' "$ART/stop-erin.txt")
[ "${t:-0}" -ge 6 ] && [ "${t:-0}" -le 9 ] || fail "erin's Acct-Session-Time $t is not about 6 s"
kill "$LAC_PID"
wait "$LAC_PID" 2>/dev/null || true

# --- a wrong password ---
lac bad alice wrong-pw 7 refuse-chap refuse-mschap refuse-mschap-v2
w=$ART/lac-bad
wait_log 60 "$ART/lnsd.log" 'PAP authentication of "alice" refused by RADIUS 127.0.0.1:1812'
wait_for 30 "pppd reports the failure" grep -q 'PAP authentication failed' "$w/pppd.log"
ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.' && fail "the bad password got an address"
kill "$LAC_PID"
wait "$LAC_PID" 2>/dev/null || true

# --- the counters: the dead server's timeouts, FreeRADIUS's answers ---
on lns curl -s -m 5 http://127.0.0.1:9101/metrics >"$ART/metrics.txt" || fail "GET /metrics"
grep '^lnsd_radius' "$ART/metrics.txt"
metric() { awk -v k="$1" '$1 == k { print $2 }' "$ART/metrics.txt"; }
[ "$(metric 'lnsd_radius_requests_total{server="192.0.2.99:1812",type="auth",result="timeout"}')" -ge 1 ] ||
	fail "no auth timeout counted for 192.0.2.99"
[ "$(metric 'lnsd_radius_requests_total{server="127.0.0.1:1812",type="auth",result="accept"}')" -ge 5 ] ||
	fail "fewer than 5 accepts counted for 127.0.0.1"
[ "$(metric 'lnsd_radius_requests_total{server="127.0.0.1:1812",type="auth",result="reject"}')" -ge 1 ] ||
	fail "no reject counted for 127.0.0.1"
[ "$(metric 'lnsd_radius_requests_total{server="127.0.0.1:1812",type="acct",result="response"}')" -ge 10 ] ||
	fail "fewer than 10 accounting responses counted"
[ "$(metric 'lnsd_radius_failed_total{type="acct"}')" = 0 ] || fail "accounting records were lost"
[ "$(metric lnsd_radius_framed_ip_refused_total)" = 1 ] ||
	fail "the duplicate Framed-IP-Address was not counted once"

# --- lnsd stops with a call up: its Stop (Admin-Reboot) still reaches FreeRADIUS ---
starts() { record alice Start | grep -c 'Acct-Status-Type' || true; }
starts0=$(starts)
lac final alice alice-pw 8 refuse-chap refuse-mschap refuse-mschap-v2
wait_for 60 "ppp address on the client (final)" sh -c "ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.'"
# Its Start first: SIGTERM right after IPCP once left the Start and the Stop
# both to the 3 s shutdown grace, which a loaded host's FreeRADIUS missed.
started() { [ "$(starts)" -gt "$starts0" ]; }
wait_for 20 "alice's Start (final)" started
kill -TERM "$LNSD_PID"
rc=0
wait "$LNSD_PID" || rc=$?
[ "$rc" = 0 ] || fail "lnsd exited with status $rc after SIGTERM"
rebooted() { record alice Stop | grep -q 'Acct-Terminate-Cause = Admin-Reboot'; }
wait_for 20 "alice's Stop with Admin-Reboot" rebooted
grep -q 'still waiting for a server at shutdown' "$ART/lnsd.log" && fail "Stop records left unsent"
kill "$LAC_PID"
wait "$LAC_PID" 2>/dev/null || true
log "RADIUS PAP/CHAP/MS-CHAPv2, Framed-IP-Address, accounting and failover passed"

# --- replies signed with another secret (RFC 2865 §3: discarded unread) ---
# A second lnsd whose servers both have the WRONG secret, bob over CHAP:
#  1. FreeRADIUS itself: it drops our request (the Message-Authenticator
#     does not verify with its secret) -> no answer, failover;
#  2. a relay that re-signs our Message-Authenticator with FreeRADIUS's
#     secret, so FreeRADIUS sends bob's real Access-Accept (10.64.0.99),
#     signed with its secret -> lnsd drops it (bad-authenticator).
# No session, no 10.64.0.99, the log lines and the counters.
require python3
cat >"$ART/relay.py" <<-'EOC'
	import hashlib, hmac, socket, sys
	key = sys.argv[1].encode()
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("127.0.0.1", 1822))
	up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	up.connect(("127.0.0.1", 1812))
	up.settimeout(10)
	while True:
	    p, peer = s.recvfrom(4096)
	    p, off = bytearray(p), 20
	    while off + 18 <= len(p) and p[off + 1] >= 2:
	        if p[off] == 80 and p[off + 1] == 18:
	            p[off + 2:off + 18] = bytes(16)
	            p[off + 2:off + 18] = hmac.new(key, bytes(p), hashlib.md5).digest()
	        off += p[off + 1]
	    up.send(bytes(p))
	    try:
	        s.sendto(up.recv(4096), peer)
	    except socket.timeout:
	        pass
EOC
daemon relay lns python3 "$ART/relay.py" testing123
SOCK=$RUNDIR/lnsd-wrong.sock
sed -e '/^server = /d' -e "s|^control-socket = .*|control-socket = $SOCK|" \
	-e 's/^metrics = .*/metrics = 127.0.0.1:9102/' \
	-e 's/^\[radius\]$/&\nserver = 127.0.0.1:1812:1813,WRONG\nserver = 127.0.0.1:1822:1823,WRONG/' \
	"$ART/lnsd.conf" >"$ART/lnsd-wrong.conf"
daemon lnsd-wrong lns "$LNSD" -f -c "$ART/lnsd-wrong.conf"
LNSD_PID=$DAEMON_PID
wait_log 30 "$ART/lnsd-wrong.log" 'data plane: kernel'
accepts=$(grep -c 'Sent Access-Accept' "$ART/freeradius.log" || true)
lac wrong bob bob-pw 10 refuse-pap refuse-mschap refuse-mschap-v2
wait_log 60 "$ART/lnsd-wrong.log" 'CHAP authentication of "bob" refused by RADIUS no server \(no server answered\)'
grep 'radius' "$ART/lnsd-wrong.log" || true
grep -q 'radius: authentication server 127.0.0.1:1812: no answer .*failing over to 127.0.0.1:1822' \
	"$ART/lnsd-wrong.log" || fail "no failover from the WRONG secret's silence logged"
grep -q 'radius: authentication server 127.0.0.1:1822: reply dropped (bad-authenticator)' \
	"$ART/lnsd-wrong.log" || fail "the Accept signed with FreeRADIUS's secret was not dropped and logged"
grep -q 'invalid Message-Authenticator!  (Shared secret is incorrect.)' "$ART/freeradius.log" ||
	fail "FreeRADIUS did not drop the request signed with the WRONG secret"
[ "$(grep -c 'Sent Access-Accept' "$ART/freeradius.log")" -gt "$accepts" ] ||
	fail "FreeRADIUS did not accept bob through the relay: nothing was there to drop"
wait_for 20 "no session in lnsd" sh -c \
	"[ \"\$(ip netns exec lns $LNSCTL -s $SOCK show sessions -j | jq length)\" = 0 ]"
ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.99' && fail "the dropped Accept's address reached bob"
on lns curl -s -m 5 http://127.0.0.1:9102/metrics >"$ART/metrics-wrong.txt" || fail "GET /metrics"
grep '^lnsd_radius_\(dropped\|requests\|failed\)' "$ART/metrics-wrong.txt" || true
wmetric() { awk -v k="$1" '$1 == k { print $2 }' "$ART/metrics-wrong.txt"; }
[ "$(wmetric 'lnsd_radius_dropped_replies_total{server="127.0.0.1:1822",reason="bad-authenticator"}')" -ge 1 ] ||
	fail "the dropped Accept was not counted"
[ "$(wmetric 'lnsd_radius_requests_total{server="127.0.0.1:1812",type="auth",result="timeout"}')" -ge 1 ] ||
	fail "no timeout counted for the WRONG secret"
[ "$(wmetric 'lnsd_radius_requests_total{server="127.0.0.1:1822",type="auth",result="accept"}')" = 0 ] ||
	fail "an accept was counted for a dropped reply"
[ "$(wmetric 'lnsd_radius_failed_total{type="auth"}')" -ge 1 ] || fail "the refused authentication was not counted"
kill "$LAC_PID"
wait "$LAC_PID" 2>/dev/null || true
kill -TERM "$LNSD_PID"
wait "$LNSD_PID" 2>/dev/null || true
log "replies signed with another secret dropped: no session, logged and counted"
