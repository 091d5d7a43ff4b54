#!/usr/bin/env bats
# Variables in rule paths (man osl-policy(5), VARIABLES): a variable that is
# unset, empty, "/", a system folder or a link to one never widens what a
# shipped policy allows; a write to /etc stays denied, or the policy does not
# load and says which variable to fix.
load helper

SHIPPED="default strict ci readonly net-none"

setup() {
	common_setup
}

# No shipped policy lets the environment given as arguments write to /etc:
# each either denies (exit 1) or refuses to load (exit 2).
no_write_to_etc() {
	local n
	for n in $SHIPPED; do
		run env "$@" "$OSL" -p "builtin:$n" policy explain fs.write /etc/motd
		[ "$status" -eq 1 ] || [ "$status" -eq 2 ] ||
			{ echo "builtin:$n allows: $output"; return 1; }
		refute_output --partial ": allow"
	done
}

passwd_home() { getent passwd "$(id -u)" | cut -d: -f6; }

@test "HOME unset: the password database's home, and no write to /etc" {
	want=$(passwd_home)
	[ -n "$want" ] && [ "$want" != / ] || skip "no usable home in the password database"
	run env -u HOME "$OSL" policy explain fs.write /etc/motd
	assert_failure 1
	assert_line --index 0 "fs.write /etc/motd: deny"
	assert_line "    HOME            $want"
	run env -u HOME "$OSL" -j policy explain fs.write "$want/x"
	[ "$(jget .variables.HOME.value "$output")" = "$want" ]
	no_write_to_etc -u HOME
}

@test "HOME empty: the same as unset" {
	want=$(passwd_home)
	[ -n "$want" ] && [ "$want" != / ] || skip "no usable home in the password database"
	run env HOME= "$OSL" policy explain fs.write /etc/motd
	assert_failure 1
	assert_line "    HOME            $want"
	no_write_to_etc HOME=
}

@test "HOME unset and no password entry: rules with HOME are an error, the log goes to stderr" {
	command -v setpriv >/dev/null || skip "no setpriv"
	getent passwd 48213 >/dev/null && skip "uid 48213 has a password entry"
	[ "$(id -u)" = 0 ] || skip "needs root to change uid"
	setpriv --reuid 48213 --regid 48213 --clear-groups "$OSL" --version >/dev/null 2>&1 ||
		skip "uid 48213 cannot run $OSL"
	run setpriv --reuid 48213 --regid 48213 --clear-groups env -u HOME -u XDG_STATE_HOME \
		"$OSL" -p builtin:default policy explain fs.write /etc/motd
	assert_failure 2
	assert_output "osl policy explain: builtin:default:26:15: fs.write: '\${HOME}/**': \${HOME} is not set"
	run setpriv --reuid 48213 --regid 48213 --clear-groups env -u HOME -u XDG_STATE_HOME \
		"$OSL" -j policy show builtin:net-none
	assert_success
	[ "$(jget .log.sink "$output")" = stderr ]
}

@test "HOME=/: write-home is an error with the variable and its value" {
	run env HOME=/ "$OSL" policy explain fs.write /etc/motd
	assert_failure 2
	assert_output "osl policy explain: builtin:default:26:15: fs.write: '\${HOME}/**': \${HOME} is '/': the rule would cover the whole file system (set HOME to a home folder of its own)"
	no_write_to_etc HOME=/
	# a deny rule only narrows: it keeps the value
	run env HOME=/ "$OSL" -p builtin:strict policy explain fs.write /etc/motd
	assert_failure 1
}

@test "HOME a system folder, or a link to one, is an error" {
	run env HOME=/etc "$OSL" policy check builtin:default
	assert_failure 2
	assert_output "osl policy check: builtin:default:26:15: fs.write: '\${HOME}/**': \${HOME} is '/etc', a system folder: the rule would cover all of it (set HOME to a home folder of its own)"
	ln -s /usr "$T/h"
	run env HOME="$T/h" "$OSL" policy check builtin:default
	assert_failure 2
	assert_output "osl policy check: builtin:default:26:15: fs.write: '\${HOME}/**': \${HOME} is '$T/h', which leads to '/usr', a system folder: the rule would cover all of it (set HOME to a home folder of its own)"
	no_write_to_etc HOME=/etc
	no_write_to_etc HOME="$T/h"
}

