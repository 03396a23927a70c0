#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# MS-CHAPv2 and IPV6CP with the kernel data plane: Debian's xl2tpd + pppd as
# LAC in `client`, refusing every method but MS-CHAPv2 and asking for IPv6;
# lnsd with `auth = mschapv2` and `ipv6 = yes` in `lns`. The good password:
# pppd accepts our Authenticator Response (S=), an address from the pool,
# ping through, link-local addresses on both pppN and ping -6 across them,
# lnsctl shows the client's fe80:: address. A wrong password: pppd reports
# the failure, lnsd logs it and the call ends.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip ping xl2tpd pppd jq
LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
SOCK=$RUNDIR/lnsd.sock
ctl() { on lns "$LNSCTL" -s "$SOCK" "$@"; }

ns_add client lns
link_add lns eth0 192.0.2.1/24 client eth0 192.0.2.2/24

umask 077
cat >"$ART/users" <<-EOC
	# client  server  secret  addresses
	carol     *       carol-pw  *
EOC
# The artifacts share may not keep modes: lnsd reads a copy on tmpfs.
cp "$ART/users" "$RUNDIR/users"
chmod 600 "$RUNDIR/users"
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
	auth = mschapv2
	ipv6 = yes
	local-ip = 10.64.0.1
	pool = 10.64.0.10-10.64.0.20
	users-file = $RUNDIR/users
	ifname = l2tp%d
EOC
daemon lnsd lns "$LNSD" -f -c "$ART/lnsd.conf"
# Generous: under a loaded TCG host the guest's first steps can take many seconds.
wait_log 30 "$ART/lnsd.log" 'data plane: kernel'

# lac NAME USER PASSWORD N: start an xl2tpd LAC whose pppd can only do MS-CHAPv2.
lac() {
	local name=$1 user=$2 pw=$3 n=$4 w=$ART/lac-$1
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
	printf '%s\n' noauth nodefaultroute noccp novj refuse-pap refuse-chap refuse-eap \
		+ipv6 "user $user" "password $pw" debug "logfile $w/pppd.log" >"$w/lac.opts"
	daemon "xl2tpd-$name" client xl2tpd -D -c "$w/lac.conf" -p "$RUNDIR/lac$n.pid" \
		-C "$RUNDIR/lac$n.ctl"
	LAC_PID=$DAEMON_PID
}

# --- the right password ---
lac good carol carol-pw 1
w=$ART/lac-good
wait_for 60 "ppp address on the client" \
	sh -c "ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.'"
ip -n client -br addr | grep ppp
ip -n lns -br addr | grep l2tp
grep -q 'Using l2tp kernel support' "$ART/xl2tpd-good.log" ||
	fail "xl2tpd on the client did not use kernel mode"
grep -E 'MS-CHAP|authentication' "$w/pppd.log" || true
# pppd checks the Authenticator Response in S= before it reports success
# ("MS-CHAP mutual authentication failed" otherwise).
grep -q 'ConfAck id=0x[0-9a-f]* <mru [0-9]*> <auth chap MS-v2>' "$w/pppd.log" ||
	fail "pppd did not agree to MS-CHAPv2"
grep -q 'rcvd \[CHAP Success id=0x[0-9a-f]* "S=[0-9A-F]\{40\} M=' "$w/pppd.log" ||
	fail "no MS-CHAPv2 Success with S= in pppd's log"
grep -q 'mutual authentication failed' "$w/pppd.log" && fail "pppd refused our S="
grep -q '^CHAP authentication succeeded' "$w/pppd.log" || fail "pppd did not report success"
grep -q 'MS-CHAPv2 authentication of "carol" succeeded' "$ART/lnsd.log" ||
	fail "lnsd did not log MS-CHAPv2 success"
cip=$(ip -n client -4 -o addr show | awk '/ppp/ {split($4, a, "/"); print a[1]}')
wait_ping 10 client 10.64.0.1
expect_ping client 10.64.0.1 3
expect_ping lns "$cip" 3

