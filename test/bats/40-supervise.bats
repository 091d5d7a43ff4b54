#!/usr/bin/env bats
# osl supervise -- CMD: a tini-compatible PID 1 / subreaper and a one-child
# supervisor.  Real processes; no timing is asserted, only outcomes.
load supervise

setup() { common_setup; }

# Wait (up to 10 s) for file $1 to exist.
wait_file() {
	for _ in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done
	return 1
}

@test "supervise: -h, and no command is a usage error" {
	run osl supervise -h
	assert_success
	assert_line --index 0 --partial "usage: osl supervise"
	run osl supervise
	assert_failure 2
	assert_output --partial "a command is needed"
	run osl supervise --restart sometimes -- true
	assert_failure 2
	run osl supervise --period 0 -- true
	assert_failure 2
}

@test "supervise: exits with the child's status, 128+N for a signal" {
	run osl supervise -- sh -c 'exit 0'
	assert_success
	run osl supervise -- sh -c 'exit 3'
	assert_failure 3
	run osl supervise -- sh -c 'kill -USR1 $$'
	assert_failure 138
	run osl supervise -- sh -c 'kill -KILL $$'
	assert_failure 137
}

@test "supervise: command not found is 127, not executable is 126" {
	run -127 osl supervise -- ./nosuch
	assert_output --partial "nosuch"
	printf '#!/bin/sh\n' > notexec
	chmod 0644 notexec
	run osl supervise -- ./notexec
	assert_failure 126
}

@test "supervise: the child gets stdin, stdout, the environment and its arguments" {
	run bash -c "echo hello | FOO=bar '$OSL' supervise -- sh -c 'read x; echo \$x \$FOO \$0 \$1' a b"
	assert_success
	assert_output "hello bar a b"
}

@test "supervise: the child gets the signal mask osl inherited (nothing blocked)" {
	run osl supervise -- sh -c 'grep SigBlk /proc/self/status'
	assert_success
	assert_output --regexp 'SigBlk:[[:space:]]+0+$'
}

@test "supervise --restart on-failure: restarts a failing child, then gives up with its status" {
	run osl supervise --restart on-failure --max-restarts 2 --period 1m -- sh -c 'echo run; exit 4'
	assert_failure 4
	[ "$(grep -c '^run$' <<<"$output")" -eq 3 ]
	grep -q '"action":"supervise.restart"' "$LOG"
	grep -q '"action":"supervise.giveup"' "$LOG"
	[ "$(grep -c '"action":"supervise.restart"' "$LOG")" -eq 2 ]
}

@test "supervise --restart on-failure: a clean exit is not restarted" {
	run osl supervise --restart on-failure -- sh -c 'echo run; exit 0'
	assert_success
	[ "$(grep -c '^run$' <<<"$output")" -eq 1 ]
}

@test "supervise --restart always: restarts even after exit 0; giving up is exit 1" {
	run osl supervise --restart always --max-restarts 1 --period 1m -- sh -c 'echo run; exit 0'
	assert_failure 1
	[ "$(grep -c '^run$' <<<"$output")" -eq 2 ]
}

@test "supervise --restart no: records start and exit in the log" {
	run osl supervise -- sh -c 'exit 5'
	assert_failure 5
	rec=$(grep '"action":"supervise.exit"' "$LOG" | tail -n 1)
	[ "$(jget '.process.exit_code' "$rec")" = 5 ]
	[ "$(jget '.event.outcome' "$rec")" = failure ]
	rec=$(grep '"action":"supervise.start"' "$LOG" | tail -n 1)
	[ "$(jget '.event.outcome' "$rec")" = success ]
}

@test "supervise: SIGTERM reaches the child; osl exits with the child's status" {
	"$OSL" supervise -- sh -c "trap 'exit 7' TERM; touch $T/up; while :; do sleep 0.05; done" \
	    >/dev/null 2>&1 &
	pid=$!
	wait_file "$T/up"
	kill -TERM "$pid"
	st=0; wait "$pid" || st=$?
	[ "$st" -eq 7 ]
	"$OSL" supervise -- sh -c "touch $T/up2; exec sleep 100" >/dev/null 2>&1 &
	pid=$!
	wait_file "$T/up2"
	kill -TERM "$pid"
	st=0; wait "$pid" || st=$?
	[ "$st" -eq 143 ]
}

@test "supervise: a stubborn child is killed after --stop-timeout" {
	"$OSL" supervise --stop-timeout 200ms -- sh -c "trap '' TERM; touch $T/up; while :; do sleep 0.05; done" \
	    >/dev/null 2>&1 &
	pid=$!
	wait_file "$T/up"
	kill -TERM "$pid"
	st=0; wait "$pid" || st=$?
	[ "$st" -eq 137 ]
}

@test "supervise: signals are forwarded to the child's whole process group" {
	"$OSL" supervise -- sh -c "
	    (trap 'touch $T/grandchild; exit 0' USR1; touch $T/up2; while :; do sleep 0.05; done) &
	    trap 'touch $T/child' USR1
	    touch $T/up
	    while [ ! -e $T/child ] || [ ! -e $T/grandchild ]; do sleep 0.05; done; exit 0" >/dev/null 2>&1 &
	pid=$!
	# both traps are set (a USR1 before would end the grandchild)
	wait_file "$T/up"
	wait_file "$T/up2"
	kill -USR1 "$pid"
	wait "$pid"
	assert_file_exists "$T/child"
	assert_file_exists "$T/grandchild"
}

