#!/usr/bin/env bats
# osl supervise against Erlang/OTP's own supervisor as the oracle: the same
# tree runs under `escript` (test/fixtures/supervise/otp.escript) and under
# osl, each child appending "start NAME" / "stop NAME" to an events file,
# and the ordered events and the outcome must be the same.  Differences on
# purpose (osl-supervise(8), DIFFERENCES FROM ERLANG/OTP): osl waits out a
# backoff between restarts (the counts are the same), osl exits 1 where
# OTP's root exits with reason shutdown after giving up, and 3 where OTP's
# start_link returns an error.  `ctl stop`, `ctl start` (of a stopped child),
# `ctl delete` and `ctl restart` stand for terminate_child, restart_child,
# delete_child and restart_child.
load supervise

setup() {
	sv_setup
	command -v escript >/dev/null || skip "no Erlang/OTP (escript): make deps installs erlang-base"
	ORACLE=$OSL_TOP/test/fixtures/supervise/otp.escript
}

# The oracle's events for scenario $1, in erl.ev.
oracle() {
	EVENTS=$T/erl.ev timeout 120 escript "$ORACLE" "$1" 2>/dev/null
	cat erl.ev
}

# Wait until osl.ev has $1 lines (bounded).
events() {
	for _ in $(seq 400); do
		[ "$(wc -l <osl.ev 2>/dev/null || echo 0)" -ge "$1" ] && return 0
		sleep 0.05
	done
	cat osl.ev
	return 1
}

# A child NAME that logs its start, is ready once it has, and logs its stop.
kid() {
	cat <<-EOF
	    - name: $1
	      cmd: [sh, -c, "echo start $1 >> $T/osl.ev; trap 'echo stop $1 >> $T/osl.ev; exit 0' TERM; echo >&3; sleep 1000 & wait"]
	      ready: { fd: 3 }
	EOF
}

# Once osl.ev has as many events as OTP's before its shutdown: shut the
# tree down (SIGTERM; exit 0 is OTP's reason shutdown) and compare.
shut_down_and_compare() {
	local st=0
	events "$(($(sed -n '/^shutdown$/=' erl.ev) - 1))"
	echo shutdown >> osl.ev
	kill -TERM "$SVPID"
	wait "$SVPID" || st=$?
	SVPID=
	[ "$st" -eq 0 ] && echo "root exit shutdown" >> osl.ev
	diff -u erl.ev osl.ev
}

# Run the tree of t.yaml to its end: exit $1 stands for OTP's last event $2.
run_to_end() {
	run timeout 120 "$OSL" supervise -c t.yaml
	[ "$status" -eq "$1" ] && echo "$2" >> osl.ev
	diff -u erl.ev osl.ev
}

# Strategy $1: kill b, then shut the tree down; the events must be OTP's.
strategy() {
	oracle "$1" >/dev/null
	{ printf 'version: 1\nsupervisor:\n  strategy: %s\n  intensity: 10\n  period: 1m\n  children:\n' "$1"
	  kid a; kid b; kid c; } > t.yaml
	SV_FILE=t.yaml start_tree
	events 3
	b=$("$OSL" -j supervise ctl status | jq -r '.tree.children[] | select(.name == "b") | .pid')
	kill -KILL "$b"
	shut_down_and_compare
}

@test "OTP oracle: one_for_all (kill the middle child, then shut down)" {
	strategy one_for_all
}

@test "OTP oracle: rest_for_one (kill the middle child, then shut down)" {
	strategy rest_for_one
}

@test "OTP oracle: one_for_one (kill the middle child, then shut down)" {
	strategy one_for_one
}

@test "OTP oracle: escalation through a nested supervisor, with exact restart counts" {
	oracle nested_backoff >/dev/null
	cp "$OSL_TOP/test/fixtures/supervise/nested-backoff.yaml" t.yaml
	# on purpose: osl's root that gives up exits 1
	run_to_end 1 "root exit shutdown"
}

@test "OTP oracle: a transient nested supervisor that gives up is not restarted (reason shutdown)" {
	oracle transient_sub >/dev/null
	{ printf 'version: 1\nsupervisor:\n  intensity: 5\n  period: 1m\n  children:\n'
	  kid keep
	  printf '    - name: sub\n      restart: transient\n      supervisor:\n        intensity: 0\n'
	  printf '        children:\n          - name: w\n'
	  printf '            cmd: [sh, -c, "echo start w >> %s/osl.ev; sleep 0.3; exit 1"]\n' "$T"
	} > t.yaml
	SV_FILE=t.yaml start_tree
	for _ in $(seq 200); do
		grep -q '"action":"supervise.shutdown".*"name":"sub"' "$LOG" && break
		sleep 0.05
	done
	shut_down_and_compare
}

