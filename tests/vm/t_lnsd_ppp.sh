#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lnsd's kernel data plane end to end: Debian's xl2tpd + pppd (kernel mode)
# as LAC in `client`, lnsd (dataplane = kernel) in `lns`. One call with PAP,
# then one with CHAP: an address from the pool, ping through pppN both ways,
# lnsctl shows ifname/username/ip and moving kernel counters while lnsd reads
# (almost) no data packets itself; a client-side disconnect leaves no kernel
# tunnel, session or pppN behind.
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
	alice     *       alice-pw  *
	bob       *       bob-pw    *
EOC
chmod 600 "$ART/users"
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
	auth = chap, pap
	local-ip = 10.64.0.1
	pool = 10.64.0.10-10.64.0.20
	dns = 192.0.2.53
	users-file = $RUNDIR/users
	ifname = l2tp%d
EOC
daemon lnsd lns "$LNSD" -f -c "$ART/lnsd.conf"
wait_log 10 "$ART/lnsd.log" 'data plane: kernel'

# call AUTH USER PASSWORD N: one LAC run, checked, then disconnected.
call() {
	local auth=$1 user=$2 pw=$3 n=$4 w=$ART/lac-$1 refuse="refuse-pap"
	mkdir -p "$w"
	if [ "$auth" = pap ]; then
		refuse="refuse-chap"
	fi
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
	printf '%s\n' noauth nodefaultroute noccp novj "$refuse" "user $user" "password $pw" \
		debug "logfile $w/pppd.log" >"$w/lac.opts"
	daemon "xl2tpd-$auth" client xl2tpd -D -c "$w/lac.conf" -p "$RUNDIR/lac$n.pid" \
		-C "$RUNDIR/lac$n.ctl"
	local lac_pid=$DAEMON_PID dius0
	dius0=$(ctl show stats -j | jq '.drops["data-in-userspace"]')

	wait_for 60 "$auth: ppp address on the client" \
		sh -c "ip -n client -br addr | grep -q 'ppp.*10\.64\.0\.'"
	ip -n client -br addr | grep ppp
	ip -n lns -br addr | grep l2tp
	grep -q 'Using l2tp kernel support' "$ART/xl2tpd-$auth.log" ||
		fail "$auth: xl2tpd on the client did not use kernel mode"
	local cip
	cip=$(ip -n client -4 -o addr show | awk '/ppp/ {split($4, a, "/"); print a[1]}')
	wait_ping 10 client 10.64.0.1
	expect_ping client 10.64.0.1 5
	expect_ping lns "$cip" 5

	sleep 1.2   # the kernel counters are cached for a second
	ctl show sessions -j >"$w/sessions.json"
	cat "$w/sessions.json"
	local s
	s=$(jq -c '.[0]' "$w/sessions.json")
	[ "$(jq -r .username <<<"$s")" = "$user" ] || fail "$auth: username is not $user"
	[ "$(jq -r .ip <<<"$s")" = "$cip" ] || fail "$auth: ip is not $cip"
	jq -e '.ifname | test("^l2tp[0-9]+$")' <<<"$s" >/dev/null || fail "$auth: ifname"
	jq -e '.rx_packets >= 10 and .tx_packets >= 10 and .rx_bytes > 0 and .tx_bytes > 0' \
		<<<"$s" >/dev/null || fail "$auth: kernel session counters did not move"
	ctl show tunnels -j >"$w/tunnels.json"
	jq -e '.[0].rx_packets >= 10 and .[0].tx_packets >= 10' "$w/tunnels.json" >/dev/null ||
		{ cat "$w/tunnels.json"; fail "$auth: kernel tunnel counters did not move"; }
	ctl show sessions
	ctl show stats -j >"$w/stats.json"
	# Only frames that beat the kernel session (pppd's first LCP
	# Configure-Requests, sent right after the ICCN) may reach lnsd.
	local dius
	dius=$(($(jq '.drops["data-in-userspace"]' "$w/stats.json") - dius0))
	log "$auth: data packets read by lnsd: $dius (kernel: $(jq -c '[.rx_packets, .tx_packets]' <<<"$s"))"
	[ "$dius" -le 4 ] || fail "$auth: lnsd read $dius data packets (the kernel should)"

	# Teardown from the client.
	echo "d x" >"$RUNDIR/lac$n.ctl"
	wait_for 20 "$auth: kernel tunnel gone" \
		sh -c "! ip netns exec lns ip l2tp show tunnel | grep -q Tunnel"
	wait_for 10 "$auth: kernel session gone" \
		sh -c "! ip netns exec lns ip l2tp show session | grep -q Session"
	wait_for 10 "$auth: pppN gone in lns" sh -c "! ip -n lns -br link | grep -qE '^(l2tp|ppp)'"
	kill "$lac_pid"
	wait "$lac_pid" 2>/dev/null || true
	grep -E 'authentication of' "$ART/lnsd.log" | tail -1
}

call pap alice alice-pw 1
call chap bob bob-pw 2
grep -q 'CHAP authentication of "bob" succeeded' "$ART/lnsd.log" || fail "CHAP was not used"
grep -q 'PAP authentication of "alice" succeeded' "$ART/lnsd.log" || fail "PAP was not used"
log "PAP and CHAP calls passed traffic through the kernel"
