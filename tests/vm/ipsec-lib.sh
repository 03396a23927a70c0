# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/vm/ipsec-lib.sh: the L2TP/IPsec remote-access setup shared by the
# t_lnsd_ipsec*.sh VM tests.  Source it after lib.sh.
#
#   client (10.10.0.2) -- nat (masquerade) -- lns (198.51.100.2)
#
# The client is configured the way a Linux user does it: charon loaded with
# swanctl (IKEv1, PSK, transport mode for UDP 1701), then xl2tpd + pppd
# (kernel mode).  The server runs charon with no connection of its own and
# lnsd with an [ipsec] section: lnsd loads the connection and the PSK over
# VICI and puts ESP policies on its L2TP sockets.

require ip nft swanctl xl2tpd pppd jq dumpcap tshark python3
LNSD=$LNSD_BUILD_DIR/lnsd/lnsd
LNSCTL=$LNSD_BUILD_DIR/tools/lnsctl
SOCK=$RUNDIR/lnsd.sock
LNS_IP=198.51.100.2
PSK=lnsd-vm-psk-0c8a1f
USER_NAME=erin
USER_PW=erin-pw
ctl() { on lns "$LNSCTL" -s "$SOCK" "$@"; }

# lns_start [EXTRA_IPSEC_LINES]: charon (no connections) and lnsd with
# [ipsec] in `lns`; waits until lnsd has loaded its connection into charon.
lns_start() {
	umask 077
	printf '# client  server  secret  addresses\n%s  *  %s  *\n' "$USER_NAME" "$USER_PW" >"$RUNDIR/users"
	printf '%s\n' "$PSK" >"$RUNDIR/psk"
	chmod 600 "$RUNDIR/users" "$RUNDIR/psk"
	umask 022
	[ -S "$RUNDIR/charon-lns/charon.vici" ] || charon_start lns
	cat >"$ART/lnsd.conf" <<-EOC
		[lnsd]
		listen = $LNS_IP:1701
		control-socket = $SOCK
		hostname = lns
		dataplane = kernel
		log-level = debug
		[l2tp]
		stopccn-hold = 1
		[ppp]
		auth = mschapv2
		local-ip = 10.64.0.1
		pool = 10.64.0.10-10.64.0.20
		dns = 192.0.2.53
		users-file = $RUNDIR/users
		ifname = l2tp%d
		[ipsec]
		mode = required
		vici-socket = $RUNDIR/charon-lns/charon.vici
		psk-file = $RUNDIR/psk
		${1:-}
	EOC
	daemon lnsd lns "$LNSD" -f -c "$ART/lnsd.conf"
	LNSD_PID=$DAEMON_PID
	wait_log 30 "$ART/lnsd.log" 'data plane: kernel'
	# lnsd, not a swanctl.conf, gives charon its connection.
	wait_log 30 "$ART/lnsd.log" 'ipsec: charon loaded connection'
	swan lns --list-conns | tee "$ART/lns-conns.txt"
	grep -q '^lnsd-l2tp: IKEv1' "$ART/lns-conns.txt" || fail "charon has no connection lnsd-l2tp from lnsd"
}

# lns_stop: SIGTERM lnsd and wait for it.
lns_stop() {
	kill "$LNSD_PID"
	wait "$LNSD_PID" 2>/dev/null || true
}

# client_conf NAME IKE_PROPOSALS ESP_PROPOSALS [SECRET]: a swanctl.conf as a
# Linux user writes it for an L2TP/IPsec server, in $ART/client-NAME.swanctl.conf.
client_conf() {
	local name=$1 ike=$2 esp=$3 secret=${4:-$PSK}
	cat >"$ART/client-$name.swanctl.conf" <<-EOC
		connections {
			$name {
				version = 1
				local_addrs = 10.10.0.2
				remote_addrs = $LNS_IP
				proposals = $ike
				local {
					auth = psk
				}
				remote {
					auth = psk
					id = $LNS_IP
				}
				children {
					$name {
						mode = transport
						local_ts = dynamic[udp/1701]
						remote_ts = dynamic[udp/1701]
						esp_proposals = $esp
						start_action = none
					}
				}
			}
		}
		secrets {
			ike-$name {
				id = $LNS_IP
				secret = "$secret"
			}
		}
	EOC
}

# client_ike NAME: load and bring up the client's IKE and CHILD SA; fails
# if charon cannot.
client_ike() {
	local name=$1
	swan_load client "$ART/client-$name.swanctl.conf" --clear
	swan client --initiate --child "$name" --timeout 60 >"$ART/initiate-$name.log" 2>&1 ||
		{ cat "$ART/initiate-$name.log"; fail "$name: swanctl --initiate failed"; }
	swan client --list-sas --ike "$name" | tee "$ART/client-sas-$name.txt"
	grep -q 'INSTALLED, TRANSPORT-in-UDP' "$ART/client-sas-$name.txt" ||
		fail "$name: no UDP-encapsulated transport-mode CHILD_SA on the client"
}

# client_l2tp NAME: xl2tpd + pppd (kernel mode, MS-CHAPv2) dial in over the
# SA; waits for the ppp address.  Sets LAC_PID, LAC_CTL, CLIENT_PPP_IP.
client_l2tp() {
	local name=$1 w=$ART/lac-$1
	mkdir -p "$w"
	cat >"$w/xl2tpd.conf" <<-EOC
		[global]
		listen-addr = 10.10.0.2
		port = 1701
		[lac $name]
		lns = $LNS_IP
		autodial = yes
		redial = no
		length bit = yes
		pppoptfile = $w/options
	EOC
	printf '%s\n' noauth nodefaultroute noccp novj refuse-pap refuse-chap refuse-eap \
		"user $USER_NAME" "password $USER_PW" debug "logfile $w/pppd.log" \
		"ip-up-script /bin/true" "ip-down-script /bin/true" >"$w/options"
	LAC_CTL=$RUNDIR/xl2tpd-$name.ctl
	daemon "xl2tpd-$name" client xl2tpd -D -c "$w/xl2tpd.conf" -p "$RUNDIR/xl2tpd-$name.pid" \
		-C "$LAC_CTL"
	LAC_PID=$DAEMON_PID
	wait_for 60 "$name: ppp address on the client" \
		sh -c "ip -n client -4 -o addr | grep -q 'ppp.*10\.64\.0\.'"
	grep -q 'Using l2tp kernel support' "$ART/xl2tpd-$name.log" ||
		fail "$name: xl2tpd on the client did not use kernel mode"
	# shellcheck disable=SC2034 # read by the test scripts
	CLIENT_PPP_IP=$(ip -n client -4 -o addr show | awk '/ppp/ {split($4, a, "/"); print a[1]}')
}

# client_down NAME: hang up, stop xl2tpd, delete the IKE SA; lnsd must drop
# the tunnel.
client_down() {
	local name=$1
	echo "d $name" >"$LAC_CTL"
	kill "$LAC_PID"
	wait "$LAC_PID" 2>/dev/null || true
	swan client --terminate --ike "$name" --timeout 20 >/dev/null 2>&1 || true
	wait_for 30 "$name: no tunnel left in lnsd" sh -c "[ \"\$(ip netns exec lns $LNSCTL -s $SOCK show tunnels -j | jq length)\" = 0 ]"
	wait_for 20 "$name: no IKE SA left on the LNS" sh -c \
		"! STRONGSWAN_CONF=$ART/strongswan-lns/strongswan.conf swanctl --list-sas \
			--uri unix://$RUNDIR/charon-lns/charon.vici | grep -q ."
}
