#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An independent LAC against lnsd's kernel data plane: freeRtr (a Java
# router with its own IP stack, L2TPv2 and PPP; nothing shared with the
# kernel, xl2tpd, pppd or lnsd) dials lnsd from `client` through its
# lac.sh, with a tunnel secret (Challenge/Challenge Response both ways).
# One call with CHAP, then one with PAP (lnsd restarted with that method
# alone, since freeRtr takes whichever the LNS asks for): the tunnel is
# authenticated, lnsctl shows the user and a pool address, the l2tpN exists
# in the kernel with the client as its peer, lnsd's pings to that address
# cross the kernel session and are answered by freeRtr's own IP stack, lnsd
# reads (almost) no data packets itself, and stopping lac.sh leaves no
# tunnel, session or l2tpN in lnsd or the kernel.
#
# freeRtr lives outside the repository, at ../shared/peers/freertr from
# its root, or in $LNSD_FREERTR_DIR (tests/vm/run passes it on); without
# it or without java the test is skipped (status 77), not passed.
set -eu
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"

FR=${LNSD_FREERTR_DIR:-${LNSD_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}/../shared/peers/freertr}
if [ ! -x "$FR/lac.sh" ] || [ ! -f "$FR/rtr.jar" ]; then
	skip "no freeRtr (lac.sh, rtr.jar) in $FR; set LNSD_FREERTR_DIR"
fi
if ! java -version >/dev/null 2>&1; then
	skip "no java to run freeRtr (openjdk-17-jre-headless)"
fi
require bc ss stdbuf

# The JVM needs 12-70 s to open its ports in a TCG guest and freeRtr up to
# 190 s more to bring PPP up on a busy host (measured: load 12 on 2 cores).
FR_WAIT=${FR_WAIT:-420}
# freeRtr's own address on the client link; the client's kernel keeps none
# there, so everything on 192.0.2.3 is freeRtr's IP stack.
FR_IP=192.0.2.3
SECRET=tunsecret

topo_pair
ip -n client addr flush dev eth0
users_file alice alice-pw bob bob-pw

# session_up USER: lnsd lists one established session of USER with an address.
session_up() {
	ctl show sessions -j | jq -e --arg u "$1" \
		'length == 1 and .[0].state == "established" and .[0].username == $u and
		 (.[0].ip | startswith("10.64.0."))' >/dev/null
}
# session_or_refused USER AUTH PID: session_up USER, or lnsd refused the
# tunnel or USER (lnsd-AUTH.log), or lac.sh (PID) has exited: no need to
# wait for FR_WAIT then.
session_or_refused() {
	session_up "$1" ||
		grep -qE 'authentication of .* failed|tunnel authentication failed' "$ART/lnsd-$2.log" ||
		! kill -0 "$3" 2>/dev/null
}
# fr_started PID AUTH: lac.sh says freeRtr listens, or it has exited.
fr_started() { grep -q 'listening after' "$ART/lac-$2.log" || ! kill -0 "$1" 2>/dev/null; }
# lnsd_empty: lnsd lists no tunnel and no session.
lnsd_empty() { count_is tunnels 0 && count_is sessions 0; }

