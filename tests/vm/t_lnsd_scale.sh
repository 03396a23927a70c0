#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 20 concurrent kernel sessions over 4 tunnels: four xl2tpd + pppd LACs
# (kernel mode, one namespace and address each) with five calls in one
# tunnel each, lnsd (dataplane = kernel) in `lns`.  Every session has its
# own pppN, username and address and passes pings through the kernel; then
# teardown from the LNS side (lnsctl terminate session, terminate tunnel,
# SIGTERM) leaves no kernel tunnel, session or pppN behind.
#
# Five calls in one xl2tpd tunnel: xl2tpd (1.3.18) keeps one call per
# [lac] (`c NAME` answers "already active" while lac->c is set), and a call
# on a tunnel by number (`c TID`) has no [lac] and dereferences NULL when
# the ICRP arrives (control.c: c->lac->pass_peer).  But destroying any call
# of a [lac] clears lac->c and, with `redial = yes`, schedules a redial
# that calls magic_lac_dial() without looking at lac->c.  So: end one call
# with `lnsctl terminate session`, then `c NAME` before the redial timer
# fires: the connect and the redial each add a call to the same tunnel, one
# more than before.  Repeat until five.
#
# The call is ended from the LNS, not by killing the client's pppd: a call
# that xl2tpd closes itself (its pppd exited, it sends the CDN) is only
# destroyed when a ZLB arrives with that call's Session ID in the header
# (control.c handle_control: c->needclose && c->closing), and lnsd's ZLBs
# carry Session ID 0 (lib/l2tp/l2tp_rel.c emit_zlb), so the call stays "closing",
# lac->c stays set and `c x` keeps answering "already active".  A call
# ended by a CDN from lnsd is destroyed at once.
set -euo pipefail
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"
require xl2tpd-control pgrep
NLAC=4
PER=5
TOTAL=$((NLAC * PER))
REDIAL=40  # seconds: the window for `c NAME` after a call ends
mkdir -p /var/run/xl2tpd   # xl2tpd-control's result pipe lives there

ns_add lns
ip -n lns addr add "$LNS_IP/32" dev lo
users=()
for i in $(seq 1 "$NLAC"); do
	ns_add "lac$i"
	link_add lns "eth$i" "10.1.$i.1/24" "lac$i" eth0 "10.1.$i.2/24"
	route_add "lac$i" "$LNS_IP" "10.1.$i.1"
	users+=("user$i" "pw$i")
done

users_file "${users[@]}"
lnsd_start <<-EOC
	[ppp]
	auth = chap, pap
	pool = 10.64.0.10-10.64.0.200
EOC

# One xl2tpd per LAC namespace, one [lac x] each; odd ones use PAP, even
# ones CHAP.
for i in $(seq 1 "$NLAC"); do
	refuse="refuse-chap"
	if [ $((i % 2)) = 0 ]; then refuse="refuse-pap"; fi
	lac_xl2tpd -n "lac$i" -a "10.1.$i.2" -l "redial = yes" -l "redial timeout = $REDIAL" \
		"lac$i" "user$i" "pw$i" "$refuse"
done

# nppp I: pppN with an address from lnsd's pool in lacI.
nppp() { ip -n "lac$1" -br addr | grep -c 'ppp.*10\.64\.0\.' || true; }
# npppd I: pppd processes of lacI (their argv names the LAC's options file).
npppd() { pgrep -c -f "file $ART/lac-lac$1/options" || true; }
# settled I: every pppd of lacI has its address.
settled() { [ "$(npppd "$1")" -gt 0 ] && [ "$(npppd "$1")" = "$(nppp "$1")" ]; }
all_settled() {
	local i
	for i in $(seq 1 "$NLAC"); do settled "$i" || return 1; done
}
counts() {
	local i s=""
	for i in $(seq 1 "$NLAC"); do s+=" lac$i=$(nppp "$i")"; done
	echo "${s# }"
}

