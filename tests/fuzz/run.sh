#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build every libFuzzer harness (tests/fuzz/fuzz_*.c) with clang in build-fuzz/
# and run each for SECONDS (default 30) starting from its seed corpus.
# Exit status is non-zero when a harness crashes; reproducers go to
# build-fuzz/tests/fuzz/artifacts/<name>/. New inputs are kept in
# build-fuzz/tests/fuzz/work/<name>/ (the checked-in corpus is not touched).
# LNSD_FUZZ_SEED=N fixes libFuzzer's random seed (tools/dev/test.sh sets 1, so
# that the suite's verdict is the same on every run of one tree; run this
# script by hand without it to explore with a new seed each time).
# The last line names the harnesses that failed, with a command that replays
# the reproducer.
# Usage: tests/fuzz/run.sh [SECONDS]
set -eu

secs=${1:-30}
seed_opt=
[ -n "${LNSD_FUZZ_SEED:-}" ] && seed_opt="-seed=$LNSD_FUZZ_SEED"
root=$(cd "$(dirname "$0")/../.." && pwd)
bd="$root/build-fuzz"

command -v clang >/dev/null || { echo "run.sh: clang not found" >&2; exit 2; }
cmake -S "$root" -B "$bd" -DCMAKE_C_COMPILER=clang -DLNSD_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

targets=
for src in "$root"/tests/fuzz/fuzz_*.c; do
	targets="$targets $(basename "$src" .c)"
done
# shellcheck disable=SC2086 # word splitting of the target list is intended
cmake --build "$bd" -j"$(nproc)" --target $targets >/dev/null

status=0
failed=
for name in $targets; do
	short=${name#fuzz_}
	work="$bd/tests/fuzz/work/$short"
	art="$bd/tests/fuzz/artifacts/$short"
	log="$bd/tests/fuzz/$name.log"
	mkdir -p "$work" "$art"
	rc=0
	# shellcheck disable=SC2086 # seed_opt is empty or one word
	"$bd/tests/fuzz/$name" -max_total_time="$secs" -print_final_stats=1 $seed_opt \
		-artifact_prefix="$art/" "$work" "$root/tests/fuzz/corpus/$short" \
		>"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	echo "$name: ${execs:-?} executions in ${secs}s (${rate:-?}/s), exit $rc"
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$log" >&2
		status=1
		repro=$(ls -t "$art" 2>/dev/null | head -n1)
		failed="$failed $name(exit $rc${repro:+: $bd/tests/fuzz/$name $art/$repro})"
	fi
done
[ -z "$failed" ] || echo "run.sh: FAILED:$failed"
exit $status
