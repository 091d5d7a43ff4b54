#!/usr/bin/env bats
# osl supervise -c FILE: what a child has beyond its command line: readiness
# (notify, tcp, exec, timeout), health checks, output, user, policy, env,
# cwd.  Real processes; waits are bounded loops, no timing is asserted.
load supervise

setup() {
	sv_setup
	SV_FILE=t.yaml
	P=$OSL_TOP/test/fixtures/supervise
}

@test "ready notify: systemd-notify --ready holds back the next child; STATUS= is shown" {
	command -v systemd-notify >/dev/null || skip "systemd-notify (Debian's systemd) is needed"
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: db
	      cmd: [sh, -c, "test -n \"\$NOTIFY_SOCKET\" && while [ ! -e go ]; do sleep 0.02; done; systemd-notify --ready --status='accepting connections'; exec sleep 1000"]
	      ready: { notify: true }
	    - name: app
	      cmd: [sleep, "1000"]
	EOF
	start_tree
	[ "$(child 0 .state)" = starting ]
	[ "$(child 1 .pid)" = null ]
	touch go
	wait_for 0 .state up
	wait_for 1 .state up
	[ "$(child 0 .status)" = "accepting connections" ]
	r=$(jq -c 'select(.event.action == "supervise.ready")' "$LOG")
	[ "$(jget .osl.supervise.ready "$r")" = notify ]
	[ "$(jget .event.outcome "$r")" = success ]
	# the notify socket is gone when the supervisor is
	sock=$(tr '\0' '\n' < /proc/"$(child 1 .pid)"/environ | sed -n 's/^NOTIFY_SOCKET=//p')
	[ -z "$sock" ]
}

@test "ready notify: a datagram from outside the child's process tree is ignored" {
	command -v python3 >/dev/null || skip "python3 is needed"
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: svc
	      cmd: [sh, -c, "echo \$NOTIFY_SOCKET > sockpath; while [ ! -e go ]; do sleep 0.02; done; python3 $OSL_TOP/test/fixtures/supervise/notify-barrier.py 'STATUS=mine\\\\nREADY=1'; exec sleep 1000"]
	      ready: { notify: true }
	EOF
	start_tree
	for _ in $(seq 200); do [ -s sockpath ] && break; sleep 0.05; done
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"STATUS=forged\nREADY=1", open("sockpath").read().strip())'
	wait_record '.event.action == "supervise.notify"'
	[ "$(child 0 .state)" = starting ]
	[ "$(child 0 .status)" = null ]
	r=$(jq -c 'select(.event.action == "supervise.notify")' "$LOG")
	[ "$(jget .event.outcome "$r")" = failure ]
	[ "$(jget .osl.supervise.peer_pid "$r")" = "$$" ] || [ "$(jget .osl.supervise.peer_pid "$r")" -gt 0 ]
	touch go
	wait_for 0 .state up
	[ "$(child 0 .status)" = mine ]
}

@test "ready tcp: the next child starts once the port accepts" {
	reserve_port
	port=$PORT
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: web
	      cmd: [sh, -c, "while [ ! -e go ]; do sleep 0.02; done; exec python3 -c 'import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", $port)); s.listen(); time.sleep(1000)'"]
	      ready: { tcp: "127.0.0.1:$port" }
	    - name: after
	      cmd: [sleep, "1000"]
	EOF
	start_tree
	sleep 0.3
	[ "$(child 0 .state)" = starting ]
	[ "$(child 1 .pid)" = null ]
	touch go
	wait_for 1 .state up
	[ "$(child 0 .state)" = up ]
	r=$(jq -c 'select(.event.action == "supervise.ready")' "$LOG")
	[ "$(jget .osl.supervise.ready "$r")" = tcp ]
	# ready before the next one started
	jq -r 'select(.osl.supervise.name == "web" or .osl.supervise.name == "after") |
	    select(.event.action == "supervise.ready" or .event.action == "supervise.start") |
	    .event.action + " " + .osl.supervise.name' "$LOG" > order
	[ "$(tr '\n' ' ' < order)" = "supervise.start web supervise.ready web supervise.start after " ]
}

@test "ready exec: a check command that exits 0 makes the child ready" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: svc
	      cmd: [sh, -c, "while [ ! -e go ]; do sleep 0.02; done; touch up; exec sleep 1000"]
	      ready: { exec: [test, -e, up] }
	EOF
	start_tree
	sleep 0.3
	[ "$(child 0 .state)" = starting ]
	touch go
	wait_for 0 .state up
	r=$(jq -c 'select(.event.action == "supervise.ready")' "$LOG")
	[ "$(jget .osl.supervise.ready "$r")" = exec ]
}

@test "ready timeout: a child that is not ready in time fails that start and is restarted (once the tree is up)" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 100
	  period: 1m
	  children:
	    - name: mute
	      cmd: [sh, -c, "[ -e once ] && exec sleep 1000; touch once; echo >&3; exec sleep 1000"]
	      ready: { fd: 3, timeout: 200ms }
	EOF
	# ready the first time; killed once the tree is up, it is not ready
	# again (an exit right after the notification raced osl's read of it)
	start_tree
	wait_for 0 .state up
	kill -KILL "$(child 0 .pid)"
	wait_record '.event.action == "supervise.ready" and .event.outcome == "failure"'
	wait_record '.event.action == "supervise.restart"'
	r=$(jq -c 'select(.event.action == "supervise.ready")' "$LOG" | head -1)
	[ "$(jget .osl.supervise.reason "$r")" = timeout ]
	for _ in $(seq 200); do [ "$(child 0 .restarts)" -ge 1 ] && break; sleep 0.05; done
	[ "$(child 0 .restarts)" -ge 1 ]
}

