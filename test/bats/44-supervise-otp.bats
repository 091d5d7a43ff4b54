#!/usr/bin/env bats
# osl supervise -c: OTP's supervisor semantics seen from real processes,
# with exact run counts (each child appends a line to a file per start).
load supervise

setup() {
	sv_setup
}

# osl's user+system CPU time and its wall time so far, in clock ticks:
# "CPU WALL" for PID.
cpu_wall() {
	local stat up hz
	stat=$(cut -d' ' -f14,15,22 "/proc/$1/stat") || return 1
	read -r up _ </proc/uptime
	hz=$(getconf CLK_TCK)
	set -- $stat
	echo "$(($1 + $2)) $(( $(echo "$up * $hz" | bc | cut -d. -f1) - $3 ))"
}

@test "nested supervisor: restarted after its backoff until the root gives up (12 runs), osl stays idle meanwhile" {
	cp "$OSL_TOP/test/fixtures/supervise/nested-backoff.yaml" t.yaml
	"$OSL" supervise -c t.yaml 2>sv.err &
	SVPID=$!
	cw=
	end=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$SVPID" 2>/dev/null || break
		# osl may end between the two: keep the last reading it gave
		now=$(cpu_wall "$SVPID") || break
		cw=$now
		sleep 0.1
	done
	kill -KILL "$SVPID" 2>/dev/null || true
	run wait "$SVPID"
	SVPID=
	assert_failure 1
	echo "runs $(wc -l <osl.ev), cpu/wall ticks $cw"
	[ "$(wc -l <osl.ev)" -eq 12 ]
	[ "$(jq -c 'select(.event.action == "supervise.restart" and .osl.supervise.name == "inner")' "$LOG" | wc -l)" -eq 5 ]
	[ "$(jq -c 'select(.event.action == "supervise.giveup" and .osl.supervise.name == "root")' "$LOG" | wc -l)" -eq 1 ]
	# the backoffs are waited out in epoll, not in a busy loop
	read -r cpu wall <<<"$cw"
	[ "$((cpu * 4))" -lt "$wall" ]
}

@test "stop signal: each process of a child gets it once (one_for_all restart, shutdown; cgroup containment)" {
	command -v strace >/dev/null || skip "no strace"
	for n in a b c; do
		printf '    - name: %s\n      cmd: [sh, -c, "trap \\"echo $$ >> %s/terms.%s; exit 0\\" TERM; sleep 1000 & wait"]\n' \
		    "$n" "$T" "$n"
	done > kids
	{ printf 'version: 1\nsupervisor:\n  strategy: one_for_all\n  intensity: 10\n  period: 1m\n  children:\n'; cat kids; } > t.yaml
	# LeakSanitizer cannot run under ptrace (the ASan pass)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -o trace -e trace=kill,pidfd_send_signal "$OSL" supervise -c t.yaml 2>sv.err &
	st=$!
	# under strace (and ASan) the start is slow: bounded waits of 30 s; until
	# the socket answers, ctl status is an error document without a tree
	for _ in $(seq 600); do SVPID=$(pgrep -P "$st" -x osl) && break; sleep 0.05; done
	for _ in $(seq 600); do
		p1=$("$OSL" -j supervise ctl status 2>/dev/null | jq -r '[(.tree.children // [])[].pid] | map(tostring) | join(" ")')
		case "$p1" in *null*|"") sleep 0.05 ;; *) break ;; esac
	done
	[ "$("$OSL" -j supervise ctl status | jq -r .containment)" = cgroup ] ||
		{ cat sv.err; skip "no cgroup v2 containment here"; }
	read -r a b c <<<"$p1"
	kill -KILL "$b"
	for _ in $(seq 600); do
		p2=$("$OSL" -j supervise ctl status | jq -r '[(.tree.children // [])[].pid] | map(tostring) | join(" ")')
		case "$p2" in *null*|"") ;; *) read -r a2 b2 c2 <<<"$p2"; [ "$a2" != "$a" ] && [ "$b2" != "$b" ] && [ "$c2" != "$c" ] && break ;; esac
		sleep 0.05
	done
	[ "$a2" != "$a" ] && [ "$c2" != "$c" ]
	kill -TERM "$SVPID"
	wait "$st"
	SVPID=
	# every child that was stopped: one successful TERM to its pid or its group
	for p in $a $c $a2 $b2 $c2; do
		n=$(grep -cE "^kill\(-?$p, SIGTERM\) += 0" trace || true)
		echo "pid $p: $n TERM"
		[ "$n" -eq 1 ]
	done
	# and its trap ran once
	for n in a c; do [ "$(wc -l <"terms.$n")" -eq 2 ]; done
	[ "$(wc -l <terms.b)" -eq 1 ]
}

