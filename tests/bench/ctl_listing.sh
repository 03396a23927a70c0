#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The cost of a full listing for lnsd (README.md): N sessions (control plane,
# dataplane = none) set up by ctl_listing_drv, then `lnsctl -j show sessions`
# while the driver times ICRQ -> ICRP on another tunnel. BENCH lines.
#
#   tests/bench/ctl_listing.sh [BUILD_DIR]      N=100000 PER=1000 by default
# (DRV=path: the driver of another build, to measure a build that has none)
set -eu
B=$(cd "${1:-build}" && pwd)
N=${N:-100000}
PER=${PER:-1000}
dir=$(mktemp -d /tmp/lnsd-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sock=$dir/lnsd.sock
cat > "$dir/lnsd.conf" <<CONF
[lnsd]
listen = 127.0.0.1:$port
dataplane = none
control-socket = $sock
log-level = warning
[l2tp]
hello-interval = 0
setup-timeout = 600
CONF
"$B/lnsd/lnsd" -f -c "$dir/lnsd.conf" 2> "$dir/lnsd.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
"${DRV:-$B/tests/bench/ctl_listing_drv}" -p "$port" -P "$pid" -n "$N" -s "$PER" \
	-c "$B/tools/lnsctl -s $sock -j show sessions > $dir/out.json"
echo "BENCH rows $(jq length "$dir/out.json") json_bytes $(stat -c %s "$dir/out.json")"
# The loop's longest iteration, where lnsd has the counter (show-stats "loop").
echo "BENCH loop $("$B/tools/lnsctl" -s "$sock" -j show stats | jq -c '.loop // "n/a"')"
