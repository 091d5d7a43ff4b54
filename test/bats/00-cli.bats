#!/usr/bin/env bats
# The command line as a contract: help, exit statuses, tables, completions.
load helper

setup() { common_setup; }

@test "no arguments is a usage error (exit 2) with a one-line reason" {
	run osl
	assert_failure 2
	assert_line --index 0 --partial "osl: a group is needed"
}

@test "-V prints the version, the commit, the build and the kernel features found now" {
	run osl -V
	assert_success
	assert_line --index 0 --regexp '^osl [0-9]+\.[0-9]+\.[0-9]+ \(([0-9a-f]{12}(-dirty)?|unknown), (static|dynamic)(, sanitizers [a-z,]+)?\)$'
	assert_line --regexp '^landlock: +ABI [0-9]+'
	assert_line --regexp '^seccomp: +(yes|no)$'
	assert_line --regexp '^namespaces: +(yes|no)'
	assert_line --regexp '^cgroup: +(v2|hybrid|v1|none)$'
	# the build is what the binary is, not what make was told
	if readelf -l "$OSL" | grep -q 'Requesting program interpreter'; then
		assert_line --index 0 --partial ', dynamic'
	else
		assert_line --index 0 --partial ', static'
	fi
	# the ABI is the kernel's own answer
	abi=$(osl -j --version | jq -r .kernel.landlock_abi)
	[ "$abi" -ge 0 ]
	# -j, before or after: one document with the same facts
	run osl --version -j
	assert_success
	[ "$(jq -r '.version' <<<"$output")" = "$(osl -V | sed -n '1s/^osl \([^ ]*\).*/\1/p')" ]
	[ "$(jq -r '.kernel | keys | join(",")' <<<"$output")" = cgroup,landlock_abi,namespaces,seccomp ]
	[ "$(jq -r '.commit' <<<"$output")" != null ]
	run osl fs --version
	assert_success
	assert_line --index 0 --regexp '^osl [0-9]'
}

@test "a log that cannot be written says so, and names -l stderr and -l none" {
	run osl -l "file:/proc/nope/activity.jsonl" fs stat /
	assert_failure 1
	assert_output --partial "the activity log: cannot make the folders of '/proc/nope/activity.jsonl'"
	assert_output --partial "-l stderr or -l none"
	# a command that runs a child failed before it could run it: 125
	run osl -l "file:/proc/nope/activity.jsonl" proc run -- true
	assert_failure 125
	assert_output --partial "osl proc run: the activity log:"
	refute_output --partial "exec the activity"
	run osl -l none fs stat /
	assert_success
}

@test "unknown group and unknown verb exit 2" {
	run osl nosuch
	assert_failure 2
	assert_output --partial "unknown group 'nosuch'"
	run osl fs nosuch
	assert_failure 2
	assert_output --partial "osl fs: unknown verb 'nosuch'"
}

@test "verbs are matched exactly, never by prefix" {
	run osl fs sta /
	assert_failure 2
	run osl pol check
	assert_failure 2
}

@test "an unknown option is exit 2 and names the option" {
	run osl fs stat --bogus /
	assert_failure 2
	assert_output --partial "unknown option '--bogus'"
	run osl --bogus fs stat /
	assert_failure 2
}

@test "every command in the tables answers -h, has a man page and is completed" {
	run osl help --commands
	assert_success
	[ "${#lines[@]}" -ge 5 ]
	while read -r group verb; do
		if [ -n "$verb" ]; then
			run osl "$group" "$verb" -h
			assert_success
			assert_line --index 0 --partial "usage: osl $group $verb"
			grep -q "^\*$verb\*" "$OSL_TOP/man/osl-$group.1.scd" ||
				grep -q "^## $verb\b\|^\*$verb\* " "$OSL_TOP/man/osl-$group.1.scd" ||
				fail "man/osl-$group.1.scd does not describe '$verb'"
			grep -qw -- "$verb" "$OSL_TOP/completions/osl.bash" || fail "bash: $verb"
			grep -qw -- "$verb" "$OSL_TOP/completions/_osl" || fail "zsh: $verb"
			grep -qw -- "$verb" "$OSL_TOP/completions/osl.fish" || fail "fish: $verb"
			grep -q "EXIT STATUS" "$OSL_TOP/man/osl-$group.1.scd" || fail "no EXIT STATUS in osl-$group.1"
		else
			run osl "$group" -h
			assert_success
		fi
	done <<<"$(osl help --commands)"
}