@test "OTP oracle: a child that fails to start ends the tree's start; the later ones never start" {
	oracle failed_start >/dev/null
	{ printf 'version: 1\nsupervisor:\n  intensity: 5\n  period: 1m\n  children:\n'
	  kid a
	  printf '    - name: b\n      cmd: [sh, -c, "echo start b >> %s/osl.ev; exec sleep 1000"]\n' "$T"
	  printf '      ready: { fd: 3, timeout: 300ms }\n'
	  kid c
	} > t.yaml
	# on purpose: osl exits 125 where OTP's start_link returns an error
	run_to_end 125 "root start failed"
}

@test "OTP oracle: a significant child that ends shuts an any_significant root down" {
	oracle significant >/dev/null
	{ printf 'version: 1\nsupervisor:\n  intensity: 5\n  period: 1m\n  auto_shutdown: any_significant\n  children:\n'
	  kid a
	  printf '    - name: job\n      restart: transient\n      significant: true\n'
	  printf '      cmd: [sh, -c, "echo start job >> %s/osl.ev; sleep 0.3"]\n' "$T"
	} > t.yaml
	run_to_end 0 "root exit shutdown"
}

@test "OTP oracle: shutdown order with brutal_kill, a timeout the child outlasts, and a long one" {
	oracle shutdown_kinds >/dev/null
	{ printf 'version: 1\nsupervisor:\n  intensity: 5\n  period: 1m\n  children:\n'
	  kid a
	  printf '      stop: { timeout: 0s }\n'
	  printf '    - name: b\n      cmd: [sh, -c, "echo start b >> %s/osl.ev; trap %s TERM; echo >&3; while :; do sleep 1000 & wait; done"]\n' \
	      "$T" "'echo ignore b >> $T/osl.ev'"
	  printf '      ready: { fd: 3 }\n      stop: { timeout: 300ms }\n'
	  kid c
	  printf '      stop: { timeout: 10s }\n'
	} > t.yaml
	SV_FILE=t.yaml start_tree
	shut_down_and_compare
	# in reverse: c ends on its TERM, b is killed after its 300 ms, a at once
	[ "$(jq -r 'select(.event.action == "supervise.exit") | .osl.supervise.name + ":" +
	    (.osl.supervise.signal // (.process.exit_code | tostring))' "$LOG" | tr '\n' ' ')" = \
	    "c:0 b:SIGKILL a:SIGKILL " ]
}

@test "OTP oracle: ctl stop, start, delete, restart as terminate_child, restart_child, delete_child" {
	oracle ctl >/dev/null
	{ printf 'version: 1\nsupervisor:\n  intensity: 5\n  period: 1m\n  children:\n'
	  kid a; kid b; kid c; } > t.yaml
	SV_FILE=t.yaml start_tree
	events 3
	"$OSL" supervise ctl stop b
	events 4
	"$OSL" supervise ctl start b
	events 5
	"$OSL" supervise ctl stop b
	events 6
	wait_for 1 .state down
	"$OSL" supervise ctl delete b
	run "$OSL" supervise ctl restart b
	assert_failure 1
	assert_output --partial "no such child"
	echo "restart b not_found" >> osl.ev
	run "$OSL" supervise ctl delete a
	assert_failure 1
	assert_output --partial "not possible in the child's state"
	echo "delete a running" >> osl.ev
	shut_down_and_compare
}

@test "OTP oracle: a significant nested supervisor that auto-shuts down ends an any_significant root" {
	oracle significant_nested >/dev/null
	{ printf 'version: 1\nsupervisor:\n  intensity: 5\n  period: 1m\n  auto_shutdown: any_significant\n  children:\n'
	  kid keep
	  printf '    - name: sub\n      restart: transient\n      significant: true\n      supervisor:\n'
	  printf '        auto_shutdown: any_significant\n        children:\n'
	  kid w | sed 's/^/      /'
	  printf '          - name: job\n            restart: transient\n            significant: true\n'
	  printf '            cmd: [sh, -c, "echo start job >> %s/osl.ev; sleep 0.3"]\n' "$T"
	} > t.yaml
	run_to_end 0 "root exit shutdown"
}

@test "OTP oracle: a nested supervisor whose child fails to start fails the root's start" {
	oracle failed_start_nested >/dev/null
	{ printf 'version: 1\nsupervisor:\n  intensity: 5\n  period: 1m\n  children:\n'
	  kid a
	  printf '    - name: sub\n      supervisor:\n        children:\n'
	  kid x | sed 's/^/      /'
	  printf '          - name: y\n            cmd: [sh, -c, "echo start y >> %s/osl.ev; exec sleep 1000"]\n' "$T"
	  printf '            ready: { fd: 3, timeout: 300ms }\n'
	  kid c
	} > t.yaml
	# on purpose: osl exits 125 where OTP's start_link returns an error
	run_to_end 125 "root start failed"
}