# call AUTH USER PASSWORD: lnsd asking for AUTH only, one freeRtr call,
# checked, then lac.sh stopped and the teardown checked.
call() {
	local auth=$1 user=$2 pw=$3 w=$ART/$1 t0 lac_pid dius0 dius s cip ifn
	mkdir -p "$w"
	lnsd_start "lnsd-$auth" <<-EOC
		[l2tp]
		secret = $SECRET
		hello-interval = 5
		[ppp]
		auth = $auth
		lcp-echo-interval = 5
		lcp-echo-failures = 3
	EOC
	cp "$ART/lnsd.conf" "$w/lnsd.conf"
	dius0=$(ctl show stats -j | jq '.drops["data-in-userspace"]')

	t0=$(date +%s)
	daemon "lac-$auth" client "$FR/lac.sh" --netns client --addr "$FR_IP/24" --bridge eth0 \
		--lns "$LNS_IP" --user "$user" --password "$pw" --secret "$SECRET" \
		--hostname frlac --workdir "$w/fr" --ready-timeout "$FR_WAIT"
	lac_pid=$DAEMON_PID
	wait_for "$FR_WAIT" "$auth: freeRtr listening (or lac.sh gone)" fr_started "$lac_pid" "$auth"
	grep -q 'listening after' "$ART/lac-$auth.log" ||
		{ cat "$ART/lac-$auth.log"; fail "$auth: lac.sh did not start freeRtr"; }
	log "$auth: $(grep 'listening after' "$ART/lac-$auth.log")"
	wait_for "$FR_WAIT" "$auth: $user's session with an address in lnsd (or a refusal)" \
		session_or_refused "$user" "$auth" "$lac_pid"
	grep -E 'authentication of .* failed|tunnel authentication failed' "$ART/lnsd-$auth.log" &&
		fail "$auth: lnsd refused freeRtr"
	kill -0 "$lac_pid" 2>/dev/null || { tail "$ART/lac-$auth.log"; fail "$auth: lac.sh exited"; }
	log "$auth: session up $(($(date +%s) - t0)) s after lac.sh started"

	# lnsd's side of the control connection and of PPP.
	grep -q 'new control connection from host "frlac" (peer config default, authenticated)' \
		"$ART/lnsd-$auth.log" || fail "$auth: lnsd did not authenticate freeRtr's tunnel"
	grep -q "${auth^^} authentication of \"$user\" succeeded" "$ART/lnsd-$auth.log" ||
		fail "$auth: lnsd did not log ${auth^^} success for $user"
	ctl show tunnels -j >"$w/tunnels.json"
	jq -e 'length == 1 and .[0].state == "established"' "$w/tunnels.json" >/dev/null ||
		{ cat "$w/tunnels.json"; fail "$auth: no established tunnel in lnsd"; }
	[ "$(jq -r '.[0].peer_hostname' "$w/tunnels.json")" = frlac ] ||
		fail "$auth: the tunnel's peer host name is not frlac"

	# freeRtr's side: it answered our Challenge and got the same address.
	wait_log 30 "$ART/lac-$auth.log" 'PPP-UP [0-9.]+ after'
	s=$(ctl show sessions -j | jq -c '.[0]')
	cip=$(jq -r .ip <<<"$s")
	ifn=$(jq -r .ifname <<<"$s")
	grep "PPP-UP" "$ART/lac-$auth.log"
	grep -q "PPP-UP $cip after" "$ART/lac-$auth.log" ||
		fail "$auth: freeRtr's IPCP address is not lnsd's $cip"
	log "$auth: $user got $cip on $ifn"

	# The kernel's side: the tunnel and session, and the l2tpN with the
	# client's address as its peer.
	on lns ip l2tp show tunnel | tee "$w/l2tp-tunnel.txt" | grep -q Tunnel ||
		fail "$auth: no kernel tunnel"
	on lns ip l2tp show session | tee "$w/l2tp-session.txt" | grep -q Session ||
		fail "$auth: no kernel session"
	jq -e '.ifname | test("^l2tp[0-9]+$")' <<<"$s" >/dev/null || fail "$auth: ifname '$ifn'"
	ip -n lns link show dev "$ifn" | grep -q 'state UNKNOWN\|,UP' ||
		fail "$auth: $ifn is not up in the kernel"
	ip -n lns -4 addr show dev "$ifn" | tee "$w/ifaddr.txt" |
		grep -q "inet 10\.64\.0\.1 peer $cip/32" || fail "$auth: $ifn has no peer $cip"

	# lnsd -> kernel session -> freeRtr's IP stack and back.
	wait_ping 30 lns "$cip"
	expect_ping lns "$cip" 10
	sleep 1.2   # the kernel counters are cached for a second
	ctl show sessions -j >"$w/sessions.json"
	s=$(jq -c '.[0]' "$w/sessions.json")
	jq -e '.rx_packets >= 10 and .tx_packets >= 10' <<<"$s" >/dev/null ||
		{ cat "$w/sessions.json"; fail "$auth: kernel session counters did not move"; }
	ctl show sessions
	# Only PPP frames that beat the kernel session may reach lnsd; the
	# pings and the LCP echoes after it must not.
	dius=$(($(ctl show stats -j | jq '.drops["data-in-userspace"]') - dius0))
	log "$auth: data packets read by lnsd: $dius (kernel: $(jq -c '[.rx_packets, .tx_packets]' <<<"$s"))"
	[ "$dius" -le 4 ] || fail "$auth: lnsd read $dius data packets (the kernel should)"
	# Nothing freeRtr sent was refused or undecodable (its ICCN may come
	# twice: a duplicate is fine).
	ctl show stats -j >"$w/stats.json"
	jq -e '([.drops | to_entries[] | select(.key != "data-in-userspace" and .key != "duplicate")
		 | .value] | add) == 0 and ([.decode_errors[]] | add // 0) == 0' "$w/stats.json" >/dev/null ||
		{ jq -c '.drops, .decode_errors' "$w/stats.json"; fail "$auth: lnsd dropped or could not decode freeRtr's messages"; }
	log "$auth: guest memory with freeRtr running: $(awk '/MemAvailable/ {printf "%d MiB available", $2 / 1024}' /proc/meminfo)"

	# Teardown: stop lac.sh (it stops freeRtr). freeRtr goes silently (no
	# CDN, no StopCCN): lnsd must notice (LCP echoes, then unacknowledged
	# HELLOs), end the call and the tunnel and leave nothing in the kernel.
	t0=$(date +%s)
	kill "$lac_pid"
	wait "$lac_pid" 2>/dev/null || true
	wait_for 120 "$auth: no tunnel and no session in lnsd" lnsd_empty
	wait_for 10 "$auth: kernel tunnel gone" no_kernel_tunnel
	wait_for 10 "$auth: kernel session gone" no_kernel_session
	wait_for 10 "$auth: l2tpN gone in lns" no_ppp_if
	log "$auth: torn down $(($(date +%s) - t0)) s after lac.sh was stopped"
	grep -E 'echo-failure|retries exhausted|StopCCN|CDN|-> dead' "$ART/lnsd-$auth.log" | tail -4 || true

	kill "$LNSD_PID"
	wait "$LNSD_PID" 2>/dev/null || true
}

call chap alice alice-pw
call pap bob bob-pw
log "freeRtr (CHAP and PAP, tunnel secret) passed traffic through the kernel session"
