#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The data-plane half of the README's main job: a real PPP session through
# lnsd's kernel data plane. Two network namespaces, `client` and `lns`,
# joined by a veth; lnsd (dataplane = kernel) in `lns`; Debian's xl2tpd and
# pppd (kernel mode) dial in from `client`, get an address, ping through the
# tunnel; lnsctl shows the session with the kernel's counters while lnsd
# itself reads no data packets; then everything is torn down and the kernel
# holds no L2TP tunnel any more.
#
# Usage: tools/dev/demo-session.sh [BUILD_DIR]   (default: $LNSD_BUILD_DIR, or build/)
# Runs as root on a kernel with l2tp_ppp, l2tp_netlink and ppp_generic:
# tools/dev/demo.sh runs it natively when this kernel has them and otherwise
# inside the test VM (tests/vm/run --kernel 6.1 tools/dev/demo-session.sh).
# Namespaces are made with plain `ip` (tests/vm/lib.sh is for the VM only).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${1:-${LNSD_BUILD_DIR:-$repo/build}}")
lnsd=$build/lnsd/lnsd
lnsctl=$build/tools/lnsctl
lns_addr=192.0.2.1       # lnsd's end of the veth (TEST-NET-1)
client_addr=192.0.2.2    # the client's end
ppp_local=10.64.0.1      # lnsd's address on every PPP link
ppp_pool=10.64.0.10-10.64.0.20
user=demo
secret=demo-secret
work=""
lnsd_pid=""
lac_pid=""
netns_made=""

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
say() { printf '    %s\n' "$*"; }
quote() { sed 's/^/    | /'; }
die() {
	printf '\ndemo-session: error: %s\n' "$*" >&2
	exit 1
}
# show CMD...: print a shell prompt line, then run CMD (lnsctl by its short name).
show() {
	local shown=("$@")
	[ "$1" != "$lnsctl" ] || shown[0]=lnsctl
	printf '\n$ %s\n' "${shown[*]}"
	"$@"
}
in_lns() { ip netns exec lns "$@"; }
in_client() { ip netns exec client "$@"; }

