# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/vm/ipsec-lib.sh: the L2TP/IPsec remote-access setup shared by the
# t_lnsd_ipsec*.sh VM tests, on top of lnsd-lib.sh and lib.sh (it sources
# both).
#
#   client (10.10.0.2) -- nat (masquerade) -- lns (198.51.100.2)
#
# The client is configured the way a Linux user does it: charon loaded with
# swanctl (IKEv1, PSK, transport mode for UDP 1701), then xl2tpd + pppd
# (kernel mode).  The server runs charon with no connection of its own and
# lnsd with an [ipsec] section: lnsd loads the connection and the PSK over
# VICI and puts ESP policies on its L2TP sockets.

# shellcheck source=tests/vm/lnsd-lib.sh
. "${BASH_SOURCE[0]%/*}/lnsd-lib.sh"
require nft swanctl dumpcap tshark python3
LNS_IP=198.51.100.2
PSK=lnsd-vm-psk-0c8a1f
USER_NAME=erin
USER_PW=erin-pw

# lns_start [EXTRA_IPSEC_LINE]: charon (no connections) and lnsd with
# [ipsec] in `lns`; waits until lnsd has loaded its connection into charon.
lns_start() {
	users_file "$USER_NAME" "$USER_PW"
	(umask 077 && printf '%s\n' "$PSK" >"$RUNDIR/psk")
	chmod 600 "$RUNDIR/psk"
	[ -S "$RUNDIR/charon-lns/charon.vici" ] || charon_start lns
	lnsd_start <<-EOC
		[ppp]
		auth = mschapv2
		dns = 192.0.2.53
		[ipsec]
		mode = required
		vici-socket = $RUNDIR/charon-lns/charon.vici
		psk-file = $RUNDIR/psk
		${1:-}
	EOC
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

# profile_props PROFILE: the IKE and ESP proposals a native client sends, in
# its order (docs/design.md §5.3), in PROF_IKE and PROF_ESP, and the IKE
# suite lnsd's built-in lists give it, as charon prints it, in PROF_SUITE.
# PROFILE: windows (10/11), macos (macOS/iOS), android (11 and older:
# MODP1024 only, needs legacy-proposals = yes).
# shellcheck disable=SC2034 # read by the test scripts
profile_props() {
	case $1 in
	windows)
		PROF_IKE=aes256-sha1-ecp384,aes128-sha1-ecp256,aes256-sha1-modp2048,aes128-sha1-modp2048,3des-sha1-modp2048
		PROF_ESP=aes256-sha1,aes128-sha1,3des-sha1
		PROF_SUITE=AES_CBC-256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048 ;;
	macos)
		PROF_IKE=aes256-sha256-modp2048,aes256-sha1-modp2048,aes128-sha1-modp2048,3des-sha1-modp2048,aes256-sha1-modp1024,3des-sha1-modp1024
		PROF_ESP=aes256-sha256,aes256-sha1,aes128-sha1,3des-sha1
		PROF_SUITE=AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048 ;;
	android)
		PROF_IKE=aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp1024
		PROF_ESP=aes256-sha1,aes128-sha1,3des-sha1
		PROF_SUITE=AES_CBC-256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024 ;;
	*) fail "profile_props: unknown profile $1" ;;
	esac
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
	local name=$1
	lac_xl2tpd -w -a 10.10.0.2 -g "port = 1701" "$name" "$USER_NAME" "$USER_PW" \
		refuse-pap refuse-chap refuse-eap "ip-up-script /bin/true" "ip-down-script /bin/true"
	grep -q 'Using l2tp kernel support' "$ART/xl2tpd-$name.log" ||
		fail "$name: xl2tpd on the client did not use kernel mode"
	# shellcheck disable=SC2034 # read by the test scripts
	CLIENT_PPP_IP=$LAC_PPP_IP
}

# client_down NAME: hang up, stop xl2tpd, delete the IKE SA; lnsd must drop
# the tunnel.
client_down() {
	local name=$1
	lac_hangup "$name"
	lac_stop
	swan client --terminate --ike "$name" --timeout 20 >/dev/null 2>&1 || true
	wait_count 30 tunnels 0 "$name: no tunnel left in lnsd"
	wait_for 20 "$name: no IKE SA left on the LNS" sh -c \
		"! STRONGSWAN_CONF=$ART/strongswan-lns/strongswan.conf swanctl --list-sas \
			--uri unix://$RUNDIR/charon-lns/charon.vici | grep -q ."
}