@test "health: after 'retries' failed checks the child is restarted" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 100
	  period: 1m
	  children:
	    - name: svc
	      cmd: [sleep, "1000"]
	      health: { exec: [test, -e, healthy], interval: 50ms, timeout: 1s, retries: 2 }
	EOF
	touch healthy
	start_tree
	pid=$(child 0 .pid)
	wait_for 0 .health_failures 0
	sleep 0.3
	[ "$(child 0 .pid)" = "$pid" ]
	[ "$(child 0 .restarts)" = 0 ]
	rm healthy
	for _ in $(seq 300); do p=$(child 0 .pid); [ "$p" != "$pid" ] && [ "$p" != null ] && break; sleep 0.05; done
	[ "$(child 0 .pid)" != "$pid" ]
	[ "$(child 0 .restarts)" -ge 1 ]
	jq -c 'select(.event.action == "supervise.health")' "$LOG" > h
	[ "$(jq -r .osl.supervise.failures h | head -2 | tr '\n' ' ')" = "1 2 " ]
	[ "$(jq -r 'select(.osl.supervise.verdict == "unhealthy") | .log.level' h | head -1)" = error ]
	# the stop it caused counts as a failure: a restart record follows
	grep -q '"action":"supervise.restart"' "$LOG"
}

@test "health: a check that hangs is killed at its timeout and counts as failed" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 100
	  period: 1m
	  children:
	    - name: svc
	      cmd: [sleep, "1000"]
	      health: { exec: [sleep, "1000"], interval: 50ms, timeout: 100ms, retries: 1 }
	EOF
	start_tree
	wait_record '.event.action == "supervise.health" and .osl.supervise.verdict == "unhealthy"'
	r=$(jq -c 'select(.event.action == "supervise.health")' "$LOG" | head -1)
	[ "$(jget .process.exit_code "$r")" = null ]
	jget .message "$r" | grep -q "signal 9"
}

@test "output log: one record per line of stdout and stderr" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: talk
	      cmd: [sh, -c, "echo one; echo two >&2; printf 'no newline'; exec sleep 1000"]
	      output: log
	EOF
	start_tree
	wait_record '.event.action == "supervise.output" and .message == "two"'
	run osl -j log show --action supervise.output "$LOG"
	assert_success
	echo "$output" | jq -e '.[] | select(.message == "one") | .osl.supervise.stream == "stdout" and .osl.supervise.name == "talk"'
	echo "$output" | jq -e '.[] | select(.message == "two") | .osl.supervise.stream == "stderr"'
	# a last line without a newline is written when the pipe closes
	kill -TERM "$SVPID"; wait "$SVPID" || true
	SVPID=
	[ "$(jq -c 'select(.event.action == "supervise.output" and .message == "no newline")' "$LOG" | wc -l)" = 1 ]
}

@test "output log: a line is capped at 16 KiB, the rest continues in the next records" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: long
	      cmd: [sh, -c, "printf '%040000d\\\\n' 0; printf 'a\\\\0b\\\\n'; echo short; exec sleep 1000"]
	      output: log
	EOF
	start_tree
	wait_record '.event.action == "supervise.output" and .message == "short"'
	jq -c 'select(.event.action == "supervise.output")' "$LOG" > o
	[ "$(jq -r '.message | length' o | tr '\n' ' ')" = "16384 16384 7232 6 5 " ]
	[ "$(jq -r '.osl.supervise.truncated // false' o | tr '\n' ' ')" = "true true false false false " ]
	[ "$(jq -r '.osl.supervise.continued // false' o | tr '\n' ' ')" = "false true true false false " ]
	[ "$(jq -r '.message' o | head -3 | tr -d '0\n' | wc -c)" = 0 ]
	# a NUL byte is written as \x00, not the end of the line
	[ "$(jq -r '.message' o | sed -n 4p)" = 'a\x00b' ]
}

# Through the log reader, every file of the log (oldest first): the
# messages of the supervise.output records.
output_lines() {
	local f
	for f in $(rotated "$LOG") "$LOG"; do
		"$OSL" log show -a supervise.output "$f" | awk 'NR > 1 {print $NF}'
	done
}

@test "output log: 1,000,000 lines, every one a record in one chain, also when the tree shuts down as the child ends" {
	# room for every file: 1,000,000 records of about 700 bytes rotate
	# about 11 times at 64 MiB
	cat > p.yaml <<-EOF
	version: 1
	extends: [builtin:default]
	log:
	  rotate: { size: 64M, keep: 30 }
	EOF
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  auto_shutdown: any_significant
	  children:
	    - name: flood
	      restart: transient
	      significant: true
	      cmd: [seq, "1", "1000000"]
	      output: log
	EOF
	start=$(date +%s%N)
	run timeout 300 "$OSL" -p p.yaml supervise -c t.yaml
	assert_success
	end=$(date +%s%N)
	echo "1,000,000 lines in $(((end - start) / 1000000)) ms"
	# every file, oldest first, is one chain
	run "$OSL" log verify -r $(rotated "$LOG") "$LOG"
	assert_success
	refute_output --partial torn
	# each line once, all of them, in order
	output_lines > lines
	[ "$(wc -l <lines)" -eq 1000000 ]
	seq 1 1000000 | cmp - lines
	[ "$(cat "$LOG"* | grep -c '"dropped_lines"')" -eq 0 ]
	# the child's lines come before its exit record
	last=$(grep -n '"action":"supervise.output"' "$LOG" | tail -1 | cut -d: -f1)
	ex=$(grep -n '"action":"supervise.exit"' "$LOG" | cut -d: -f1)
	[ "$last" -lt "$ex" ]
	# the rotated files hold the same records as the live one: the
	# teardown's duplicate-key check reads that one only
	rm -f "$LOG".*
}

