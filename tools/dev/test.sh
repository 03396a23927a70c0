#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole lnsd test suite, from a fresh Debian 12 machine:
#   1. installs the Debian packages it needs and builds twice: build/ (gcc,
#      -Werror) and build-asan/ (AddressSanitizer + UBSan, -Werror);
#   2. unit tests (Check), fuzz corpus replay and host interop tests against
#      real peers (xl2tpd), all under ASan/UBSan;
#   3. a short libFuzzer run of every fuzz harness (clang build in build-fuzz/);
#   4. VM tests: Debian's stock kernels booted in QEMU (tests/vm/), which
#      download the kernel packages on first use.
# Usage: tools/dev/test.sh [-k]   (-k: keep going after a failed stage; default too)
# Env: LNSD_FUZZ_SECONDS (default 20), LNSD_FUZZ_SEED (default 1), LNSD_SKIP_VM=1 to skip
# stage 4, LNSD_VM_JOBS (default 2): VM tests run at once (each VM's 2 vCPUs share one host
# thread under TCG, thread=single; much of a VM test is waiting on timers, so two at a
# time shorten the stage).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
fuzz_seconds=${LNSD_FUZZ_SECONDS:-20}
passed=0
failed=0
skipped=0
failed_stages=()
start=$(date +%s)

stage() { printf '\n==== %s ====\n' "$*"; }

# Run ctest, add its counts to the totals.
run_ctest() {
	local dir=$1 label=$2 jobs=${3:-1} log
	log=$(mktemp)
	(cd "$dir" && ctest -L "$label" -j "$jobs" --output-on-failure --timeout 900 2>&1) | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n1)
	if [ -n "$line" ]; then
		local nfail ntotal
		nfail=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
		ntotal=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
		# ctest counts a skipped test (SKIP_RETURN_CODE, e.g. a VM test
		# whose optional peer is absent) among the passed: it is not one.
		local nskip
		nskip=$(grep -cE '^[[:space:]]*[0-9]+ - [^ ]+ \(Skipped\)$' "$log" || true)
		passed=$((passed + ntotal - nfail - nskip))
		failed=$((failed + nfail))
		skipped=$((skipped + nskip))
	elif [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
	fi
	rm -f "$log"
	[ "$rc" -eq 0 ] || failed_stages+=("ctest -L $label in $dir")
}

stage "setup and build (gcc, -Werror)"
if ! tools/dev/setup.sh "$repo/build"; then
	echo "test: setup/build failed" >&2
	echo "suite: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
stage "build with AddressSanitizer + UBSan"
if ! tools/dev/setup.sh "$repo/build-asan" -DLNSD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug; then
	echo "test: sanitizer build failed" >&2
	echo "suite: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

stage "unit tests and fuzz corpus replay (ASan/UBSan)"
run_ctest build-asan unit

stage "host interop tests against real peers (ASan/UBSan)"
run_ctest build-asan interop

if [ -x tests/fuzz/run.sh ]; then
	stage "libFuzzer, ${fuzz_seconds}s per harness"
	# A fixed seed: the same tree gets the same verdict (tests/fuzz/run.sh).
	fuzz_log=$(mktemp)
	LNSD_FUZZ_SEED=${LNSD_FUZZ_SEED:-1} tests/fuzz/run.sh "$fuzz_seconds" 2>&1 | tee "$fuzz_log"
	if [ "${PIPESTATUS[0]}" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		# The summary names the harness and its reproducer (or the build error).
		failed_stages+=("fuzz: $(grep -m1 '^run.sh: FAILED' "$fuzz_log" || tail -n 3 "$fuzz_log")")
	fi
	rm -f "$fuzz_log"
fi

if [ "${LNSD_SKIP_VM:-0}" != 1 ]; then
	stage "VM tests on Debian kernels (QEMU)"
	unset ASAN_OPTIONS UBSAN_OPTIONS
	run_ctest build vm "${LNSD_VM_JOBS:-2}"
fi

stage "summary"
echo "wall time: $(( $(date +%s) - start )) s"
for s in "${failed_stages[@]}"; do echo "FAILED: $s"; done
echo "suite: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#failed_stages[@]} -eq 0 ]
