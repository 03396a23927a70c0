#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lnsd's kernel data plane end to end: Debian's xl2tpd + pppd (kernel mode)
# as LAC in `client`, lnsd (dataplane = kernel) in `lns`. One call with PAP,
# then one with CHAP: an address from the pool, ping through pppN both ways,
# lnsctl shows ifname/username/ip and moving kernel counters while lnsd reads
# (almost) no data packets itself; a client-side disconnect leaves no kernel
# tunnel, session or pppN behind.
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"

topo_pair
users_file alice alice-pw bob bob-pw
lnsd_start <<-EOC
	[ppp]
	auth = chap, pap
	dns = 192.0.2.53
EOC

# call AUTH USER PASSWORD: one LAC run, checked, then disconnected.
call() {
	local auth=$1 user=$2 pw=$3 w=$ART/lac-$1 refuse="refuse-pap"
	if [ "$auth" = pap ]; then
		refuse="refuse-chap"
	fi
	local dius0
	dius0=$(ctl show stats -j | jq '.drops["data-in-userspace"]')
	lac_xl2tpd -w "$auth" "$user" "$pw" "$refuse"
	local lac_pid=$LAC_PID cip=$LAC_PPP_IP
	ip -n client -br addr | grep ppp
	ip -n lns -br addr | grep l2tp
	grep -q 'Using l2tp kernel support' "$ART/xl2tpd-$auth.log" ||
		fail "$auth: xl2tpd on the client did not use kernel mode"
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
	lac_hangup "$auth"
	wait_for 20 "$auth: kernel tunnel gone" no_kernel_tunnel
	wait_for 10 "$auth: kernel session gone" no_kernel_session
	wait_for 10 "$auth: pppN gone in lns" no_ppp_if
	lac_stop "$lac_pid"
	grep -E 'authentication of' "$ART/lnsd.log" | tail -1
}

call pap alice alice-pw
call chap bob bob-pw
grep -q 'CHAP authentication of "bob" succeeded' "$ART/lnsd.log" || fail "CHAP was not used"
grep -q 'PAP authentication of "alice" succeeded' "$ART/lnsd.log" || fail "PAP was not used"
log "PAP and CHAP calls passed traffic through the kernel"
