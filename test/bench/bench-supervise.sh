#!/usr/bin/env bash
# osl supervise against runsv, s6-supervise and supervisord, in one run,
# as ratios: restart latency after SIGKILL (-l none and the file log); at
# scale, 1,000 children started (time to the last one's first instruction)
# and what the supervisor holds (PSS of its processes), beside a bare
# posix_spawn loop of the same program, and osl's restart latency at 1,000
# children against 10; child output captured (seq 1 1000000) against s6-log
# and svlogd; osl as a single-child init against tini.
# Usage: bench-supervise.sh BUILD [WORKDIR]   (SV_BENCH_N samples;
# SV_BENCH_RT=1 to run it all SCHED_FIFO; SV_BENCH_SCALE=N children, 1000;
# SV_BENCH_ROUNDS rounds of osl's scale figures, 3: their medians count)
# A peer that is not installed is installed (apt-get, as root, where
# services cannot start: a container's policy-rc.d, or SV_BENCH_INSTALL=1),
# else skipped with the reason.  Their Debian services are never started:
# each runs on a private directory here.
set -u
# SV_BENCH_RT=1: everything (osl and its peers alike) runs SCHED_FIFO, so
# that the load of a shared machine does not swamp a latency of a few ms
if [ "${SV_BENCH_RT:-0}" = 1 ] && [ -z "${SV_BENCH_IN_RT:-}" ] && command -v chrt >/dev/null; then
	SV_BENCH_IN_RT=1 exec chrt -f 10 bash "$0" "$@"
