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

# a load client left by a test that failed does not outlive it
teardown() {
	[ -n "${LOADPID:-}" ] && kill "$LOADPID" 2>/dev/null
	[ -n "${SVPID:-}" ] && kill -TERM "$SVPID" 2>/dev/null && wait "$SVPID" 2>/dev/null
	no_duplicate_keys
}

# The port the supervisor bound for child N's first socket.
port_of() { child "$1" '.listen[0].bound' | sed 's/.*://'; }

# Each of VALUES ($2...) of child key $1 is refused by --check at its line.
refused() {
	key=$1
	shift
	for bad in "$@"; do
		printf 'version: 1\nsupervisor:\n  children:\n    - name: w\n      cmd: [sleep, "1"]\n      %s: %s\n' "$key" "$bad" > t.yaml
		run osl supervise -c t.yaml --check
		[ "$status" -eq 2 ] || { echo "$bad: $status $output"; return 1; }
		[[ "$output" == *t.yaml:6:* ]] || { echo "$bad: $output"; return 1; }
	done
}

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

@test "listen: a reload keeps a socket a child still names, binds a new one first, closes the one no child names" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: web
	      cmd: [sh, -c, "exec python3 $SERVE"]
	      listen: [ "127.0.0.1:0", "unix:$T/a.sock" ]
	EOF
	start_tree
	wait_for 0 .state up
	PORT=$(port_of 0)
	pid=$(child 0 .pid)
	# another child naming the same address shares its socket; web is kept
	cat >> t.yaml <<-EOF
	    - name: api
	      cmd: [sh, -c, "exec python3 $SERVE"]
	      listen: [ "unix:$T/a.sock" ]
	EOF
	run -0 osl supervise ctl reload
	wait_for 1 .state up
	[ "$(child 0 .pid)" = "$pid" ] && [ "$(port_of 0)" = "$PORT" ]
	[ "$(child 1 '.listen[0].bound')" = "unix:$T/a.sock" ]
	run -0 ask
	# web's address changes: a new socket; the old port is closed
	sed -i "s|\"127.0.0.1:0\", ||" t.yaml
	run -0 osl supervise ctl reload
	wait_for 0 '.listen | length' 1
	wait_for 0 .state up
	run ! ask
	[ -S "$T/a.sock" ]
	# a reload whose new socket cannot be bound keeps the running tree
	sed -i "s|unix:$T/a.sock\" ]|unix:$T/a.sock\", \"127.0.0.1:80\" ]|" t.yaml
	run -1 osl supervise ctl reload
	[[ "$output" == *"127.0.0.1:80"*"denied by policy"* ]]
	[ "$(child 0 .state)" = up ]
}