# connect I: `c x` to lacI's xl2tpd; succeeds when it made a call.
# xl2tpd-control exits 0 for "00 OK" and 1 for "Session 'x' already
# active!", but gives up after 1 s without an answer (exit 253), and on a
# loaded TCG host xl2tpd may answer later and still make the call.  Then
# decide from xl2tpd's log: lac_call() logs "Calling on tunnel", a refusal
# "Session 'x' already active!"; wait for either, then a little longer in
# case that "Calling" was a redial timer firing just before our request,
# which is then refused.
nlog() { grep -c "$1" "$ART/xl2tpd-lac$2.log" || true; }
connect() {
	local i=$1 a0 c0 rc=0 end
	a0=$(nlog 'already active' "$i")
	c0=$(nlog 'Calling on tunnel' "$i")
	xl2tpd-control -c "$RUNDIR/xl2tpd-lac$i.ctl" connect-lac x >/dev/null 2>&1 || rc=$?
	case $rc in
	0) return 0 ;;
	1) return 1 ;;
	esac
	log "lac$i: no answer from xl2tpd-control (status $rc), reading xl2tpd's log"
	end=$(($(date +%s) + 15))
	until [ "$(nlog 'already active' "$i")" -gt "$a0" ] || [ "$(nlog 'Calling on tunnel' "$i")" -gt "$c0" ]; do
		[ "$(date +%s)" -lt "$end" ] || fail "lac$i: xl2tpd did not take connect-lac"
		sleep 0.2
	done
	sleep 3
	[ "$(nlog 'already active' "$i")" -eq "$a0" ]
}

wait_for 60 "first call of every LAC" all_settled
log "calls: $(counts)"

# A pass: for each LAC short of calls, as many times as it is short, end
# one of its calls from the LNS and `c x` again as soon as xl2tpd has taken
# the CDN (connect-lac exits 0, "00 OK", instead of 1, "Session 'x' already
# active!").  Each such pair leaves the call count as it was plus one
# pending redial timer; then wait for the timers (REDIAL after each CDN).
pass=0
while :; do
	short=()
	declare -A want=()
	for i in $(seq 1 "$NLAC"); do
		want[$i]=$(nppp "$i")
		[ "${want[$i]}" -ge "$PER" ] || short+=("$i")
	done
	[ "${#short[@]}" -gt 0 ] || break
	pass=$((pass + 1))
	[ "$pass" -le 4 ] || fail "could not reach $PER calls per tunnel: $(counts)"
	for pair in $(seq 1 $((PER - 1))); do
		todo=()
		for i in "${short[@]}"; do
			# want: calls now plus the redials pending (some may have fired).
			if [ "${want[$i]}" -lt "$PER" ]; then todo+=("$i"); fi
		done
		[ "${#todo[@]}" -gt 0 ] || break
		ctl show sessions -j >"$ART/pass$pass-pair$pair.json"
		for i in "${todo[@]}"; do
			read -r t s <<<"$(jq -r --arg u "user$i" \
				'[.[] | select(.username == $u and .ip != null and .ip != "")][-1] | "\(.tunnel_id) \(.session_id)"' \
				"$ART/pass$pass-pair$pair.json")"
			ctl terminate session "$t" "$s" >/dev/null
		done
		declare -A connected=()
		end=$(($(date +%s) + 15))
		while :; do
			pending=0
			for i in "${todo[@]}"; do
				[ -z "${connected[$i]:-}" ] || continue
				if connect "$i"; then
					connected[$i]=1
					want[$i]=$((want[$i] + 1))
				else
					pending=1
				fi
			done
			if [ "$pending" = 0 ] || [ "$(date +%s)" -ge "$end" ]; then break; fi
			sleep 0.2
		done
		for i in "${todo[@]}"; do
			[ -n "${connected[$i]:-}" ] || log "lac$i: connect lost the race to the redial"
		done
		unset connected
		# Back to the count before the pair, every pppd with its address.
		wait_for 60 "pass $pass pair $pair: calls re-established" all_settled
		log "pass $pass pair $pair: calls: $(counts)"
	done
	reached() {
		local i
		for i in "${short[@]}"; do [ "$(nppp "$i")" -ge "${want[$i]}" ] || return 1; done
		all_settled
	}
	wait_for $((REDIAL + 90)) "pass $pass: the redials" reached
	log "pass $pass: calls: $(counts)"
	unset want
done
for i in $(seq 1 "$NLAC"); do
	[ "$(nppp "$i")" = "$PER" ] || fail "lac$i has $(nppp "$i") calls, not $PER: $(counts)"
done

# lnsd's view: 20 established sessions, PER in each of NLAC tunnels, each
# with an interface, the LAC's username and its own address.
ctl show tunnels -j >"$ART/tunnels.json"
ctl show sessions -j >"$ART/sessions.json"
ctl show sessions
est='[.[] | select(.ip != null and .ip != "" and .ifname != null and .ifname != "")]'
n=$(jq "$est | length" "$ART/sessions.json")
[ "$n" = "$TOTAL" ] || fail "lnsd shows $n established sessions, not $TOTAL"
[ "$(jq length "$ART/sessions.json")" = "$TOTAL" ] || fail "lnsd shows sessions beyond the $TOTAL established"
[ "$(jq "$est | map(.ip) | unique | length" "$ART/sessions.json")" = "$TOTAL" ] ||
	fail "session addresses are not all distinct"