@test "nested supervisor: restart and significant are honoured (temporary: not restarted; significant ends the root)" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 5
	  period: 1m
	  children:
	    - name: keep
	      cmd: [sleep, "1000"]
	    - name: inner
	      restart: temporary
	      supervisor:
	        intensity: 0
	        children:
	          - name: w
	            cmd: [sh, -c, "echo run >> runs; exit 1"]
	EOF
	SV_FILE=t.yaml start_tree
	for _ in $(seq 200); do
		[ "$(jq -c 'select(.event.action == "supervise.shutdown" and .osl.supervise.name == "inner")' "$LOG" | wc -l)" -eq 1 ] && break
		sleep 0.05
	done
	# the root is still up, inner stays down: one run of w
	"$OSL" supervise ctl status >/dev/null
	[ "$(wc -l <runs)" -eq 1 ]
	[ "$(jq -c 'select(.event.action == "supervise.restart")' "$LOG" | wc -l)" -eq 0 ]
	kill -TERM "$SVPID"; wait "$SVPID"; SVPID=

	cat > s.yaml <<-EOF
	version: 1
	supervisor:
	  auto_shutdown: any_significant
	  children:
	    - name: keep
	      cmd: [sleep, "1000"]
	    - name: batch
	      restart: transient
	      significant: true
	      supervisor:
	        auto_shutdown: any_significant
	        children:
	          - name: job
	            restart: transient
	            significant: true
	            cmd: ["true"]
	EOF
	run timeout 30 "$OSL" supervise -c s.yaml
	assert_success
	[ "$(jq -c 'select(.event.action == "supervise.shutdown" and .osl.supervise.name == "root" and .osl.supervise.reason == "auto_shutdown")' "$LOG" | wc -l)" -eq 1 ]

	# what only a program has is refused on a supervisor, never ignored
	printf 'version: 1\nsupervisor:\n  children:\n    - name: s\n      env: {set: {A: b}}\n      supervisor:\n        children:\n          - {name: x, cmd: ["true"]}\n' > bad.yaml
	run "$OSL" supervise -c bad.yaml --check
	assert_failure 2
	assert_output --partial "bad.yaml:5:7: 'env': unknown or unsupported key"
}

@test "ordered start: a child not ready in time fails the tree's start; the later ones never start (exit 125)" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: a
	      cmd: [sh, -c, "echo a >> runs; exec sleep 1000"]
	    - name: b
	      cmd: [sh, -c, "echo b >> runs; exec sleep 1000"]
	      ready: { fd: 3, timeout: 300ms }
	    - name: c
	      cmd: [sh, -c, "echo c >> runs; exec sleep 1000"]
	EOF
	run timeout 30 "$OSL" supervise -c t.yaml
	assert_failure 125
	[ "$(sort runs | tr '\n' ' ')" = "a b " ]
	r=$(jq -c 'select(.event.action == "supervise.giveup")' "$LOG")
	[ "$(jget .osl.supervise.reason "$r")" = start_failed ]
	[ "$(jget .osl.supervise.child "$r")" = b ]
}

