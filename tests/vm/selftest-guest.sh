#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest half of tests/vm/selftest: misbehaves on request.
set -eu
case $1 in
status)
	# Arguments arrive intact, the artifacts share is writable.
	[ "$2" = "two words" ] || { echo "argument mangled: '$2'"; exit 99; }
	if [ "$LNSD_VM" != 1 ] || [ ! -d "$LNSD_BUILD_DIR" ]; then
		echo "environment missing"
		exit 98
	fi
	echo "written in the guest" >"$LNSD_ARTIFACTS/from-guest.txt"
	echo "config drop" >/etc/lnsd-selftest.conf
	exit "$3"
	;;
hang) sleep 1000 ;;
panic) echo c >/proc/sysrq-trigger ;;
esac