@test "listen: privilege separation: a child as nobody, in an empty network namespace, with no bind right, serves on osl's socket" {
	[ -r /proc/self/ns/net ] || skip "no /proc/self/ns/net"
	cp "$SERVE" "$T/serve.py"
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: web
	      cmd: [/usr/bin/python3, $T/serve.py]
	      user: nobody
	      policy: $OSL_TOP/test/fixtures/supervise/child-policy.yaml
	      listen: [ "127.0.0.1:0" ]
	EOF
	chmod 755 "$T"
	start_tree
	wait_for 0 .state up
	PORT=$(port_of 0)
	pid=$(child 0 .pid)
	run -0 ask
	[ "${output%% *}" = "$pid" ]
	[ "$(stat -c %U /proc/"$pid")" = nobody ]
	# its own network namespace (the policy has no net rules): the port
	# is not even there, yet the connection came through osl's socket
	[ "$(readlink /proc/"$pid"/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	run -0 nsenter -t "$pid" -n ss -Htln
	[[ "$output" != *":$PORT "* ]]
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
	refused listen '[ "tcp:nohost" ]' '[ "unix:rel/x.sock" ]' \
	    '[ { name: "a:b", address: "127.0.0.1:1" } ]' '[ { name: x } ]' '[]' '[ "127.0.0.1:99999" ]'
	# s6's readiness fd goes after the sockets
	printf 'version: 1\nsupervisor:\n  children:\n    - name: w\n      cmd: [sleep, "1"]\n      ready: { fd: 3 }\n      listen: [ "127.0.0.1:1" ]\n' > t.yaml
	run osl supervise -c t.yaml --check
	[ "$status" -eq 2 ]
	[[ "$output" == *"ready.fd: above the listen sockets"* ]]
	printf 'version: 1\nsupervisor:\n  children:\n    - name: w\n      cmd: [sleep, "1"]\n      ready: { fd: 4 }\n      listen: [ "127.0.0.1:1" ]\n' > t.yaml
	run -0 osl supervise -c t.yaml --check
}

@test "breaker: opens after 'failures' in a row, stays open its time, half-opens, opens longer, closes; records and status" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 100
	  period: 1m
	  children:
	    - name: app
	      cmd: [sh, -c, "test -e $T/dep || exit 1; exec sleep 1000"]
	      breaker: { failures: 2, cool_down: 1s, max: 2s, settle: 200ms }
	EOF
	start_tree
	wait_for 0 .breaker.state open
	[ "$(child 0 .pid)" = null ]
	[ "$(child 0 .breaker.opened)" = 1 ]
	# the failed half-open try opens it again, for twice as long (max 2s)
	wait_record '.event.action == "supervise.breaker" and .osl.supervise.breaker == "open" and .osl.supervise.cool_down_ms == 2000'
	touch "$T/dep"
	wait_for 0 .breaker.state closed
	[ "$(child 0 .state)" = up ]
	[ "$(child 0 .pid)" != null ]
	run -0 jq -r 'select(.event.action == "supervise.breaker") | .osl.supervise.breaker' "$LOG"
	[ "$(echo $output)" = "open half_open open half_open closed" ]
	# it stayed open its time: half_open came at least cool_down after open
	python3 -c '
import json, sys
from datetime import datetime
t = [datetime.fromisoformat(r["@timestamp"][:26]) for r in map(json.loads, open(sys.argv[1]))
     if r["event"]["action"] == "supervise.breaker"]
d1, d2 = (t[1] - t[0]).total_seconds(), (t[3] - t[2]).total_seconds()
print(d1, d2)
sys.exit(not (d1 >= 0.9 and d2 >= 1.9))' "$LOG"
	# open records are warnings with the open time; the tree never gave up
	[ "$(jq -c 'select(.event.action == "supervise.breaker" and .osl.supervise.breaker == "open") | .log.level' "$LOG" | sort -u)" = '"warn"' ]
	[ "$(jq -c 'select(.event.action == "supervise.giveup")' "$LOG" | wc -l)" -eq 0 ]
	grep -q 'supervise.breaker app open for 1000 ms' "$T/sv.err"
}

@test "breaker: bad settings are FILE:LINE:COL errors of --check" {
	refused breaker '{ cool_down: 1s }' '{ failures: 0 }' '{ failures: 2, cool_down: 0s }' \
	    '{ failures: 2, cool_down: 10s, max: 1s }' '{ failures: 2, half: 1 }' '3'
}

# Four replicas of the socket-activated server, each ready by sd_notify.
start_web4() {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 100
	  period: 1m
	  children:
	    - name: web
	      replicas: 4
	      cmd: [sh, -c, "exec python3 $SERVE $T/hold"]
	      listen: [ "127.0.0.1:0" ]
	      ready: { notify: true, timeout: ${1:-30s} }
	EOF
	start_tree
	wait_for 3 .state up
	PORT=$(port_of 0)
}

pids() { "$OSL" -j supervise ctl status | jq -r '[.tree.children[].pid] | join(" ")'; }

@test "rolling restart: ctl restart SET replaces the replicas one at a time; a bounded loop of connections sees no error" {
	start_web4
	before=$(pids)
	# a client that asks again and again until told to stop (2 minutes at most)
	python3 -c '
import os, socket, sys, time
ok = bad = 0
end = time.monotonic() + 120
while time.monotonic() < end:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
        s.sendall(b"x")
        ok += bool(s.makefile().readline())
        s.close()
    except OSError as e:
        bad += 1
        print(e, file=sys.stderr)
    if os.path.exists("stop") and ok > 0:
        break
print(ok, bad)' "$PORT" > load.out 2> load.err &
	LOADPID=$!
	run -0 osl -j supervise ctl restart web
	[ "$(jget .roll.replicas "$output")" = 4 ]
	[ "$(jget .roll.max_unavailable "$output")" = 1 ]
	wait_record '.event.action == "supervise.roll" and .osl.supervise.roll != "begin"'
	touch stop
	wait "$LOADPID"
	LOADPID=
	read -r ok bad < load.out
	echo "ok $ok bad $bad"; cat load.err
	[ "$bad" -eq 0 ] && [ "$ok" -gt 0 ]
	r=$(jq -c 'select(.event.action == "supervise.roll" and .osl.supervise.roll != "begin")' "$LOG")
	[ "$(jget .event.outcome "$r")" = success ]
	[ "$(jget .osl.supervise.replaced "$r")" = 4 ]
	# every replica is new, and at most one was restarting at any time:
	# each stop (the exits) came after the one before was ready again
	for p in $(pids); do [[ " $before " != *" $p "* ]]; done
	[ "$(jq -j 'select(.event.action == "supervise.exit") // select(.event.action == "supervise.ready") | .event.action[10:11]' "$LOG")" = rrrrerererer ]
	[ "$(jq -c 'select(.event.action == "supervise.restart")' "$LOG" | wc -l)" -eq 0 ]
}