@test "TMPDIR=/: write-tmp is an error" {
	run env TMPDIR=/ "$OSL" policy explain fs.write /etc/motd
	assert_failure 2
	assert_output "osl policy explain: builtin:default:28:15: fs.write: '\${TMPDIR}/**': \${TMPDIR} is '/': the rule would cover the whole file system (set TMPDIR to a folder of its own, or unset it for /tmp)"
	run env TMPDIR=/ "$OSL" -p builtin:strict policy explain fs.write /etc/motd
	assert_failure 2
	assert_output "osl policy explain: builtin:strict:32:15: fs.write: '\${TMPDIR}/**': \${TMPDIR} is '/': the rule would cover the whole file system (set TMPDIR to a folder of its own, or unset it for /tmp)"
	no_write_to_etc TMPDIR=/
}

@test "TMPDIR a symlink to /: an error naming where it leads" {
	ln -s / "$T/root"
	run env TMPDIR="$T/root" "$OSL" -p builtin:ci policy explain fs.write /etc/motd
	assert_failure 2
	assert_output "osl policy explain: builtin:ci:30:15: fs.read: '\${TMPDIR}/**': \${TMPDIR} is '$T/root', which leads to '/': the rule would cover the whole file system (set TMPDIR to a folder of its own, or unset it for /tmp)"
	no_write_to_etc TMPDIR="$T/root"
	# a link to a folder of its own is fine, and explain shows where it leads
	mkdir "$T/realtmp"
	ln -s "$T/realtmp" "$T/tl"
	run env TMPDIR="$T/tl" "$OSL" policy explain fs.write /etc/motd
	assert_failure 1
	assert_line "    TMPDIR          $T/tl -> $T/realtmp"
}

@test "from / as the working folder: \${PWD} rules are an error that says to cd" {
	cd /
	run "$OSL" policy explain fs.write /etc/passwd
	assert_failure 2
	assert_output "osl policy explain: builtin:default:27:15: fs.write: '\${PWD}/**': \${PWD} is '/': the rule would cover the whole file system (cd into the workspace first)"
	run "$OSL" -p builtin:ci policy explain fs.write /etc/passwd
	assert_failure 2
	assert_output "osl policy explain: builtin:ci:29:15: fs.read: '\${PWD}/**': \${PWD} is '/': the rule would cover the whole file system (cd into the workspace first)"
	run "$OSL" -p builtin:ci proc run -- true
	assert_failure 125
	assert_output "osl proc run: builtin:ci:29:15: fs.read: '\${PWD}/**': \${PWD} is '/': the rule would cover the whole file system (cd into the workspace first)"
	no_write_to_etc
	# a stale $PWD does not matter: the working folder is asked of the kernel
	run env PWD="$T" "$OSL" -p builtin:ci policy explain fs.write /etc/passwd
	assert_failure 2
}

@test "from /etc as the working folder: \${PWD} is a system folder" {
	cd /etc
	run "$OSL" -p builtin:strict policy check builtin:strict
	assert_failure 2
	assert_output "osl policy check: builtin:strict:29:15: fs.read: '\${PWD}/**': \${PWD} is '/etc', a system folder: the rule would cover all of it (cd into the workspace first)"
}

@test "XDG_STATE_HOME empty or relative is unset: the default under HOME" {
	run env XDG_STATE_HOME= "$OSL" -j policy show builtin:net-none
	assert_success
	[ "$(jget .log.sink "$output")" = "file:$HOME/.local/state/osl/activity.jsonl" ]
	run env XDG_STATE_HOME=rel "$OSL" -j policy show builtin:net-none
	assert_success
	[ "$(jget .log.sink "$output")" = "file:$HOME/.local/state/osl/activity.jsonl" ]
}

@test "check and explain show what each variable expanded to" {
	run "$OSL" policy check builtin:ci
	assert_success
	assert_line --index 1 "  variables:"
	assert_line --index 2 "    HOME            $HOME"
	assert_line --index 3 "    PWD             $T"
	assert_line --index 4 "    TMPDIR          $TMPDIR"
	run --separate-stderr "$OSL" -j policy check builtin:ci
	assert_success
	[ "$(jget '.[0].variables.PWD.value' "$output")" = "$T" ]
	[ "$(jget '.[0].variables.PWD.real' "$output")" = null ]
	[ "$(jget '.[0].variables | keys | join(",")' "$output")" = "HOME,PWD,TMPDIR" ]
	# a policy without variables has no block
	printf 'version: 1\nfs: { read: [/srv/**] }\n' > "$T/p.yaml"
	run "$OSL" policy check "$T/p.yaml"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
}
