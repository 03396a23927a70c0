#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what lnsd needs to build and test on Debian 12, then build it.
# Usage: tools/dev/setup.sh [BUILD_DIR [extra cmake args...]]
# Idempotent: packages already present are not reinstalled; the build is incremental.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$repo/build}
shift || true

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: installing packages needs root (run with sudo)" >&2
		exit 1
	fi
}

mapfile -t pkgs < <(grep -v '^[[:space:]]*\(#\|$\)' "$repo/tools/dev/packages.txt" | sort -u)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	need_root
	echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# wireshark-common asks whether non-root users may capture; the default (no) is fine.
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$repo" -B "$build" -DLNSD_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
echo "setup: built into $build"