@test "output log: two trees and one-shot commands write one log at once: one chain, every line" {
	cat > p.yaml <<-EOF
	version: 1
	extends: [builtin:default]
	log:
	  rotate: { size: 8M, keep: 100 }
	EOF
	pids=()
	for t in x y; do
		cat > "$t.yaml" <<-EOF
		version: 1
		supervisor:
		  auto_shutdown: any_significant
		  children:
		    - name: flood-$t
		      restart: transient
		      significant: true
		      cmd: [seq, -f, "$t%g", "1", "150000"]
		      output: log
		EOF
		"$OSL" -p p.yaml supervise -c "$t.yaml" -s "$XDG_RUNTIME_DIR/$t.sock" >/dev/null 2>&1 &
		pids+=($!)
	done
	echo data > f
	for _ in $(seq 100); do "$OSL" -p p.yaml fs stat f >/dev/null; done
	for p in "${pids[@]}"; do timeout 120 tail --pid="$p" -f /dev/null; wait "$p"; done
	files=$(rotated "$LOG")
	run "$OSL" log verify -r $files "$LOG"
	assert_success
	refute_output --partial torn
	output_lines > lines
	for t in x y; do
		grep "^$t" lines > "lines.$t"
		seq -f "$t%g" 1 150000 | cmp - "lines.$t"
	done
	[ "$(for f in $files "$LOG"; do "$OSL" log show -a fs.read "$f" | tail -n +2; done | wc -l)" -eq 100 ]
	rm -f "$LOG".*
}

@test "output log: a supervisor killed while it writes leaves at most one torn line, which the next writer steps over" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: flood
	      cmd: [seq, "1", "3000000"]
	      output: log
	EOF
	start_tree
	# bounded: until some 100,000 records are there
	for _ in $(seq 600); do
		[ "$(stat -c %s "$LOG" 2>/dev/null || echo 0)" -gt 60000000 ] && break
		sleep 0.05
	done
	kill -KILL "$SVPID"
	wait "$SVPID" || true
	SVPID=
	echo data > f
	"$OSL" fs stat f >/dev/null
	files=$(rotated "$LOG")
	run "$OSL" log verify -r $files "$LOG"
	assert_success
	echo "$output"
	# a torn line, if any, is the only one and is named
	case $output in *torn*) assert_output --partial "1 torn line (line" ;; esac
	# the last record but the log's own (a checkpoint may follow it); a
	# torn line is no JSON
	[ "$(jq -rR 'fromjson? | .event.action' "$LOG" | grep -v '^log\.' | tail -1)" = fs.read ]
	rm -f "$LOG".*
}

@test "output log: at shutdown every pipe is read to its end before the records are closed" {
	# each child writes its lines only when told to stop, into a pipe that
	# holds far fewer: osl must go on reading while they end
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: a
	      cmd: [sh, -c, "trap 'seq -f a%g 1 30000; exit 0' TERM; echo up; while :; do sleep 0.05; done"]
	      output: log
	    - name: b
	      cmd: [sh, -c, "trap 'seq -f b%g 1 30000 >&2; exit 0' TERM; echo up; while :; do sleep 0.05; done"]
	      output: log
	EOF
	start_tree
	wait_record '.event.action == "supervise.output" and .osl.supervise.name == "a" and .message == "up"'
	wait_record '.event.action == "supervise.output" and .osl.supervise.name == "b" and .message == "up"'
	kill -TERM "$SVPID"
	wait "$SVPID" || true
	SVPID=
	output_lines > lines
	for c in a b; do
		grep "^$c" lines > "lines.$c"
		[ "$(wc -l < "lines.$c")" -eq 30000 ]
		seq -f "$c%g" 1 30000 | cmp - "lines.$c"
	done
	[ "$(jq -r 'select(.event.action == "supervise.output" and .message == "b30000") | .osl.supervise.stream' "$LOG")" = stderr ]
	run "$OSL" log verify "$LOG"
	assert_success
}

@test "output log:drop: every line is either a record or counted as dropped; the child is never stuck" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: flood
	      cmd: [sh, -c, "seq 1 20000; touch written; sleep 0.5; echo done; exec sleep 1000"]
	      output: log:drop
	EOF
	start_tree
	for _ in $(seq 600); do [ -e written ] && break; sleep 0.05; done
	[ -e written ]
	wait_record '.event.action == "supervise.output" and .message == "done"'
	logged=$(jq -c 'select(.event.action == "supervise.output" and (.message | test("^[0-9]+$")))' "$LOG" | wc -l)
	dropped=$(jq -s '[.[] | select(.event.action == "supervise.output") | .osl.supervise.dropped_lines // 0] | add' "$LOG")
	echo "logged $logged dropped $dropped"
	[ $((logged + dropped)) -eq 20000 ]
	[ "$(child 0 .output_dropped)" -eq "$dropped" ]
}

@test "output file: appended, created 0600 by the supervisor" {
	echo "before" > out.log
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: w
	      cmd: [sh, -c, "echo to-out; echo to-err >&2; exec sleep 1000"]
	      output: "file:out.log"
	    - name: n
	      cmd: [sh, -c, "echo new; exec sleep 1000"]
	      output: "file:sub/new.log"
	EOF
	mkdir sub
	start_tree
	for _ in $(seq 200); do [ "$(wc -l < out.log)" -ge 3 ] && [ -s sub/new.log ] && break; sleep 0.05; done
	[ "$(head -1 out.log)" = before ]
	grep -qx to-out out.log
	grep -qx to-err out.log
	[ "$(stat -c %a sub/new.log)" = 600 ]
	[ "$(cat sub/new.log)" = new ]
}

@test "user: a child runs as another user (name or uid:gid), its notify socket works for it" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch users"
	id nobody >/dev/null 2>&1 || skip "needs a 'nobody' user"
	command -v systemd-notify >/dev/null || skip "systemd-notify is needed"
	chmod 0755 "$T"
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: a
	      cmd: [sh, -c, "id -u; id -g; id -G; echo \$USER; systemd-notify --ready; exec sleep 1000"]
	      user: nobody
	      output: log
	      ready: { notify: true, timeout: 10s }
	    - name: b
	      cmd: [sh, -c, "id -u; id -g; exec sleep 1000"]
	      user: "4242:4343"
	      output: log
	EOF
	start_tree
	wait_for 0 .state up
	wait_for 1 .state up
	[ "$(child 0 .user)" = nobody ]
	wait_record '.osl.supervise.name == "b" and .message == "4343"'
	msgs() { jq -r "select(.event.action == \"supervise.output\" and .osl.supervise.name == \"$1\") | .message" "$LOG" | tr '\n' ' '; }
	nob=$(id -u nobody) nog=$(id -g nobody)
	[ "$(msgs a)" = "$nob $nog $(id -G nobody) nobody " ]
	[ "$(msgs b)" = "4242 4343 " ]
	[ "$(stat -c %u /proc/"$(child 0 .pid)")" = "$nob" ]
}

