#!/usr/bin/env bats
# osl supervise ctl is supervise's verb in the command table (osl(1) OPTIONS):
# global options and ctl's own options go anywhere after it, as after any
# other verb, and a program named ctl is still `-- ctl`.
load supervise

setup() { sv_setup; }

@test "osl supervise ctl status -j: a global option after ctl's verb" {
	start_sleepers
	run -0 "$OSL" supervise ctl status -j
	[ "$(jget '.tree.children | length' "$output")" = 2 ]
	run -0 "$OSL" supervise -j ctl status
	[ "$(jget '.tree.children[0].name' "$output")" = a ]
	run -0 "$OSL" supervise ctl -j status
	[ "$(jget '.tree.children[1].name' "$output")" = b ]
	ln -s "$OSL" osl-supervise
	run -0 ./osl-supervise ctl status --json
	[ "$(jget '.tree.children | length' "$output")" = 2 ]
}

@test "ctl's own options after its verb and operands: ctl stop a -s SOCKET" {
	start_sleepers
	run -0 "$OSL" supervise ctl stop a -s "$SOCK"
	wait_for 0 .state down
	run -0 "$OSL" supervise ctl --json restart a --socket "$SOCK"
	wait_for 0 .state up
	# an unknown option after the verb is still an error
	run -2 "$OSL" supervise ctl status --bogus
	assert_output --partial "unknown option '--bogus'"
}

@test "after -- or supervise's own options, ctl is a program's name, not the verb" {
	run -127 "$OSL" supervise -- ctl status -j
	assert_output --partial "'ctl': command not found"
	run -127 "$OSL" supervise -v ctl status
	assert_output --partial "'ctl': command not found"
	run -0 "$OSL" supervise -- sh -c 'echo "$0 $*"' ctl status
	assert_output 'ctl status'
}

@test "ctl's operands are counted before anything is sent: a missing or extra one is a usage error (2) that says the form" {
	start_sleepers
	run -2 "$OSL" supervise ctl restart
	assert_line --index 0 "osl supervise ctl: 'restart' needs the child's name: osl supervise ctl restart NAME (names: osl supervise ctl status)"
	run -2 "$OSL" supervise ctl signal a
	assert_line --index 0 --partial "'signal' needs a signal: osl supervise ctl signal NAME SIGNAL, e.g. HUP"
	run -2 "$OSL" supervise ctl stop a b
	assert_line --index 0 "osl supervise ctl: 'stop' takes one name: 'b' is one too many"
	run -2 --separate-stderr "$OSL" supervise ctl status -j a
	[ "$(jget .error.code "$output")" = invalid ]
	# nothing was done: both still up
	run -0 "$OSL" supervise ctl status -j
	[ "$(jget '[.tree.children[].state] | join(" ")' "$output")" = "up up" ]
}