# stop PID: SIGTERM, up to 5 s, then SIGKILL.
stop() {
	local pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? ns
	set +e
	trap - EXIT INT TERM ERR
	[ -n "$lac_pid" ] && stop "$lac_pid"
	[ -n "$lnsd_pid" ] && stop "$lnsd_pid"
	if [ -n "$netns_made" ]; then
		# pppd outlives a killed xl2tpd: end whatever still runs in our namespaces.
		for ns in client lns; do
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		done
		sleep 0.2
		ip netns del client 2>/dev/null
		ip netns del lns 2>/dev/null
	fi
	if [ "$rc" -ne 0 ] && [ -n "$work" ]; then
		local f
		for f in lnsd.log xl2tpd.log pppd.log; do
			printf '\n--- %s ---\n' "$f"
			cat "$work/$f" 2>/dev/null
		done
		# Inside the VM the artifacts directory comes back to the host.
		[ -n "${LNSD_ARTIFACTS:-}" ] && cp "$work"/*.log "$work"/*.conf "$LNSD_ARTIFACTS"/ 2>/dev/null
	fi
	[ -n "$work" ] && rm -rf "$work"
	exit "$rc"
}

# wait_until SECONDS CMD... : poll until CMD succeeds; fail after SECONDS
# of wall time (in a TCG guest each try itself takes a while).
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

[ "$(id -u)" -eq 0 ] || die "run me as root: I create network namespaces and kernel L2TP tunnels"
[ -x "$lnsd" ] || die "no lnsd at $lnsd (build first: tools/dev/setup.sh)"
[ -x "$lnsctl" ] || die "no lnsctl at $lnsctl (build first: tools/dev/setup.sh)"
for p in ip xl2tpd pppd ping jq; do
	command -v "$p" >/dev/null || die "'$p' is not installed (tools/dev/packages.txt lists it)"
done
if "$lnsctl" show tunnels >/dev/null 2>&1; then
	die "an lnsd is already running on the default control socket; stop it first"
fi
for ns in client lns; do
	[ ! -e "/run/netns/$ns" ] || die "a network namespace named '$ns' already exists; delete it first (ip netns del $ns)"
done

work=$(mktemp -d /tmp/lnsd-demo-session.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM
# A command failing under set -e says which.
trap 'printf "\ndemo-session: error: line %s: \"%s\" failed\n" "$LINENO" "$BASH_COMMAND" >&2' ERR
set -E
umask 077

step "1/6 Two hosts: network namespaces 'client' ($client_addr) and 'lns' ($lns_addr), joined by a veth"
netns_made=1
ip netns add client
ip netns add lns
ip link add demo-c type veth peer name demo-l
ip link set demo-c netns client name eth0
ip link set demo-l netns lns name eth0
ip -n client addr add "$client_addr/24" dev eth0
ip -n lns addr add "$lns_addr/24" dev eth0
for ns in client lns; do
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
done
in_client ping -c 1 -W 2 "$lns_addr" >/dev/null || die "the veth does not pass traffic"
say "All traffic of this demo stays inside these two namespaces."

step "2/6 Start lnsd in 'lns' with the kernel data plane"
"$lnsd" -p >"$work/default.conf"
sed -e "s|^listen = .*|listen = $lns_addr:1701|" \
		-e 's|^dataplane = .*|dataplane = kernel|' \
		-e "s|^local-ip =.*|local-ip = $ppp_local|" \
		-e "s|^pool =.*|pool = $ppp_pool|" \
		-e "s|^users-file =.*|users-file = $work/users|" \
		-e 's|^ifname =.*|ifname = l2tp%d|' "$work/default.conf" >"$work/lnsd.conf"
for l in "listen = $lns_addr:1701" "dataplane = kernel" "local-ip = $ppp_local" \
	"pool = $ppp_pool" "users-file = $work/users" "ifname = l2tp%d"; do
	grep -qxF "$l" "$work/lnsd.conf" || die "could not set '$l' in the configuration from lnsd -p"
done
# pppd's chap-secrets format; lnsd refuses a users file others can read.
printf '# client  server  secret  addresses\n%s  *  %s  *\n' "$user" "$secret" >"$work/users"
chmod 600 "$work/users"
say "The configuration is lnsd's embedded default (lnsd -p) with these lines changed:"
{ diff "$work/default.conf" "$work/lnsd.conf" || true; } | sed -n 's/^> //p' | quote
say "and the users file ($(stat -c %a "$work/users"), chap-secrets format) holds one user:"
quote <"$work/users"
"$lnsd" -t -c "$work/lnsd.conf" >/dev/null || die "lnsd rejects the demo configuration"
ip netns exec lns "$lnsd" -f -c "$work/lnsd.conf" >"$work/lnsd.log" 2>&1 &
lnsd_pid=$!
wait_until 10 "$lnsctl" show tunnels || die "lnsd did not answer on its control socket within 10 s"
grep -q 'data plane: kernel' "$work/lnsd.log" || die "lnsd did not enable the kernel data plane"
say "lnsd runs as pid $lnsd_pid; its own words:"
quote <"$work/lnsd.log"

step "3/6 Dial in: Debian's xl2tpd (LAC) and pppd (kernel mode) in 'client'"
cat >"$work/xl2tpd.conf" <<EOF
[global]
listen-addr = $client_addr
port = 1701
access control = no
auth file = $work/l2tp-secrets
[lac demo]
lns = $lns_addr
autodial = yes
redial = no
length bit = yes
hostname = demo-lac
pppoptfile = $work/ppp-options
EOF
: >"$work/l2tp-secrets"
# ip-up/ip-down: keep pppd from running the machine's /etc/ppp scripts.
# lcp-max-terminate 1: at hang-up xl2tpd clears the call before pppd's LCP
# Terminate-Request can reach lnsd; wait 3 s for the Ack, not 9.
printf '%s\n' noauth nodefaultroute noccp novj "user $user" "password $secret" \
	"logfile $work/pppd.log" "ip-up-script /bin/true" "ip-down-script /bin/true" \
	"lcp-max-terminate 1" >"$work/ppp-options"
say "xl2tpd opens the tunnel and the call; pppd authenticates as '$user' (CHAP) and asks for an address."
ip netns exec client xl2tpd -D -c "$work/xl2tpd.conf" -p "$work/xl2tpd.pid" -C "$work/xl2tpd.ctl" \
	>"$work/xl2tpd.log" 2>&1 &
lac_pid=$!
ppp_up() { ip -n client -4 -o addr show | grep -qE '^[0-9]+: ppp[0-9]+ .*inet 10\.64\.'; }
end=$((SECONDS + 60))
until ppp_up; do
	if grep -q 'Connection terminated' "$work/pppd.log" 2>/dev/null; then
		die "pppd on the client ended the call: $(grep -iE 'fail|refus|denied' "$work/pppd.log" | head -n 1 || true)"
	fi
	[ "$SECONDS" -lt "$end" ] || die "no ppp interface with an address from the pool in 'client' within 60 s"
	sleep 0.2
done
ppp_if=$(ip -n client -4 -o addr show | awk '$2 ~ /^ppp[0-9]+$/ {print $2; exit}')
client_ip=$(ip -n client -4 -o addr show dev "$ppp_if" | awk '{split($4, a, "/"); print a[1]}')
grep -q 'Using l2tp kernel support' "$work/xl2tpd.log" ||
	die "xl2tpd on the client did not use the kernel's L2TP support"
say "xl2tpd says:"
grep -E 'Using l2tp kernel support|Connection established|Call established' "$work/xl2tpd.log" | quote
say "The client's $ppp_if got $client_ip from lnsd's pool; lnsd made the other end of the link:"
show ip -n client -br addr show dev "$ppp_if"
lns_if=$(ip -n lns -o link show | awk -F': ' '$2 ~ /^l2tp[0-9]+/ {print $2; exit}')
[ -n "$lns_if" ] || die "lnsd made no l2tpN interface in 'lns'"
show ip -n lns -br addr show dev "$lns_if"
say "lnsd's log of the call (LCP, authentication and IPCP ran inside lnsd, no pppd on this side):"
grep -E 'new control connection|incoming call|kernel session on|authentication of|up, user' "$work/lnsd.log" | quote || true

step "4/6 Traffic: ping lnsd's end of the link ($ppp_local) from the client, through the tunnel"
stats_before=$("$lnsctl" show stats -j | jq '.drops["data-in-userspace"]')
show ip netns exec client ping -c 5 -i 0.2 -W 2 "$ppp_local" ||
	die "ping $ppp_local from the client failed"
sleep 1.2 # lnsd caches the kernel's counters for a second

step "5/6 What lnsd sees: lnsctl show tunnels / show sessions / show stats"
say "The kernel now forwards the session: lnsd handed it the tunnel socket and the PPP channel"
say "(genetlink l2tp + /dev/ppp), and reads the byte counters back from the kernel."
show "$lnsctl" show tunnels
show "$lnsctl" show sessions
sess=$("$lnsctl" show sessions -j | jq -c '.[0]')
[ "$(jq -r .username <<<"$sess")" = "$user" ] || die "the session's username is not $user"
[ "$(jq -r .ip <<<"$sess")" = "$client_ip" ] || die "the session's ip is not $client_ip"
[ "$(jq -r .ifname <<<"$sess")" = "$lns_if" ] || die "the session's ifname is not $lns_if"
jq -e '.rx_bytes > 0 and .tx_bytes > 0' <<<"$sess" >/dev/null ||
	die "the kernel's rx/tx byte counters of the session did not move"
say "IFNAME is lnsd's PPP interface (pppN renamed by ifname = l2tp%d), USER who authenticated,"
say "IP the client's address from the pool; RX-BYTES/TX-BYTES are the kernel's counters for the"
say "session, ping included."
dius=$("$lnsctl" show stats -j | jq '.drops["data-in-userspace"]')
printf '\n$ lnsctl show stats | grep data-in-userspace\n'
"$lnsctl" show stats | grep data-in-userspace
[ "$dius" = "$stats_before" ] ||
	die "lnsd read $((dius - stats_before)) data packets itself during the ping (the kernel should have)"
say "data-in-userspace counts data packets that lnsd had to read itself: the ping left it at $dius,"
say "so every data packet went through the kernel and none through lnsd."
if [ "$dius" -ne 0 ]; then
	say "($dius: pppd's first LCP frames, sent before the kernel session existed.)"
fi
printf '\n$ ip netns exec lns ip l2tp show tunnel   # the kernel'"'"'s own view\n'
in_lns ip l2tp show tunnel
in_lns ip l2tp show tunnel | grep -q Tunnel || die "the kernel has no L2TP tunnel in 'lns'"

step "6/6 Tear down: the client disconnects (StopCCN), then lnsd stops (SIGTERM)"
printf 'd demo\n' >"$work/xl2tpd.ctl"
# shellcheck disable=SC2016 # expanded by the inner sh
wait_until 20 sh -c '"$1" show tunnels -j | jq -e "all(.state != \"established\")"' sh "$lnsctl" ||
	die "the tunnel did not go away in lnsd after the client disconnected"
wait_until 20 sh -c "! ip -n client -o link show | grep -q ': ppp'" ||
	die "$ppp_if did not go away in 'client' after the disconnect"
say "The client hung up; its $ppp_if is gone."
stop "$lac_pid"
lac_pid=""
kill -TERM "$lnsd_pid"
wait_until 10 sh -c "! kill -0 $lnsd_pid" || die "lnsd did not exit within 10 s of SIGTERM"
lnsd_rc=0
wait "$lnsd_pid" || lnsd_rc=$?
lnsd_pid=""
[ "$lnsd_rc" -eq 0 ] || die "lnsd exited with status $lnsd_rc"
say "lnsd exited with status 0. Its log of the teardown:"
sed -n '/StopCCN\|signal 15/,$p' "$work/lnsd.log" | quote
printf '\n$ ip netns exec lns ip l2tp show tunnel   # empty: nothing left in the kernel\n'
left=$(in_lns ip l2tp show tunnel; in_lns ip l2tp show session)
[ -z "$left" ] || { printf '%s\n' "$left"; die "the kernel still holds L2TP tunnels or sessions"; }
ip -n lns -o link show | grep -qE ': (l2tp|ppp)[0-9]' && die "a PPP interface is left in 'lns'"
say "(empty)"

printf '\ndemo-session: done. A real xl2tpd + pppd client got %s from lnsd and pinged through a\n' "$client_ip"
printf 'session the kernel forwarded; lnsd read none of its data packets and left nothing behind.\n'