@test "keep_trying: a failed start of the tree is tried again after the backoff, until it starts; TERM meanwhile exits 125" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  keep_trying: true
	  children:
	    - name: a
	      cmd: [sh, -c, "echo a >> runs; exec sleep 1000"]
	    - name: b
	      cmd: [sh, -c, "echo b >> runs; [ -e ok ] || exit 1; exec sleep 1000"]
	      ready: { exec: [test, -e, ok], timeout: 5s }
	    - name: c
	      cmd: [sh, -c, "echo c >> runs; exec sleep 1000"]
	EOF
	start_tree t.yaml
	# bounded: until b has failed the tree's start three times
	for _ in $(seq 300); do
		[ "$(grep -c '^b$' runs 2>/dev/null)" -ge 3 ] && break
		sleep 0.05
	done
	[ "$(grep -c '^b$' runs)" -ge 3 ]
	! grep -q '^c$' runs
	touch ok
	wait_for 2 .state up
	wait_for 0 .state up
	# each try starts a, then b; c once, at the end (the records: a may be
	# stopped before its shell has written its line)
	starts() { jq -r 'select(.event.action == "supervise.start") | .osl.supervise.name' "$LOG"; }
	[ "$(starts | tr -d '\n' | sed 's/ab/-/g; s/-c$//; s/-//g')" = "" ]
	[ "$(starts | grep -c '^b$')" -ge 4 ]
	[ "$(starts | grep -c '^c$')" = 1 ]
	grep -q "supervise.backoff root 0 ms (keep_trying: the tree's start is tried again)" sv.err
	grep -q "supervise.giveup root: 'b' failed to start" sv.err
	r=$(jq -c 'select(.event.action == "supervise.backoff" and .osl.supervise.name == "root")' \
	    "$LOG" | head -n 1)
	[ "$(jget .osl.supervise.delay_ms "$r")" = 0 ]

	kill -TERM "$SVPID"
	wait "$SVPID"
	SVPID=

	# before a try got through, TERM ends it: the tree never started (exit 125)
	rm -f ok runs
	"$OSL" supervise -c t.yaml 2>sv2.err &
	pid=$!
	for _ in $(seq 300); do
		[ "$(grep -c '^b$' runs 2>/dev/null)" -ge 2 ] && break
		sleep 0.05
	done
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" = 125 ]

	# only the root's: a nested supervisor's failed start goes to its parent
	printf 'version: 1\nsupervisor:\n  children:\n    - name: s\n      supervisor:\n        keep_trying: true\n        children:\n          - {name: x, cmd: ["true"]}\n' > bad.yaml
	run "$OSL" supervise -c bad.yaml --check
	assert_failure 2
	assert_output --partial "bad.yaml:6:22: keep_trying: the root supervisor's only"
}

