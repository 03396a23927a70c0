# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/vm/lnsd-lib.sh: lnsd and the xl2tpd + pppd LACs that dial it, for
# the VM tests.  It sources lib.sh (unless the script did):
#
#   . "$(dirname "$0")/lnsd-lib.sh"
#   topo_pair                             # lns 192.0.2.1 -- client 192.0.2.2
#   users_file alice alice-pw
#   lnsd_start <<-EOC                     # the base config, changed by this
#   	[ppp]
#   	auth = chap, pap
#   EOC
#   lac_xl2tpd -w one alice alice-pw refuse-pap
#   ctl show sessions
#
# See README.md ("lnsd and its clients").

if ! declare -F daemon >/dev/null; then
	# shellcheck source=tests/vm/lib.sh
	. "${BASH_SOURCE[0]%/*}/lib.sh"
fi
require ip ping xl2tpd pppd jq
LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
SOCK=$RUNDIR/lnsd.sock
# The addresses of topo_pair: lnsd listens on LNS_IP, a LAC on LAC_IP.
LNS_IP=192.0.2.1
LAC_IP=192.0.2.2
# A LAC's pppN has its address from this net (lnsd_conf's pool).
LAC_PPP_NET=10.64.0.

# topo_pair [LNS_NS CLIENT_NS]: two namespaces (default lns and client)
# on one link, 192.0.2.1/24 -- 192.0.2.2/24.
topo_pair() {
	local lns=${1:-lns} client=${2:-client}
	ns_add "$client" "$lns"
	link_add "$lns" eth0 "$LNS_IP/24" "$client" eth0 "$LAC_IP/24"
}

