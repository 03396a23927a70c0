# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# charon for the host interop tests (sourced): charon_write_conf FILE SOCKET
# writes a strongswan.conf whose VICI socket is SOCKET (routes and virtual
# IPs untouched, config loading logged at level 2 on stderr).
charon_write_conf() {
	cat >"$1" <<EOC
charon {
	load_modular = yes
	install_routes = no
	install_virtual_ip = no
	filelog {
		stderr {
			default = 1
			cfg = 2
			flush_line = yes
		}
	}
	plugins {
		include /etc/strongswan.d/charon/*.conf
		vici {
			socket = unix://$2
		}
	}
}
EOC
}
