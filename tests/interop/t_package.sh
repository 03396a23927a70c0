#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenario (package): the .deb that `cpack -G DEB` builds from this build
# directory, checked without installing it system-wide (README.md, Install):
#  - its files: lnsd and lnsctl, the three man pages, lnsd.service, the
#    modules-load.d list, the example config, the copyright file, lnsctl's
#    bash completion (which completes with the packaged lnsctl); nothing in /etc;
#  - its control fields, Depends computed by dpkg-shlibdeps (libev4, libinih1,
#    libjansson4, libnl-genl-3-200, libmicrohttpd12...);
#  - `systemd-analyze verify` accepts the packaged unit (with the packaged lnsd
#    at /usr/sbin/lnsd in a private mount namespace, and its man pages for the
#    Documentation= lines), and `systemd-analyze security` rates it;
#  - `man --warnings -l` renders the packaged man pages without a warning;
#  - unpacked with dpkg -x, the packaged lnsd checks and runs the packaged
#    example config (listen, control socket and users file moved into the
#    test's namespace and directories), and the packaged lnsctl answers.
source "$(dirname "$0")/lib.sh" "$@"
it_init
is_lnsd || skip "lnsd-only scenario (the lnsd package)"
for c in cpack dpkg-deb dpkg-shlibdeps systemd-analyze man; do
	command -v "$c" >/dev/null || skip "$c is not installed (tools/dev/packages.txt)"
done

# ------------------------------------------------------------ build the .deb
log "cpack -G DEB in $BUILD_DIR"
(cd "$BUILD_DIR" && cpack -G DEB -B "$ART/cpack") >"$ART/cpack.log" 2>&1 \
	|| fail "cpack -G DEB failed: $(tail -20 "$ART/cpack.log")"
debs=("$ART"/cpack/lnsd_*.deb)
[ -f "${debs[0]}" ] || fail "cpack made no lnsd_*.deb in $ART/cpack"
DEB=${debs[0]}
log "package: $(basename "$DEB") ($(stat -c %s "$DEB") bytes)"

# ------------------------------------------------------------ contents
dpkg-deb -c "$DEB" >"$ART/contents.txt" || fail "dpkg-deb -c $DEB failed"
awk '{ print $NF }' "$ART/contents.txt" | sed 's|^\./|/|' >"$ART/paths.txt"
want_files=(
	/usr/sbin/lnsd
	/usr/sbin/lnsctl
	/usr/share/man/man8/lnsd.8
	/usr/share/man/man8/lnsctl.8
	/usr/share/man/man5/lnsd.conf.5
	/usr/lib/systemd/system/lnsd.service
	/usr/lib/modules-load.d/lnsd.conf
	/usr/share/doc/lnsd/examples/lnsd.conf
	/usr/share/doc/lnsd/copyright
	/usr/share/bash-completion/completions/lnsctl
)
for f in "${want_files[@]}"; do
	grep -q -x -F "$f" "$ART/paths.txt" || fail "$f is not in the package (dpkg-deb -c in $ART/contents.txt)"
done
grep -q '^/etc/.' "$ART/paths.txt" && fail "the package ships files in /etc: $(grep '^/etc/.' "$ART/paths.txt")"
# Binaries executable by everyone, nothing else executable, no build-tree leftovers.
grep -E '^-rwxr-xr-x .* \./usr/sbin/lnsd$' "$ART/contents.txt" >/dev/null || fail "/usr/sbin/lnsd is not -rwxr-xr-x"
grep -E '^-rwxr-xr-x .* \./usr/sbin/lnsctl$' "$ART/contents.txt" >/dev/null || fail "/usr/sbin/lnsctl is not -rwxr-xr-x"
# More example configs may come; anything else is unexpected.
extra=$(grep -v -x -F -f <(printf '%s\n' "${want_files[@]}") "$ART/paths.txt" | grep -v '/$' \
	| grep -v -E '^/usr/share/doc/lnsd/examples/[^/]+\.conf$' || true)
[ -z "$extra" ] || fail "unexpected files in the package: $extra"
log "contents: ${#want_files[@]} files, as expected"

# ------------------------------------------------------------ control fields
dpkg-deb -I "$DEB" >"$ART/info.txt" || fail "dpkg-deb -I $DEB failed"
field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = lnsd ] || fail "Package: $(field Package)"
[ "$(field Section)" = net ] || fail "Section: $(field Section), want net"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture: $(field Architecture)"
for f in Version Maintainer Description; do
	[ -n "$(field "$f")" ] || fail "$f is empty ($ART/info.txt)"
done
deps=$(field Depends)
log "Depends: $deps"
for p in libc6 libev4 libinih1 libjansson4 libnl-genl-3-200 libnl-3-200 libmicrohttpd12 libnettle8; do
	grep -q -E "(^|, )$p( |,|$)" <<<"$deps" || fail "Depends lacks $p: $deps"
done
if [[ $(ldd "$LNSD_BIN") == *libsystemd* ]]; then
	grep -q -E '(^|, )libsystemd0( |,|$)' <<<"$deps" || fail "Depends lacks libsystemd0: $deps"
