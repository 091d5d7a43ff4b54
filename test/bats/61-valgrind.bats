#!/usr/bin/env bats
# The osl binary itself (not only the units) under valgrind: fs, policy, log
# and supervise verbs as a user runs them, with no memory error and no leak.
# Valgrind 3.19 does not know openat2 (syscall 437) and answers ENOSYS, so fs
# paths run through their fallback there; the ASan build covers openat2.
load helper

setup() {
	common_setup
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	grep -q __asan_init "$OSL" && skip "an ASan build cannot run under valgrind"
	# valgrind cannot follow malloc in a static program: the same objects,
	# linked dynamically (make builds osl-dynamic when osl is static)
	VG_OSL=$OSL
	[ -x "$OSL_BUILD/osl-dynamic" ] && VG_OSL=$OSL_BUILD/osl-dynamic
	readelf -l "$VG_OSL" | grep -q 'Requesting program interpreter' ||
	    fail "$VG_OSL is linked statically: valgrind would see no allocation"
	VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
	    --show-leak-kinds=definite,indirect --log-file="$T/vg.%p")
}

# Run osl under valgrind: `run`'s status is osl's, or 99 on a memory error;
# valgrind's own report is shown when it found something.
vg() {
	run "${VG[@]}" "$VG_OSL" "$@"
	if [ "$status" -eq 99 ] || grep -qE 'Invalid|uninitialised|definitely lost|indirectly lost' "$T"/vg.*; then
		cat "$T"/vg.* >&3
		return 1
	fi
	rm -f "$T"/vg.*
}

@test "valgrind: fs write, cat, hash, stat, cp -r, ls -R, rm -r, and a denial" {
	echo hello > in
	vg fs write f < in
	assert_success
	vg fs cat f
	assert_output hello
	vg -j fs hash f
	assert_success
	vg fs stat f
	assert_success
	mkdir -p d/e && echo x > d/e/y && ln -s y d/e/l
	vg fs cp -a d d2
	assert_success
	diff -r d d2
	vg fs ls -R d2
	assert_success
	vg fs rm -r d2
	assert_success
	vg fs cat /etc/shadow
	assert_failure 3
	vg fs cat nosuch
	assert_failure 1
}

@test "valgrind: policy check, show, explain, a bad file" {
	vg policy check "$OSL_TOP/policies/default.yaml"
	assert_success
	vg -j policy show "$OSL_TOP/policies/default.yaml"
	assert_success
	vg policy explain fs.read /etc/shadow
	assert_failure 1
	printf 'version: 1\nfs:\n  read: [/x/**]\n  read: [/y/**]\n' > dup.yaml
	vg policy check dup.yaml
	assert_failure 2
}

@test "valgrind: log verify (intact, torn) and show" {
	for _ in 1 2 3; do osl fs stat "$HOME" >/dev/null; done
	vg log verify "$LOG"
	assert_success
	vg -j log show --level info "$LOG"
	assert_success
	head -c -10 "$LOG" > torn.jsonl
	vg log verify torn.jsonl
	assert_failure 1
}

@test "valgrind: supervise a child, with a restart" {
	vg supervise --restart on-failure --max-restarts 1 --period 1m -- sh -c 'exit 3'
	assert_failure 3
	vg supervise -- true
	assert_success
}
