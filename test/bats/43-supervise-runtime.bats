#!/usr/bin/env bats
# osl supervise's runtime: the exec's outcome and the child's end as events
# (pidfds), orphans reaped without taking a supervised child's status, an
# idle supervisor that makes no system calls, cgroup v2 containment.  Real
# processes; no timing is asserted.
load helper
load supervise

status_json() { "$OSL" -j supervise ctl status; }
child_field() { status_json | jq -r --arg n "$1" ".tree.children[] | select(.name == \$n) | $2"; }

# Two sleepers, a and b.
start_sleepers() {
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: a
	      cmd: [sleep, "1000"]
	    - name: b
	      cmd: [sleep, "1000"]
	EOF
	start_tree
}

# Wait (up to 10 s) until child $1's pid is a number other than $2.
new_pid() {
	for _ in $(seq 200); do
		p=$(child_field "$1" .pid)
		[ "$p" != null ] && [ "$p" != "${2:-}" ] && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
}

@test "supervise: an exec that fails is 127 or 126 with the reason, as before" {
	printf '#!/nonexistent/interpreter\n' > badinterp
	printf '\177ELF not really' > badelf
	chmod +x badinterp badelf
	run -127 osl --audit supervise -- "$T/badinterp"
	assert_output --partial "'$T/badinterp': cannot run: No such file or directory"
	run -126 osl --audit supervise -- "$T/badelf"
	assert_output --partial "Exec format error"
	# the start record carries the exec's outcome, the exit record the status
	rec=$(grep '"action":"supervise.start"' "$LOG" | tail -n 1)
	[ "$(jget '.event.outcome' "$rec")" = failure ]
	rec=$(grep '"action":"supervise.exit"' "$LOG" | tail -n 1)
	[ "$(jget '.process.exit_code' "$rec")" = 126 ]
}

@test "supervise -c: a child whose exec fails does not hold up the others" {
	printf '#!/nonexistent/interpreter\n' > badinterp
	chmod +x badinterp
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 1000
	  period: 1m
	  children:
	    - name: bad
	      cmd: [$T/badinterp]
	      restart: temporary
	    - name: w
	      cmd: [sleep, "1000"]
	      replicas: 20
	EOF
	SV_OPTS=--audit start_tree
	for i in $(seq 20); do new_pid "w-$i" >/dev/null; done
	run child_field bad .state
	assert_output down
	rec=$(grep '"action":"supervise.exit"' "$LOG" | grep '"name":"bad"' | tail -n 1)
	[ "$(jget '.process.exit_code' "$rec")" = 127 ]
	[ "$(grep '"action":"supervise.start"' "$LOG" | grep -c '"outcome":"success"')" -ge 20 ]
}

@test "supervise: every child is watched through a pidfd" {
	start_sleepers
	a=$(new_pid a)
	new_pid b >/dev/null
	# a pidfd's fdinfo names the process it refers to
	run bash -c "grep -h '^Pid:' /proc/$SVPID/fdinfo/* | awk '{print \$2}' | sort -n"
	assert_line "$a"
	assert_line "$(child_field b .pid)"
}

@test "supervise: orphans are reaped, and a supervised child's status is never taken from it" {
	# the child makes orphans that end at the same moment it does, again and
	# again: each restart is seen with the child's own status (3)
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 1000
	  period: 1m
	  children:
	    - name: c
	      cmd: [sh, -c, "for i in 1 2 3 4 5; do setsid sh -c 'exit 0' & done; sleep 0.01; exit 3"]
	      backoff: { initial: 1ms, max: 2ms }
	EOF
	start_tree
	for _ in $(seq 200); do
		[ "$(grep -c '"action":"supervise.exit"' "$LOG")" -ge 20 ] && break
		sleep 0.05
	done
	kill -TERM "$SVPID"; wait "$SVPID" || true; SVPID=
	[ "$(grep -c '"action":"supervise.exit"' "$LOG")" -ge 20 ]
	# every end but the last (the shutdown's TERM) is the child's own exit 3
	[ "$(grep '"action":"supervise.exit"' "$LOG" | jq -r '.process.exit_code' | grep -vc '^3$')" -le 1 ]
}

@test "supervise: an idle supervisor makes no system calls (no polling tick)" {
	command -v strace >/dev/null || skip "strace is not installed"
	start_sleepers
	new_pid a >/dev/null
	new_pid b >/dev/null
	# no context switch of its own over 2 s: it sleeps in the kernel
	v0=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$SVPID/status")
	sleep 2
	v1=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$SVPID/status")
	[ "$v0" = "$v1" ]
	# and under strace for 2 s: attaching wakes epoll_wait once (EINTR);
	# after that one turn of the loop it waits again and nothing follows
	timeout -s INT 2 strace -qq -f -p "$SVPID" -o "$T/idle.strace" || true
	cat "$T/idle.strace"
	[ "$(grep -c 'epoll_wait(' "$T/idle.strace")" -eq 1 ]
	run tail -n 1 "$T/idle.strace"
	assert_output --regexp 'epoll_wait\(.*(<detached|<unfinished)'
}