fi
# Every Depends package is one this machine knows (installed here, so a
# fresh machine of this kind can satisfy it from the archive).
while read -r p; do
	[ -n "$p" ] || continue
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = 'install ok installed' ] \
		|| fail "Depends names $p, which is not installed here"
done < <(sed 's/([^)]*)//g; s/[,|]/\n/g' <<<"$deps" | tr -d ' ')

# ------------------------------------------------------------ unpack
ROOT=$ART/root
rm -rf "$ROOT"
dpkg -x "$DEB" "$ROOT" || fail "dpkg -x failed"
UNIT=$ROOT/usr/lib/systemd/system/lnsd.service
grep -q -x 'ExecStart=/usr/sbin/lnsd' "$UNIT" || fail "the packaged unit's ExecStart is not /usr/sbin/lnsd: $(grep ExecStart= "$UNIT")"
grep -q -x 'Type=notify' "$UNIT" || fail "the packaged unit is not Type=notify"

# ------------------------------------------------------------ systemd-analyze
# verify checks that ExecStart's binary exists: bind the packaged /usr/sbin
# over the host's in a mount namespace of our own (the host is not changed).
# MANPATH lets it resolve Documentation=man:... to the packaged man pages.
# Remarks about other packages' units on this host (verify loads the whole
# dependency graph: freeradius.service's MemoryLimit=, say) are not ours:
# they are kept in verify-others.log, everything else fails the test.
vrc=0
# shellcheck disable=SC2016 # expanded by the inner sh
unshare -m sh -c 'mount --bind "$1/usr/sbin" /usr/sbin && MANPATH="$1/usr/share/man" systemd-analyze verify "$2"' \
	sh "$ROOT" "$UNIT" >"$ART/verify-all.log" 2>&1 || vrc=$?
others='^/(usr/)?lib/systemd/system/[^/:]+:[0-9]+: '
grep -E "$others" "$ART/verify-all.log" | grep -v -F 'lnsd' >"$ART/verify-others.log" || true
grep -v -x -F -f "$ART/verify-others.log" "$ART/verify-all.log" >"$ART/verify.log" || true
if [ "$vrc" -ne 0 ] || [ -s "$ART/verify.log" ]; then
	fail "systemd-analyze verify rejects the packaged unit (exit $vrc): $(cat "$ART/verify.log")"
fi
log "systemd-analyze verify: no complaints about lnsd.service ($(wc -l <"$ART/verify-others.log") about other units)"
systemd-analyze security --offline=yes --root="$ROOT" lnsd.service >"$ART/security.txt" 2>&1 \
	|| fail "systemd-analyze security failed: $(tail -5 "$ART/security.txt")"
score=$(sed -n 's/.*Overall exposure level for lnsd.service: \([0-9.]*\).*/\1/p' "$ART/security.txt")
[ -n "$score" ] || fail "no exposure level in $ART/security.txt"
# 10 is a unit without any hardening; keep lnsd's under 3.0 ("OK").
awk -v s="$score" 'BEGIN { exit !(s < 3.0) }' || fail "exposure level $score, want < 3.0 (see $ART/security.txt)"
log "systemd-analyze security: exposure level $score"
grep -q -x 'CapabilityBoundingSet=CAP_NET_ADMIN' "$UNIT" || fail "the capability bounding set is not CAP_NET_ADMIN alone"

# ------------------------------------------------------------ man pages
for m in man8/lnsd.8 man8/lnsctl.8 man5/lnsd.conf.5; do
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$ROOT/usr/share/man/$m" >"$ART/$(basename "$m").txt" 2>"$ART/man-warn.log" \
		|| fail "man -l $m failed: $(cat "$ART/man-warn.log")"
	[ -s "$ART/man-warn.log" ] && fail "man --warnings -l $m warns: $(cat "$ART/man-warn.log")"
	[ -s "$ART/$(basename "$m").txt" ] || fail "man -l $m rendered nothing"
done
log "man --warnings -l: lnsd(8), lnsctl(8), lnsd.conf(5) render without warnings"

# ------------------------------------------------------------ run the packaged lnsd
ip netns add "$NS_LNS"
ip -n "$NS_LNS" link set lo up
printf '# chap-secrets: client server secret addresses\nalice * alice-secret *\n' >"$ART/users"
chmod 600 "$ART/users"
sed -e "s|^listen = .*|listen = 127.0.0.1:1701|" \
	-e "s|^control-socket = .*|control-socket = $RUN/lnsd.sock|" \
	-e "s|^users-file = .*|users-file = $ART/users|" \
	"$ROOT/usr/share/doc/lnsd/examples/lnsd.conf" >"$ART/lnsd.conf"
