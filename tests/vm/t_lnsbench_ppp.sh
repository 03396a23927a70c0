#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lnsbench --ppp against lnsd's kernel data plane: 5 tunnels x 10 calls from
# `client`, PPP (LCP, CHAP-MD5 with a user name per call, IPCP) in lnsbench
# itself over the L2TP data channel, lnsd (dataplane = kernel) in `lns`.
# Every call must reach IPCP up with its own pool address; `lns` must have
# the same number of ppp interfaces with exactly those peer addresses; lnsd
# must read (almost) no data packets itself while lnsbench holds the calls
# and answers lnsd's LCP echoes; everything goes away with the StopCCNs.
# Then a wrong password: lnsbench must exit 1 with the failure counted.
set -euo pipefail
# shellcheck source=tests/vm/lnsd-lib.sh
. "$(dirname "$0")/lnsd-lib.sh"
BENCH=$LNSD_BUILD_DIR/tools/lnsbench
[ -x "$BENCH" ] || fail "no $BENCH: build first"
NT=5
PER=10
N=$((NT * PER))

topo_pair
users_file '*' bench-pw
lnsd_start <<-EOC
	[ppp]
	auth = chap, pap
	pool = 10.64.0.10-10.64.0.200
	lcp-echo-interval = 2
EOC

# peer_addrs: the peer addresses of lnsd's pppN (named l2tpN here), one a line, sorted.
peer_addrs() {
	ip -n lns -4 -o addr show |
		awk '$2 ~ /^l2tp/ { for (i = 1; i < NF; i++) if ($i == "peer") { split($(i + 1), a, "/"); print a[1] } }' |
		sort
}
nppp() { ip -n lns -o link show | grep -c ': l2tp[0-9]*[:@]' || true; }

dius0=$(ctl show stats -j | jq '.drops["data-in-userspace"]')
log "lnsbench: $NT tunnels x $PER calls with PPP"
ip netns exec client "$BENCH" --ppp -t "$NT" -s "$PER" --src-list "$LAC_IP" --user 'bench%d' \
	--password bench-pw --hold 600 --hello 5 --timeout 120 --ready-file "$ART/ready" \
	--addr-file "$ART/addrs" --json "$LNS_IP" >"$ART/bench.json" 2>"$ART/bench.err" &
bench=$!
_vm_pids+=("$bench")
wait_for 60 "lnsbench's setup phase" test -e "$ART/ready"
cat "$ART/ready"
sort "$ART/addrs" >"$ART/addrs.sorted"
[ "$(wc -l <"$ART/addrs.sorted")" = "$N" ] ||
	fail "lnsbench holds $(wc -l <"$ART/addrs.sorted") addresses, want $N"
[ "$(uniq "$ART/addrs.sorted" | wc -l)" = "$N" ] || fail "lnsbench's addresses are not distinct"
grep -qv '^10\.64\.0\.' "$ART/addrs.sorted" && fail "an address outside lnsd's pool"

# The kernel side: one pppN per call with the address lnsbench got.
peer_addrs >"$ART/lns-peers"
log "lns: $(nppp) ppp interfaces, $(wc -l <"$ART/lns-peers") with a peer address"
[ "$(nppp)" = "$N" ] || fail "lns has $(nppp) ppp interfaces, want $N"
diff "$ART/addrs.sorted" "$ART/lns-peers" || fail "pppN peer addresses differ from lnsbench's"
ctl show sessions -j >"$ART/sessions.json"
[ "$(jq '[.[] | select(.ip != null and (.ifname | test("^l2tp")))] | length' "$ART/sessions.json")" = "$N" ] ||
	fail "lnsctl does not show $N sessions with an address and an interface"
jq -r '.[].username' "$ART/sessions.json" | sort -u | grep -c '^bench[0-9]*$' |
	grep -qx "$N" || fail "not $N distinct per-call user names"

# Hold a few echo intervals: lnsd's Echo-Requests come through the kernel
# to lnsbench and back; none may be lost, and lnsd reads no data itself.
sleep 5
ctl show stats -j >"$ART/stats.json"
dius=$(($(jq '.drops["data-in-userspace"]' "$ART/stats.json") - dius0))
log "data packets read by lnsd: $dius"
[ "$dius" -le 5 ] || fail "lnsd read $dius data packets (the kernel should)"
[ "$(nppp)" = "$N" ] || fail "ppp interfaces went away during the hold: $(nppp)"

kill -TERM "$bench"
rc=0
wait "$bench" || rc=$?
cat "$ART/bench.err" >&2 || true
jq -cM '{p: .phases[0] | {sessions_up, ppp_up, ppp_failed, ppp_setup, failures}, ppp, lost_after_setup}' "$ART/bench.json"
[ "$rc" = 0 ] || fail "lnsbench exited $rc"
jq -e --argjson n "$N" '.phases[0].ppp_up == $n and .phases[0].ppp_failed == 0 and
	.ppp.distinct_addresses == $n and .ppp.echo_replies > 0 and .lost_after_setup.ppp == 0' \
	"$ART/bench.json" >/dev/null || fail "lnsbench's report does not say $N PPP links up and held"
# lnsd acknowledges the StopCCNs first and closes the kernel objects in
# slices afterwards (docs/design.md §4.4): under TCG on a busy host that
# can take tens of seconds for 50 calls
wait_for 120 "no ppp interface left" test "$(nppp)" = 0

# A wrong password: CHAP fails, lnsbench says so and exits 1.
rc=0
on client "$BENCH" --ppp -t 1 -s 2 --src-list "$LAC_IP" --user 'bench%d' --password wrong \
	--timeout 20 --json "$LNS_IP" >"$ART/bad.json" 2>"$ART/bad.err" || rc=$?
jq -cM '.phases[0] | {ppp_up, ppp_failed, failures}' "$ART/bad.json"
[ "$rc" = 1 ] || fail "lnsbench with a wrong password exited $rc, want 1"
jq -e '.phases[0].ppp_up == 0 and .phases[0].ppp_failed == 2 and
	(.phases[0].failures | keys | any(test("auth")))' "$ART/bad.json" >/dev/null ||
	fail "the failed authentication is not in lnsbench's report"
log "lnsbench --ppp: $N calls with IPCP up on the kernel data plane"
