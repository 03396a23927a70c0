#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kmod-glue against the real kernel: tools/dev/kgsmoke builds a managed
# L2TPv2 tunnel + PPP session + pppN on each side of a veth link (genetlink,
# PPPoL2TP, /dev/ppp, rtnetlink), passes UDP across the pppN pair, reads the
# counters by GET and dump, tears down and checks nothing is left.
set -eu
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
require ip ping

smoke="$LNSD_BUILD_DIR/tools/kgsmoke"
[ -x "$smoke" ] || fail "$smoke not built"

ns_add kga kgb
link_add kga eth0 192.0.2.1/24 kgb eth0 192.0.2.2/24
wait_ping 10 kga 192.0.2.2

"$smoke" kga 192.0.2.1 kgb 192.0.2.2 || fail "kgsmoke failed"

# Independent of kgsmoke's own checks: iproute2 sees nothing left behind.
for ns in kga kgb; do
	left=$(on "$ns" ip l2tp show tunnel)
	[ -z "$left" ] || fail "$ns: tunnel left: $left"
	! ip -n "$ns" -o link show | grep -Eq 'ppp|kgpp' || fail "$ns: a PPP interface is left"
done
log "kmod-glue smoke passed on $LNSD_VM_SERIES"
