#!/usr/bin/env bash
# osl supervise's held sockets (osl-supervise(8), LISTEN SOCKETS): requests
# per second through one osl-held socket with 1, 2 and 4 replicas of a small
# HTTP server against the same server bound by itself (as many processes);
# then 4 replicas under wrk for 10 s with a rolling restart in the middle,
# beside the same set restarted all at once.  Loopback only, bounded in
# time.  Usage: bench-listen.sh BUILD [WORKDIR]  (wrk: apt-get install wrk)
set -u
B=${1:-build}
OSL=${OSL:-$(cd "$B" && pwd)/osl}
work=${2:-$(mktemp -d /tmp/osl-bench-listen.XXXXXX)}/listen
mkdir -p "$work"
export XDG_RUNTIME_DIR=$work/run XDG_STATE_HOME=$work/state
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
SOCK=$XDG_RUNTIME_DIR/sv.sock
T=${LISTEN_BENCH_T:-3}	# seconds per throughput run
R=${LISTEN_BENCH_RUNS:-5}	# runs of each, interleaved
if ! command -v wrk >/dev/null; then
	echo "listen: wrk is not installed (apt-get install wrk)"
	exit 0
fi

# A small keep-alive HTTP server: fd 3 under socket activation, else its
# own bind, forked N times; graceful on SIGTERM (the next answer of each
# connection says Connection: close), as a server behind a held socket is
cat > "$work/hs.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
static volatile sig_atomic_t term;
static void on_term(int s) { (void)s; term = 1; }
int main(int argc, char **argv) {
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
	static const char bye[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
	struct epoll_event ev, evs[64];
	int lfd = 3, ep, conns = 0, one = 1;
	char buf[4096];
	if (!getenv("LISTEN_FDS")) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		lfd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4096)) return 1;
		for (int i = 1; i < atoi(argv[2]); i++) if (fork() == 0) break;
	}
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	ep = epoll_create1(0);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 64, term ? 100 : -1);
		if (term && lfd >= 0) { epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL); close(lfd); lfd = -1; }
		if (term && conns == 0) return 0;
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd, c, reqs = 0;
			ssize_t r;
			if (fd == lfd) {
				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					ev.events = EPOLLIN;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
					conns++;
				}
				continue;
			}
			if ((r = read(fd, buf, sizeof(buf))) <= 0) {
				if (r < 0 && errno == EAGAIN) continue;
				close(fd);
				conns--;
				continue;
			}
			for (char *p = buf; (p = memmem(p, (size_t)(buf + r - p), "\r\n\r\n", 4)); p += 4) reqs++;
			for (int k = 0; k < reqs; k++) {
				if (term && k == reqs - 1) { (void)!write(fd, bye, sizeof(bye) - 1); close(fd); conns--; break; }
				(void)!write(fd, ok, sizeof(ok) - 1);
			}
		}
	}
}
C
cc -O2 -o "$work/hs" "$work/hs.c" || exit 1

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
up() {	# PORT: until it answers (10 s at most)
	for _ in $(seq 200); do curl -sf "http://127.0.0.1:$1/" >/dev/null && return 0; sleep 0.05; done
	return 1
}
median() { sort -n | awk '{a[NR] = $1} END {print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
# wrk's errors: socket errors (connect, read, write, timeout) and non-2xx
errors() { awk '/Socket errors/ {gsub(/,/, ""); e += $4 + $6 + $8 + $10} /Non-2xx/ {e += $NF} END {print e + 0}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }

tree() {	# N PORT: the tree file of N replicas on PORT
	cat > "$work/t.yaml" <<-EOF
	version: 1
	supervisor:
	  intensity: 100
	  period: 10s
	  children:
	    - name: web
	      replicas: $1
	      cmd: [$work/hs]
	      listen: [ "tcp:127.0.0.1:$2" ]
	      stop: { signal: TERM, timeout: 5s }
	EOF
}
osl_up() {	# N PORT [LOG]: LOG, or none
	tree "$1" "$2"
	"$OSL" --audit -l "${3:-none}" supervise -q -c "$work/t.yaml" -s "$SOCK" >/dev/null 2>&1 & SUP=$!
	up "$2"
}
osl_down() { kill -TERM "$SUP" 2>/dev/null; wait "$SUP" 2>/dev/null; }

# throughput: the same server, bare and behind osl's socket (the median of
# R runs each, interleaved so the machine's load falls on both alike)
echo "listen: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for n in 1 2 4; do
	bare=() held=()
	for _ in $(seq "$R"); do
		port=$(free_port)
		"$work/hs" "$port" "$n" & pid=$!
		up "$port"
		wrk -t 1 -c 32 -d "${T}s" "http://127.0.0.1:$port/" > "$work/bare.txt" 2>&1
		pkill -TERM -P "$pid" 2>/dev/null; kill -TERM "$pid"; wait "$pid" 2>/dev/null
		bare+=("$(rps "$work/bare.txt")")
		port=$(free_port)
		osl_up "$n" "$port"
		wrk -t 1 -c 32 -d "${T}s" "http://127.0.0.1:$port/" > "$work/held.txt" 2>&1
		osl_down
		held+=("$(rps "$work/held.txt")")
	done
	b=$(printf '%s\n' "${bare[@]}" | median)
	h=$(printf '%s\n' "${held[@]}" | median)
	awk -v n="$n" -v b="$b" -v h="$h" 'BEGIN {printf "listen: %d replica(s) behind osl'"'"'s socket: %.0f req/s, bare %.0f req/s: %.3fx (goal >= 0.98)\n", n, h, b, h / b}'
done

# a rolling restart mid-load, beside the same set restarted all at once
for how in rolling all-at-once; do
	port=$(free_port)
	log=$work/$how.jsonl
	osl_up 4 "$port" "file:$log"
	wrk -t 1 -c 16 -d 10s --latency "http://127.0.0.1:$port/" > "$work/roll.txt" 2>&1 & W=$!
	sleep 3
	if [ "$how" = rolling ]; then
		"$OSL" supervise ctl -s "$SOCK" restart web >/dev/null
	else
		for i in 1 2 3 4; do "$OSL" supervise ctl -s "$SOCK" restart "web-$i" >/dev/null; done
	fi
	wait "$W"
	osl_down
	# how many replicas the restart replaced while wrk ran (starts beyond the first 4)
	n=$(( $(jq -c 'select(.event.action == "supervise.start")' "$log" | wc -l) - 4 ))
	roll=$(jq -r 'select(.event.action == "supervise.roll" and .osl.supervise.roll != "begin") |
		"roll \(.event.outcome), \(.osl.supervise.replaced) replaced in \(.osl.supervise.duration_ms) ms; "' "$log")
	echo "listen: 4 replicas, $how restart mid-load (wrk, 16 connections, 10 s): ${roll}$n restarted;" \
	    "$(rps "$work/roll.txt") req/s, $(errors "$work/roll.txt") errors, p99 $(p99 "$work/roll.txt") (goal for rolling: 0 errors)"
done