@test "user and policy: a sandboxed child runs as its user, with or without CAP_SYS_ADMIN" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch users"
	id nobody >/dev/null 2>&1 || skip "needs a 'nobody' user"
	command -v setpriv >/dev/null || skip "setpriv is needed"
	# a folder nobody can reach: the child enters it again after its mounts
	W=$(mktemp -d /tmp/osl-svuser.XXXXXX)
	chmod 0755 "$W"
	cd "$W"
	mkdir -m 0777 allowed
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: a
	      cmd: [sh, -c, "id -u; grep CapEff /proc/self/status; echo x > allowed/a && echo wrote; exec sleep 1000"]
	      user: nobody
	      policy: $P/child-policy.yaml
	      output: log
	EOF
	msgs() { jq -r 'select(.event.action == "supervise.output") | .message' "$LOG" | tr '\t\n' '  '; }
	nob=$(id -u nobody)
	start_tree
	wait_record '.message == "wrote"'
	[ "$(msgs)" = "$nob CapEff: 0000000000000000 wrote " ]
	kill -TERM "$SVPID" && wait "$SVPID" || true
	SVPID=
	# root without CAP_SYS_ADMIN (a container's): the ids change before the
	# user namespace is made, which maps them
	rm -f "$LOG" allowed/a
	setpriv --bounding-set=-sys_admin --inh-caps=-all true 2>/dev/null || skip "setpriv cannot drop CAP_SYS_ADMIN"
	setpriv --bounding-set=-sys_admin --inh-caps=-all "$OSL" supervise -c t.yaml \
	    >"$T/sv.out" 2>"$T/sv.err" &
	SVPID=$!
	wait_record '.message == "wrote" or (.message | test("failed"))'
	jq -r 'select(.message | test("failed")) | .message' "$LOG"
	[ "$(msgs)" = "$nob CapEff: 0000000000000000 wrote " ]
	cd "$T"
	rm -rf "$W"
}

@test "user: only root can switch users: a config error otherwise" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to become another user for the test"
	command -v setpriv >/dev/null || skip "setpriv is needed"
	chmod 0755 "$T"
	printf 'version: 1\nsupervisor:\n  children:\n    - name: a\n      cmd: [true]\n      user: root\n' > u.yaml
	chmod 0644 u.yaml
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OSL" -l none supervise -c u.yaml --check
	[ "$status" -eq 2 ] || [ "$status" -eq 126 ] && [[ "$output" != *"u.yaml:6:13: user: only root"* ]] && skip "osl is not reachable as nobody here"
	assert_failure 2
	assert_output --partial "u.yaml:6:13: user: only root can run a child as another user"
}