# if_mtu NS IFNAME: that interface's MTU.
if_mtu() { ip -n "$1" -o link show dev "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1) }'; }

# link_mtu NS DEST: the MTU of the interface NS routes DEST through (the
# path MTU a connected socket to DEST starts from).
link_mtu() {
	if_mtu "$1" "$(ip -n "$1" route get "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')"
}

# ctl ARGS...: lnsctl against the running lnsd.
ctl() { on lns "$LNSCTL" -s "$SOCK" "$@"; }

# users_file USER PASSWORD [USER PASSWORD]...: $RUNDIR/users (mode 600;
# the artifacts share may not keep modes), any server and address.
# lnsd_start points [ppp] users-file at it once it exists.
users_file() {
	[ $(($# % 2)) = 0 ] || fail "users_file: USER PASSWORD pairs"
	(
		umask 077
		{
			echo '# client  server  secret  addresses'
			while [ $# -gt 0 ]; do
				echo "$1  *  $2  *"
				shift 2
			done
		} >"$RUNDIR/users"
	)
	chmod 600 "$RUNDIR/users"
}

# lnsd_conf: write $ART/lnsd.conf: the base below, changed by the INI
# fragment on stdin.  A fragment's `key = value` replaces every line of that
# key in its section (repeat the key for several values), `key =` with no
# value removes the key, other keys and sections are added; comments are
# kept.  [ppp] users-file is in the base when $RUNDIR/users exists.
lnsd_conf() {
	local frag=$RUNDIR/lnsd.conf.fragment users=
	if [ -t 0 ]; then : >"$frag"; else cat >"$frag"; fi
	[ ! -e "$RUNDIR/users" ] || users="users-file = $RUNDIR/users"
	cat >"$RUNDIR/lnsd.conf.base" <<-EOC
		[lnsd]
		listen = $LNS_IP:1701
		control-socket = $SOCK
		hostname = lns
		dataplane = kernel
		log-level = debug
		[l2tp]
		stopccn-hold = 1
		[ppp]
		auth = chap
		local-ip = 10.64.0.1
		pool = 10.64.0.10-10.64.0.20
		$users
		ifname = l2tp%d
	EOC
	awk '
		function key(l) { sub(/^[ \t]+/, "", l); sub(/[ \t]*=.*/, "", l); return l }
		FNR == 1 { f++; sec = "" }
		/^[ \t]*$/ { next }
		/^[ \t]*\[.*\][ \t]*$/ {
			sec = $0; gsub(/[][ \t]/, "", sec)
			if (!(sec in known)) { known[sec] = 1; order[++nsec] = sec }
			next
		}
		sec == "" { print "lnsd_conf: line outside a section: " $0 > "/dev/stderr"; bad = 1; exit 1 }
		/^[ \t]*#/ { if (f == 2) { frag[sec, ++nf[sec]] = $0; fkey[sec, nf[sec]] = "" } next }
		f == 1 { base[sec, ++nb[sec]] = $0; bkey[sec, nb[sec]] = key($0); next }
		{
			k = key($0); drop[sec, k] = 1
			if ($0 !~ /=[ \t]*$/) { frag[sec, ++nf[sec]] = $0; fkey[sec, nf[sec]] = k }
		}
		# A replaced key keeps its place; the rest of a fragment section follows.
		function emit(s, k,  i) {
			for (i = 1; i <= nf[s]; i++)
				if (!done[s, i] && fkey[s, i] == k) { out[++n] = frag[s, i]; done[s, i] = 1 }
		}
		END {
			if (bad) exit 1
			for (j = 1; j <= nsec; j++) {
				s = order[j]; n = 0
				for (i = 1; i <= nb[s]; i++)
					if ((s, bkey[s, i]) in drop) emit(s, bkey[s, i]); else out[++n] = base[s, i]
				for (i = 1; i <= nf[s]; i++)
					if (!done[s, i]) out[++n] = frag[s, i]
				if (n == 0) continue
				print "[" s "]"
				for (i = 1; i <= n; i++) { l = out[i]; sub(/^[ \t]+/, "", l); print l }
			}
		}' "$RUNDIR/lnsd.conf.base" "$frag" >"$ART/lnsd.conf" || fail "lnsd_conf: bad fragment"
}

# lnsd_run [NAME]: start lnsd (log $ART/NAME.log, default lnsd) in `lns`
# with $ART/lnsd.conf; wait until its control socket answers (a stale
# socket file does not count) and check it took the kernel data plane.
# Fails with the log's tail when lnsd exits first.  Sets LNSD_PID.
lnsd_run() {
	local name=${1:-lnsd} end rc
	[ -x "$LNSD" ] || fail "no $LNSD: build first (tools/dev/setup.sh)"
	daemon "$name" lns "$LNSD" -f -c "$ART/lnsd.conf"
	LNSD_PID=$DAEMON_PID
	end=$(($(date +%s) + 60))
	until "$LNSCTL" -s "$SOCK" show stats >/dev/null 2>&1; do
		if ! kill -0 "$LNSD_PID" 2>/dev/null; then
			rc=0
			wait "$LNSD_PID" || rc=$?
			tail -n 30 "$ART/$name.log" >&2
			fail "$name exited with status $rc while starting (log: $ART/$name.log)"
		fi
		[ "$(date +%s)" -lt "$end" ] || { tail -n 30 "$ART/$name.log" >&2; fail "$name: no control socket after 60 s"; }
		sleep 0.2
	done
	grep -q 'data plane: kernel' "$ART/$name.log" || fail "$name did not take the kernel data plane"
	log "ok: $name ($LNSD_PID) answers on $SOCK"
}

# lnsd_start [NAME]: lnsd_conf (fragment on stdin), then lnsd_run NAME.
lnsd_start() {
	lnsd_conf
	lnsd_run "$@"
}

# ppp_addrs NS: the addresses from LAC_PPP_NET on NS's pppN, one a line.
ppp_addrs() {
	ip -n "$1" -4 -o addr show |
		awk -v net="$LAC_PPP_NET" '$2 ~ /^ppp/ && index($4, net) == 1 { split($4, a, "/"); print a[1] }'
}
# ppp_ip [NS]: the first of them (NS: client).
ppp_ip() { ppp_addrs "${1:-client}" | sed -n 1p; }
# _lac_new_ppp NS BEFORE: print an address of ppp_addrs NS that is not in
# BEFORE (an earlier ppp_addrs NS); fail when there is none.
_lac_new_ppp() {
	ppp_addrs "$1" | awk -v old="$2" '
		BEGIN { n = split(old, o, "\n"); for (i = 1; i <= n; i++) seen[o[i]] = 1 }
		!seen[$0] { print; found = 1; exit }
		END { exit !found }'
}

# lac_xl2tpd [-n NS] [-a ADDR] [-g LINE]... [-l LINE]... [-w] NAME USER PASSWORD [PPPD_OPTION...]
# Debian's xl2tpd as LAC in NS (default client), listening on ADDR (default
# LAC_IP), one `[lac x]` that dials LNS_IP at once (autodial = yes,
# redial = no, length bit = yes); -g adds a [global] line, -l a [lac x]
# line (replacing the default of its key).  pppd gets noauth
# nodefaultroute noccp novj, the PPPD_OPTIONs, `user USER` and `password
# PASSWORD` (USER "-": neither) and logs to $ART/lac-NAME/pppd.log.
# xl2tpd logs to $ART/xl2tpd-NAME.log; its control pipe is
# $RUNDIR/xl2tpd-NAME.ctl.  -w: wait until a pppN in NS has a new address
# from LAC_PPP_NET, in LAC_PPP_IP.  Sets LAC_PID, LAC_CTL, LAC_DIR.
lac_xl2tpd() {
	local OPTIND opt ns=client addr=$LAC_IP wait=0 before='' g=() l=() keep=() d x skip
	while getopts n:a:g:l:w opt; do
		case $opt in
		n) ns=$OPTARG ;;
		a) addr=$OPTARG ;;
		g) g+=("$OPTARG") ;;
		l) l+=("$OPTARG") ;;
		w) wait=1 ;;
		*) fail "lac_xl2tpd: unknown option" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -ge 3 ] || fail "lac_xl2tpd: NAME USER PASSWORD missing"
	local name=$1 user=$2 pw=$3 w=$ART/lac-$1
	shift 3
	for d in "lns = $LNS_IP" "autodial = yes" "redial = no" "length bit = yes"; do
		skip=0
		for x in "${l[@]}"; do [ "${x%% =*}" != "${d%% =*}" ] || skip=1; done
		[ "$skip" = 1 ] || keep+=("$d")
	done
	mkdir -p "$w"
	{
		printf '%s\n' "[global]" "listen-addr = $addr" "${g[@]}" "[lac x]" "${keep[@]}" "${l[@]}" \
			"pppoptfile = $w/options"
	} | grep -v '^$' >"$w/xl2tpd.conf"
	{
		printf '%s\n' noauth nodefaultroute noccp novj "$@"
		[ "$user" = - ] || printf '%s\n' "user $user" "password $pw"
		printf '%s\n' debug "logfile $w/pppd.log"
	} >"$w/options"
	[ "$wait" = 0 ] || before=$(ppp_addrs "$ns")
	# shellcheck disable=SC2034 # read by the test scripts
	LAC_DIR=$w
	LAC_CTL=$RUNDIR/xl2tpd-$name.ctl
	daemon "xl2tpd-$name" "$ns" xl2tpd -D -c "$w/xl2tpd.conf" -p "$RUNDIR/xl2tpd-$name.pid" \
		-C "$LAC_CTL"
	LAC_PID=$DAEMON_PID
	if [ "$wait" = 1 ]; then
		wait_for 60 "$name: ppp address in $ns" _lac_new_ppp "$ns" "$before"
		# shellcheck disable=SC2034 # read by the test scripts
		LAC_PPP_IP=$(_lac_new_ppp "$ns" "$before")
	fi
}

