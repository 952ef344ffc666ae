#!/bin/sh
# run.sh — build the fuzz targets with clang, libFuzzer, ASan and UBSan, and fuzz each for a while.
#
#   sh tests/fuzz/run.sh [SECONDS [BUILDDIR]]
#
# SECONDS per target (default 60); BUILDDIR default build-fuzz in the source tree. Each target
# starts from a scratch copy of tests/fuzz/corpus/TARGET and regressions/TARGET (the repository is
# never written). A crash, leak, sanitizer report, timeout or out-of-memory fails the run: the
# input is kept in the scratch directory, whose path is printed with libFuzzer's report.
# Exit status: 0 no finding, 1 a finding or a failed build, 77 clang or libFuzzer absent.
set -u

seconds=${1:-60}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$src/build-fuzz}
targets=${FUZZ_TARGETS:-blob config when history drivedb import-smartd import-smartctl}
case $seconds in '' | *[!0-9]*) echo "usage: run.sh [SECONDS [BUILDDIR]]" >&2; exit 64 ;; esac

skip() {
	echo "SKIP: $*"
	exit 77
}

command -v clang >/dev/null 2>&1 || skip "no clang (Debian: apt-get install clang libclang-rt-14-dev)"
command -v meson >/dev/null 2>&1 || skip "no meson"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/wg-fuzz.XXXXXX") || exit 1
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$scratch/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined "$scratch/probe.c" -o "$scratch/probe" >"$scratch/probe.log" 2>&1; then
	cat "$scratch/probe.log"
	rm -rf "$scratch"
	skip "clang cannot link -fsanitize=fuzzer (Debian: apt-get install libclang-rt-14-dev)"
fi

# the build failed: say why, and leave nothing behind
fail_build() {
	cat "$1"
	rm -rf "$scratch"
	exit 1
}

# -fno-sanitize-recover: UBSan's findings stop the target like ASan's, so libFuzzer keeps the input
options="-Dfuzz=true -Dtests=false -Dman=false -Dsystemd=disabled -Dbuildtype=debugoptimized
	-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize-recover=all"
if [ -f "$build/build.ninja" ]; then
	# never turn someone's gcc build into a fuzzing one
	if ! grep -q "^C compiler for the host machine: clang" "$build/meson-logs/meson-log.txt"; then
		echo "run.sh: '$build' was set up with another compiler than clang: give another BUILDDIR" >"$scratch/setup.log"
		fail_build "$scratch/setup.log"
	fi
	# shellcheck disable=SC2086
	meson configure "$build" $options >"$scratch/setup.log" 2>&1 || fail_build "$scratch/setup.log"
else
	# shellcheck disable=SC2086
	CC=clang meson setup "$build" "$src" $options >"$scratch/setup.log" 2>&1 || fail_build "$scratch/setup.log"
fi
t_list=
for t in $targets; do t_list="$t_list tests/fuzz/fuzz-$t"; done
# shellcheck disable=SC2086
ninja -C "$build" -j"${NINJA_JOBS:-2}" $t_list >"$scratch/build.log" 2>&1 || fail_build "$scratch/build.log"

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
failed=
for t in $targets; do
	dir=$scratch/$t
	mkdir -p "$dir/corpus" "$dir/artifacts"
	cp "$src/tests/fuzz/corpus/$t/"* "$dir/corpus/"
	if [ -d "$src/tests/fuzz/regressions/$t" ]; then
		cp "$src/tests/fuzz/regressions/$t/"* "$dir/corpus/" 2>/dev/null
	fi
	# the real drives of libatasmart's blob-examples, where this machine has them
	blobs=${WEARGATE_SMART_BLOBS:-$src/../shared/smart-blobs}
	if [ "$t" = blob ] && [ -d "$blobs" ]; then
		for f in "$blobs"/*--*; do cp "$f" "$dir/corpus/"; done
	fi
	case $t in
	config) max_len=16384 ;;
	blob) max_len=4096 ;;
	*) max_len=1024 ;;
	esac
	set --
	if [ -f "$src/tests/fuzz/$t.dict" ]; then
		set -- -dict="$src/tests/fuzz/$t.dict"
	fi
	echo "== fuzz-$t: $seconds s from $(find "$dir/corpus" -type f | wc -l) inputs"
	"$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
		-max_len="$max_len" -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$@" \
		"$dir/corpus" >"$dir/log" 2>&1
	rc=$?
	grep -E "DONE|^Done [0-9]+ runs" "$dir/log"
	grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$dir/log"
	if [ "$rc" -ne 0 ] || [ -n "$(find "$dir/artifacts" -type f)" ]; then
		echo "FAIL: fuzz-$t exited $rc; libFuzzer's report:"
		tail -n 60 "$dir/log"
		for a in "$dir/artifacts/"*; do [ -e "$a" ] && echo "input: $a"; done
		failed="$failed $t"
	fi
done
if [ -n "$failed" ]; then
	echo "run.sh: findings in:$failed; inputs and logs kept in $scratch"
	exit 1
fi
rm -rf "$scratch"
echo "run.sh: no findings in $seconds s per target ($targets)"
