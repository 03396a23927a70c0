#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario 8 (bad input): with an xl2tpd tunnel + call established, send
# malformed and hostile messages (badinput.py): truncated headers, bad AVP
# lengths, a hidden AVP without Random Vector, length field mismatches, an
# unknown M-bit AVP in SCCRQ (must get StopCCN result 2 error 8), messages for
# an unknown tunnel, Ns far outside the window and data forged from the peer's
# own address, and a flood of 2,000 SCCRQs from distinct source ports.
# Afterwards: the LNS still runs, the established session is untouched, the
# drop counters in "lnsctl show stats" moved, and a new LAC still gets service.
source "$(dirname "$0")/lib.sh" "$@"
it_init
PY=${LNSD_PYTHON:-/usr/bin/python3}
"$PY" -c 'import scapy.all' 2>/dev/null || skip "python3-scapy is not installed for $PY"
net_up 3   # lac1: the victim tunnel; lac2: the attacker (no xl2tpd); lac3: dials after the attack
# A half-open limit well below the flood, so the limit is reached however many
# of the 2,000 SCCRQs the kernel queues before lnsd reads them.
lns_start "max-half-open = 200"
# shellcheck disable=SC2016 # awk program
udp_rcvbuf_errors() { # the LNS namespace's UDP RcvbufErrors (datagrams the kernel dropped)
	ip netns exec "$NS_LNS" awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp
}
rcvbuf0=$(udp_rcvbuf_errors)
lac_start 1
lac_wait_call 1
expect_count "established sessions before the attack" lns_established_sessions 1 10

stats() { # flattened numeric counters as a JSON object {"a.b": n}
	local raw
	raw=$(lnsctl show stats -j 2>/dev/null || lnsctl show stats) || fail "lnsctl show stats failed"
	if jq -e . >/dev/null 2>&1 <<<"$raw"; then
		jq -c '[paths(numbers) as $p | {key: ($p | map(tostring) | join(".")), value: getpath($p)}] | from_entries' <<<"$raw"
	else # "name value" or "name: value" lines
		awk '{ gsub(":", "", $1); if ($2 ~ /^[0-9]+$/) printf "%s\t%s\n", $1, $2 }' <<<"$raw" \
			| jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") | {key: .[0], value: (.[1] | tonumber)}) | from_entries'
	fi
}
if is_lnsd; then
	stats >"$ART/stats-before.json"
	lnsctl show stats >"$ART/stats-before.txt" 2>&1 || true
fi

expect=()
is_lnsd && expect=(--expect-mbit-stopccn)
log "probing from $(lac_addr 2) (attacker namespace)"
ip netns exec "$(lac_ns 2)" "$PY" "$IT_DIR/badinput.py" probe --lns "$LNS_ADDR" "${expect[@]}" \
	>"$ART/badinput-probe.log" 2>&1 || { cat "$ART/badinput-probe.log"; fail "a bad-input case did not get its defined answer"; }
grep -v '^{' "$ART/badinput-probe.log"
log "UDP datagrams the kernel dropped for a full socket buffer in the LNS namespace: $(( $(udp_rcvbuf_errors) - rcvbuf0 ))"
check_lns_healthy

if is_lnsd; then
	tid=$(lns_json sessions | jq -r '.[0].tunnel_id')
	sid=$(lns_json sessions | jq -r '.[0].session_id')
else
	tid=$(lac_remote_tid 1)
	sid=$(lac_remote_cid 1)
fi
log "forging messages from the peer's own address $(lac_addr 1):1701 to tunnel $tid"
ip netns exec "$(lac_ns 1)" "$PY" "$IT_DIR/badinput.py" spoof --lns "$LNS_ADDR" --src "$(lac_addr 1)" \
	--tid "$tid" --sid "$sid" >"$ART/badinput-spoof.log" 2>&1 || { cat "$ART/badinput-spoof.log"; fail "spoof mode failed"; }
sleep 2
check_lns_healthy

# The victim tunnel and call are untouched.
lac_down 1 && fail "the established LAC lost its tunnel or call during the attack"
if is_lnsd; then
	jq -e --arg p "$(lac_addr 1):1701" 'map(select(.peer == $p and .state == "established")) | length == 1' \
		>/dev/null <<<"$(lns_json sessions)" || fail "the established session is gone: $(lns_json sessions)"
	stats >"$ART/stats-after.json"
	lnsctl show stats >"$ART/stats-after.txt" 2>&1 || true
	moved=$(jq -r -n --slurpfile a "$ART/stats-before.json" --slurpfile b "$ART/stats-after.json" \
		'$b[0] | to_entries[] | select(.value > ($a[0][.key] // 0)) | "\(.key) \($a[0][.key] // 0) -> \(.value)"')
	log "counters that moved:"
	printf '  %s\n' "$moved"
	# lnsd's drop reasons (lnsd/ctl.c "drops"): each kind of bad input must be counted.
	for key in drops.decode drops.unknown-tunnel drops.data-in-userspace drops.out-of-window drops.limit; do
		grep -q "^$key " <<<"$moved" || fail "drop counter $key did not move (lnsctl show stats in $ART/stats-*.txt)"
	done
	# A flood of malformed packets must not mean a log line each.
	n=$(grep -c -E 'short packet|truncated AVP|length mismatch|bad version' "$LNS_LOG" || true)
	[ "$n" -le 100 ] || fail "$n log lines for malformed packets: not rate limited"
fi

# A fresh LAC still gets a tunnel and a call after the flood. The flood's
# half-open tunnels may fill lnsd's half-open limit for a while (they end at
# the setup timeout), so this LAC redials every 3 s, as a real LAC would.
t0=$(date +%s)
lac_start 3 "redial = yes
redial timeout = 3
max redials = 60"
lac_wait_call 3 150
log "a new LAC got in $(( $(date +%s) - t0 )) s after the attack ($(grep -c 'half-open tunnel limit' "$(lac_log 3)" || true) refusals for the half-open limit)"
expect_count "established sessions after the attack" lns_established_sessions 2 15
check_lns_healthy
pass "bad input survived; established session kept; drops counted"