@test "every group answers -h and help GROUP" {
	for g in fs policy log; do
		run osl "$g" -h
		assert_success
		assert_output --partial "verbs:"
		run osl help "$g"
		assert_success
		assert_output --partial "usage: osl $g"
	done
}

@test "the completion scripts in completions/ are current" {
	diff <(osl completion bash) "$OSL_TOP/completions/osl.bash"
	diff <(osl completion zsh) "$OSL_TOP/completions/_osl"
	diff <(osl completion fish) "$OSL_TOP/completions/osl.fish"
}

@test "the bash completion completes groups, verbs and options" {
	source "$OSL_TOP/completions/osl.bash"
	COMP_WORDS=(osl f); COMP_CWORD=1; _osl
	[[ " ${COMPREPLY[*]} " == *" fs "* ]]
	COMP_WORDS=(osl fs st); COMP_CWORD=2; _osl
	[ "${COMPREPLY[*]}" = "stat" ]
	COMP_WORDS=(osl fs stat --der); COMP_CWORD=3; _osl
	[ "${COMPREPLY[*]}" = "--dereference" ]
}

@test "the zsh and fish scripts parse" {
	if command -v zsh >/dev/null; then zsh -n "$OSL_TOP/completions/_osl"; fi
	if command -v fish >/dev/null; then fish -n "$OSL_TOP/completions/osl.fish"; fi
	osl completion nosuch && false || [ $? -eq 2 ]
}

@test "invoked as osl-GROUP it behaves as osl GROUP" {
	ln -s "$OSL" "$T/osl-fs"
	echo hello > "$T/f"
	run "$T/osl-fs" cat "$T/f"
	assert_success
	assert_output hello
}

@test "a write error on stdout is reported and exits 1" {
	run bash -c '"$OSL" help > /dev/full'
	assert_failure 1
	assert_output --partial "cannot write to standard output: No space left on device"
}

@test "-j gives exactly one JSON document on stdout" {
	echo hi > "$T/f"
	run --separate-stderr osl -j fs stat "$T/f" "$T/f"
	assert_success
	[ "$(printf '%s\n' "$output" | jq -c 'length')" = 2 ]
}

@test "the program is static: LD_PRELOAD and LD_LIBRARY_PATH inject nothing" {
	readelf -l "$OSL" | grep -q 'Requesting program interpreter' &&
	    skip "this osl is linked dynamically (make STATIC=0)"
	command -v cc >/dev/null || skip "no C compiler"
	printf '%s\n' '#include <unistd.h>' \
	    '__attribute__((constructor)) static void in(void) { write(2, "INJECTED\n", 9); }' > "$T/in.c"
	cc -shared -fPIC -o "$T/libin.so" "$T/in.c"
	# the library does run in a dynamic program
	run --separate-stderr env LD_PRELOAD="$T/libin.so" /bin/true
	[ "$stderr" = INJECTED ]
	run --separate-stderr env LD_PRELOAD="$T/libin.so" LD_LIBRARY_PATH="$T" "$OSL" --version
	assert_success
	[ -z "$stderr" ]
}

@test "ids that no user or group has: stat and ls -l show the numbers (no NSS module is loaded)" {
	[ "$(id -u)" = 0 ] || skip "chown to another id needs root"
	echo x > "$T/f"
	chown 12345:54321 "$T/f"
	run osl fs stat "$T/f"
	assert_success
	assert_output --partial "Uid: (12345/-)  Gid: (54321/-)"
	run osl fs ls -l "$T"
	assert_success
	assert_output --partial "12345"
}
