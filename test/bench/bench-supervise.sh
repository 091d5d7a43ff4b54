#!/usr/bin/env bash
# osl supervise against runsv, s6-supervise and supervisord (restart latency
# after SIGKILL), RSS and start time with 100 children, and osl as a
# single-child init against tini.  Usage: bench-supervise.sh BUILD [WORKDIR]
# (SV_BENCH_N samples; SV_BENCH_RT=1 to run it all SCHED_FIFO)
# Peers that are not installed are skipped (apt-get install tini runit s6
# supervisor); their Debian services are never started: each runs on a
# private directory here.
set -u
# SV_BENCH_RT=1: everything (osl and its peers alike) runs SCHED_FIFO, so
# that the load of a shared machine does not swamp a latency of a few ms
if [ "${SV_BENCH_RT:-0}" = 1 ] && [ -z "${SV_BENCH_IN_RT:-}" ] && command -v chrt >/dev/null; then
	SV_BENCH_IN_RT=1 exec chrt -f 10 bash "$0" "$@"
fi
B=${1:-build}
OSL=${OSL:-$(cd "$B" && pwd)/osl}
work=${2:-$(mktemp -d /tmp/osl-bench-sv.XXXXXX)}
mkdir -p "$work/sv"
export HOME=${HOME:-$work} XDG_RUNTIME_DIR=$work/run XDG_STATE_HOME=$work/state
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
N=${SV_BENCH_N:-10}

# stamp FILE: append the realtime clock in ns, then wait for a signal
cat > "$work/stamp.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
int main(int c, char **v) {
	struct timespec t; char b[64]; int fd, n;
	clock_gettime(CLOCK_REALTIME, &t);
	n = snprintf(b, sizeof b, "%lld %d\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec, (int)getpid());
	if (c > 1 && (fd = open(v[1], O_WRONLY | O_APPEND | O_CREAT, 0644)) >= 0) { (void)!write(fd, b, n); close(fd); }
	for (;;) pause();
}
C
cc -O2 -o "$work/stamp" "$work/stamp.c" || exit 1
STAMP=$work/stamp

now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }
lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
wait_lines() {	# FILE N: until FILE has N lines (10 s at most)
	for _ in $(seq 2000); do [ "$(lines "$1")" -ge "$2" ] && return 0; sleep 0.005; done
	return 1
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); else print "nan"}'; }

# One sample: START-CMD runs a supervisor whose child is "$STAMP FILE"; the
# child runs 1.1 s (runsv and s6 hold back a restart within 1 s), is killed,
# and the time to its successor's first instruction is the latency.
sample() {	# name start-fn stop-fn
	local f=$work/sv/$1.stamps t0 t1 pid
	rm -f "$f"
	"$2" "$f"
	wait_lines "$f" 1 || { "$3"; echo nan; return; }
	sleep 1.1
	pid=$(awk 'NR==1 {print $2}' "$f")
	# no fork between the clock and the kill: both are bash builtins
	t0=${EPOCHREALTIME/./}
	kill -KILL "$pid"
	wait_lines "$f" 2 || { "$3"; echo nan; return; }
	t1=$(awk 'NR==2 {print $1}' "$f")
	"$3"
	echo $(( t1 / 1000 - t0 ))
}

osl_start() { "$OSL" --audit -l none supervise --restart always -- "$STAMP" "$1" >/dev/null 2>&1 & SUP=$!; }
osl_log_start() { "$OSL" --audit supervise --restart always -- "$STAMP" "$1" >/dev/null 2>&1 & SUP=$!; }
sup_stop() { kill -TERM "$SUP" 2>/dev/null; wait "$SUP" 2>/dev/null; }

runsv_start() {
	local d=$work/sv/runsv
	rm -rf "$d"; mkdir -p "$d"
	printf '#!/bin/sh\nexec %s %s\n' "$STAMP" "$1" > "$d/run"; chmod +x "$d/run"
	runsv "$d" >/dev/null 2>&1 & SUP=$!
}
runsv_stop() { sv force-stop "$work/sv/runsv" >/dev/null 2>&1; kill -TERM "$SUP" 2>/dev/null; wait "$SUP" 2>/dev/null; }

s6_start() {
	local d=$work/sv/s6
	rm -rf "$d"; mkdir -p "$d"
	printf '#!/bin/sh\nexec %s %s\n' "$STAMP" "$1" > "$d/run"; chmod +x "$d/run"
	s6-supervise "$d" >/dev/null 2>&1 & SUP=$!
}
s6_stop() { s6-svc -xd "$work/sv/s6" 2>/dev/null; wait "$SUP" 2>/dev/null; }

