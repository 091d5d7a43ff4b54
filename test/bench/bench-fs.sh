#!/bin/bash
# osl fs against GNU coreutils, measured in one run, alternating, so that the
# machine's mood hits both alike.  Prints the times and the ratios (goals:
# 1 GiB cp <= 1.05x, cp -a /usr/include <= 1.25x with the log at info to a
# file, stat <= 1.5x as whole processes).  Timings are never asserted.
#
# Usage: test/bench/bench-fs.sh [BUILD_DIR] [--quick]   (test/bench/run passes
# BUILD_DIR and its work directory; BENCH_SIZE_MB=64 for a short run)
set -eu
B=${1:-build}
QUICK=${2:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
case $B in /*) OSL=$B/osl ;; *) OSL=$(cd "$top/$B" 2>/dev/null && pwd)/osl ;; esac
[ -x "$OSL" ] || { echo "bench-fs: no $OSL: run make" >&2; exit 2; }

work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/osl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state"
cat > "$work/policy.yaml" <<EOF2
version: 1
name: bench
default: deny
fs:
  read: ["$work/**", "/usr/include/**"]
  write: ["$work/**"]
log:
  sink: "file:$work/state/activity.jsonl"
  level: info
EOF2
export OSL_POLICY=$work/policy.yaml

now() { date +%s%N; }
# best-of wall time in ms of "$@" (run ROUNDS times, alternating by caller)
t_ms() { local a b; a=$(now); "$@" >/dev/null; b=$(now); echo $(((b - a) / 1000000)); }
min() { local m=$1; shift; for v; do [ "$v" -lt "$m" ] && m=$v; done; echo "$m"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

rounds=5
[ "$QUICK" = --quick ] && rounds=2
size=${BENCH_SIZE_MB:-1024}

echo "# 1: cp of a ${size} MiB file ($rounds rounds each, alternating; best)"
head -c "${size}M" /dev/urandom > "$work/big"
sync
o=() g=()
# each copy starts with no dirty pages left by the one before (sync), and
# the order flips every round
for i in $(seq "$rounds"); do
	if [ $((i % 2)) = 1 ]; then
		sync; g+=("$(t_ms cp "$work/big" "$work/big.gnu")")
		sync; o+=("$(t_ms "$OSL" fs cp "$work/big" "$work/big.osl")")
	else
		sync; o+=("$(t_ms "$OSL" fs cp "$work/big" "$work/big.osl")")
		sync; g+=("$(t_ms cp "$work/big" "$work/big.gnu")")
	fi
	cmp -s "$work/big" "$work/big.osl" || { echo "bench-fs: osl copy differs" >&2; exit 1; }
	rm -f "$work/big.osl" "$work/big.gnu"
done
rm -f "$work/big"
og=$(min "${o[@]}"); gg=$(min "${g[@]}")
r1=$(ratio "$og" "$gg")
echo "cp-1g      osl ${og} ms   gnu ${gg} ms   ratio $r1 (goal <= 1.05)"

n=$(find /usr/include | wc -l)
echo "# 2: cp -a /usr/include ($n entries, log at info to a file; best of $rounds)"
o=() g=()
for i in $(seq "$rounds"); do
	sync; g+=("$(t_ms cp -a /usr/include "$work/inc.gnu")")
	sync; o+=("$(t_ms "$OSL" fs cp -a /usr/include "$work/inc.osl")")
	if [ "$i" = 1 ]; then
		diff -r --no-dereference "$work/inc.gnu" "$work/inc.osl" >/dev/null ||
			{ echo "bench-fs: osl tree differs" >&2; exit 1; }
	fi
	rm -rf "$work/inc.gnu" "$work/inc.osl"
done
og=$(min "${o[@]}"); gg=$(min "${g[@]}")
r2=$(ratio "$og" "$gg")
echo "cp-a-tree  osl ${og} ms   gnu ${gg} ms   ratio $r2 (goal <= 1.25)"

runs=200
[ "$QUICK" = --quick ] && runs=50
echo "# 3: stat as whole processes ($runs runs per batch, 5 batches interleaved; best batch)"
echo x > "$work/f"
o=() g=()
for i in 1 2 3 4 5; do
	a=$(now); for _ in $(seq "$runs"); do stat "$work/f" >/dev/null; done; b=$(now)
	g+=($(((b - a) / 1000)))
	a=$(now); for _ in $(seq "$runs"); do "$OSL" fs stat "$work/f" >/dev/null; done; b=$(now)
	o+=($(((b - a) / 1000)))
done
og=$(min "${o[@]}"); gg=$(min "${g[@]}")
r3=$(ratio "$og" "$gg")
echo "stat       osl $((og / runs)) us/run   gnu $((gg / runs)) us/run   ratio $r3 (goal <= 1.5)"
echo "ratios: cp-1g $r1  cp-a-tree $r2  stat $r3"
