#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lib/ipsec/vici.c against the real charon: start charon in its own network and
# mount namespaces (private /run for its pid file, VICI socket in a temp
# dir), run vici_charon (load-shared, load-conn, list-conns, list-sas), then
# check with swanctl that the connection is loaded.
# Usage: t_vici_charon.sh VICI_CHARON_BINARY. Exit 77 (skip) without root,
# charon, swanctl or unshare.
set -eu
# shellcheck source=tests/interop/charon.sh
source "$(dirname "$0")/../charon.sh"
bin=${1:?usage: t_vici_charon.sh VICI_CHARON_BINARY}
charon=/usr/lib/ipsec/charon
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces)"
[ -x "$charon" ] || skip "$charon not installed (strongswan-charon)"
command -v swanctl >/dev/null || skip "swanctl not installed (strongswan-swanctl)"
command -v unshare >/dev/null || skip "unshare not found"
[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }

dir=$(mktemp -d /tmp/lnsd-vici.XXXXXX)
sock=$dir/charon.vici
mkdir -p "$dir/run"
charon_write_conf "$dir/strongswan.conf" "$sock"
export STRONGSWAN_CONF=$dir/strongswan.conf

pid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	[ -z "$pid" ] || wait "$pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

# shellcheck disable=SC2016 # $0 and $1 belong to the inner sh
unshare -n -m --propagation private \
	sh -c 'ip link set lo up 2>/dev/null; mount --bind "$0" /run && exec "$1"' \
	"$dir/run" "$charon" >"$dir/charon.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -S "$sock" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$dir/charon.log"; echo "FAIL: charon exited"; exit 1; }
	sleep 0.1
done
[ -S "$sock" ] || { cat "$dir/charon.log"; echo "FAIL: no VICI socket"; exit 1; }

rc=0
"$bin" "$sock" || rc=$?
if [ "$rc" -eq 0 ]; then
	conns=$(swanctl --list-conns --uri "unix://$sock" 2>>"$dir/charon.log")
	echo "$conns"
	echo "$conns" | grep -q '^lnsd-l2tp: IKEv1' || rc=1
	echo "$conns" | grep -q '  l2tp: TRANSPORT' || rc=1
	[ "$rc" -eq 0 ] && echo "ok: swanctl --list-conns shows lnsd-l2tp"
fi
if [ "$rc" -ne 0 ]; then
	echo "--- charon log"
	cat "$dir/charon.log"
	echo "FAIL"
fi
exit "$rc"