@test "rolling restart: a new replica that fails readiness stops the roll; the others keep running" {
	start_web4 1s
	before=$(pids)
	touch hold
	run -0 osl supervise ctl restart web
	wait_record '.event.action == "supervise.roll" and .osl.supervise.roll != "begin"'
	r=$(jq -c 'select(.event.action == "supervise.roll" and .osl.supervise.roll != "begin")' "$LOG")
	[ "$(jget .event.outcome "$r")" = failure ]
	[ "$(jget .osl.supervise.child "$r")" = web-1 ]
	[ "$(jget .osl.supervise.replaced "$r")" = 0 ]
	set -- $before
	[ "$(child 1 .pid)" = "$2" ] && [ "$(child 2 .pid)" = "$3" ] && [ "$(child 3 .pid)" = "$4" ]
	grep -q 'supervise.roll web stopped: web-1 failed to start' "$T/sv.err"
	# the others serve meanwhile
	PORT=$(port_of 1)
	run -0 ask
	[[ " $2 $3 $4 " == *" ${output%% *} "* ]]
	rm hold
	wait_for 0 .state up
	run -1 osl supervise ctl restart nosuch
}

@test "metrics: ctl metrics passes promtool check metrics and the text format's grammar; ctl status -j has the same figures" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: web
	      replicas: 2
	      cmd: [sh, -c, "exec python3 $SERVE"]
	      listen: [ "127.0.0.1:0" ]
	      breaker: { failures: 3 }
	    - name: team
	      supervisor:
	        children:
	          - name: 'odd"name'
	            cmd: [sleep, "1000"]
	EOF
	start_tree
	wait_for 1 .state up
	run -0 osl supervise ctl metrics
	printf '%s\n' "$output" > m.txt
	if command -v promtool >/dev/null; then
		promtool check metrics < m.txt
	fi
	# the grammar (Prometheus's text exposition format 0.0.4), and each
	# family's HELP and TYPE once, before its samples
	cat > grammar.py <<-'PY'
	import re, sys
	name = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
	lab = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
	sample = re.compile(r'^(%s)(\{%s(,%s)*\})? -?[0-9.e+]+$' % (name, lab, lab))
	seen, cur = set(), None
	for line in open(sys.argv[1]).read().splitlines():
	    m = re.match(r'^# (HELP|TYPE) (%s) (.+)$' % name, line)
	    if m:
	        if m.group(1) == 'TYPE':
	            assert m.group(3) in ('counter', 'gauge'), line
	            assert m.group(2) not in seen, 'TYPE twice: ' + line
	            seen.add(m.group(2))
	            cur = m.group(2)
	        continue
	    m = sample.match(line)
	    assert m, 'not a sample: ' + line
	    assert m.group(1) == cur, 'sample outside its family: ' + line
	    assert m.group(1).startswith('osl_supervise_'), line
	PY
	python3 grammar.py m.txt
	grep -qx 'osl_supervise_up{name="web-1"} 1' m.txt
	grep -qx 'osl_supervise_ready{name="team/odd\\"name"} 1' m.txt
	grep -qx 'osl_supervise_breaker_state{name="web-2",state="closed"} 1' m.txt
	grep -q '^osl_supervise_uptime_seconds{name="web-1"} ' m.txt
	grep -q '^osl_supervise_restarts_total{name="web-2"} 0$' m.txt
	# status -j: the same per child
	[ "$(child 0 .ready)" = true ]
	[ "$(child 0 .breaker.state)" = closed ]
	run -0 child 0 .uptime_seconds
	[ "$output" -ge 0 ]
	# where the child has a cgroup, its CPU time is there too
	if [ "$(child 0 .containment)" = cgroup ]; then
		grep -q '^osl_supervise_cpu_seconds_total{name="web-1"} [0-9.]*$' m.txt
		[ "$(child 0 .cpu_seconds)" != null ]
	fi
}