# lac_hangup NAME: that LAC ends its call (xl2tpd `d x`).
lac_hangup() { echo "d x" >"$RUNDIR/xl2tpd-$1.ctl"; }

# lac_stop [PID]: stop an xl2tpd (default LAC_PID) and its pppd.
lac_stop() {
	local pid=${1:-$LAC_PID}
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# count_is sessions|tunnels N: lnsd lists N of them.
count_is() { [ "$(ctl show "$1" -j | jq length)" = "$2" ]; }
# wait_count SECONDS sessions|tunnels N WHAT: wait until count_is.
wait_count() { wait_for "$1" "$4" count_is "$2" "$3"; }

# The kernel's side in `lns`: no L2TP tunnel, no L2TP session, no l2tpN or pppN.
no_kernel_tunnel() { ! on lns ip l2tp show tunnel | grep -q Tunnel; }
no_kernel_session() { ! on lns ip l2tp show session | grep -q Session; }
no_ppp_if() { ! ip -n lns -br link | grep -qE '^(l2tp|ppp)'; }

# ---- FreeRADIUS (Debian's, in the guest) ---------------------------------
# fr_start: Debian's FreeRADIUS configuration edited in place ($FR_CONF; /etc is
# the guest's own overlay: copying it over 9p took 20+ s): logs and the
# accounting detail file in $RUNDIR/frlog, no reject delay, and a
# Message-Authenticator in every Access-Accept/Reject (lnsd's default
# require-message-authenticator = yes; FreeRADIUS 3.2.1 signs a reply only
# when the reply lists one). The users file entries on stdin (tab-indented
# heredocs: indent reply items with spaces) go before Debian's. Starts
# `freeradius -X` in lns; fr_ready waits for it (it loads slowly under TCG:
# start it early).
FR_CONF=/etc/freeradius/3.0
fr_start() {
	local users=$FR_CONF/mods-config/files/authorize
	mkdir -p "$RUNDIR/frlog"
	chown freerad:freerad "$RUNDIR/frlog"
	sed -i -e "s|^logdir = .*|logdir = $RUNDIR/frlog|" -e 's/reject_delay = 1/reject_delay = 0/' \
		"$FR_CONF/radiusd.conf"
	sed -i -e 's/^post-auth {$/&\n\tupdate reply { Message-Authenticator := 0x00 }/' \
		-e 's/^\tPost-Auth-Type REJECT {$/&\n\t\tupdate reply { Message-Authenticator := 0x00 }/' \
		"$FR_CONF/sites-enabled/default"
	{ cat; cat "$users"; } >"$users.new"
	mv "$users.new" "$users"
	chown freerad:freerad "$users" "$FR_CONF/radiusd.conf" "$FR_CONF/sites-enabled/default"
	_fr_t0=$(date +%s.%N)
	daemon freeradius lns freeradius -X -d "$FR_CONF"
}
fr_ready() {
	wait_log 120 "$ART/freeradius.log" 'Ready to process requests'
	log "freeradius ready after $(echo "$_fr_t0 $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}') s"
}
# detail: FreeRADIUS's accounting detail file(s) so far.
detail() { cat "$RUNDIR"/frlog/radacct/127.0.0.1/detail-* 2>/dev/null || true; }
# record USER STATUS: the detail-file records of USER with that Acct-Status-Type.
record() {
	detail | awk -v u="\"$1\"" -v st="$2" '
		function out() { if (rec ~ ("User-Name = " u "\n") && rec ~ ("Acct-Status-Type = " st "\n")) printf "%s", rec }
		/^[A-Z][a-z][a-z] / { out(); rec = "" }
		{ rec = rec $0 "\n" }
		END { out() }'
}
has_record() { record "$1" "$2" | grep -q .; }