@test "supervise: the child runs in its own session and process group" {
	run osl supervise -- sh -c 'ps -o pid=,pgid=,sid= -p $$'
	assert_success
	read -r p g s <<<"$output"
	[ "$p" = "$g" ] && [ "$p" = "$s" ]
}

@test "supervise: leftovers of the child's group get TERM at once (no fixed wait)" {
	# a --grace of 1 h: osl must not wait for it when TERM suffices
	run timeout 20 "$OSL" supervise --grace 1h -- sh -c "sleep 1000 & echo \$! > $T/bg; exit 0"
	assert_success
	! kill -0 "$(cat "$T/bg")" 2>/dev/null
}

@test "supervise: leftovers that ignore TERM are killed after --grace" {
	run timeout 20 "$OSL" supervise --grace 200ms -- sh -c "(trap '' TERM; exec sleep 1000) & echo \$! > $T/bg; exit 0"
	assert_success
	! kill -0 "$(cat "$T/bg")" 2>/dev/null
}

@test "supervise: as a subreaper, orphans that left the group come back and are reaped" {
	# the parent ends once the orphan has left its group (else the group's
	# TERM at its end would reach it); the orphan waits (bounded) until it
	# has a new parent
	cat > "$T/orphan.sh" <<-EOF
	trap "" TERM
	touch $T/left
	for i in \$(seq 400); do [ "\$(cut -d" " -f4 /proc/\$\$/stat)" != "\$PPID" ] && break; sleep 0.05; done
	cut -d" " -f4 /proc/\$\$/stat > $T/ppid
	EOF
	"$OSL" supervise -- sh -c "setsid sh $T/orphan.sh &
	    for i in \$(seq 400); do [ -e $T/left ] && break; sleep 0.05; done; exit 0" >/dev/null 2>&1 &
	pid=$!
	wait "$pid"
	# osl waited for the orphan (it exits only when nothing is left) and adopted it
	assert_file_exists "$T/ppid"
	[ "$(cat "$T/ppid")" = "$pid" ]
}

@test "supervise: as PID 1 in a new PID namespace, 100 orphans are reaped at once" {
	unshare -fp --mount-proc true 2>/dev/null || skip "no PID namespaces here (needs root)"
	# bounded: until no sleep is left, alive or a zombie
	run unshare -fp --mount-proc "$OSL" supervise -- sh -c '
	    for i in $(seq 100); do (sleep 0.2 &); done
	    for i in $(seq 600); do
	        [ "$(ps -eo stat=,comm= | grep -c -e "^Z" -e " sleep$")" = 0 ] && break
	        sleep 0.05
	    done
	    ps -eo stat= | grep -c "^Z" || true'
	assert_success
	assert_output "0"
}

@test "supervise: as PID 1, SIGTERM to osl ends the child and osl with its status" {
	unshare -fp --mount-proc true 2>/dev/null || skip "no PID namespaces here (needs root)"
	unshare -fp --mount-proc "$OSL" supervise -- sh -c "touch $T/up; exec sleep 100" >/dev/null 2>&1 &
	pid=$!
	wait_file "$T/up"
	# unshare -f forks: its child is osl, PID 1 inside
	kill -TERM "$(pgrep -P "$pid")"
	st=0; wait "$pid" || st=$?
	[ "$st" -eq 143 ]
}

@test "supervise -e CODE (tini -e): that exit is a success, for osl's status and for --restart" {
	run osl supervise -e 3 -- sh -c 'exit 3'
	assert_success
	run osl supervise -e 3 -e 5 -- sh -c 'exit 4'
	assert_failure 4
	run osl supervise --restart on-failure -e 3 -- sh -c 'echo run; exit 3'
	assert_success
	[ "$(grep -c '^run$' <<<"$output")" -eq 1 ]
	# the record keeps the real status
	[ "$(grep '"action":"supervise.exit"' "$LOG" | tail -1 | jq .process.exit_code)" = 3 ]
	run osl supervise -e 256 -- true
	assert_failure 2
}

@test "supervise -w, -v (tini): a line for each orphan reaped; -v is accepted" {
	run --separate-stderr osl supervise -w -v -- sh -c '(sleep 0.2 &); sleep 1'
	assert_success
	[ "$(grep -c '^osl supervise: reaped orphan [0-9]* (status 0)$' <<<"$stderr")" -eq 1 ]
	run --separate-stderr osl supervise -- sh -c '(sleep 0.2 &); sleep 1'
	[ -z "$stderr" ]
}

@test "supervise --pdeathsig SIG (tini -p): osl gets SIG when its parent dies, and ends its child" {
	# the parent ends once osl runs its child (the option is in force by
	# then; one that ends before has nothing to tell osl)
	sh -c "'$OSL' supervise --pdeathsig term -- sleep 1000 & echo \$! > osl.pid
	    for i in \$(seq 400); do pgrep -P \$! -x sleep >/dev/null && break; sleep 0.05; done"
	pid=$(cat osl.pid)
	for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$pid" 2>/dev/null
	run osl supervise --pdeathsig NOPE -- true
	assert_failure 2
	assert_output --partial "'NOPE': --pdeathsig: unknown signal (a name such as HUP"
}

@test "supervise -s -- CMD and -g (tini's subreaper and group flags): accepted, the options end at --" {
	run osl supervise -s -- sh -c 'echo hi; exit 3'
	assert_failure 3
	assert_output hi
	run osl supervise -g -s -- sh -c 'exit 0'
	assert_success
}
