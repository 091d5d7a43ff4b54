#!/usr/bin/env bats
# Variables in rule paths (man osl-policy(5), VARIABLES): a variable that is
# unset, empty, "/", a system folder or a link to one never widens what a
# shipped policy allows: a rule that allows through it is inert (it allows
# nothing, and says so), a write to /etc stays denied, and osl still runs.
load helper

SHIPPED="default strict ci readonly net-none"

setup() {
	common_setup
}

# No shipped policy lets the environment given as arguments write to /etc:
# each loads and denies (exit 1).
no_write_to_etc() {
	local n
	for n in $SHIPPED; do
		run env "$@" "$OSL" -p "builtin:$n" policy explain fs.write /etc/motd
		[ "$status" -eq 1 ] || { echo "builtin:$n: $status: $output"; return 1; }
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

@test "HOME unset and no password entry: write-home is inert, deny rules with HOME an error; the log goes to stderr" {
	command -v setpriv >/dev/null || skip "no setpriv"
	getent passwd 48213 >/dev/null && skip "uid 48213 has a password entry"
	[ "$(id -u)" = 0 ] || skip "needs root to change uid"
	setpriv --reuid 48213 --regid 48213 --clear-groups "$OSL" --version >/dev/null 2>&1 ||
		skip "uid 48213 cannot run $OSL"
	# a deny rule takes its variable as it is: with none, it cannot narrow
	run setpriv --reuid 48213 --regid 48213 --clear-groups env -u HOME -u XDG_STATE_HOME \
		"$OSL" -p builtin:default policy explain fs.write /etc/motd
	assert_failure 2
	assert_output "osl policy explain: builtin:default:47:15: fs.deny: '\${HOME}/.ssh/**': \${HOME} is not set"
	# a policy the other user can read
	d=$(mktemp -d /tmp/osl-vars.XXXXXX)
	chmod 755 "$d"
	printf 'version: 1\nfs: { write: [{ path: "${HOME}/**", id: w }] }\n' > "$d/h.yaml"
	chmod 644 "$d/h.yaml"
	run setpriv --reuid 48213 --regid 48213 --clear-groups env -u HOME -u XDG_STATE_HOME \
		"$OSL" -p "$d/h.yaml" policy explain fs.write /etc/motd
	rm -r "$d"
	assert_failure 1
	assert_line --index 1 "  reason: no rule matched: default deny; rule w ($d/h.yaml:2:15) is inert: \${HOME} is not set — set HOME to a home folder of its own"
	run setpriv --reuid 48213 --regid 48213 --clear-groups env -u HOME -u XDG_STATE_HOME \
		"$OSL" -j policy show builtin:net-none
	assert_success
	[ "$(jget .log.sink "$output")" = stderr ]
}

@test "HOME=/: write-home is inert, named with the variable and its value" {
	run env HOME=/ "$OSL" policy explain fs.write /etc/motd
	assert_failure 1
	assert_line --index 1 "  reason: no rule matched: default deny (builtin:default:20:10); rule write-home (builtin:default:26:7) is inert: \${HOME} is '/' — set HOME to a home folder of its own"
	assert_line "  inert rules (they allow nothing):"
	assert_line "    fs.write     \${HOME}/**               builtin:default:26:7 (write-home): \${HOME} is '/' — set HOME to a home folder of its own"
	run --separate-stderr env HOME=/ "$OSL" -j policy explain fs.write /etc/motd
	[ "$(jget '.inert[0].where' "$output")" = builtin:default:26:7 ]
	[ "$(jget '.inert[0].kind' "$output")" = fs.write ]
	no_write_to_etc HOME=/
	# a deny rule only narrows: it keeps the value
	run env HOME=/ "$OSL" -p builtin:strict policy explain fs.write /etc/motd
	assert_failure 1
	refute_output --partial inert
}

@test "HOME a system folder, or a link to one: check warns, exit 0" {
	# write-home, the two exec rules under ~/.local and ~/bin, and
	# no-root-home's except (the deny holds whole)
	run --separate-stderr env HOME=/etc "$OSL" policy check builtin:default
	assert_success
	[ "${#stderr_lines[@]}" -eq 5 ]
	[ "${stderr_lines[4]}" = "osl policy check: warning: builtin:default:74:7: fs.deny '/root/**' (no-root-home): its except '\${HOME}/**' is inert, it excepts nothing (the deny holds whole): \${HOME} is '/etc', a system folder — set HOME to a home folder of its own" ]
	[ "${stderr_lines[0]}" = "osl policy check: warning: builtin:default:26:7: fs.write '\${HOME}/**' (write-home) is inert, it allows nothing: \${HOME} is '/etc', a system folder — set HOME to a home folder of its own" ]
	[ "${stderr_lines[1]}" = "osl policy check: warning: builtin:default:41:7: fs.exec '\${HOME}/.local/bin/**' (exec-user-bin) is inert, it allows nothing: \${HOME} is '/etc', a system folder — set HOME to a home folder of its own" ]
	ln -s /usr "$T/h"
	run --separate-stderr env HOME="$T/h" "$OSL" policy check builtin:default
	assert_success
	[ "${stderr_lines[0]}" = "osl policy check: warning: builtin:default:26:7: fs.write '\${HOME}/**' (write-home) is inert, it allows nothing: \${HOME} is '$T/h', which leads to '/usr', a system folder — set HOME to a home folder of its own" ]
	run --separate-stderr env HOME="$T/h" "$OSL" -j policy check builtin:default
	[ "$(jget '.[0].inert[0].reason' "$output")" = "\${HOME} is '$T/h', which leads to '/usr', a system folder — set HOME to a home folder of its own" ]
	no_write_to_etc HOME=/etc
	no_write_to_etc HOME="$T/h"
}

@test "TMPDIR=/: write-tmp is inert" {
	run env TMPDIR=/ "$OSL" policy explain fs.write /etc/motd
	assert_failure 1
	assert_line --index 1 "  reason: no rule matched: default deny (builtin:default:20:10); rule write-tmp (builtin:default:28:7) is inert: \${TMPDIR} is '/' — set TMPDIR to a folder of its own, or unset it for /tmp"
	run env TMPDIR=/ "$OSL" -p builtin:strict policy explain fs.write /etc/motd
	assert_failure 1
	assert_line --index 1 "  reason: no rule matched: default deny (builtin:strict:14:10); rule write-tmp (builtin:strict:32:7) is inert: \${TMPDIR} is '/' — set TMPDIR to a folder of its own, or unset it for /tmp"
	no_write_to_etc TMPDIR=/
}

@test "TMPDIR a symlink to /: inert, naming where it leads" {
	ln -s / "$T/root"
	run env TMPDIR="$T/root" "$OSL" -p builtin:ci policy explain fs.write /etc/motd
	assert_failure 1
	assert_line --index 1 "  reason: no rule matched: default deny (builtin:ci:13:10); rule write-tmp (builtin:ci:39:7) is inert: \${TMPDIR} is '$T/root', which leads to '/' — set TMPDIR to a folder of its own, or unset it for /tmp"
	no_write_to_etc TMPDIR="$T/root"
	# a link to a folder of its own is fine, and explain shows where it leads
	mkdir "$T/realtmp"
	ln -s "$T/realtmp" "$T/tl"
	run env TMPDIR="$T/tl" "$OSL" policy explain fs.write /etc/motd
	assert_failure 1
	assert_line "    TMPDIR          $T/tl -> $T/realtmp"
	refute_output --partial inert
}

@test "from / as the working folder: \${PWD} rules are inert, and osl runs (PID 1 in a container, cron)" {
	cd /
	run "$OSL" policy explain fs.write /etc/passwd
	assert_failure 1
	assert_line --index 1 "  reason: no rule matched: default deny (builtin:default:20:10); rule write-workdir (builtin:default:27:7) is inert: \${PWD} is '/' — cd into the workspace"
	run "$OSL" fs write /x <<<hi
	assert_failure 3
	assert_output "osl fs write: '/x': denied by policy (no rule matched: default deny (builtin:default:20:10); rule write-workdir (builtin:default:27:7) is inert: \${PWD} is '/' — cd into the workspace)"
	[ ! -e /x ]
	run "$OSL" -p builtin:ci policy explain fs.write /etc/passwd
	assert_failure 1
	assert_line --index 1 "  reason: no rule matched: default deny (builtin:ci:13:10); rule write-workspace (builtin:ci:38:7) is inert: \${PWD} is '/' — cd into the workspace"
	# what osl is asked to do from / still works
	run --separate-stderr "$OSL" fs stat /etc/hostname
	assert_success
	assert_line --index 0 "  File: /etc/hostname"
	run "$OSL" supervise -- /bin/true
	assert_success
	run --separate-stderr "$OSL" -p builtin:ci proc run -- true
	assert_success
	# the report says none for each inert rule, so --require-full refuses
	run --separate-stderr "$OSL" -p builtin:ci proc run --dry-run -- true
	assert_success
	assert_line "none     fs.write     \${PWD}/**                    write-workspace: inert (builtin:ci:38:7): \${PWD} is '/' — cd into the workspace: the rule allows nothing"
	# the system's own links still lead where they do: "/" is no workspace
	assert_line "full     fs.read      /lib/**                      read-lib: landlock read beneath '/usr/lib'"
	run --separate-stderr "$OSL" -p builtin:ci proc run --require-full -- true
	assert_failure 125
	no_write_to_etc
	# a stale $PWD does not matter: the working folder is asked of the kernel
	run env PWD="$T" "$OSL" -p builtin:ci policy explain fs.write "$T/x"
	assert_failure 1
}

@test "from /etc as the working folder: \${PWD} is a system folder" {
	cd /etc
	run --separate-stderr "$OSL" -p builtin:strict policy check builtin:strict
	assert_success
	[ "$stderr" = "osl policy check: warning: builtin:strict:29:7: fs.read '\${PWD}/**' (read-workdir) is inert, it allows nothing: \${PWD} is '/etc', a system folder — cd into the workspace" ]
	run "$OSL" -p builtin:strict policy explain fs.read /etc/shadow
	assert_failure 1
	no_write_to_etc
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
	# the deny rules' second value: the account's home, where HOME is another
	acct=$(getent passwd "$(id -u)" | cut -d: -f6)
	also=
	[ -z "$acct" ] || [ "$acct" = "$HOME" ] || also=" (deny rules also: $acct)"
	assert_line --index 2 "    HOME            $HOME$also"
	assert_line --index 3 "    PWD             $T"
	assert_line --index 4 "    TMPDIR          $TMPDIR"
	run --separate-stderr "$OSL" -j policy check builtin:ci
	assert_success
	[ "$(jget '.[0].variables.PWD.value' "$output")" = "$T" ]
	[ "$(jget '.[0].variables.PWD.real' "$output")" = null ]
	[ "$(jget '.[0].variables | keys | join(",")' "$output")" = "HOME,PWD,TMPDIR,XDG_CONFIG_HOME,XDG_STATE_HOME" ]
	# a policy without variables has no block
	printf 'version: 1\nfs: { read: [/srv/**] }\n' > "$T/p.yaml"
	run "$OSL" policy check "$T/p.yaml"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
}