@test "policy: a child runs sandboxed by its own policy: a denied write fails, limits apply" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: boxed
	      cmd: [sh, -c, "echo fine > allowed/ok; echo bad > denied || echo write-refused; grep 'Max processes' /proc/self/limits; exec sleep 1000"]
	      policy: $P/child-policy.yaml
	      output: log
	    - name: free
	      cmd: [sh, -c, "echo free > free.txt; exec sleep 1000"]
	EOF
	mkdir allowed
	start_tree
	wait_record '.message == "write-refused"'
	wait_record '.message | test("^Max processes")'
	[ "$(cat allowed/ok)" = fine ]
	[ ! -e denied ]
	jq -r 'select(.message | test("^Max processes")) | .message' "$LOG" | grep -Eq 'Max processes +64 +64'
	for _ in $(seq 100); do [ -s free.txt ] && break; sleep 0.05; done
	[ "$(cat free.txt)" = free ]
	# the start record sums up the report --check shows, as proc.exec's does;
	# a child without a policy has none
	want=$("$OSL" -j supervise -c t.yaml --check | jq -c '.enforcement.boxed |
	    (.[:-1] | map(.enforcement)) as $l | .[-1] | {landlock_abi, seccomp,
	    full: ($l | map(select(. == "full")) | length),
	    partial: ($l | map(select(. == "partial")) | length),
	    none: ($l | map(select(. == "none")) | length)}')
	[ "$(jq -c 'select(.event.action == "supervise.start" and .osl.supervise.name == "boxed") |
	    .osl.enforcement' "$LOG")" = "$want" ]
	[ "$(jq -c 'select(.event.action == "supervise.start" and .osl.supervise.name == "free") |
	    .osl.enforcement' "$LOG")" = null ]
}

@test "policy: a child in a PID namespace killed by a signal is seen as killed, in its record and by the restart decision" {
	unshare -fp true 2>/dev/null || skip "no PID namespaces here (needs root)"
	printf 'version: 1\nextends: [%s]\nproc:\n  namespaces: [pid]\n' "$P/child-policy.yaml" > pid.yaml
	# the namespace's init exits 128+N for its program's signal N: the
	# supervisor must see the signal itself. One tree for each, so that
	# the shutdown after one cannot stop the other first (under load):
	# k dies of KILL (temporary, significant: the tree then shuts down);
	# t's TERM is its stop signal, a normal end for a transient child (as
	# OTP's shutdown): not restarted, and the tree shuts down (exit 0)
	# rather than restart it until it gives up (exit 1)
	for c in "k KILL temporary" "t TERM transient"; do
		set -- $c
		cat > t.yaml <<-EOF
		version: 1
		supervisor:
		  auto_shutdown: any_significant
		  children:
		    - name: $1
		      cmd: [sh, -c, "kill -$2 \$\$"]
		      restart: $3
		      significant: true
		      policy: pid.yaml
		EOF
		run timeout 60 "$OSL" supervise -c t.yaml
		assert_success
	done
	jq -c 'select(.event.action == "supervise.exit") | [.process.exit_code, .osl.supervise.signal]' "$LOG" | sort > exits
	cat exits
	[ "$(cat exits)" = "$(printf '[null,"SIGKILL"]\n[null,"SIGTERM"]')" ]
}

@test "policy: a policy that does not load stops the file before anything starts (exit 2)" {
	printf 'version: 1\ndefault: sometimes\n' > bad-policy.yaml
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: x
	      cmd: [sh, -c, "touch started; exec sleep 1000"]
	      policy: bad-policy.yaml
	EOF
	run osl supervise -c t.yaml
	assert_failure 2
	assert_output --partial "t.yaml:6:15: policy: "
	assert_output --partial "bad-policy.yaml:2:"
	[ ! -e started ]
	sed -i 's/bad-policy.yaml/nosuch.yaml/' t.yaml
	run osl supervise -c t.yaml --check
	assert_failure 2
	assert_output --partial "t.yaml:6:15: policy: "
}

@test "env and cwd: the child gets its settings" {
	mkdir work
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: e
	      cmd: [sh, -c, "echo \$GREETING \$PWD; exec sleep 1000"]
	      env: { set: { GREETING: hello } }
	      cwd: $T/work
	      output: log
	EOF
	start_tree
	wait_record ".message == \"hello $T/work\""
}

@test "bad values of the child keys: FILE:LINE:COL and exit 2" {
	bad() {
		printf 'version: 1\nsupervisor:\n  children:\n    - name: x\n      cmd: [sleep, "1"]\n      %s\n' "$1" > b.yaml
		run osl supervise -c b.yaml --check
		assert_failure 2
		assert_output --partial "b.yaml:$2"
	}
	bad 'ready: { notify: false }' "6:24: ready.notify: true"
	bad 'ready: { notify: maybe }' "6:24: notify: true or false"
	bad 'ready: { tcp: "nohost" }' "6:21: ready.tcp: HOST:PORT"
	bad 'ready: { tcp: "127.0.0.1:0" }' "6:21: ready.tcp: HOST:PORT"
	bad 'ready: { tcp: [1] }' "6:21: ready.tcp"
	bad 'ready: { exec: [] }' "6:22: ready.exec: the program is needed"
	bad 'ready: { exec: [./nosuch-probe] }' "6:23: './nosuch-probe'"
	bad 'ready: { exec: x }' "6:22: ready.exec: a list is needed"
	bad 'ready: { timeout: 1s }' "6:14: ready: one of fd, notify, tcp or exec is needed"
	bad 'ready: { notify: true, timeout: soon }' "6:39: timeout: 'soon': bad duration (e.g. 250ms, 10s, 5m)"
	bad 'ready: { notify: true, timeout: 0s }' "6:39: ready.timeout: more than 0"
	bad 'ready: { notify: true, fd: 3 }' "6:24: ready: one of fd, notify, tcp or exec, not two"
	bad 'ready: { color: red }' "6:16: 'color': unknown or unsupported key"
	bad 'health: { interval: 1s }' "6:15: health: 'exec' is needed"
	bad 'health: { exec: [true], interval: 0s }' "6:41: health: interval, timeout and retries"
	bad 'health: { exec: [true], retries: 0 }' "6:40: health: interval, timeout and retries"
	bad 'health: { exec: [true], retries: -1 }' "6:40: retries: a number from 0 to 1000"
	bad 'health: { exec: [true], timeout: x }' "6:40: timeout: 'x': bad duration"
	bad 'health: { exec: [true], every: 1s }' "6:31: 'every': unknown or unsupported key"
	bad 'output: logs' "6:15: output: log, log:drop, inherit or file:PATH is needed"
	bad 'output: "file:"' "6:15: output: log, log:drop, inherit or file:PATH"
	bad 'output: [log]' "6:15: output: log, log:drop, inherit or file:PATH"
	bad 'policy: ""' "6:15: policy: a file is needed"
	bad 'user: ""' "6:13: user: a user name or UID[:GID] is needed"
	if [ "$(id -u)" -eq 0 ]; then
		bad 'user: no-such-user-here' "6:13: user: 'no-such-user-here': no such user"
		bad 'user: "1:x"' "6:13: user: UID[:GID] with numbers"
	fi
}

# A tree of sleepers: "name:seconds" words.
sleepers() {
	printf 'version: 1\nsupervisor:\n  children:\n' > t.yaml
	for w in "$@"; do
		printf '    - { name: %s, cmd: [sleep, "%s"] }\n' "${w%%:*}" "${w#*:}" >> t.yaml
	done
}

names_pids() { "$OSL" -j supervise ctl status | jq -r '[.tree.children[] | "\(.name)=\(.pid)"] | join(" ")'; }

@test "reload (ctl): only the changed children restart, removed ones stop, added ones start, in order" {
	sleepers a:1001 b:1002 c:1003
	start_tree
	a=$(child 0 .pid) b=$(child 1 .pid) c=$(child 2 .pid)
	sleepers d:1004 a:1001 b:2002
	run osl -j supervise ctl reload
	assert_success
	[ "$(jget '[.kept, .added, .changed, .removed] | map(tostring) | join(" ")' "$output")" = "1 1 1 1" ]
	wait_for 2 .name b
	wait_for 2 '.pid != null' true
	wait_for 0 '.pid != null' true
	[ "$(child 1 .pid)" = "$a" ]
	[ "$(child 0 .name)" = d ]
	[ "$(child 2 .pid)" != "$b" ]
	for _ in $(seq 100); do kill -0 "$c" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$c" 2>/dev/null
	! kill -0 "$b" 2>/dev/null
	[ "$(tr '\0' ' ' < /proc/"$(child 2 .pid)"/cmdline)" = "sleep 2002 " ]
	run osl supervise ctl stop c
	assert_failure 1
	assert_output --partial "no such child"
	grep -q '"action":"supervise.reload"' "$LOG"
	# the kept child is still supervised
	kill -KILL "$a"
	for _ in $(seq 200); do p=$(child 1 .pid); [ "$p" != "$a" ] && [ "$p" != null ] && break; sleep 0.05; done
	[ "$(child 1 .restarts)" = 1 ]
}

@test "reload (SIGHUP): a child added to a nested supervisor; nothing else moves" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: w
	      supervisor:
	        children:
	          - { name: x, cmd: [sleep, "1001"] }
	    - { name: y, cmd: [sleep, "1002"] }
	EOF
	start_tree
	before=$("$OSL" -j supervise ctl status | jq -c '[.. | .pid? // empty]')
	sed -i 's/^          - { name: x, cmd: \[sleep, "1001"\] }$/&\n          - { name: z, cmd: [sleep, "1003"] }/' t.yaml
	kill -HUP "$SVPID"
	wait_for 0 '.children[1].pid != null' true
	[ "$(child 0 '.children[1].name')" = z ]
	after=$("$OSL" -j supervise ctl status | jq -c '[.. | .pid? // empty]')
	[ "$(jq -c '.[0:1] + .[2:3]' <<<"$after")" = "$before" ]
}

@test "reload: a bad file keeps the running tree, and says why (ctl, log)" {
	sleepers a:1001 b:1002
	start_tree
	before=$(names_pids)
	printf 'version: 1\nsupervisor:\n  strategy: sometimes\n  children: []\n' > t.yaml
	run osl supervise ctl reload
	assert_failure 1
	assert_output --partial "t.yaml:3:13: strategy: one of one_for_one"
	kill -HUP "$SVPID"
	for _ in $(seq 100); do [ "$(jq -c 'select(.event.action == "supervise.reload")' "$LOG" | wc -l)" -ge 2 ] && break; sleep 0.05; done
	r=$(jq -c 'select(.event.action == "supervise.reload")' "$LOG" | tail -1)
	[ "$(jget .event.outcome "$r")" = failure ]
	jget .message "$r" | grep -q "kept the running tree"
	[ "$(names_pids)" = "$before" ]
	kill -0 "$SVPID"
}

@test "reload: more replicas add workers; an edited policy file restarts the child that uses it" {
	printf 'version: 1\ndefault: allow\n' > pol.yaml
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - { name: w, cmd: [sleep, "1001"], replicas: 2 }
	    - { name: p, cmd: [sleep, "1002"], policy: pol.yaml }
	EOF
	start_tree
	w1=$(child 0 .pid) w2=$(child 1 .pid) p=$(child 2 .pid)
	sed -i 's/replicas: 2/replicas: 3/' t.yaml
	run osl -j supervise ctl reload
	assert_success
	[ "$(jget '[.kept, .added, .changed, .removed] | map(tostring) | join(" ")' "$output")" = "3 1 0 0" ]
	wait_for 2 .name w-3
	wait_for 2 '.pid != null' true
	[ "$(child 0 .pid)" = "$w1" ] && [ "$(child 1 .pid)" = "$w2" ] && [ "$(child 3 .pid)" = "$p" ]
	printf 'version: 1\ndefault: allow\nproc: { limits: { nofile: 512 } }\n' > pol.yaml
	run osl -j supervise ctl reload
	assert_success
	[ "$(jget .changed "$output")" = 1 ]
	for _ in $(seq 200); do q=$(child 3 .pid); [ "$q" != "$p" ] && [ "$q" != null ] && break; sleep 0.05; done
	[ "$(child 3 .pid)" != "$p" ]
	[ "$(child 0 .pid)" = "$w1" ]
	grep -Eq 'Max open files +512 +512' /proc/"$(child 3 .pid)"/limits
}

@test "policy: a sandboxed child cannot rewrite the supervisor's log, though its policy writes that folder (-l)" {
	mkdir -p allowed/state
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: boxed
	      cmd: [sh, -c, "if echo forged >> allowed/state/sv.jsonl; then echo rewrote; else echo refused; fi; echo mine > allowed/ok; exec sleep 1000"]
	      policy: $P/child-policy.yaml
	      output: log
	EOF
	LOG=$PWD/allowed/state/sv.jsonl SV_OPTS="-l file:$PWD/allowed/state/sv.jsonl" start_tree
	LOG=$PWD/allowed/state/sv.jsonl wait_record '.message == "refused" or .message == "rewrote"'
	# the folder is the child's to write, the log in it is not
	[ "$(cat allowed/ok)" = mine ]
	run jq -r 'select(.message == "refused" or .message == "rewrote") | .message' allowed/state/sv.jsonl
	assert_output refused
	! grep -q forged allowed/state/sv.jsonl
	run "$OSL" log verify allowed/state/sv.jsonl
	assert_success
}

@test "RLIMIT_NOFILE: osl raises its soft limit for its children's pidfds and cgroups, the children get the one osl was given" {
	[ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -ge 1000 ] || skip "a hard RLIMIT_NOFILE of 1000 or more is needed"
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: probe
	      cmd: [sh, -c, "ulimit -Sn > nofile; exec sleep 1000"]
	    - name: w
	      cmd: [sleep, "1000"]
	      replicas: 60
	EOF
	# 100: below it, with about 3 descriptors a child, the last children
	# had neither a pidfd nor a cgroup
	( ulimit -Sn 100; exec "$OSL" supervise -c t.yaml >"$T/sv.out" 2>"$T/sv.err" ) &
	SVPID=$!
	wait_socket
	for _ in $(seq 200); do [ -s nofile ] && break; sleep 0.05; done
	[ "$(cat nofile)" = 100 ]
	[ "$(awk '/Max open files/ { print $4 == $5 }' /proc/"$SVPID"/limits)" = 1 ]
	run "$OSL" -j supervise ctl status
	assert_success
	[ "$(echo "$output" | jq -r '.tree.children[0].containment')" = cgroup ] ||
		skip "no cgroup containment here: $(echo "$output" | jq -r '.tree.children[0].containment_note')"
	echo "$output" | jq -e '[.. | objects | select(has("containment")) | .containment] |
	    length >= 61 and all(. == "cgroup")'
}

# --- the escape probes as supervised children (test/probes/run -s supervise) ---

probes_supervised() {	# [-u]
	PROBES=${OSL_BUILD:-$OSL_TOP/build}/probes
	[ -x "$PROBES/_helper" ] || PROBES=$OSL_TOP/build/probes
	[ -x "$PROBES/_helper" ] || skip "probes not built (make probes)"
	run "$OSL" -j -p "$OSL_TOP/test/fixtures/policies/proc-full.yaml" proc run --dry-run
	[ "$(echo "$output" | jq '.[-1].landlock_abi')" -ge 1 ] || skip "needs Landlock"
	probes_held -s supervise "$@" "$PROBES"
	# connect() is osl's to decide for a supervised child as well
	# (unix_netns needs unshare -n for its listener)
	if echo "$output" | grep -q "^unix_later 0 13 held"; then
		assert_line --regexp "^unix_netns (0 13 held|- - skip:)"
	else
		assert_line "unix_later 0 0 partial"	# a kernel without user notification
	fi
}

@test "probes: every escape probe that works bare is held (or partial, as --check says and --require-full refuses) as a supervised child with its policy" {
	probes_supervised
}

@test "probes: as an unprivileged supervisor too, every probe is held or partial as its child" {
	command -v setpriv >/dev/null || skip "setpriv is needed for -u"
	setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U true 2>/dev/null ||
	    skip "no unprivileged user namespaces here"
	probes_supervised -u
}

# Where osl decides a child's connect() under child-policy.yaml: cd into a
# folder of the test's ($W, outside the test's own: a child with user:
# reaches it) with allowed/ (mode 0777) and out/, and a listener (LP) on each
# named socket below it, ready; else skip.
unix_listeners() {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed"
	osl -j -p "$P/child-policy.yaml" proc run --dry-run |
	    jq -e '.[] | select(.rule == "unix-connect") | .reason | test("decided by osl")' >/dev/null ||
	    skip "no seccomp user notification or pidfd_getfd here"
	W=$(mktemp -d /tmp/osl-svconn.XXXXXX)
	chmod 0755 "$W"
	cd "$W"
	mkdir -m 0777 allowed
	mkdir out
	# shellcheck disable=SC2016
	/usr/bin/python3 -c 'import os, socket, sys, time
k = []
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX); s.bind(p); os.chmod(p, 0o777); s.listen(64); k.append(s)
print("ready", flush=True)
time.sleep(120)' "${@/#/$W/}" > l.out &
	LP=$!
	for _ in $(seq 200); do grep -q ready l.out && break; sleep 0.05; done
}