fi
# the peers' packages, installed when that cannot start their services
peer_pkgs() {
	local missing=()
	command -v runsv >/dev/null || missing+=(runit)
	command -v s6-svscan >/dev/null || missing+=(s6)
	command -v supervisord >/dev/null || missing+=(supervisor)
	[ ${#missing[@]} -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		echo "peers: not installed: ${missing[*]} (not root, or no apt-get)"
	elif [ "${SV_BENCH_INSTALL:-0}" = 1 ] || { [ -x /usr/sbin/policy-rc.d ] &&
	    ! /usr/sbin/policy-rc.d x start >/dev/null 2>&1; }; then
		echo "peers: installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		    "${missing[@]}" >/dev/null 2>&1 || echo "peers: apt-get install ${missing[*]} failed"
	else
		echo "peers: not installed: ${missing[*]} (apt-get install would start their" \
		    "services here; SV_BENCH_INSTALL=1 to do it anyway)"
	fi
}
peer_pkgs
B=${1:-build}
OSL=${OSL:-$(cd "$B" && pwd)/osl}
work=${2:-$(mktemp -d /tmp/osl-bench-sv.XXXXXX)}
mkdir -p "$work/sv"
export HOME=${HOME:-$work} XDG_RUNTIME_DIR=$work/run XDG_STATE_HOME=$work/state
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
N=${SV_BENCH_N:-10}
ROUNDS=${SV_BENCH_ROUNDS:-3}
# SV_BENCH_ONLY=restart,scale,at,capture,init: those parts only (all by default)
want() { [ -z "${SV_BENCH_ONLY:-}" ] || [[ ",$SV_BENCH_ONLY," == *",$1,"* ]]; }
echo "== load before: $(uptime)"

# stamp FILE: append the realtime clock in ns, then wait for a signal
cat > "$work/stamp.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int c, char **v) {
	struct timespec t; char b[64]; int fd, n;
	clock_gettime(CLOCK_REALTIME, &t);
	n = snprintf(b, sizeof b, "%lld %d\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec, (int)getpid());
	/* s6-supervise runs ./run with the service's name: STAMP_FILE first */
	const char *f = getenv("STAMP_FILE") ? getenv("STAMP_FILE") : c > 1 ? v[1] : NULL;
	if (f && (fd = open(f, O_WRONLY | O_APPEND | O_CREAT, 0644)) >= 0) { (void)!write(fd, b, n); close(fd); }
	for (;;) pause();
}
C
# On x86-64 without libc: glibc's start probes the caches with cpuid, a
# VM exit each on a virtual machine, about 1 ms of CPU a process here, which
# swamped the supervisors' own work (1,000 children: 1,000 such starts on
# 2 cores).  Every peer runs this same program.
cat > "$work/stamp-nolibc.c" <<'C'
#include <asm/unistd.h>
static long sc(long n, long a, long b, long c) {
	long r;
	__asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
static char *env(char **e, const char *k) {
	for (; *e; e++) {
		const char *p = *e, *q = k;
		while (*q && *p == *q) p++, q++;
		if (!*q && *p == '=') return (char *)p + 1;
	}
	return 0;
}
static int num(char *b, unsigned long long v) {
	char t[24]; int n = 0, i = 0;
	do t[n++] = (char)('0' + v % 10); while (v /= 10);
	while (n) b[i++] = t[--n];
	return i;
}
void __attribute__((used)) start_c(long *sp) {
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1, b[64], *f;
	struct { long s, ns; } t;
	int n, fd;
	sc(__NR_clock_gettime, 0, (long)&t, 0);		/* CLOCK_REALTIME */
	n = num(b, (unsigned long long)t.s * 1000000000ULL + (unsigned long long)t.ns);
	b[n++] = ' ';
	n += num(b + n, (unsigned long long)sc(__NR_getpid, 0, 0, 0));
	b[n++] = '\n';
	f = env(envp, "STAMP_FILE");
	if (!f && argc > 1) f = argv[1];
	/* O_WRONLY | O_CREAT | O_APPEND */
	if (f && (fd = (int)sc(__NR_open, (long)f, 01 | 0100 | 02000, 0644)) >= 0) {
		sc(__NR_write, fd, (long)b, n);
		sc(__NR_close, fd, 0, 0);
	}
	for (;;) sc(__NR_pause, 0, 0, 0);
}
__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall start_c\n\thlt\n");
C
if [ "$(uname -m)" = x86_64 ] && cc -O2 -static -nostdlib -fno-stack-protector -fno-pie -no-pie \
    -o "$work/stamp" "$work/stamp-nolibc.c" 2>/dev/null; then
	echo "stamp: without libc (its first instruction is the stamp)"
else
	cc -O2 -o "$work/stamp" "$work/stamp.c" || exit 1
	echo "stamp: with libc (its start is part of every figure)"
fi
STAMP=$work/stamp
# spawn N PROGRAM: N children by posix_spawn, then wait (the floor of a start)
cat > "$work/spawn.c" <<'C'
#include <spawn.h>
#include <stdlib.h>
#include <unistd.h>
extern char **environ;
int main(int c, char **v) {
	pid_t p;
	for (int i = 0, n = atoi(v[1]); i < n; i++)
		posix_spawn(&p, v[2], NULL, NULL, v + 2, environ);
	for (;;) pause();
}
C
cc -O2 -o "$work/spawn" "$work/spawn.c" || exit 1
# respawn PROGRAM ARG: runs it again as soon as it ends (the floor of a restart)
cat > "$work/respawn.c" <<'C'
#include <spawn.h>
#include <sys/wait.h>
extern char **environ;
int main(int c, char **v) {
	pid_t p;
	(void)c;
	for (;;) {
		if (posix_spawn(&p, v[1], NULL, NULL, v + 1, environ))
			return 1;
		waitpid(p, NULL, 0);
	}
}
C
cc -O2 -o "$work/respawn" "$work/respawn.c" || exit 1

now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }
lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
wait_lines() {	# FILE N: until FILE has N lines (10 s at most)
	for _ in $(seq 2000); do [ "$(lines "$1")" -ge "$2" ] && return 0; sleep 0.005; done
	return 1
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.0f\n", (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); else print "nan"}'; }

# One sample: START-CMD runs a supervisor whose child is "$STAMP FILE"; the
# child runs 1.5 s (runsv and s6 hold back a restart within 1 s of a start;
# 1.1 s was not enough for s6 on a loaded machine), is killed,
# and the time to its successor's first instruction is the latency.
sample() {	# name start-fn stop-fn
	local f=$work/sv/$1.stamps t0 t1 pid
	rm -f "$f"
	"$2" "$f"
	wait_lines "$f" 1 || { "$3"; echo nan; return; }
	sleep 1.5
	pid=$(awk 'NR==1 {print $2}' "$f")
	# no fork between the clock and the kill: both are bash builtins
	t0=${EPOCHREALTIME/./}
	kill -KILL "$pid"
	wait_lines "$f" 2 || { "$3"; echo nan; return; }
	t1=$(awk 'NR==2 {print $1}' "$f")
	"$3"
	echo $(( t1 / 1000 - t0 ))
}

floor_start() { "$work/respawn" "$STAMP" "$1" >/dev/null 2>&1 & SUP=$!; }
floor_stop() {
	kill -TERM "$SUP" 2>/dev/null; wait "$SUP" 2>/dev/null
	awk '{print $2}' "$work/sv/floor.stamps" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
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

if want restart; then
echo "== osl supervise bench ($N samples each, peers interleaved${SV_BENCH_IN_RT:+, SCHED_FIFO}; restart latency = SIGKILL to the new child's first instruction)"
declare -A med samples label start stop
peers=()
for peer in floor osl osl_log runsv s6 sd; do
	case $peer in
	floor) start[$peer]=floor_start stop[$peer]=floor_stop label[$peer]="waitpid+posix_spawn loop" ;;
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
	[ -n "${med[osl_log]:-}" ] && [ -n "${med[floor]:-}" ] && awk -v a="${med[osl_log]}" \
	    -v b="${med[floor]}" 'BEGIN {printf "  osl (file log) vs the bare loop: %.2fx its latency, %+d us\n", a / b, a - b}'
	echo "  (goal: osl with the file log <= 1000 us median)"
fi
fi

# ---------------------------------------------------------------- scale ---
SCALE=${SV_BENCH_SCALE:-1000}
sc=$work/scale
# pss PID...: the processes' proportional set size, in kB
pss() { local t=0 p v; for p in "$@"; do v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null); t=$((t + ${v:-0})); done; echo "$t"; }
kids_of() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '; }
# after a run: every stamp still alive (its pid is in the stamps) is ended
reap_stamps() { [ -f "$1" ] && awk '{print $2}' "$1" | xargs -r kill -KILL 2>/dev/null; }
# start-fn: launches $SCALE stamps writing to $sc/stamps; sets SUP and SUPS
# (the supervisor's processes, for its PSS); stop-fn ends it all
scale_run() {	# name start-fn stop-fn -> "ms pss_kB" or "nan nan"
	local t0 t1 ms k
	rm -rf "$sc"; mkdir -p "$sc"
	t0=${EPOCHREALTIME/./}000
	"$2"
	wait_n "$sc/stamps" "$SCALE" || { "$3"; reap_stamps "$sc/stamps"; echo "nan nan"; return; }
	t1=$(sort -n "$sc/stamps" | tail -n 1 | cut -d' ' -f1)
	ms=$(( (t1 - t0) / 1000000 ))
	sleep 0.5
	SUPS=$(sup_procs)
	# shellcheck disable=SC2086
	k=$(pss $SUPS)
	"$3"
	reap_stamps "$sc/stamps"
	echo "$ms $k"
}
wait_n() {	# FILE N: until FILE has N lines (120 s at most)
	for _ in $(seq 2400); do [ "$(lines "$1")" -ge "$2" ] && return 0; sleep 0.05; done
	return 1
}
sc_floor() { STAMP_FILE=$sc/stamps "$work/spawn" "$SCALE" "$STAMP" >/dev/null 2>&1 & SUP=$!; sup_procs() { echo "$SUP"; }; }
sc_floor_stop() { kill -TERM "$SUP" 2>/dev/null; wait "$SUP" 2>/dev/null; }
# tree_yaml N [CHILD-KEYS]: a tree of N stamps (replicas of at most 1,000)
tree_yaml() {
	printf 'version: 1\nsupervisor:\n  intensity: 1000\n  children:\n' > "$sc/t.yaml"
	for e in $(seq $(( ($1 + 999) / 1000 ))); do
		printf '    - name: w%d\n      cmd: [%s, %s]\n      replicas: %d\n%b' "$e" "$STAMP" \
		    "$sc/stamps" $(( $1 - (e - 1) * 1000 < 1000 ? $1 - (e - 1) * 1000 : 1000 )) "${2:-}" \
		    >> "$sc/t.yaml"
	done
}
sc_osl() {
	tree_yaml "$SCALE"
	"$OSL" --audit -l none supervise -c "$sc/t.yaml" -s "$work/run/sc.sock" >/dev/null 2>&1 & SUP=$!
	sup_procs() { echo "$SUP"; }
}
# s6 and runit: one service folder a child, whose run is the stamp itself
sv_dirs() { for i in $(seq "$SCALE"); do mkdir -p "$sc/sv/s$i"; ln -s "$STAMP" "$sc/sv/s$i/run"; done; }
# (s6-svscan takes 500 services unless -c says more)
sc_s6() { sv_dirs; STAMP_FILE=$sc/stamps s6-svscan -c $((SCALE + 10)) "$sc/sv" >/dev/null 2>&1 & SUP=$!; sup_procs() { echo "$SUP" $(kids_of "$SUP"); }; }
sc_s6_stop() { s6-svscanctl -t "$sc/sv" 2>/dev/null; wait "$SUP" 2>/dev/null; }
sc_runit() { sv_dirs; STAMP_FILE=$sc/stamps runsvdir -P "$sc/sv" >/dev/null 2>&1 & SUP=$!; sup_procs() { echo "$SUP" $(kids_of "$SUP"); }; }
sc_runit_stop() { kill -HUP "$SUP" 2>/dev/null; wait "$SUP" 2>/dev/null; }
sc_sd() {
	cat > "$sc/sd.conf" <<-INI
	[supervisord]
	nodaemon=true
	logfile=$sc/sd.log
	pidfile=$sc/sd.pid
	minfds=$((SCALE * 4 + 1024))
	[program:p]
	command=$STAMP $sc/stamps
	process_name=%(program_name)s_%(process_num)d
	numprocs=$SCALE
	autorestart=true
	startsecs=0
	INI
	supervisord -c "$sc/sd.conf" >/dev/null 2>&1 & SUP=$!
	sup_procs() { echo "$SUP"; }
}

if want scale; then
echo "== scale: $SCALE children (time to the last one's first instruction; the supervisor's own PSS, all its processes)"
[ "$(ulimit -n)" -ge $((SCALE * 4 + 1024)) ] || ulimit -n $((SCALE * 4 + 1024)) 2>/dev/null
declare -A sc_ms sc_kb
# the floor and osl, ROUNDS times in turn (their medians); the peers once
for peer in floor osl s6 runit sd; do
	case $peer in
	floor|osl) ;;
	s6) command -v s6-svscan >/dev/null || { echo "scale: s6-svscan not installed"; continue; } ;;
	runit) command -v runsvdir >/dev/null || { echo "scale: runsvdir not installed"; continue; } ;;
	sd) command -v supervisord >/dev/null || { echo "scale: supervisord not installed"; continue; } ;;
	esac
	rounds=1
	case $peer in floor|osl) rounds=$ROUNDS ;; esac
	ms_all="" kb_all=""
	for _ in $(seq "$rounds"); do
		case $peer in
		floor) r=$(scale_run floor sc_floor sc_floor_stop); name="posix_spawn loop (no supervisor)" ;;
		osl) r=$(scale_run osl sc_osl sup_stop); name="osl supervise -c (replicas)" ;;
		s6) r=$(scale_run s6 sc_s6 sc_s6_stop); name="s6-svscan + s6-supervise" ;;
		runit) r=$(scale_run runit sc_runit sc_runit_stop); name="runsvdir + runsv" ;;
		sd) r=$(scale_run sd sc_sd sup_stop); name="supervisord (numprocs)" ;;
		esac
		ms_all+="${r% *} " kb_all+="${r#* } "
	done
	sc_ms[$peer]=$(tr ' ' '\n' <<<"$ms_all" | grep -v -e nan -e '^$' | median)
	sc_kb[$peer]=$(tr ' ' '\n' <<<"$kb_all" | grep -v -e nan -e '^$' | median)
	[ "${sc_ms[$peer]}" = nan ] && sc_kb[$peer]=nan
	printf 'scale: %-34s all started in %6s ms, supervisor PSS %7s kB%s\n' "$name" "${sc_ms[$peer]}" \
	    "${sc_kb[$peer]}" "$([ "$rounds" -gt 1 ] && echo " (median of $rounds: ${ms_all% } ms)")"
