#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The README's main job: build lnsd, then show a real L2TP/IPsec session
# (tools/dev/demo-session.sh): a Linux client behind a NAT (strongSwan's
# charon configured with swanctl, Debian's xl2tpd + pppd) dials lnsd, which
# runs with [ipsec] mode = required and loads its connection into an empty
# charon over VICI; the client gets an address and pings through L2TP inside
# ESP, lnsctl shows the tunnel with its IPsec SA, the NAT box's counters show
# only IKE and ESP on the wire, and cleartext L2TP gets no answer.
#
# Where the session runs:
#   - natively, when this kernel has what it needs (l2tp_ppp, l2tp_netlink,
#     ppp_generic: the genetlink family l2tp and /dev/ppp; esp4 and
#     xfrm_user for IPsec);
#   - otherwise (this project's development machines) inside the test VM on
#     Debian's 6.1 kernel: tests/vm/run --kernel 6.1 tools/dev/demo-session.sh,
#     which downloads the kernel package on first use (tests/vm/README.md);
#   - if the VM cannot start (no qemu-system-x86_64, or the harness fails to
#     set up, status 126), the old control-plane-only demo runs on the host
#     instead and says so: lnsd on its embedded default configuration
#     (127.0.0.1:1701) and xl2tpd as a LAC on 127.0.0.2 with a stand-in pppd.
#     That path shows a tunnel and a call but no traffic and no IPsec.
# LNSD_DEMO=native|vm|host forces one of them (default: auto).
#
# Usage: sudo tools/dev/demo.sh [BUILD_DIR]      (default: build/, or $LNSD_BUILD_DIR)
# Needs root: setup installs Debian packages; the session needs network
# namespaces; on the host-only path xl2tpd runs in a private mount namespace.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${1:-${LNSD_BUILD_DIR:-$repo/build}}")
lac_addr=127.0.0.2
host_why=""
work=""
lnsd_pid=""
lac_pid=""

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
say() { printf '    %s\n' "$*"; }
die() {
	printf '\ndemo: error: %s\n' "$*" >&2
	exit 1
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [ -n "$lac_pid" ] && kill -0 "$lac_pid" 2>/dev/null; then
		kill -TERM "$lac_pid"
		wait "$lac_pid" 2>/dev/null
	fi
	if [ -n "$lnsd_pid" ] && kill -0 "$lnsd_pid" 2>/dev/null; then
		kill -TERM "$lnsd_pid"
		for _ in $(seq 1 50); do kill -0 "$lnsd_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$lnsd_pid" 2>/dev/null
		wait "$lnsd_pid" 2>/dev/null
	fi
	if [ "$rc" -ne 0 ] && [ -n "$work" ]; then
		printf '\n--- lnsd log ---\n'
		cat "$work/lnsd.log" 2>/dev/null
		printf '\n--- xl2tpd (LAC) log ---\n'
		cat "$work/xl2tpd.log" 2>/dev/null
	fi
	[ -n "$work" ] && rm -rf "$work"
	exit "$rc"
}

# wait_until SECONDS CMD... : poll until CMD succeeds; fail after SECONDS.
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

[ "$(id -u)" -eq 0 ] || die "run me as root (sudo $0): I install packages and bind-mount in a private mount namespace"

step "Set up: Debian packages and the build (tools/dev/setup.sh)"
if [ -x "$repo/tools/dev/setup.sh" ]; then
	"$repo/tools/dev/setup.sh" "$build"
else
	cmake -S "$repo" -B "$build" >/dev/null
	cmake --build "$build" -j"$(nproc)"
fi
lnsd=$build/lnsd/lnsd
lnsctl=$build/tools/lnsctl
[ -x "$lnsd" ] || die "no lnsd at $lnsd after the build"
[ -x "$lnsctl" ] || die "no lnsctl at $lnsctl after the build"

# The lnsd probe (kmod-glue/kg_probe.c): genetlink family l2tp and /dev/ppp;
# for IPsec the xfrm netlink interface and ESP.
have_dataplane() {
	modprobe -q -a l2tp_ppp l2tp_netlink ppp_generic esp4 xfrm_user 2>/dev/null || true
	[ -e /proc/net/pppol2tp ] && grep -qw ppp /proc/devices && ip l2tp show tunnel >/dev/null 2>&1 &&
		ip xfrm state >/dev/null 2>&1 && [ -e /sys/module/esp4 ]
}

where=${LNSD_DEMO:-auto}
case $where in
auto)
	if have_dataplane; then
		where=native
	elif command -v qemu-system-x86_64 >/dev/null; then
		where=vm
	else
		where=host
		host_why="this kernel has no L2TP/PPP data plane and qemu-system-x86_64 is not installed"
	fi ;;
native | vm) ;;
host) host_why="LNSD_DEMO=host" ;;
*) die "LNSD_DEMO must be auto, native, vm or host, not '$where'" ;;
esac

case $where in
native)
	step "This kernel ($(uname -r)) has the L2TP/PPP data plane and ESP: the session runs natively"
	exec "$repo/tools/dev/demo-session.sh" "$build"
	;;
