#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (completion): tools/completion/lnsctl, sourced by a clean bash
# and driven as readline drives it (COMP_WORDS / COMP_CWORD, then _lnsctl),
# against the built lnsctl and a live lnsd with one lac.py tunnel (2 calls):
# commands, objects, column names (every one `lnsctl columns` lists, also
# after a comma), match/order keywords, asc/desc, options, and the live
# tunnel and session ids `terminate` takes.
source "$(dirname "$0")/lib.sh" "$@"
it_init
is_lnsd || skip "lnsd-only scenario"
command -v python3 >/dev/null || skip "python3 is not installed"
COMPLETION=$SRC_DIR/tools/completion/lnsctl

# complete WORD... : what _lnsctl offers for the last word, sorted, one line.
complete_words() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	env -i PATH="$PATH" bash --norc --noprofile -c '
		source "$1" || exit 9
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_lnsctl || exit 8
		printf "%s\n" "${COMPREPLY[@]}"' bash "$COMPLETION" "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}
# expect_completion "WANT" WORD... : fail unless the completion is exactly WANT (sorted).
expect_completion() {
	local want got
	want=$(tr -s ' ' '\n' <<<"$1" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
	shift
	got=$(complete_words "$@")
	printf '%s => %s\n' "$*" "$got" >>"$ART/completions.txt"
	[ "$got" = "$want" ] || fail "completing [$*]: got [$got], want [$want]"
}

ip netns add "$NS_LNS"
ip -n "$NS_LNS" link set lo up
LNS_LOG=$ART/lns.log
cat >"$ART/lnsd.conf" <<EOF
[lnsd]
listen = 127.0.0.1:1701
control-socket = $RUN/lnsd.sock
dataplane = none
EOF
ip netns exec "$NS_LNS" "$LNSD_BIN" -c "$ART/lnsd.conf" -f >"$LNS_LOG" 2>&1 &
LNS_PID=$!
wait_for 10 "lnsd control socket answering" "$LNSCTL_BIN" -s "$RUN/lnsd.sock" show tunnels -j
ip netns exec "$NS_LNS" python3 "$IT_DIR/lac.py" --lns 127.0.0.1 --hostname lacpy-comp --calls 2 \
	--hold 60 >"$ART/lacpy.out" 2>"$ART/lacpy.log" &
BG_PIDS+=($!)
wait_for 15 "lac.py READY" grep -q '^READY' "$ART/lacpy.out"
expect_count "established sessions" lns_established_sessions 2 10

L=$LNSCTL_BIN
S=(-s "$RUN/lnsd.sock")
tcols=$("$L" columns tunnels | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')
scols=$("$L" columns sessions | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')
[ "$(wc -w <<<"$scols")" -ge 20 ] || fail "lnsctl columns sessions lists only: $scols"

expect_completion "show terminate reload columns" "$L" ""
expect_completion "show" "$L" sh
expect_completion "tunnels sessions stats config pseudowires" "$L" show ""
expect_completion "sessions stats" "$L" -j show s
expect_completion "tunnel session user all" "$L" terminate ""
expect_completion "tunnels sessions" "$L" columns ""
expect_completion "-s -j -a -h -V" "$L" show tunnels -
expect_completion "$scols match order" "$L" show sessions ""
expect_completion "username" "$L" show sessions user
expect_completion "ifname,rx-bytes ifname,rx-errors ifname,rx-pkts ifname,rx-speed" "$L" show sessions ifname,rx
expect_completion "$tcols" "$L" show tunnels hostname match ""
expect_completion "peer peer-config peer-tunnel" "$L" show tunnels match pe
expect_completion "uptime uptime-raw" "$L" show sessions order up
expect_completion "asc desc match order" "$L" -a show sessions order uptime ""
expect_completion "desc" "$L" show sessions tunnel order uptime d
expect_completion "match order" "$L" show tunnels tunnel,peer ""
log "static completions: commands, objects, $(wc -w <<<"$scols") session columns, keywords, options"

# Live ids from the running lnsd, through -s.
tid=$("$L" "${S[@]}" show tunnels -j | jq -r '.[0].tunnel_id')
sids=$("$L" "${S[@]}" show sessions -j | jq -r '.[].session_id' | tr '\n' ' ')
if [ -z "$tid" ] || [ "$tid" = null ]; then fail "no live tunnel"; fi
expect_completion "$tid" "$L" "${S[@]}" terminate tunnel ""
expect_completion "$tid" "$L" "${S[@]}" terminate session ""
expect_completion "$sids" "$L" "${S[@]}" terminate session "$tid" ""
expect_completion "^lacpy-comp\$" "$L" "${S[@]}" show tunnels match hostname ""
# No daemon on that socket: nothing to offer, and no error text in the line.
expect_completion "" "$L" -s "$RUN/none.sock" terminate tunnel ""
log "live completions: tunnel $tid, sessions $sids, hostname regex"

check_lns_healthy
pass "bash completion: $(wc -l <"$ART/completions.txt") completions as expected"