@test "policy: osl decides a supervised child's connect() to a named unix socket: one under a write rule connects, one outside is refused (a proc.denied record), with and without user:, restarted too" {
	unix_listeners allowed/ok.sock out/no.sock
	cat > c.py <<-'EOF'
	import socket, sys
	for p in sys.argv[1:]:
	    c = socket.socket(socket.AF_UNIX)
	    try: c.connect(p); print(p.rsplit("/", 1)[1], "connected", flush=True)
	    except OSError as e: print(p.rsplit("/", 1)[1], e.errno, flush=True)
	EOF
	users="" k=0
	[ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && users="nobody"
	for u in "" $users; do
		# a transient child that fails twice: three runs, each its own pair
		cat > t.yaml <<-EOF
		version: 1
		supervisor:
		  intensity: 5
		  auto_shutdown: any_significant
		  children:
		    - name: c
		      cmd: [sh, -c, "/usr/bin/python3 $W/c.py $W/allowed/ok.sock $W/out/no.sock; echo x >> allowed/runs; [ \$(wc -l < allowed/runs) -ge 3 ]"]
		      restart: transient
		      significant: true
		      policy: $P/child-policy.yaml
		      ${u:+user: $u}
		EOF
		rm -f allowed/runs
		run timeout 60 "$OSL" supervise -c t.yaml
		echo "$output"
		assert_success
		[ "$(grep -c '^ok.sock connected$' <<< "$output")" -eq 3 ]
		[ "$(grep -c '^no.sock 13$' <<< "$output")" -eq 3 ]
		# each refusal a proc.denied record of the run, at its end
		k=$((k + 3))
		[ "$(jq -c "select(.event.action == \"proc.denied\" and .osl.supervise.name == \"c\" and
		    .osl.blockers == \"unix.connect\" and .file.path == \"$W/out/no.sock\" and
		    .osl.denied_name == \"python3\")" "$LOG" | wc -l)" -eq "$k" ]
	done
	kill "$LP"
	cd "$T"
	rm -rf "$W"
}

@test "policy: a connect() osl refuses to a child's ready and health commands is a proc.denied record of the child, as its own are" {
	unix_listeners out/no.sock
	# each check tries the socket (refused), then passes: a ready and a
	# health run, each refused once
	cat > c.py <<-'EOF'
	import socket, sys
	c = socket.socket(socket.AF_UNIX)
	try: c.connect(sys.argv[1])
	except OSError: pass
	open(sys.argv[2], "a").write("x\n")
	EOF
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: c
	      cmd: [sleep, "1000"]
	      policy: $P/child-policy.yaml
	      ready: { exec: [/usr/bin/python3, $W/c.py, $W/out/no.sock, $W/allowed/ready] }
	      health: { exec: [/usr/bin/python3, $W/c.py, $W/out/no.sock, $W/allowed/health], interval: 50ms, timeout: 5s, retries: 3 }
	EOF
	"$OSL" supervise -c t.yaml 3>&- &
	SVPID=$!
	for _ in $(seq 400); do [ -s allowed/health ] && break; sleep 0.05; done
	sel="select(.event.action == \"proc.denied\" and .osl.supervise.name == \"c\" and
	    .osl.blockers == \"unix.connect\" and .file.path == \"$W/out/no.sock\")"
	for _ in $(seq 400); do
		[ "$(jq -c "$sel" "$LOG" 2>/dev/null | wc -l)" -ge 2 ] && break
		sleep 0.05
	done
	kill "$LP"
	[ -s allowed/ready ] && [ -s allowed/health ]
	[ "$(jq -c "$sel" "$LOG" | wc -l)" -ge 2 ]
	cd "$T"
	rm -rf "$W"
}

@test "policy: in the host's network namespace (builtin:default) a supervised child's own abstract sockets connect, a host process's is refused (EPERM)" {
	abstract_host_listener "osl-t-svabs-host-$$"
	cat > a.py <<-EOF
	import os, socket
	s = socket.socket(socket.AF_UNIX); s.bind("\\0osl-t-svabs-own-%d" % os.getpid()); s.listen(4)
	def try_(name, what):
	    c = socket.socket(socket.AF_UNIX)
	    try: c.connect(name); print(what, "connected", flush=True)
	    except OSError as e: print(what, e.errno, flush=True)
	try_("\\0osl-t-svabs-own-%d" % os.getpid(), "own")
	try_("\\0osl-t-svabs-host-$$", "host")
	EOF
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  auto_shutdown: any_significant
	  children:
	    - name: a
	      cmd: [/usr/bin/python3, $T/a.py]
	      restart: temporary
	      significant: true
	      policy: builtin:default
	EOF
	run timeout 60 "$OSL" -l none supervise -c t.yaml
	kill "$LISTENER"
	assert_success
	assert_output "own connected
host 1"
}

@test "policy and ready notify: the sandboxed child's sd_notify datagram gets through, and its report says unix-connect partial; a child without notify has no unix datagram socket" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed"
	osl -j -p "$P/child-policy.yaml" proc run --dry-run |
	    jq -e '.[] | select(.rule == "unix-connect") | .reason | test("decided by osl")' >/dev/null ||
	    skip "no seccomp user notification or pidfd_getfd here"
	cat > n.py <<-'EOF'
	import os, socket, time
	try:
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	    s.sendto(b"READY=1", os.environ.get("NOTIFY_SOCKET", "/nonexistent"))
	    print("sent", flush=True)
	except OSError as e:
	    print("dgram", e.errno, flush=True)
	# the sender stays: one that has exited before osl reads its datagram
	# cannot be told from a stranger (osl-supervise(8), ready)
	time.sleep(1000)
	EOF
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: n
	      cmd: [/usr/bin/python3, $T/n.py]
	      ready: { notify: true, timeout: 60s }
	      policy: $P/child-policy.yaml
	      output: log
	    - name: plain
	      cmd: [/usr/bin/python3, $T/n.py]
	      policy: $P/child-policy.yaml
	      output: log
	EOF
	run "$OSL" -j supervise -c t.yaml --check
	assert_success
	echo "$output" | jq -e '.enforcement.n[] | select(.rule == "unix-connect") | .enforcement == "partial" and (.reason | test("sd_notify"))'
	echo "$output" | jq -e '.enforcement.plain[] | select(.rule == "unix-connect") | .enforcement == "full"'
	start_tree
	wait_for 0 .state up
	wait_record '.osl.supervise.name == "plain" and .message == "dgram 1"'
	wait_record '.osl.supervise.name == "n" and .message == "sent"'
}

@test "check: --check shows each sandboxed child's enforcement report; --require-full refuses a tree with a child not held in full (exit 125), before anything starts, and a reload that would bring one" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: boxed
	      cmd: [sh, -c, "touch allowed/started; exec sleep 1000"]
	      policy: $P/child-policy.yaml
	    - name: free
	      cmd: [sleep, "1000"]
	EOF
	mkdir allowed
	# the control socket's folder is hidden once it is there (the run makes it)
	run "$OSL" -j supervise -c t.yaml --check
	assert_success
	echo "$output" | jq -e '[.enforcement.boxed[] | select(.rule == "control-socket")] | length == 0'
	mkdir -m 0700 "$XDG_RUNTIME_DIR/osl"
	run "$OSL" -j supervise -c t.yaml --check
	assert_success
	echo "$output" | jq -e '.enforcement.boxed | type == "array"'
	echo "$output" | jq -e '.enforcement.boxed[] | select(.rule == "control-socket")'
	echo "$output" | jq -e '.enforcement | has("free") | not'
	# a rule on a path that is not there allows nothing: partial
	printf 'version: 1\nextends: [%s]\nfs: { read: ["%s/nowhere/**"] }\n' "$P/child-policy.yaml" "$T" > gap.yaml
	sed -i "s|$P/child-policy.yaml|gap.yaml|" t.yaml
	run "$OSL" supervise -c t.yaml --check
	assert_success
	assert_line "boxed: enforcement partial"
	run "$OSL" supervise -c t.yaml --check --require-full
	assert_failure 125
	run "$OSL" supervise -c t.yaml --require-full
	assert_failure 125
	assert_output --partial "--require-full: 1 child is not held in full (boxed"
	[ ! -e allowed/started ]
	run "$OSL" supervise --require-full -- true
	assert_failure 2
	# a reload that would bring such a child is refused; the tree runs on
	sed -i "s|gap.yaml|$P/child-policy.yaml|" t.yaml
	"$OSL" supervise -c t.yaml --require-full >"$T/sv.out" 2>"$T/sv.err" &
	SVPID=$!
	wait_socket
	for _ in $(seq 200); do [ -e allowed/started ] && break; sleep 0.05; done
	[ -e allowed/started ]
	pid=$(child 0 .pid)
	sed -i "s|$P/child-policy.yaml|gap.yaml|" t.yaml
	run "$OSL" supervise ctl reload
	assert_failure
	assert_output --partial "--require-full: 1 child is not held in full (boxed"
	[ "$(child 0 .pid)" = "$pid" ]
}