vm)
	step "No L2TP/PPP data plane or ESP in this kernel ($(uname -r)): the session runs in a QEMU VM on Debian's 6.1 kernel (tests/vm/run --kernel 6.1 tools/dev/demo-session.sh)"
	set +e
	# Drop the VM's own boot/power-off chatter; everything else streams live.
	LNSD_BUILD_DIR=$build "$repo/tests/vm/run" --kernel 6.1 --timeout 900 "$repo/tools/dev/demo-session.sh" 2>&1 |
		sed -u -E '/^lnsd-vm: |^LNSD-VM-EXIT |^\[ *[0-9.]+\] (sysrq: Power Off|reboot: Power down)/d'
	rc=${PIPESTATUS[0]}
	set -e
	[ "$rc" -eq 126 ] || exit "$rc"
	host_why="the VM could not be set up (see above)"
	;;
esac

# ---------------------------------------------------------------------------
# Fallback: control plane only, on the host.
# ---------------------------------------------------------------------------
step "Falling back to the control-plane-only demo on the host: $host_why"
say "No kernel data plane here: you will see a tunnel and a call, but no PPP session and no traffic."
command -v xl2tpd >/dev/null || die "xl2tpd is not installed (tools/dev/packages.txt lists it)"
command -v jq >/dev/null || die "jq is not installed (tools/dev/packages.txt lists it)"
if "$lnsctl" show tunnels >/dev/null 2>&1; then
	die "an lnsd is already running on the default control socket; stop it first"
fi

work=$(mktemp -d /tmp/lnsd-demo.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM

step "1/4 Start lnsd on its embedded default configuration"
"$lnsd" -p 2>/dev/null | sed 's/^/    | /' || true
"$lnsd" -f >"$work/lnsd.log" 2>&1 &
lnsd_pid=$!
wait_until 10 "$lnsctl" show tunnels || die "lnsd did not answer on its control socket within 10 s"
say "lnsd runs as pid $lnsd_pid; its own words:"
sed 's/^/    | /' "$work/lnsd.log"

step "2/4 A real LAC: xl2tpd on $lac_addr dials lnsd at 127.0.0.1:1701"
cat >"$work/xl2tpd.conf" <<EOF
[global]
listen-addr = $lac_addr
port = 1701
access control = no
auth file = $work/l2tp-secrets
[lac demo]
lns = 127.0.0.1
autodial = yes
redial = no
hostname = demo-lac
pppoptfile = $work/ppp-options
EOF
: >"$work/l2tp-secrets"
printf 'noauth\n' >"$work/ppp-options"
say "This machine's kernel has no PPP: the real pppd that xl2tpd starts for each call"
say "would exit at once and xl2tpd would clear the call. So xl2tpd runs in a private"
say "mount namespace where /usr/sbin/pppd is a stand-in that just holds the call's pty"
say "(tests/interop/fake-pppd). The L2TP side is the real xl2tpd."
# shellcheck disable=SC2016 # expanded by the inner sh
unshare -m sh -c 'mount --bind "$1" /usr/sbin/pppd && exec xl2tpd -D -c "$2" -p "$3" -C "$4"' \
	sh "$repo/tests/interop/fake-pppd" "$work/xl2tpd.conf" "$work/xl2tpd.pid" "$work/xl2tpd.ctl" \
	>"$work/xl2tpd.log" 2>&1 &
lac_pid=$!
wait_until 20 grep -q 'Call established with' "$work/xl2tpd.log" \
	|| die "xl2tpd did not get a tunnel and a call up within 20 s"
say "xl2tpd says:"
grep -E 'Connection established|Call established' "$work/xl2tpd.log" | sed 's/^/    | /'
# lnsd marks the session established once it has processed the ICCN.
# shellcheck disable=SC2016 # expanded by the inner sh
wait_until 10 sh -c '"$1" show sessions -j | jq -e "any(.state == \"established\")"' sh "$lnsctl" \
	|| die "lnsd shows no established session"

step "3/4 What lnsd sees: lnsctl show tunnels / lnsctl show sessions"
printf '\n$ lnsctl show tunnels\n'
"$lnsctl" show tunnels
printf '\n$ lnsctl show sessions\n'
"$lnsctl" show sessions

step "4/4 Tear down: the LAC disconnects (StopCCN), then lnsd stops (SIGTERM)"
printf 'd demo\n' >"$work/xl2tpd.ctl"
# A closed tunnel is held a while in state "closing" to ack a retransmitted StopCCN (RFC 2661 §5.7).
# shellcheck disable=SC2016 # expanded by the inner sh
wait_until 10 sh -c '"$1" show tunnels -j | jq -e "all(.state != \"established\")"' sh "$lnsctl" \
	|| die "the tunnel did not go away in lnsd after the LAC disconnected"
kill -TERM "$lac_pid"
wait "$lac_pid" 2>/dev/null || true
lac_pid=""
kill -TERM "$lnsd_pid"
# shellcheck disable=SC2016 # expanded by the inner sh
wait_until 10 sh -c '! kill -0 "$1"' sh "$lnsd_pid" || die "lnsd did not exit within 10 s of SIGTERM"
wait "$lnsd_pid" 2>/dev/null || true
lnsd_pid=""
say "lnsd's log of the whole run:"
sed 's/^/    | /' "$work/lnsd.log"
printf '\ndemo: done (control plane only). lnsd accepted a real xl2tpd tunnel and call, showed them, and shut down cleanly.\n'