# ---- two lnsd sites joined by a pseudowire (lib.sh's topo_sites) ----------
# Site a's lnsd runs in pwa, b's in pwb; each has its control socket at
# $RUNDIR/SITE.sock.
# site_lnsd SITE ME: the [lnsd] section of SITE's config, listening on ME:
# kernel data plane, debug log, /metrics on ME:9101 (a) or ME:9102 (b).
site_lnsd() {
	cat <<-EOC
		[lnsd]
		listen = $2:1701
		control-socket = $RUNDIR/$1.sock
		hostname = site-$1
		dataplane = kernel
		log-level = debug
		metrics = $2:9$([ "$1" = a ] && echo 101 || echo 102)
	EOC
}
# site_ctl SITE ARGS...: lnsctl against SITE's lnsd.
site_ctl() { "$LNSCTL" -s "$RUNDIR/$1.sock" "${@:2}"; }
# site_pw SITE FIELD: FIELD of SITE's first pseudowire (show pseudowires -j).
site_pw() { site_ctl "$1" show pseudowires -j | jq -r ".[0].$2"; }
# sites_pw_up: the pseudowire is up on both sites.
sites_pw_up() { [ "$(site_pw a state)" = up ] && [ "$(site_pw b state)" = up ]; }
# lan_ping: the default LAN hosts (lana 10.77.0.1, lanb 10.77.0.2) ping
# each other across the pseudowire, their ARP caches flushed first.
lan_ping() {
	ip -n lana neigh flush all
	ip -n lanb neigh flush all
	wait_ping 20 lana 10.77.0.2
	expect_ping lana 10.77.0.2 5
	expect_ping lanb 10.77.0.1 3
}
