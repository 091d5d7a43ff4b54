#!/bin/bash
# osl proc run against its peers, measured in the same run, interleaved.
#   test/bench/bench-proc.sh [BUILD_DIR] [N]
# (make bench passes its work folder second: N is then the default, 200)
# OSL_BEFORE=/path/to/an/older/osl adds it as "osl-before" (a change's
# before and after in one run).
# Each round runs every contender once (so drift hits all alike); prints the
# mean per run and the ratio to tini.  Goal: osl <= 1.15x tini.  Then the
# escape probes side by side for osl (proc run, and a child of supervise -c), bwrap and firejail.
set -u
B=${1:-build}
N=${2:-200}
case $N in '' | *[!0-9]*) N=200 ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
case $B in /*) ;; *) B=$top/$B ;; esac
OSL=$(cd "$B" 2>/dev/null && pwd)/osl
[ -x "$OSL" ] || { echo "bench-proc: no $OSL (make first)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config TMPDIR=$tmp
mkdir -p "$HOME" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"
unset OSL_POLICY

names=() cmds=()
add() { names+=("$1"); cmds+=("$2"); }
add "osl" "$OSL proc run -- /bin/true"
add "osl-nolog" "$OSL -l none proc run -- /bin/true"
# what comes before the fork: start, policy, sandbox prepared, no child
add "osl-dry" "$OSL -l none proc run --dry-run -- /bin/true"
[ -n "${OSL_BEFORE:-}" ] && add "osl-before" "$OSL_BEFORE proc run -- /bin/true"
# the private /tmp's cost (proc.tmp, man osl-proc(1)): the same policy with
# and without it (goal: at most 0.1 ms more)
printf 'version: 1\nextends: [builtin:default]\n' > "$tmp/tmp-private.yaml"
printf 'version: 1\nextends: [builtin:default]\nproc: { tmp: shared }\n' > "$tmp/tmp-shared.yaml"
add "tmp-priv" "$OSL -l none -p $tmp/tmp-private.yaml proc run -- /bin/true"
add "tmp-shared" "$OSL -l none -p $tmp/tmp-shared.yaml proc run -- /bin/true"
if command -v tini >/dev/null; then add tini "tini -s -- /bin/true"
else echo "skip tini: not installed (apt-get install tini)"; fi
if command -v bwrap >/dev/null && bwrap --unshare-all --ro-bind / / /bin/true 2>/dev/null; then
	add bwrap "bwrap --unshare-all --ro-bind / / /bin/true"
else echo "skip bwrap: not installed or cannot make namespaces here"; fi
if command -v firejail >/dev/null && firejail --quiet --noprofile /bin/true 2>/dev/null; then
	add firejail "firejail --quiet --noprofile /bin/true"
else echo "skip firejail: not installed or cannot run here"; fi

# every contender must work before it is timed
for i in "${!cmds[@]}"; do
	${cmds[$i]} >/dev/null 2>&1 || { echo "bench-proc: '${cmds[$i]}' fails" >&2; exit 1; }
done

declare -a total
for i in "${!cmds[@]}"; do total[$i]=0; done
us() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }
for ((r = 0; r < N; r++)); do
	for i in "${!cmds[@]}"; do
		t0=${EPOCHREALTIME/./}
		${cmds[$i]} >/dev/null 2>&1
		t1=${EPOCHREALTIME/./}
		total[$i]=$((total[$i] + t1 - t0))
	done
done

echo "osl proc run -- /bin/true vs peers: $N interleaved rounds, mean per run"
base=
for i in "${!cmds[@]}"; do [ "${names[$i]}" = tini ] && base=${total[$i]}; done
for i in "${!cmds[@]}"; do
	mean=$(awk -v t="${total[$i]}" -v n="$N" 'BEGIN { printf "%.3f", t / n / 1000 }')
	if [ -n "$base" ]; then
		ratio=$(awk -v t="${total[$i]}" -v b="$base" 'BEGIN { printf "%.2f", t / b }')
		printf '  %-10s %8s ms  %5sx tini\n' "${names[$i]}" "$mean" "$ratio"
	else
		printf '  %-10s %8s ms\n' "${names[$i]}" "$mean"
	fi
done
# the goals on the child's set-up measured in one process, with and without
# the piece, rounds interleaved (whole runs swing by more than 0.1 ms on a
# loaded machine): the private /tmp, and the IPC and UTS namespaces with the
# capability drop (issue 14: at most 0.1 ms per proc run)
if [ -x "$B/bench/bench-proc" ]; then
	"$B/bench/bench-proc" > "$tmp/phases"
	awk '
		function get(w) { for (i = 1; i < NF; i++) if ($i == w) return $(i + 1) + 0 }
		function goal(what, w, wo, wmin, womin) { d = (w - wo) / 1000
		    printf "goal %s adds <= 0.1 ms: %+.3f ms (medians %d - %d us; best %d - %d us) %s\n",
		        what, d, w, wo, wmin, womin, d <= 0.1 ? "met" : "NOT met" }
		/apply in a child, with the noexec/ { tw = get("median"); twm = get("min") }
		/apply in a child, without the private/ { two = get("median"); twom = get("min") }
		/spawn\+wait .*with ipc\+uts namespaces and the capability drop/ { nw = get("median"); nwm = get("min") }
		/spawn\+wait .*sandboxed, without them/ { nwo = get("median"); nwom = get("min") }
		END { if (tw != "" && two != "") goal("private /tmp (sandbox apply)", tw, two, twm, twom)
		      if (nw != "" && nwo != "") goal("ipc+uts namespaces and capability drop (spawn+wait /bin/true)", nw, nwo, nwm, nwom) }' "$tmp/phases"
fi
if [ -n "$base" ]; then
	for i in "${!cmds[@]}"; do
		[ "${names[$i]}" = osl ] || continue
		awk -v t="${total[$i]}" -v b="$base" 'BEGIN { r = t / b; printf "goal osl <= 1.15x tini: %.2fx %s\n", r, r <= 1.15 ? "met" : "NOT met" }'
	done
fi

# The floor: what the kernel's sandbox costs by itself (mount namespace and
# its over-mounts, Landlock, seccomp), measured in one process with no policy
# to load and no log (build/bench/bench-proc), against tini's whole run.
if [ -n "$base" ] && [ -s "$tmp/phases" ]; then
	awk -v t="$base" -v n="$N" '
		function get(w) { for (i = 1; i < NF; i++) if ($i == w) return $(i + 1) + 0 }
		/spawn\+wait .*bare:/ { bmin = get("min"); bmed = get("median") }
		/spawn\+wait .*sandboxed/ { smin = get("min"); smed = get("median") }
		END { if (bmed != "" && smed != "") printf "the kernel sandbox alone (spawn+wait sandboxed - bare, 100 in one process): median %d us = %.0f%% of tini\x27s whole run (best: %d us)\n", smed - bmed, (smed - bmed) * 100 / (t / n), smin - bmin }' "$tmp/phases"
fi

# CPU time too (perf stat task-clock, osl and the program it runs): on a
# loaded machine the wall clock also counts the wait for a core.
if command -v perf >/dev/null && perf stat -x, -e task-clock true >/dev/null 2>&1; then
	declare -a cpu
	for i in "${!cmds[@]}"; do cpu[$i]=0; done
	for ((r = 0; r < N; r += 25)); do
		for i in "${!cmds[@]}"; do
			ms=$(perf stat -x, -r 25 -e task-clock ${cmds[$i]} 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }')
			cpu[$i]=$(awk -v a="${cpu[$i]}" -v b="${ms:-0}" 'BEGIN { print a + b }')
		done
	done
	echo "CPU per run (perf stat task-clock, $(( (N + 24) / 25 )) interleaved rounds of 25):"
	cbase=
	for i in "${!cmds[@]}"; do [ "${names[$i]}" = tini ] && cbase=${cpu[$i]}; done
	for i in "${!cmds[@]}"; do
		awk -v n="${names[$i]}" -v t="${cpu[$i]}" -v b="${cbase:-0}" -v k="$(( (N + 24) / 25 ))" \
		    'BEGIN { printf "  %-10s %8.3f ms", n, t / k; if (b > 0) printf "  %5.2fx tini", t / b; printf "\n" }'
	done
else
	echo "CPU per run: skipped (perf stat does not work here)"
fi

[ -x "$B/probes/_helper" ] || { echo "probes: not built (make probes)"; exit 0; }
echo
echo "escape probes (errno under the sandbox; 0 = escaped; supervise: a child of osl supervise -c):"
sandboxes="osl supervise bwrap firejail"
for s in $sandboxes; do
	OSL=$OSL "$top/test/probes/run" -s "$s" "$B/probes" > "$tmp/probes-$s" 2>/dev/null
	[ $? -eq 77 ] && : > "$tmp/probes-$s"
done
printf '  %-20s' probe; printf ' %-10s' $sandboxes; echo
for p in $(cd "$B/probes" && ls | grep -v '^_'); do
	row=$(printf '  %-20s' "$p")
	for s in $sandboxes; do
		v=$(awk -v p="$p" '$1 == p { print ($4 == "ESCAPED" || $4 == "partial" ? $4 : ($4 ~ /^skip/ ? "skip" : $3)) }' "$tmp/probes-$s")
		row="$row $(printf '%-10s' "${v:--}")"
	done
	echo "$row"
done
for s in $sandboxes; do
	printf '  %-10s %s\n' "$s:" "$(tail -n 1 "$tmp/probes-$s" 2>/dev/null || echo 'not run')"
done