@test "rolling reload: a replica set whose settings changed is replaced max_unavailable at a time, each ready before the next" {
	start_web4
	sed -i 's|      replicas: 4|      replicas: 4\n      max_unavailable: 2\n      env: { set: { V: "2" } }|' t.yaml
	run -0 osl -j supervise ctl reload
	[ "$(jget .rolling "$output")" = 2 ]
	for i in 0 1 2 3; do
		wait_for "$i" .state up
	done
	# every replica ends with the new settings, in two rounds of two
	for _ in $(seq 300); do
		n=0
		for i in 0 1 2 3; do
			p=$(child "$i" .pid)
			[ "$p" != null ] && tr '\0' '\n' < /proc/"$p"/environ | grep -qx V=2 && n=$((n + 1))
		done
		[ "$n" = 4 ] && break
		sleep 0.05
	done
	[ "$n" = 4 ]
	[ "$(jq -c 'select(.event.action == "supervise.reload")' "$LOG" | wc -l)" -eq 2 ]
	[ "$(jq -j 'select(.event.action == "supervise.exit") // select(.event.action == "supervise.ready") | .event.action[10:11]' "$LOG")" = rrrreerreerr ]
}

@test "rolling reload: a new replica that fails readiness stops the roll; the rest keep their old settings" {
	start_web4 1s
	before=$(pids)
	touch hold
	sed -i 's|      replicas: 4|      replicas: 4\n      env: { set: { V: "2" } }|' t.yaml
	run -0 osl -j supervise ctl reload
	[ "$(jget .rolling "$output")" = 3 ]
	wait_record '.event.action == "supervise.roll" and .event.outcome == "failure"'
	set -- $before
	[ "$(child 1 .pid)" = "$2" ] && [ "$(child 2 .pid)" = "$3" ] && [ "$(child 3 .pid)" = "$4" ]
	[ "$(jq -c 'select(.event.action == "supervise.reload")' "$LOG" | wc -l)" -eq 1 ]
	rm hold
	wait_for 0 .state up
	# the next reload goes on from there
	run -0 osl -j supervise ctl reload
	[ "$(jget .rolling "$output")" = 2 ]
}

@test "metrics over HTTP: control.metrics serves GET /metrics on the loopback (a net.bind), 404 for the rest; --check refuses other addresses" {
	command -v curl >/dev/null || skip "curl is needed"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat > t.yaml <<-EOF
	version: 1
	control: { metrics: "127.0.0.1:$port" }
	supervisor:
	  children:
	    - name: a
	      cmd: [sleep, "1000"]
	EOF
	printf 'version: 1\nextends: [builtin:default]\nnet:\n  bind: ["127.0.0.1:%s"]\n' "$port" > sv-policy.yaml
	start_tree
	run -0 curl -sf "http://127.0.0.1:$port/metrics"
	[[ "$output" == *'osl_supervise_up{name="a"} 1'* ]]
	if command -v promtool >/dev/null; then
		printf '%s\n' "$output" | promtool check metrics
	fi
	run -0 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/"
	[ "$output" = 404 ]
	r=$(jq -c "select(.event.action == \"net.bind\" and .server.port == $port)" "$LOG")
	[ "$(jget .event.outcome "$r")" = success ]
	# a slow client holds up no one: ctl answers while it sends nothing
	exec 5<>/dev/tcp/127.0.0.1/"$port"
	run -0 osl supervise ctl status
	exec 5>&-
	for bad in '"0.0.0.0:9100"' '"10.0.0.1:9100"' '"localhost:9100"' '[1]'; do
		printf 'version: 1\ncontrol: { metrics: %s }\nsupervisor:\n  children:\n    - name: a\n      cmd: [sleep, "1"]\n' "$bad" > c.yaml
		run osl supervise -c c.yaml --check
		[ "$status" -eq 2 ] && [[ "$output" == *"control.metrics: a loopback HOST:PORT"* ]] || { echo "$bad: $output"; false; }
	done
}
