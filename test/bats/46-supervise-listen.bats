#!/usr/bin/env bats
# osl supervise: sockets held by the supervisor (listen: systemd's
# LISTEN_FDS protocol), the circuit breaker, rolling restarts and metrics.
# Real processes on the loopback; waits are bounded loops, no timing is
# asserted.
load supervise

setup() {
	sv_setup
	command -v python3 >/dev/null || skip "python3 is needed"
	SERVE=$OSL_TOP/test/fixtures/supervise/sd-serve.py
	# the supervisor binds port 0 (the kernel picks a free one)
	printf 'version: 1\nextends: [builtin:default]\nnet:\n  bind: ["127.0.0.1:0"]\n' > sv-policy.yaml
	SV_OPTS="-p $T/sv-policy.yaml"
	SV_FILE=t.yaml
}

# The port the supervisor bound for child N's first socket.
port_of() { child "$1" '.listen[0].bound' | sed 's/.*://'; }

# One request to 127.0.0.1:$PORT: the server's answer line (10 s at most).
ask() {
	python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode())
print(s.makefile().readline().strip())' "$PORT" "${1:-hello}"
}

@test "listen: a socket-activated child gets LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES and its fds, and serves" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: web
	      cmd: [sh, -c, "exec python3 $SERVE"]
	      listen: [ "tcp:127.0.0.1:0", { name: admin, address: "unix:$T/admin.sock" } ]
	EOF
	start_tree
	wait_for 0 .state up
	PORT=$(port_of 0)
	[ "$(child 0 '.listen[1].bound')" = "unix:$T/admin.sock" ]
	pid=$(child 0 .pid)
	run -0 ask
	# its own pid in LISTEN_PID (the server checks it), two fds named after
	# the child and as written, both listening sockets
	[ "$output" = "$pid 2 web:admin AF_INET:listening AF_UNIX:listening" ]
	# the binds were the supervisor's, decided and logged as net.bind
	[ "$(jq -c 'select(.event.action == "net.bind" and .event.outcome == "success")' "$LOG" | wc -l)" -eq 2 ]
	# the child could not have bound it: osl holds it, the child has a copy
	[ -S "$T/admin.sock" ]
	kill -TERM "$SVPID"; wait "$SVPID"; SVPID=
	[ ! -e "$T/admin.sock" ]
}

@test "listen: replicas share one socket; a crash loses no connection queued while none accepts" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: web
	      replicas: 2
	      cmd: [sh, -c, "exec python3 $SERVE $T/hold"]
	      listen: [ "127.0.0.1:0" ]
	EOF
	start_tree
	wait_for 0 .state up
	wait_for 1 .state up
	PORT=$(port_of 0)
	[ "$(port_of 1)" = "$PORT" ]
	# both replicas answer on the one port
	p1=$(child 0 .pid) p2=$(child 1 .pid)
	seen=
	for _ in $(seq 200); do
		seen="$seen $(ask | cut -d' ' -f1)"
		case "$seen" in *"$p1"*"$p2"*|*"$p2"*"$p1"*) break ;; esac
	done
	[[ "$seen" == *"$p1"* && "$seen" == *"$p2"* ]]
	# stop one replica for good, and crash the other: the new one holds
	# back (the file hold), so nothing accepts for a while
	run -0 osl supervise ctl stop web-2
	wait_for 1 .state down
	touch hold
	run -0 ask crash
	wait_for 0 .restarts 1
	for _ in $(seq 300); do
		[ "$(child 0 .pid)" != "$p1" ] && [ "$(child 0 .pid)" != null ] && break
		sleep 0.05
	done
	# five clients connect now: the kernel queues them on osl's socket
	asks=
	for i in 1 2 3 4 5; do
		ask "q$i" > "ans$i" 2>&1 &
		asks="$asks $!"
	done
	for _ in $(seq 200); do
		[ "$(ss -Htn state established "( dport = :$PORT )" | wc -l)" -ge 5 ] && break
		sleep 0.05
	done
	[ "$(ss -Htn state established "( dport = :$PORT )" | wc -l)" -ge 5 ]
	rm hold
	# shellcheck disable=SC2086
	wait $asks
	new=$(child 0 .pid)
	for i in 1 2 3 4 5; do
		[ "$(cut -d' ' -f1 "ans$i")" = "$new" ] || { cat "ans$i"; false; }
	done
}

@test "listen: a bind the policy denies stops the start, and says so" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: web
	      cmd: [sleep, "1000"]
	      listen: [ "127.0.0.1:80" ]
	EOF
	run osl -p sv-policy.yaml supervise -c t.yaml
	[ "$status" -ne 0 ]
	[[ "$output" == *"127.0.0.1:80"*"denied by policy"* ]]
	r=$(jq -c 'select(.event.action == "net.bind")' "$LOG")
	[ "$(jget .osl.decision "$r")" = deny ]
}

@test "listen: bad entries are FILE:LINE:COL errors of --check" {
	for bad in '"tcp:nohost"' '"unix:rel/x.sock"' '{ name: "a:b", address: "127.0.0.1:1" }' \
	    '{ name: x }' '[]' '"127.0.0.1:99999"'; do
		printf 'version: 1\nsupervisor:\n  children:\n    - name: w\n      cmd: [sleep, "1"]\n      listen: [ %s ]\n' "$bad" > t.yaml
		run osl supervise -c t.yaml --check
		[ "$status" -eq 2 ] || { echo "$bad: $status $output"; false; }
		[[ "$output" == *t.yaml:6:* ]] || { echo "$bad: $output"; false; }
	done
	# s6's readiness fd goes after the sockets
	printf 'version: 1\nsupervisor:\n  children:\n    - name: w\n      cmd: [sleep, "1"]\n      ready: { fd: 3 }\n      listen: [ "127.0.0.1:1" ]\n' > t.yaml
	run osl supervise -c t.yaml --check
	[ "$status" -eq 2 ]
	[[ "$output" == *"ready.fd: above the listen sockets"* ]]
	printf 'version: 1\nsupervisor:\n  children:\n    - name: w\n      cmd: [sleep, "1"]\n      ready: { fd: 4 }\n      listen: [ "127.0.0.1:1" ]\n' > t.yaml
	run -0 osl supervise -c t.yaml --check
}