sd_start() {
	local d=$work/sv/sd
	rm -rf "$d"; mkdir -p "$d"
	cat > "$d/sd.conf" <<-INI
	[supervisord]
	nodaemon=true
	logfile=$d/sd.log
	pidfile=$d/sd.pid
	[program:p]
	command=$STAMP $1
	autorestart=true
	startsecs=0
	INI
	supervisord -c "$d/sd.conf" >/dev/null 2>&1 & SUP=$!
}

echo "== osl supervise bench ($N samples each, peers interleaved${SV_BENCH_IN_RT:+, SCHED_FIFO}; restart latency = SIGKILL to the new child's first instruction)"
declare -A med samples label start stop
peers=()
for peer in osl osl_log runsv s6 sd; do
	case $peer in
	osl) start[$peer]=osl_start stop[$peer]=sup_stop label[$peer]="osl supervise (-l none)" ;;
	osl_log) start[$peer]=osl_log_start stop[$peer]=sup_stop label[$peer]="osl supervise (file log)" ;;
	runsv) command -v runsv >/dev/null || { echo "restart: runsv not installed"; continue; }
		start[$peer]=runsv_start stop[$peer]=runsv_stop label[$peer]="runsv" ;;
	s6) command -v s6-supervise >/dev/null || { echo "restart: s6-supervise not installed"; continue; }
		start[$peer]=s6_start stop[$peer]=s6_stop label[$peer]="s6-supervise" ;;
	sd) command -v supervisord >/dev/null || { echo "restart: supervisord not installed"; continue; }
		start[$peer]=sd_start stop[$peer]=sup_stop label[$peer]="supervisord" ;;
	esac
	peers+=("$peer")
done
# round by round, so that the load of a busy machine falls on every peer alike
for _ in $(seq "$N"); do
	for peer in "${peers[@]}"; do
		samples[$peer]+="$(sample "$peer" "${start[$peer]}" "${stop[$peer]}") "
	done
done
for peer in "${peers[@]}"; do
	med[$peer]=$(tr ' ' '\n' <<<"${samples[$peer]}" | grep -v -e nan -e '^$' | median)
	printf 'restart latency, %-26s median %8s us\n' "${label[$peer]}" "${med[$peer]}"
done
if [ -n "${med[osl]:-}" ]; then
	for p in runsv s6 sd; do
		[ -n "${med[$p]:-}" ] && awk -v a="${med[osl]}" -v b="${med[$p]}" -v p="$p" \
		    'BEGIN {printf "  osl vs %s: %.2fx faster\n", p, b / a}'
	done
	echo "  (goal: osl <= 2000 us median)"
fi

# 100 children from a file: time until all have started, and osl's RSS
cat > "$work/sv/t100.yaml" <<EOF
version: 1
supervisor:
  children:
    - name: w
      cmd: [$STAMP, $work/sv/t100.stamps]
      replicas: 100
EOF
rm -f "$work/sv/t100.stamps"
t0=${EPOCHREALTIME/./}000
"$OSL" --audit -l none supervise -c "$work/sv/t100.yaml" -s "$work/run/sv.sock" >/dev/null 2>&1 & SUP=$!
wait_lines "$work/sv/t100.stamps" 100
t1=$(sort -n "$work/sv/t100.stamps" | tail -n 1 | cut -d' ' -f1)
sleep 0.2
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$SUP/status")
sup_stop
echo "100 children: all started $(( (t1 - t0) / 1000000 )) ms after osl was launched (goal <= 100 ms)"
echo "100 children: osl RSS ${rss} kB (goal <= 3072 kB)"

# as a single-child init: the whole run of `true`
if command -v hyperfine >/dev/null; then
	cmds=("true" "$OSL -l none supervise -- true" "$OSL supervise -- true")
	command -v tini >/dev/null && cmds+=("tini -s -- true")
	hyperfine -N -w 20 -r 300 --export-json "$work/init.json" "${cmds[@]}" >/dev/null 2>&1
	jq -r '.results as $r | ([$r[] | select(.command | test("^tini")) | .mean] | first // null) as $tini |
		$r[] | "init: \(.command | sub("^/.*/osl"; "osl")): \(.mean * 1e6 | floor) us mean" +
		(if $tini then ", \(.mean / $tini * 100 | floor / 100)x tini" else "" end)' "$work/init.json"
fi