# IPv6 link-local on both ends.
wait_for 20 "IPv6 up in lnsd" grep -q 'IPv6 up' "$ART/lnsd.log"
grep 'IPv6 up' "$ART/lnsd.log"
ifn=$(ip -n lns -br link | awk '/^l2tp/ {sub(/@.*/, "", $1); print $1; exit}')
[ -n "$ifn" ] || fail "no l2tpN in lns"
wait_for 20 "fe80:: on ppp0 in client" sh -c "ip -n client -6 addr show dev ppp0 | grep -q 'inet6 fe80::'"
ip -n client -6 addr show dev ppp0
ip -n lns -6 addr show dev "$ifn"
lll=$(ip -n lns -6 -o addr show dev "$ifn" | awk '$4 ~ /^fe80::/ {split($4, a, "/"); print a[1]; exit}')
[ -n "$lll" ] || fail "no fe80:: address on $ifn in lns"
cll=$(ip -n client -6 -o addr show dev ppp0 | awk '$4 ~ /^fe80::/ {split($4, a, "/"); print a[1]; exit}')
[ -n "$cll" ] || fail "no fe80:: address on ppp0 in client"
log "lns $ifn: $lll, client ppp0: $cll"
grep -q "IPv6 up.* $lll peer $cll" "$ART/lnsd.log" ||
	fail "lnsd's logged identifiers ($lll, $cll) do not match the interfaces"
wait_for 10 "ping -6 $lll%ppp0 from the client" on client ping -6 -c 1 -W 1 "$lll%ppp0"
on client ping -6 -c 3 -W 2 "$lll%ppp0" || fail "ping -6 $lll%ppp0 from the client"
on lns ping -6 -c 3 -W 2 "$cll%$ifn" || fail "ping -6 $cll%$ifn from lns"

ctl show sessions -j >"$w/sessions.json"
cat "$w/sessions.json"
s=$(jq -c '.[0]' "$w/sessions.json")
[ "$(jq -r .username <<<"$s")" = carol ] || fail "username is not carol"
[ "$(jq -r .ip <<<"$s")" = "$cip" ] || fail "ip is not $cip"
[ "$(jq -r .ipv6 <<<"$s")" = "$cll" ] || fail "ipv6 is not $cll"
ctl show sessions

echo "d x" >"$RUNDIR/lac1.ctl"
wait_for 20 "kernel tunnel gone" sh -c "! ip netns exec lns ip l2tp show tunnel | grep -q Tunnel"
wait_for 10 "pppN gone in lns" sh -c "! ip -n lns -br link | grep -qE '^(l2tp|ppp)'"
kill "$LAC_PID"
wait "$LAC_PID" 2>/dev/null || true

# --- a wrong password ---
lac bad carol wrong-pw 2
w=$ART/lac-bad
wait_log 60 "$ART/lnsd.log" 'MS-CHAPv2 authentication of "carol" failed \(E=691\)'
wait_for 30 "pppd reports the failure" grep -qE 'CHAP authentication failed' "$w/pppd.log"
grep -E 'CHAP|E=691' "$w/pppd.log" || true
grep -q 'E=691' "$w/pppd.log" || fail "no E=691 in pppd's log"
# pppd terminates LCP at once (it does not retry on R=1); xl2tpd then sends a CDN.
wait_for 30 "the session ends in lnsd" sh -c \
	"[ \"\$(ip netns exec lns $LNSCTL -s $SOCK show sessions -j | jq length)\" = 0 ]"
grep -E 'PPP down|-> dead' "$ART/lnsd.log" | tail -2
wait_for 20 "no kernel session in lns" sh -c "! ip netns exec lns ip l2tp show session | grep -q Session"
ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.' && fail "the bad password got an address"
kill "$LAC_PID"
wait "$LAC_PID" 2>/dev/null || true
log "MS-CHAPv2 (good and bad password) and IPV6CP link-local passed"
