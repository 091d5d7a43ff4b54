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