done
if [ "${sc_ms[osl]:-nan}" != nan ]; then
	for p in floor s6 runit sd; do
		[ "${sc_ms[$p]:-nan}" != nan ] || continue
		awk -v a="${sc_ms[osl]}" -v b="${sc_ms[$p]}" -v ka="${sc_kb[osl]}" -v kb="${sc_kb[$p]}" -v p="$p" \
		    'BEGIN {printf "  osl vs %s: start %.2fx the time, %.2fx the memory\n", p, a / b, ka / kb}'
	done
	echo "  (goal: osl starts 1,000 in <= 500 ms in <= 8 MB; the floor is the same stamps started"
	echo "   by a bare loop: on a loaded machine each child waits for a CPU before it runs)"
fi
fi

# osl's restart latency with many children against few (-l none)
restart_at() {	# N: median of SV_BENCH_N restarts, in us
	local f=$sc/stamps t0 t1 pid n out=""
	rm -rf "$sc"; mkdir -p "$sc"
	# each kill is of a replica that has run for 0.2 s or more: its
	# restart is at once (the backoff starts at the second in a row)
	tree_yaml "$1" '      backoff: {initial: 1ms, reset_after: 1ms}\n'
	"$OSL" --audit -l none supervise -c "$sc/t.yaml" -s "$work/run/sc.sock" >/dev/null 2>&1 & SUP=$!
	wait_n "$f" "$1" || { sup_stop; reap_stamps "$f"; echo nan; return; }
	for _ in $(seq "$N"); do
		n=$(lines "$f")
		sleep 0.2
		pid=$(awk -v k=$((RANDOM % $1 + 1)) 'NR==k {print $2}' "$f")
		# a replica killed earlier was replaced: take the last line's pid then
		kill -0 "$pid" 2>/dev/null || pid=$(tail -n 1 "$f" | cut -d' ' -f2)
		t0=${EPOCHREALTIME/./}
		kill -KILL "$pid"
		wait_n "$f" $((n + 1)) || continue
		t1=$(tail -n 1 "$f" | cut -d' ' -f1)
		out+="$(( t1 / 1000 - t0 )) "
	done
	sup_stop
	reap_stamps "$f"
	tr ' ' '\n' <<<"$out" | grep -v '^$' | median
}
if want at; then
# ROUNDS rounds, 10 and SCALE in turn: the median of the rounds' medians
a10="" aN=""
for _ in $(seq "$ROUNDS"); do
	a10+="$(restart_at 10) " aN+="$(restart_at "$SCALE") "