[ "$(jq "$est | map(.ifname) | unique | length" "$ART/sessions.json")" = "$TOTAL" ] ||
	fail "session interfaces are not all distinct"
jq -e 'all(.[]; .ifname | test("^l2tp[0-9]+$"))' "$ART/sessions.json" >/dev/null ||
	fail "an interface name does not follow ifname = l2tp%d"
jq -e --argjson n "$NLAC" --argjson p "$PER" '[group_by(.tunnel_id)[] | length] == [range($n) | $p]' \
	"$ART/sessions.json" >/dev/null || fail "sessions are not $PER per tunnel in $NLAC tunnels"
# Every tunnel's sessions share one username, and the four differ.
jq -e '[group_by(.tunnel_id)[] | map(.username) | unique | length] | all(. == 1)' \
	"$ART/sessions.json" >/dev/null || fail "a tunnel carries more than one username"
jq -e --argjson n "$NLAC" 'map(.username) | unique == [range(1; $n + 1) | "user\(.)"]' \
	"$ART/sessions.json" >/dev/null || fail "usernames are not user1..user$NLAC"
[ "$(jq length "$ART/tunnels.json")" = "$NLAC" ] || fail "lnsd shows $(jq length "$ART/tunnels.json") tunnels, not $NLAC"

# The kernel's view: NLAC tunnels, TOTAL sessions, TOTAL pppN in lns.
[ "$(on lns ip l2tp show tunnel | grep -c '^Tunnel')" = "$NLAC" ] || fail "kernel tunnels in lns"
[ "$(on lns ip l2tp show session | grep -c '^Session')" = "$TOTAL" ] || fail "kernel sessions in lns"
[ "$(ip -n lns -br link | grep -cE '^l2tp[0-9]+')" = "$TOTAL" ] || fail "l2tpN interfaces in lns"
[ "$(ip -n lns -br link | grep -cE '^ppp[0-9]+' || true)" = 0 ] || fail "an unrenamed pppN in lns"

# Ping through every session: from each client pppN (bound to it) to the
# LNS address, so request and reply take that session both ways.
dius0=$(ctl show stats -j | jq '.drops["data-in-userspace"]')
for i in $(seq 1 "$NLAC"); do
	for ifc in $(ip -n "lac$i" -br link | awk '/^ppp/ {print $1}'); do
		out=$(on "lac$i" ping -c 3 -i 0.2 -W 2 -I "$ifc" 10.64.0.1 2>&1) || {
			echo "$out"
			fail "ping through lac$i $ifc"
		}
		grep -q ' 3 received' <<<"$out" || { echo "$out"; fail "ping through lac$i $ifc lost packets"; }
	done
	log "ok: 5 sessions of lac$i answer pings"
done
sleep 1.2   # the kernel counters are cached for a second
ctl show sessions -j >"$ART/sessions-after-ping.json"
jq -e 'all(.[]; .rx_packets >= 3 and .tx_packets >= 3 and .rx_bytes > 0 and .tx_bytes > 0)' \
	"$ART/sessions-after-ping.json" >/dev/null || {
	jq -c '.[] | [.tunnel_id, .session_id, .ifname, .rx_packets, .tx_packets]' "$ART/sessions-after-ping.json"
	fail "kernel counters did not move on every session"
}
ctl show tunnels -j >"$ART/tunnels-after-ping.json"
jq -e 'all(.[]; .rx_packets >= 15 and .tx_packets >= 15)' "$ART/tunnels-after-ping.json" >/dev/null ||
	{ cat "$ART/tunnels-after-ping.json"; fail "kernel tunnel counters did not move"; }
dius=$(($(ctl show stats -j | jq '.drops["data-in-userspace"]') - dius0))
log "data packets read by lnsd during $((TOTAL * 6)) pings: $dius"
[ "$dius" = 0 ] || fail "lnsd read $dius data packets (the kernel should)"
ctl show sessions

# ifindex_of NAME: the interface's index in lns (a new interface with the
# same name, after a redial, has another).
ifindex_of() { ip -n lns -j link show dev "$1" | jq '.[0].ifindex'; }
has_ifindex() { ip -n lns -j link | jq -e --argjson x "$1" 'any(.[]; .ifindex == $x)' >/dev/null; }
kernel_has_session() { on lns ip l2tp show session | grep -q "^Session $2 in tunnel $1\$"; }
kernel_has_tunnel() { on lns ip l2tp show tunnel | grep -q "^Tunnel $1,"; }
lnsd_has_session() { ctl show sessions -j | jq -e --argjson t "$1" --argjson s "$2" \
	'any(.[]; .tunnel_id == $t and .session_id == $s)' >/dev/null; }
