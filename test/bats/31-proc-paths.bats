#!/usr/bin/env bats
# osl proc run: what a rule path means (symlinks, renames, hard links) and
# the private /tmp (man osl-proc(1), RULE PATHS and PRIVATE TMP).
load helper

bats_require_minimum_version 1.5.0

setup() {
	common_setup
	proc_setup
	osl -j -p "$P/proc-run.yaml" proc run --dry-run > "$T/r.json"
	[ "$(jq '.[-1].landlock_abi' "$T/r.json")" -ge 1 ] || skip "needs Landlock"
	jq -e '.[-1].namespaces | index("mount")' "$T/r.json" >/dev/null ||
	    skip "no mount namespace can be made here"
	mkdir -p "$T/ws" "$T/far"
	cd "$T/ws"
}

strict_with() {	# YAML fs: line
	printf 'version: 1\nextends: [builtin:strict]\nfs: %s\n' "$1" > "$T/p.yaml"
}

@test "a write rule whose path is a symlink allows nothing through it; explain agrees; the report names the link" {
	ln -s "$T/far" out
	strict_with '{ write: ["${PWD}/out/**"] }'
	run osl -j -p "$T/p.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e --arg l "$T/ws/out" --arg t "$T/far" '.[] | select(.pattern == "${PWD}/out/**") |
	    .enforcement == "full" and (.reason | contains("\($l)\u0027 is a symlink to \u0027\($t)\u0027 (owner uid"))'
	run osl -p "$T/p.yaml" proc run -- sh -c 'echo x > out/planted'
	assert_failure
	[ ! -e "$T/far/planted" ]
	run osl -p "$T/p.yaml" policy explain fs.write "$T/far/planted"
	assert_output --partial ": deny"
}

@test "a read rule through a link to / reads nothing: /etc/shadow stays denied" {
	ln -s / docs
	strict_with '{ read: ["${PWD}/docs/**"] }'
	run osl -p "$T/p.yaml" proc run -- cat docs/etc/shadow
	assert_failure
	assert_output --partial "Permission denied"
	run osl -p "$T/p.yaml" proc run -- cat docs/etc/hostname
	assert_failure
}

@test "a root-owned system link is followed: /lib/** names /usr/lib for the decision and the kernel" {
	[ -L /lib ] && [ "$(stat -c %u /lib)" = 0 ] || skip "/lib is not a root-owned symlink here"
	real=$(readlink -f /lib)
	printf 'version: 1\ndefault: deny\nfs: { read: [/lib/**] }\n' > "$T/p.yaml"
	run osl -p "$T/p.yaml" policy explain fs.read "$real/os-release"
	assert_output --partial ": allow"
	run osl -j -p "$T/p.yaml" policy show
	echo "$output" | jq -e --arg r "$real/**" '.fs.read[0].real == $r'
	run osl -j -p "$T/p.yaml" proc run --dry-run
	echo "$output" | jq -e --arg r "$real" '.[] | select(.pattern == "/lib/**") | .reason | endswith("\u0027\($r)\u0027")'
}

@test "a deny rule follows any link: ~/.ssh -> elsewhere denies the target, for fs cat and proc run" {
	mkdir -p "$T/keys" && echo KEY > "$T/keys/id"
	ln -s "$T/keys" "$HOME/.ssh"
	run osl fs cat "$HOME/.ssh/id"
	assert_failure 3
	assert_output --partial "no-ssh-keys"
	run osl proc run -- cat "$HOME/.ssh/id"
	assert_failure
	refute_output --partial KEY
}

@test "renames: the folders above a denied path cannot be moved aside, one or two levels up" {
	export XDG_CONFIG_HOME=$HOME/.config
	mkdir -p "$HOME/.config/osl" "$HOME/a/b/osl"
	printf 'version: 1\nextends: [builtin:default]\nfs: { deny: ["${HOME}/a/b/osl/**"] }\n' > "$T/p.yaml"
	run osl -p "$T/p.yaml" proc run -- sh -c 'mv "$HOME/.config" "$HOME/.config.aside"'
	assert_failure
	assert_output --partial "busy"
	run osl -p "$T/p.yaml" proc run -- sh -c 'mv "$HOME/a" "$HOME/a.aside"'
	assert_failure
	assert_output --partial "busy"
	[ -d "$HOME/.config/osl" ] && [ -d "$HOME/a/b/osl" ]
}

@test "a denied path that does not exist below a writable folder is partial; full once it exists" {
	# the line of $XDG_CONFIG_HOME's (the rule has one for the account's too)
	sel='.[] | select(.rule == "no-policy-tampering-config" and (.reason | contains($d)))'
	run osl -j proc run --dry-run
	echo "$output" | jq -e --arg d "$XDG_CONFIG_HOME" "$sel"' | .enforcement == "partial" and (.reason | contains("does not exist"))'
	mkdir -p "$XDG_CONFIG_HOME/osl"
	run osl -j proc run --dry-run
	echo "$output" | jq -e --arg d "$XDG_CONFIG_HOME" "$sel"' | .enforcement == "full"'
}

@test "hard links: a second name of a denied file makes the line partial, and --require-full refuses" {
	echo secret > "$HOME/.netrc"
	run osl -j proc run --dry-run
	echo "$output" | jq -e --arg f "$HOME/.netrc" '.[] | select(.rule == "no-netrc" and (.reason | contains($f))) | .enforcement == "full"'
	ln "$HOME/.netrc" "$HOME/notes"
	run osl -j proc run --dry-run
	echo "$output" | jq -e --arg f "$HOME/.netrc" '.[] | select(.rule == "no-netrc" and (.reason | contains($f))) | .enforcement == "partial" and
	    (.reason | contains("\u0027\($f)\u0027 has 2 names"))'
	run -125 osl proc run --require-full -- true
	# and inside a denied folder
	mkdir -p "$HOME/.ssh" && echo k > "$HOME/.ssh/id" && ln "$HOME/.ssh/id" "$HOME/id.copy"
	run osl -j proc run --dry-run
	echo "$output" | jq -e --arg f "$HOME" '.[] | select(.rule == "no-ssh-keys" and (.reason | contains($f))) | .enforcement == "partial" and (.reason | contains("has 2 names"))'
}

@test "private /tmp: fresh per run, TMPDIR=/tmp, the working folder below /tmp kept, gone at exit" {
	echo host > "/tmp/osl-bats-plant.$$"
	echo mine > "$T/ws/f"
	run osl proc run -- sh -c 'echo "$TMPDIR"; echo x > "$TMPDIR/made" && cat "$TMPDIR/made";
	    ls /tmp/osl-bats-plant.'$$' 2>&1; cat f'
	rm -f "/tmp/osl-bats-plant.$$"
	assert_success
	assert_line /tmp
	assert_line x
	assert_output --partial "No such file"
	assert_line mine
	[ ! -e /tmp/made ]
	run osl -j proc run --dry-run
	echo "$output" | jq -e --arg w "$T/ws" '.[] | select(.kind == "fs.tmp") | .enforcement == "full" and (.reason | contains($w))'
}

@test "private /tmp: a \${TMPDIR} rule does not reach a read-only tree kept below /tmp" {
	mkdir -p ro
	strict_with '{ read: ["${PWD}/ro/**"] }'
	run osl -p "$T/p.yaml" proc run -- sh -c 'echo x > "$TMPDIR/f" && echo written; echo y > ro/g'
	assert_line written
	assert_output --partial "ro/g: Permission denied"
	[ ! -e ro/g ]
}

@test "private /tmp: an exec \${TMPDIR} rule runs what the program makes there, not the kept workspace" {
	cp /bin/true prog
	strict_with '{ read: ["${TMPDIR}/**"], exec: ["${TMPDIR}/**"] }'
	run osl -p "$T/p.yaml" proc run -- sh -c 'printf "#!/bin/sh\necho ran\n" > "$TMPDIR/s" && chmod +x "$TMPDIR/s" && "$TMPDIR/s"'
	assert_success
	assert_output ran
	ld=$(readlink -f /lib64/ld-linux-x86-64.so.2) || skip "no x86_64 dynamic loader"
	run -127 osl -p "$T/p.yaml" proc run -- "$ld" ./prog
	assert_output --partial "failed to map segment"
}

@test "proc.tmp: shared gives the machine's /tmp, and the report says so" {
	printf 'version: 1\nextends: [builtin:default]\nproc: { tmp: shared }\n' > "$T/p.yaml"
	run osl -j -p "$T/p.yaml" policy show
	echo "$output" | jq -e '.proc.tmp == "shared"'
	run osl -p "$T/p.yaml" policy show
	assert_output --partial "  tmp: shared"
	run osl -j -p "$T/p.yaml" proc run --dry-run
	echo "$output" | jq -e '.[] | select(.kind == "fs.tmp") | .reason | startswith("shared")'
	run osl -p "$T/p.yaml" proc run -- sh -c "echo x > /tmp/osl-bats-shared.$$"
	assert_success
	[ -e "/tmp/osl-bats-shared.$$" ]
	rm -f "/tmp/osl-bats-shared.$$"
	printf 'version: 1\nproc: { tmp: elsewhere }\n' > "$T/bad.yaml"
	run -2 osl -p "$T/bad.yaml" policy check "$T/bad.yaml"
	assert_output --partial "proc.tmp"
}

@test "supervise: a child with a policy gets the private /tmp too" {
	export XDG_RUNTIME_DIR=$T/run
	mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
	echo host > "/tmp/osl-bats-plant.$$"
	cat > sv.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: t
	      cmd: [sh, -c, "echo \$TMPDIR > o.tmp; ls -A /tmp >> o.tmp; mv o.tmp out; exec sleep 1000"]
	      policy: builtin:default
	EOF
	"$OSL" supervise -c sv.yaml >/dev/null 2>&1 3>&- &
	pid=$!
	for _ in $(seq 200); do [ -e out ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid" || true
	rm -f "/tmp/osl-bats-plant.$$"
	run cat out
	assert_line --index 0 /tmp
	refute_output --partial "osl-bats-plant"
}

@test "probes: the path attacks escape bare and are held (or partial) under osl, as root and as nobody" {
	[ -x "$PROBES/_helper" ] || skip "probes not built (make probes)"
	set -- fs_symlink_rule_write fs_symlink_rule_read fs_symlink_rule_mid fs_symlink_rule_back \
	    fs_rename_deny_up1 fs_rename_deny_up2 fs_hardlink_before tmp_plant_seen
	run "$OSL_TOP/test/probes/run" "$PROBES" "$@"
	echo "$output"
	assert_success
	assert_line "7 held, 0 escaped, 0 skipped, 1 partial"
	assert_line "fs_hardlink_before 0 0 partial"
	run "$OSL_TOP/test/probes/run" -P builtin:default "$PROBES" tmp_plant_seen home_config_rename
	echo "$output"
	assert_line "2 held, 0 escaped, 0 skipped, 0 partial"
	command -v setpriv >/dev/null || skip "setpriv is needed for -u"
	setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U true 2>/dev/null ||
	    skip "no unprivileged user namespaces here"
	run "$OSL_TOP/test/probes/run" -u "$PROBES" "$@"
	echo "$output"
	assert_line "7 held, 0 escaped, 0 skipped, 1 partial"
}