done
r10=$(tr ' ' '\n' <<<"$a10" | grep -v -e nan -e '^$' | median)
rN=$(tr ' ' '\n' <<<"$aN" | grep -v -e nan -e '^$' | median)
echo "restart latency at 10 children: median $r10 us (rounds: ${a10% }); at $SCALE: median $rN us (rounds: ${aN% })"
awk -v a="$rN" -v b="$r10" -v n="$SCALE" 'BEGIN {if (b > 0) printf "  at %d: %.2fx the latency at 10 (goal: <= 1.2x)\n", n, a / b}'
fi
echo "== load after: $(uptime)"

# -------------------------------------------------------------- capture ---
# seq 1 1000000 from a supervised child: every line kept, lines per second
cap=$work/cap
if want capture; then
echo "== capture: seq 1 1000000 from a supervised child (every line kept?)"
cap_run() {	# label: runs "$@" (which must end when seq has ended), counts LINES in $cap/n
	local label=$1 t0 t1 n
	shift
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>&1
	t1=${EPOCHREALTIME/./}
	n=$(cat "$cap/n" 2>/dev/null || echo 0)
	printf 'capture: %-32s %8s of 1000000 lines, %9s lines/s\n' "$label" "$n" \
	    "$(awk -v n="$n" -v us=$((t1 - t0)) 'BEGIN {printf "%d", (us > 0 ? n * 1e6 / us : 0)}')"
}
cap_osl() {	# the records of the child's lines, in the chained file log
	rm -rf "$cap"; mkdir -p "$cap"
	printf 'version: 1\nsupervisor:\n  auto_shutdown: any_significant\n  children:\n    - name: seq\n      cmd: [seq, "1", "1000000"]\n      restart: transient\n      significant: true\n      output: log\n' > "$cap/t.yaml"
	"$OSL" --audit -l "file:$cap/log.jsonl" supervise -c "$cap/t.yaml" -s "$work/run/cap.sock"
	# the log and the files it rotated to; the oldest files are rotated
	# away, so the lines before the first one kept count when the kept
	# ones are the run up to the last line, none missing
	cat "$cap"/log.jsonl* | grep '"action":"supervise.output","outcome":"success"' |
	    grep -o '"message":"[0-9]*"' | tr -dc '0-9\n' |
	    awk 'NR == 1 || $1 < lo {lo = $1} $1 > hi {hi = $1} {n++}
		END {print (n && hi - lo + 1 == n ? hi : n)}' > "$cap/n"
}
# every file each logger wrote (current and the rotated ones) is counted
cap_s6log() { rm -rf "$cap"; mkdir -p "$cap/d"; seq 1 1000000 | s6-log -b n1000 "$cap/d"; cat "$cap"/d/* | wc -l > "$cap/n"; }
cap_svlogd() { rm -rf "$cap"; mkdir -p "$cap/d"; echo n1000 > "$cap/d/config"; seq 1 1000000 | svlogd "$cap/d"; cat "$cap"/d/[@c]* | wc -l > "$cap/n"; }
cap_run "osl supervise (output: log, file)" cap_osl
command -v s6-log >/dev/null && cap_run "seq | s6-log" cap_s6log || echo "capture: s6-log not installed"
command -v svlogd >/dev/null && cap_run "seq | svlogd" cap_svlogd || echo "capture: svlogd not installed"
echo "  (goal: osl keeps all 1,000,000 at >= 500,000 lines/s with the chained file log)"
fi

# as a single-child init: the whole run of `true`
if want init && command -v hyperfine >/dev/null; then
	cmds=("true" "$OSL -l none supervise -- true" "$OSL supervise -- true")
	command -v tini >/dev/null && cmds+=("tini -s -- true")
	hyperfine -N -w 20 -r 300 --export-json "$work/init.json" "${cmds[@]}" >/dev/null 2>&1
	jq -r '.results as $r | ([$r[] | select(.command | test("^tini")) | .mean] | first // null) as $tini |
		$r[] | "init: \(.command | sub("^/.*/osl"; "osl")): \(.mean * 1e6 | floor) us mean" +
		(if $tini then ", \(.mean / $tini * 100 | floor / 100)x tini" else "" end)' "$work/init.json"
fi