diff "$ROOT/usr/share/doc/lnsd/examples/lnsd.conf" "$ART/lnsd.conf" >"$ART/lnsd.conf.diff" || true
[ "$(grep -c '^[<>]' "$ART/lnsd.conf.diff")" -eq 6 ] || fail "adjusting the example config did not change exactly listen, control-socket and users-file ($ART/lnsd.conf.diff)"
# Files that hold secrets (an [ipsec] psk-file, a [ppp] users-file) are read
# by -t too: the packaged examples name files that do not exist here, and
# lnsd must say so; with the files (mode 600) it passes.
printf 'example-psk\n' >"$ART/ipsec.psk"
chmod 600 "$ART/ipsec.psk"
declare -A secret_file=([psk-file]=$ART/ipsec.psk [users-file]=$ART/users)
for ex in "$ROOT"/usr/share/doc/lnsd/examples/*.conf "$ART/lnsd.conf"; do
	for key in psk-file users-file; do
		f=$(sed -n "s/^$key = //p" "$ex")
		[ -n "$f" ] && [ ! -e "$f" ] || continue
		"$ROOT/usr/sbin/lnsd" -t -c "$ex" >"$ART/lnsd-t.log" 2>&1 \
			&& fail "packaged lnsd -t accepts $ex although its $key $f does not exist"
		grep -q "$key: cannot read \"$f\"" "$ART/lnsd-t.log" \
			|| fail "lnsd -t on $ex does not name the missing $key: $(cat "$ART/lnsd-t.log")"
		sed "s|^$key = .*|$key = ${secret_file[$key]}|" "$ex" >"$ART/t-$(basename "$ex")"
		ex=$ART/t-$(basename "$ex")
	done
	"$ROOT/usr/sbin/lnsd" -t -c "$ex" >"$ART/lnsd-t.log" 2>&1 \
		|| fail "packaged lnsd -t rejects $ex: $(cat "$ART/lnsd-t.log")"
done
log "packaged lnsd -t accepts every packaged example config"
LNS_LOG=$ART/lns.log
# As far as this machine (no systemd as PID 1) can: with the unit's
# capability bounding set, no new privileges and its LimitNOFILE.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr '[:upper:]' '[:lower:]' | sed 's/cap_//g; s/ \+/,+/g')
nofile=$(sed -n 's/^LimitNOFILE=//p' "$UNIT")
setpriv=()
if command -v setpriv >/dev/null; then
	setpriv=(setpriv --bounding-set="-all,+$caps" --inh-caps=-all --no-new-privs)
	log "running the packaged lnsd with bounding set +$caps, no_new_privs, nofile $nofile"
fi
limit=(prlimit --nofile="$nofile")
if ! prlimit --nofile="$nofile" true 2>/dev/null; then
	log "cannot raise the open file limit to $nofile here (hard limit $(ulimit -Hn)); running with $(ulimit -Hn)"
	nofile=$(ulimit -Hn)
	limit=()
fi
ip netns exec "$NS_LNS" "${limit[@]}" "${setpriv[@]}" \
	"$ROOT/usr/sbin/lnsd" -c "$ART/lnsd.conf" -f >"$LNS_LOG" 2>&1 &
LNS_PID=$!
CTL=$ROOT/usr/sbin/lnsctl
wait_for 10 "the packaged lnsd's control socket answering" "$CTL" -s "$RUN/lnsd.sock" show stats
lns_alive || fail "the packaged lnsd exited during startup"
"$CTL" -s "$RUN/lnsd.sock" show stats >"$ART/stats.txt" || fail "packaged lnsctl show stats failed"
"$CTL" -s "$RUN/lnsd.sock" show stats -j >"$ART/stats.json" || fail "packaged lnsctl show stats -j failed"
jq -e '.tunnels_established == 0 and .sessions_established == 0' "$ART/stats.json" >/dev/null \
	|| fail "show stats -j of the idle packaged lnsd: $(cat "$ART/stats.json")"
grep -q -F 'starting with '"$ART/lnsd.conf" "$LNS_LOG" || fail "the packaged lnsd did not start from the adjusted example"
check_lns_healthy
if [ ${#setpriv[@]} -gt 0 ]; then
	bnd=$(awk '/^CapBnd:/ { print $2 }' "/proc/$LNS_PID/status")
	[ "$bnd" = 0000000000001000 ] || fail "the packaged lnsd's CapBnd is $bnd, want CAP_NET_ADMIN alone (0x1000)"
fi
grep -q "open file limit $nofile" "$LNS_LOG" || fail "the packaged lnsd did not report the open file limit $nofile"
log "lnsctl show stats: $(tr '\n' ' ' <"$ART/stats.txt" | tr -s ' ')"
# The packaged completion, with the packaged lnsctl (column names come from it).
# shellcheck disable=SC2016 # expanded by the inner bash
comp=$(env -i PATH="$PATH" bash --norc -c 'source "$1" && COMP_WORDS=("$2" show sessions user) && COMP_CWORD=3 && _lnsctl && echo "${COMPREPLY[*]}"' \
	bash "$ROOT/usr/share/bash-completion/completions/lnsctl" "$CTL") || fail "the packaged bash completion failed"
[ "$comp" = username ] || fail "the packaged bash completion offers [$comp] for 'lnsctl show sessions user', want username"
pass "the .deb: contents, Depends, unit verified (exposure $score), man pages, packaged lnsd runs the packaged example"
