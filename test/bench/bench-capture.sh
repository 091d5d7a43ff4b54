#!/usr/bin/env bash
# Capture of a chatty child's output: `seq 1 $CAP_N` (default 1,000,000)
# written by a supervised child with `output: log` (osl: hash-chained JSON
# records, sync batch, the default policy but for room for every rotated
# file) against s6-log and svlogd storing the same lines from a pipe with a
# timestamp each.  Lines per second (from the start of the supervisor or
# logger to its exit) and per CPU second (user + system of the whole
# pipeline, seq included: what a loaded machine does not blur), every line
# counted afterwards, and the ratios.
# Usage: bench-capture.sh BUILD [WORKDIR]  (CAP_N lines, CAP_ROUNDS rounds;
# CAP_VERBOSE=1 prints each round)
# A peer that is not installed is skipped (apt-get install s6 runit).
set -u
B=${1:-build}
OSL=${OSL:-$(cd "$B" && pwd)/osl}
if [ -n "${2:-}" ]; then
	work=$2/capture
else
	# a folder of our own: removed at the end
	own=$(mktemp -d /tmp/osl-bench-cap.XXXXXX)
	trap 'rm -rf "$own"' EXIT
	work=$own/capture
fi
N=${CAP_N:-1000000}
R=${CAP_ROUNDS:-3}
mkdir -p "$work"
export HOME=${HOME:-$work} XDG_STATE_HOME=$work/state XDG_RUNTIME_DIR=$work/run
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"

cat > "$work/p.yaml" <<YAML
version: 1
extends: [builtin:default]
log:
  rotate: { size: 64M, keep: 100 }
YAML
cat > "$work/t.yaml" <<YAML
version: 1
supervisor:
  auto_shutdown: any_significant
  children:
    - name: flood
      restart: transient
      significant: true
      cmd: [seq, "1", "$N"]
      output: log
YAML

TIME=
[ -x /usr/bin/time ] && TIME=/usr/bin/time	# GNU time: -f, children's CPU
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); else print "nan"}'; }
# timed CMD...: "WALL_S CPU_S" of CMD and its children
timed() {
	"$TIME" -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>&1
	awk '{printf "%s %.2f", $1, $2 + $3}' "$work/time"
}

# each prints "WALL_S CPU_S LINES"
run_osl() {
	local t n
	rm -rf "$XDG_STATE_HOME"
	t=$(timed "$OSL" -p "$work/p.yaml" supervise -c "$work/t.yaml" -s "$XDG_RUNTIME_DIR/cap.sock")
	n=$(cat "$XDG_STATE_HOME"/osl/activity.jsonl* | grep -c '"action":"supervise.output"')
	rm -rf "$XDG_STATE_HOME"
	echo "$t $n"
}
run_s6() {
	local d=$work/s6 t n
	rm -rf "$d"
	t=$(timed sh -c 'seq 1 "$1" | s6-log -b t s1000000000 "$2"' sh "$N" "$d")
	n=$(cat "$d"/* | wc -l)
	rm -rf "$d"
	echo "$t $n"
}
run_svlogd() {
	local d=$work/svlogd t n
	rm -rf "$d"; mkdir -p "$d"
	echo s1000000000 > "$d/config"
	t=$(timed sh -c 'seq 1 "$1" | svlogd -tt "$2"' sh "$N" "$d")
	n=$(cat "$d"/current "$d"/@* 2>/dev/null | wc -l)
	rm -rf "$d"
	echo "$t $n"
}

echo "== capture: seq 1 $N, $R rounds interleaved, median (lines/s from start to exit, and per CPU second; every line counted)"
[ -n "$TIME" ] || { echo "capture: /usr/bin/time is needed (apt-get install time): skipped"; exit 0; }
peers=(osl)
command -v s6-log >/dev/null && peers+=(s6) || echo "capture: s6-log not installed (apt-get install s6): skipped"
command -v svlogd >/dev/null && peers+=(svlogd) || echo "capture: svlogd not installed (apt-get install runit): skipped"
declare -A wall cpu lost
for _ in $(seq "$R"); do
	for p in "${peers[@]}"; do
		read -r w c n < <("run_$p")
		wall[$p]+="$w "
		cpu[$p]+="$c "
		[ "$n" -eq "$N" ] || lost[$p]+="$((N - n)) "
		[ -z "${CAP_VERBOSE:-}" ] || echo "  round: $p ${w}s wall ${c}s CPU $n lines"
	done
done
declare -A rate crate
for p in "${peers[@]}"; do
	w=$(tr ' ' '\n' <<<"${wall[$p]}" | grep -v '^$' | median)
	c=$(tr ' ' '\n' <<<"${cpu[$p]}" | grep -v '^$' | median)
	rate[$p]=$(awk -v n="$N" -v s="$w" 'BEGIN {printf "%.0f", n / (s > 0 ? s : 0.01)}')
	crate[$p]=$(awk -v n="$N" -v s="$c" 'BEGIN {printf "%.0f", n / (s > 0 ? s : 0.01)}')
	case $p in
	osl) what="osl supervise, output: log (chained JSON, sync batch)" ;;
	s6) what="s6-log (TAI64N stamp per line)" ;;
	svlogd) what="svlogd -tt (UTC stamp per line)" ;;
	esac
	printf 'capture: %-55s %8s lines/s, %8s lines per CPU s%s\n' "$what" "${rate[$p]}" \
	    "${crate[$p]}" "${lost[$p]:+, LOST lines: ${lost[$p]}}"
done
for p in s6 svlogd; do
	[ -n "${rate[$p]:-}" ] && awk -v a="${rate[osl]}" -v b="${rate[$p]}" -v ca="${crate[osl]}" \
	    -v cb="${crate[$p]}" -v p="$p" \
	    'BEGIN {printf "  osl vs %s: %.2fx the rate, %.2fx per CPU second\n", p, a / b, ca / cb}'
done
echo "  (goal: osl >= 500000 lines/s, none lost; osl writes ~650-byte chained records, the peers the line and a stamp; load average $(cut -d' ' -f1-3 /proc/loadavg))"
