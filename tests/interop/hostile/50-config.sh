# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Hostile configuration (sourced by t_hostile.sh): what an operator's slip
# or a tampered file looks like.
#  - lnsd -t on each bad configuration exits 1 with one line naming the
#    file, the line and the key: a NUL byte in a secret, a users-file and a
#    psk-file readable by others, a users-file that is a FIFO (at once, no
#    wait for a writer) or owned by another user, an unknown key, a bad
#    value; -c of a directory is refused too;
#  - lnsd with dataplane = none and a users-file readable by others does
#    not start (the check is not only on the kernel path);
#  - lnsctl reload with a bad configuration (an unknown key; a users-file
#    readable by others) is refused with the same line, the running
#    configuration stays, and a good reload afterwards works.

cfgdir=$ART/config-cases
mkdir -p "$cfgdir/a-directory"
printf 'alice * alice-pw *\n' >"$cfgdir/users"
chmod 644 "$cfgdir/users"
printf 'a-pre-shared-key\n' >"$cfgdir/psk"
chmod 604 "$cfgdir/psk"
rm -f "$cfgdir/users-fifo"
mkfifo -m 600 "$cfgdir/users-fifo"
printf 'mallory * mallory-pw *\n' >"$cfgdir/users-nobody"
chmod 600 "$cfgdir/users-nobody"
chown 65534 "$cfgdir/users-nobody"
base="[lnsd]
listen = $LNS_ADDR:1709
control-socket = $RUN/cfgcase.sock
dataplane = none"

# bad NAME WANT [CONTENT]: lnsd -t -c $cfgdir/NAME.conf (CONTENT written there
# with printf %b) must exit 1 and print WANT, where @ stands for the file name
bad() {
	local f=$cfgdir/$1.conf want=${2//@/$cfgdir/$1.conf} rc=0 out
	[ $# -ge 3 ] && printf '%b' "$3" >"$f"
	out=$(timeout 5 "$LNSD_BIN" -t -c "$f" 2>&1) || rc=$?
	[ "$rc" = 1 ] || fail "lnsd -t $1: exit $rc (want 1): $out"
	grep -q -F -- "$want" <<<"$out" || fail "lnsd -t $1 said: $out; want: $want"
	log "lnsd -t $1: $out"
}
hcase "lnsd -t on bad configurations" "exit 1, one line naming the file, the line and the key"
bad nul-secret "@:6: [l2tp] secret: the value holds a NUL byte" "$base\n[l2tp]\nsecret = tunnel\\0secret\n"
bad users-readable "@:7: [ppp] users-file: \"$cfgdir/users\" is readable or writable by others (mode 0644)" \
	"$base\n[ppp]\nauth = pap\nusers-file = $cfgdir/users\n"
bad psk-readable "@:7: [ipsec] psk-file: \"$cfgdir/psk\" is readable or writable by others (mode 0604)" \
	"$base\n[ipsec]\nmode = required\npsk-file = $cfgdir/psk\n"
bad users-fifo "@:7: [ppp] users-file: \"$cfgdir/users-fifo\" is not a regular file" \
	"$base\n[ppp]\nauth = pap\nusers-file = $cfgdir/users-fifo\n"
bad users-owner "@:7: [ppp] users-file: \"$cfgdir/users-nobody\" is owned by uid 65534, not by root or lnsd's user" \
	"$base\n[ppp]\nauth = pap\nusers-file = $cfgdir/users-nobody\n"
bad unknown-key "@:6: [l2tp] hello-intervall: unknown key" "$base\n[l2tp]\nhello-intervall = 30\n"
bad bad-value "@:6: [l2tp] retransmit-retries: \"many\" is not a number" "$base\n[l2tp]\nretransmit-retries = many\n"
out=$("$LNSD_BIN" -t -c "$cfgdir/a-directory" 2>&1) && fail "lnsd -t -c DIRECTORY: exit 0: $out"
grep -q -F "$cfgdir/a-directory: is a directory" <<<"$out" || fail "lnsd -t -c DIRECTORY said: $out"
log "lnsd -t -c DIRECTORY: $out"

hcase "lnsd with dataplane = none and a users-file readable by others" "does not start; names the file"
rc=0
ip netns exec "$NS_LNS" timeout 10 "$LNSD_BIN" -f -c "$cfgdir/users-readable.conf" >"$cfgdir/start.log" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "lnsd started (exit $rc) with a users-file others can read: $(tail -2 "$cfgdir/start.log")"
grep -q -F "[ppp] users-file: \"$cfgdir/users\" is readable or writable by others" "$cfgdir/start.log" \
	|| fail "lnsd did not say why: $(tail -2 "$cfgdir/start.log")"

# reload_refused WANT: lnsctl reload fails saying WANT; lnsd lives on the old configuration
reload_refused() {
	local out
	out=$(lnsctl reload 2>&1) && fail "a reload with a bad configuration succeeded: $out"
	grep -q -F -- "$1" <<<"$out" || fail "the refused reload said: $out; want: $1"
	lns_alive || fail "lnsd died on a refused reload"
	lnsctl show config >"$cfgdir/running.conf" || fail "lnsctl show config failed after a refused reload"
	grep -q -- "$2" "$cfgdir/running.conf" && fail "the refused configuration is running: $(grep -- "$2" "$cfgdir/running.conf")"
	log "reload refused: $out"
}
hcase "lnsctl reload with a bad configuration" "refused naming file, line and key; the old configuration runs on"
cp "$ART/lnsd.conf" "$cfgdir/good.conf"
printf '\n[ppp]\nauth = pap\nusers-file = %s\nmru = 1300\n' "$cfgdir/users" >>"$ART/lnsd.conf"
line=$(grep -n '^users-file' "$ART/lnsd.conf" | cut -d: -f1)
reload_refused "$ART/lnsd.conf:$line: [ppp] users-file: \"$cfgdir/users\" is readable or writable by others" '^mtu = 1300$'
cp "$cfgdir/good.conf" "$ART/lnsd.conf"
printf '\n[ppp]\nmru = 1300\nmru-typo = 1\n' >>"$ART/lnsd.conf"
line=$(grep -n '^mru-typo' "$ART/lnsd.conf" | cut -d: -f1)
reload_refused "$ART/lnsd.conf:$line: [ppp] mru-typo: unknown key" '^mtu = 1300$'
cp "$cfgdir/good.conf" "$ART/lnsd.conf"
lnsctl reload >/dev/null 2>&1 || fail "the good configuration no longer reloads"
lns_alive || fail "lnsd died on a good reload"