lnsd_has_tunnel() { ctl show tunnels -j | jq -e --argjson t "$1" 'any(.[]; .tunnel_id == $t)' >/dev/null; }
# not CMD...: wait_for takes a command; this one succeeds when CMD fails.
not() { ! "$@"; }

# The clients redial (redial = yes), so what is checked below is that the
# terminated session's and tunnel's own kernel objects and interfaces are
# gone; a redialled call gets new IDs and a new interface.
tids=$(jq -r 'map(.tunnel_id) | unique | .[]' "$ART/sessions.json")
t1=$(echo "$tids" | sed -n 1p)
t2=$(echo "$tids" | sed -n 2p)

# 1. One session, by lnsctl terminate session.
read -r s_sid s_if <<<"$(jq -r --argjson t "$t1" \
	'[.[] | select(.tunnel_id == $t)][0] | "\(.session_id) \(.ifname)"' "$ART/sessions.json")"
s_idx=$(ifindex_of "$s_if")
kernel_has_session "$t1" "$s_sid" || fail "session $t1/$s_sid is not in the kernel"
log "terminate session $t1 $s_sid ($s_if, ifindex $s_idx)"
ctl terminate session "$t1" "$s_sid"
wait_for 10 "session $t1/$s_sid gone from lnsd" not lnsd_has_session "$t1" "$s_sid"
wait_for 10 "kernel session $t1/$s_sid gone" not kernel_has_session "$t1" "$s_sid"
wait_for 10 "$s_if (ifindex $s_idx) gone" not has_ifindex "$s_idx"
grep -E "CDN|terminat" "$ART/lnsd.log" | tail -n 3
[ "$(ctl show sessions -j | jq --argjson t "$t1" '[.[] | select(.tunnel_id == $t)] | length')" -ge $((PER - 1)) ] ||
	fail "terminating one session took others of tunnel $t1 with it"

# 2. One whole tunnel, by lnsctl terminate tunnel.
# (no process substitution: the guest has no /dev/fd)
mapfile -t t2_if <<<"$(jq -r --argjson t "$t2" '.[] | select(.tunnel_id == $t) | .ifname' "$ART/sessions.json")"
mapfile -t t2_sid <<<"$(jq -r --argjson t "$t2" '.[] | select(.tunnel_id == $t) | .session_id' "$ART/sessions.json")"
t2_idx=()
for ifc in "${t2_if[@]}"; do t2_idx+=("$(ifindex_of "$ifc")"); done
kernel_has_tunnel "$t2" || fail "tunnel $t2 is not in the kernel"
log "terminate tunnel $t2 (sessions ${t2_sid[*]}, interfaces ${t2_if[*]})"
ctl terminate tunnel "$t2"
wait_for 15 "tunnel $t2 gone from lnsd" not lnsd_has_tunnel "$t2"
wait_for 10 "kernel tunnel $t2 gone" not kernel_has_tunnel "$t2"
for s in "${t2_sid[@]}"; do
	! kernel_has_session "$t2" "$s" || fail "kernel session $t2/$s outlived its tunnel"
done
for x in "${t2_idx[@]}"; do
	wait_for 10 "interface with ifindex $x gone" not has_ifindex "$x"
done
kernel_has_tunnel "$t1" || fail "terminating tunnel $t2 took tunnel $t1 with it"

# 3. SIGTERM: lnsd ends everything, exits 0, and leaves nothing behind.
log "SIGTERM lnsd ($(ctl show sessions -j | jq length) sessions now)"
kill -TERM "$LNSD_PID"
rc=0
wait "$LNSD_PID" || rc=$?
[ "$rc" = 0 ] || fail "lnsd exited with status $rc after SIGTERM"
on lns ip l2tp show tunnel
on lns ip l2tp show session
[ -z "$(on lns ip l2tp show tunnel)" ] || fail "kernel tunnels left after lnsd exited"
[ -z "$(on lns ip l2tp show session)" ] || fail "kernel sessions left after lnsd exited"
ip -n lns -br link
if ip -n lns -br link | grep -qE '^(l2tp|ppp)[0-9]'; then
	fail "ppp/l2tp interfaces left in lns after lnsd exited"
fi
log "$TOTAL sessions over $NLAC tunnels: up, pinged, torn down from the LNS side"