@test "keep_trying: TERM while the tree shuts down after a failed start ends it (exit 125, as a failed start), no further try" {
	# a ignores TERM, so the shutdown after b's failed start lasts its
	# stop timeout: the TERM to osl lands in that shutdown
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  keep_trying: true
	  children:
	    - name: a
	      cmd: [sh, -c, "trap '' TERM; echo a >> runs; exec sleep 1000"]
	      stop: { timeout: 3s }
	    - name: b
	      cmd: [sh, -c, "echo b >> runs; exit 1"]
	      ready: { exec: ["false"], timeout: 5s }
	EOF
	"$OSL" supervise -c t.yaml 2>sv.err &
	pid=$!
	for _ in $(seq 300); do
		grep -q "supervise.giveup root" sv.err 2>/dev/null && break
		sleep 0.05
	done
	grep -q "supervise.giveup root" sv.err
	kill -TERM "$pid"
	# bounded: without the fix the tree tries again, for ever
	for _ in $(seq 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" = 125 ]
	[ "$(grep -c '^b$' runs)" = 1 ]
}

@test "stderr: one line for each restart, backoff, give-up and refused start (tree and single command); none with -q" {
	# the default policy refuses to run a program from here
	printf '#!/bin/sh\n' > bad
	chmod +x bad
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 2
	  period: 1m
	  children:
	    - name: bad
	      cmd: [./bad]
	      backoff: { initial: 10ms }
	EOF
	run --separate-stderr timeout 30 "$OSL" supervise -c t.yaml
	assert_failure 1
	echo "$stderr"
	[ "$(grep -c "^osl supervise: supervise.start bad failed: .*denied by policy" <<<"$stderr")" -eq 3 ]
	[ "$(grep -c "^osl supervise: supervise.restart bad (status 126" <<<"$stderr")" -eq 2 ]
	[ "$(grep -c "^osl supervise: supervise.backoff bad 10 ms" <<<"$stderr")" -eq 1 ]
	[ "$(grep -c "^osl supervise: supervise.giveup root: 3 restarts" <<<"$stderr")" -eq 1 ]
	run --separate-stderr timeout 30 "$OSL" supervise --restart on-failure --max-restarts 2 --period 1m -- sh -c 'exit 3'
	assert_failure 3
	[ "$(grep -c "^osl supervise: supervise.restart sh (status 3" <<<"$stderr")" -eq 2 ]
	[ "$(grep -c "^osl supervise: supervise.giveup" <<<"$stderr")" -eq 1 ]
	run --separate-stderr timeout 30 "$OSL" -q supervise --restart on-failure --max-restarts 2 --period 1m -- sh -c 'exit 3'
	assert_failure 3
	[ -z "$stderr" ]
}

@test "ctl -c FILE talks to the socket the file names; --check refuses the socket folder the run refuses" {
	mkdir -m 0700 sockdir
	cat > t.yaml <<-EOF
	version: 1
	control: { socket: "$T/sockdir/ctl.sock" }
	supervisor:
	  children:
	    - name: a
	      cmd: [sleep, "1000"]
	EOF
	run "$OSL" supervise -c t.yaml --check
	assert_success
	"$OSL" supervise -c t.yaml 2>sv.err &
	SVPID=$!
	for _ in $(seq 200); do "$OSL" supervise ctl -c t.yaml status >/dev/null 2>&1 && break; sleep 0.05; done
	run "$OSL" -j supervise ctl -c t.yaml status
	assert_success
	[ "$(jget '.tree.children[0].name' "$output")" = a ]
	kill -TERM "$SVPID"; wait "$SVPID"; SVPID=
	chmod 0755 sockdir
	run "$OSL" supervise -c t.yaml --check
	assert_failure 125
	assert_output --partial "must be ours and mode 0700"
	run "$OSL" supervise -c t.yaml
	assert_failure 125
}

@test "ctl delete (OTP delete_child): only a stopped child leaves the running tree; count follows" {
	start_sleepers
	run "$OSL" supervise ctl delete b
	assert_failure 1
	assert_output --partial "not possible in the child's state"
	"$OSL" supervise ctl stop b
	for _ in $(seq 200); do
		[ "$("$OSL" -j supervise ctl status | jq -r '.tree.children[1].state')" = down ] && break
		sleep 0.05
	done
	[ "$("$OSL" -j supervise ctl status | jq -c '.tree.count')" = '{"specs":2,"active":1,"supervisors":0,"workers":2}' ]
	run "$OSL" supervise ctl delete b
	assert_success
	[ "$("$OSL" -j supervise ctl status | jq -r '[.tree.children[].name] | join(" ")')" = a ]
	[ "$("$OSL" -j supervise ctl status | jq -c '.tree.count')" = '{"specs":1,"active":1,"supervisors":0,"workers":1}' ]
	# the file still has it: ctl start adds it again (start_child), last
	run "$OSL" supervise ctl start b
	assert_success
	wait_for 1 .state up
	[ "$("$OSL" -j supervise ctl status | jq -r '[.tree.children[].name] | join(" ")')" = "a b" ]
}

@test "ctl start (OTP start_child) of a child only the file has: added last and started; nothing else changes" {
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: a
	      cmd: [sleep, "1000"]
	    - name: sub
	      supervisor:
	        children:
	          - {name: x, cmd: [sleep, "1000"]}
	EOF
	start_tree tree.yaml
	wait_for 1 .state up
	a=$(child 0 .pid)
	# the file gains c (and a changes, which only a reload would apply)
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: c
	      cmd: [sh, -c, "echo c >> runs; exec sleep 1000"]
	    - name: a
	      cmd: [sleep, "2000"]
	    - name: sub
	      supervisor:
	        children:
	          - {name: x, cmd: [sleep, "1000"]}
	          - {name: y, cmd: [sleep, "1000"]}
	EOF
	run "$OSL" -j supervise ctl start c
	assert_success
	[ "$(jq -r .added <<<"$output")" = 1 ]
	wait_for 2 .state up
	[ "$("$OSL" -j supervise ctl status | jq -r '[.tree.children[].name] | join(" ")')" = "a sub c" ]
	[ "$(child 0 .pid)" = "$a" ]
	[ "$(cat runs)" = c ]
	# a nested one, by its path
	run "$OSL" supervise ctl start sub/y
	assert_success
	for _ in $(seq 200); do
		[ "$("$OSL" -j supervise ctl status | jq -r '.tree.children[1].children[1].state')" = up ] && break
		sleep 0.05
	done
	[ "$("$OSL" -j supervise ctl status | jq -r '.tree.children[1].children | map(.name + ":" + .state) | join(" ")')" = "x:up y:up" ]
	wait_record '.event.action == "supervise.reload" and .osl.supervise.added == 1'
	# in neither: an error, and the tree as it was
	run "$OSL" supervise ctl start nope
	assert_failure 1
	assert_output --partial "no such child, in the running tree or in 'tree.yaml'"
	# a file that does not load: its error
	echo "version: 1" > tree.yaml
	run "$OSL" supervise ctl start d
	assert_failure 1
	assert_output --partial "tree.yaml"
	[ "$("$OSL" -j supervise ctl status | jq -r '[.tree.children[].name] | join(" ")')" = "a sub c" ]
}
