#!/usr/bin/env bats
# The README runs as shown: every `$` command of it, in a small project
# made here, with only paths adapted; its container entrypoint as PID 1, its
# systemd unit through systemd-analyze, its CI step in that project.
load helper

README=$BATS_TEST_DIRNAME/../../README.md

setup() {
	common_setup
	export XDG_RUNTIME_DIR=$T/run
	mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
	# a runner's PATH: nothing from this machine's HOME (pyenv shims)
	PATH=$(dirname "$OSL"):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}

teardown() {
	[ -n "${SVPID:-}" ] && kill -TERM "$SVPID" 2>/dev/null
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	return 0
}

# The indented block of the README whose first line matches ERE $1, without
# its indentation.
block() {
	awk -v re="$1" '
		/^    / { if (!inb) { inb = 1; take = (substr($0, 5) ~ re) } if (take) print substr($0, 5); next }
		/^$/ && inb && take { print ""; next }
		{ if (inb && take) exit; inb = 0 }
	' "$README" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# A small project nobody here wrote the README for: make test writes its
# output, as real builds do.
project() {
	P=$T/proj
	mkdir -p "$P/build" "$P/secrets" "$HOME/.ssh"
	cd "$P"
	printf 'test:\n\t@mkdir -p build && echo ok > build/result && echo tests passed\n' > Makefile
	echo "remember the milk" > notes.txt
	echo "ELF?" > build/osl
	echo token > secrets/token
	echo "-----BEGIN OPENSSH PRIVATE KEY-----" > "$HOME/.ssh/id_ed25519"
	echo 'print("worked")' > worker.py
	printf 'policy: builtin:default\ncases:\n  - { action: fs.read, target: "%s/.ssh/id_ed25519", expect: deny, rule: no-ssh-keys }\n' \
	    "$HOME" > cases.yaml
	printf 'version: 1\nsupervisor:\n  children:\n    - name: web\n      cmd: [sleep, "1000"]\n' > app.yaml
	mkdir -p "$T/units/app.service.d" "$T/mnt/other" "$TMPDIR/srv/artifacts"
	# the log's checkpoints also go elsewhere (the README's last command)
	mkdir -p "$XDG_CONFIG_HOME/osl"
	printf 'version: 1\nextends: [builtin:default]\nlog:\n  checkpoint: { every: 1, sink: "file:%s/mnt/other/checkpoints.jsonl" }\n' \
	    "$T" > "$XDG_CONFIG_HOME/osl/policy.yaml"
}

# Paths of the README (a machine's) made this test's.
adapt() {
	sed -e "s|/srv/artifacts/|$TMPDIR/srv/artifacts/|g" \
	    -e "s|/etc/systemd/system/app.service.d/|$T/units/app.service.d/|g" \
	    -e "s|/mnt/other/|$T/mnt/other/|g" -e "s|5432|$PORT|g" \
	    -e "s|/home/me|$HOME|g" -e "s|/src/app|$P|g"
}

# The `$` commands of the README, one per record (a heredoc with its lines),
# each followed by the output lines the README shows for it, as
# CMD<TAB>line\x1f... on one line.
commands() {
	awk '
		function flush() { if (cmd != "") print cmd "\t" out; cmd = ""; out = "" }
		/^    \$ / { flush(); cmd = substr($0, 7)
			if (match(cmd, /<<.?[A-Z]+.?$/)) { term = substr(cmd, RSTART + 2); gsub(/\047/, "", term)
				while ((getline l) > 0) { l = substr(l, 5); cmd = cmd "\x1e" l; if (l == term) break } }
			next }
		/^    / { if (cmd != "") out = out substr($0, 5) "\x1f"; next }
		{ flush() }
		END { flush() }
	' "$README"
}

# What each command exits with, where it is not 0 (a key matches one command).
expect_status() {
	case "$1" in
	"osl fs cat ~/.ssh/id_ed25519") echo 3 ;;
	"echo x | osl fs write /etc/motd") echo 3 ;;
	"osl -p ci.yaml policy explain fs.read \"\$PWD/secrets/token\"") echo 1 ;;
	"osl -p builtin:ci proc run --require-full -- make test"*) echo 125 ;;
	"osl -p builtin:ci proc run -- sh -c 'echo x > /etc/motd'") echo 2 ;;
	*) echo 0 ;;
	esac
}

@test "README: every \$ command runs as shown, with the status and the messages it shows" {
	shopt -s extglob
	# a user's environment: the log where the README says it is
	unset XDG_STATE_HOME
	[ "$(id -u)" = 0 ] || skip "policy learn and the proxy's namespace need root here"
	command -v jq >/dev/null || skip "no jq"
	project
	unshare -m --propagation private true 2>/dev/null || skip "no mount namespaces here"
	awk -F: -v OFS=: -v h="$HOME" '$3 == 0 { $6 = h } 1' /etc/passwd > "$T/passwd"
	# the database the README waits for: a listener on a port of its own
	python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen()
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1]); time.sleep(300)' "$T/port" 3>&- &
	LPID=$!
	for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
	PORT=$(cat "$T/port")
	n=0 checked=0
	while IFS=$'\t' read -r cmd out; do
		cmd=$(printf '%s' "$cmd" | tr '\036' '\n' | adapt)
		want=$(expect_status "$cmd")
		case "$cmd" in
		"cat egress.yaml")	# the README shows the file: it is made from that
			printf '%s' "$out" | tr '\037' '\n' > egress.yaml ;;
		esac
		n=$((n + 1))
		# one shell per command, in the project, as a user types it; $? is
		# the previous command's; one put in the background stays there
		if [[ "$cmd" =~ ^(.*[^ ])\ +\&(\ +#.*)?$ ]]; then
			as_home bash -c "exec ${BASH_REMATCH[1]}" > "$T/bg.out" 2>&1 3>&- &
			SVPID=$!
			wait_for_socket
			status=0 output= stderr=
		else
			run --separate-stderr as_home bash -c "(exit ${prev:-0}); $cmd"
		fi
		prev=$status
		echo "# \$ ${cmd%%$'\n'*} -> $status" >&3
		if [ "$status" != "$want" ]; then
			echo "README command: $cmd" >&2
			echo "exit $status, the README implies $want; stderr: $stderr" >&2
			return 1
		fi
		case "$cmd" in
		"echo \$?") [ "$output" = "$(printf '%s' "$out" | tr -d '\037')" ] ;;
		esac
		# the messages it shows: osl's and the shell's lines as they are; a
		# line cut with … up to there
		while IFS= read -r line; do
			line=$(printf '%s' "$line" | adapt)
			case "$line" in
			osl\ *|sh:\ *) ;;
			*…*) line=${line%%…*}; line=${line%%+([0-9a-f])} ;;
			*) continue ;;
			esac
			if [[ "$output"$'\n'"$stderr" != *"$line"* ]]; then
				echo "README command: $cmd" >&2
				echo "shows: $line" >&2
				echo "got: $output $stderr" >&2
				return 1
			fi
			checked=$((checked + 1))
		done < <(printf '%s' "$out" | tr '\037' '\n')
	done < <(commands)
	# a background command of the README leaves its tree running: it answered
	[ "$n" -ge 30 ]
	[ "$checked" -ge 6 ]
}

# CMD... as the README's user, whose home is $HOME: root's home in a copy of
# /etc/passwd bind-mounted in a mount namespace of its own (the deny rules
# cover the account's home too, osl-policy(5), VARIABLES: a HOME other
# than the account's adds lines to the report)
as_home() {
	unshare -m --propagation private sh -c 'mount --bind "$0" /etc/passwd && exec "$@"' \
	    "$T/passwd" "$@"
}

wait_for_socket() {
	for _ in $(seq 1 200); do
		[ -S "$XDG_RUNTIME_DIR/osl/supervise.sock" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "README: the container entrypoint as PID 1 runs its program under the policy, passes TERM on, and exits with its status" {
	command -v unshare >/dev/null || skip "no unshare"
	unshare -fp --mount-proc true 2>/dev/null || skip "cannot make a PID namespace here"
	mkdir -p "$T/app" "$T/etc"
	block '^version: 1$' | sed "s|\"/app/|\"$T/app/|" > "$T/etc/policy.yaml"
	grep -q "exec: \\[\"$T/app/\\*\\*\"\\]" "$T/etc/policy.yaml"
	df=$(block '^FROM ')
	entry=$(sed -n 's/^ENTRYPOINT //p' <<<"$df" | jq -r '.[]')
	cmd=$(sed -n 's/^CMD //p' <<<"$df" | jq -r '.[]')
	[ -n "$entry" ] && [ -n "$cmd" ]
	mapfile -t argv < <(printf '%s\n%s\n' "$entry" "$cmd" |
	    sed -e "s|^/usr/local/bin/osl$|$OSL|" -e "s|^/etc/osl/|$T/etc/|" -e "s|^/app/|$T/app/|")
	# a server that leaves an orphan behind, and stops cleanly on TERM
	cat > "$T/app/server" <<-EOF
	#!/bin/sh
	sh -c 'sleep 0.1 &' 
	trap 'echo stopping; exit 7' TERM
	echo up > "$T/up"
	while :; do sleep 0.05; done
	EOF
	chmod +x "$T/app/server"
	unshare -fp --mount-proc "${argv[@]}" > "$T/out" 2> "$T/err" 3>&- &
	U=$!
	for _ in $(seq 1 200); do [ -e "$T/up" ] && break; sleep 0.05; done
	[ -e "$T/up" ]
	pid1=$(pgrep -P "$U" | head -1)
	[ -n "$pid1" ]
	# PID 1 of the namespace is osl
	[ "$(readlink "/proc/$pid1/exe")" = "$(readlink -f "$OSL")" ]
	kill -TERM "$pid1"
	s=0
	wait "$U" || s=$?
	[ "$s" = 7 ]
	grep -qx stopping "$T/out"
	# the records went to stderr (docker logs): the start was decided by the policy
	grep '^{' "$T/err" > "$T/records"
	[ "$(jq -r 'select(.event.action == "supervise.start") | .event.outcome' "$T/records")" = success ]
	jq -r 'select(.event.action == "supervise.start") | .event.reason' "$T/records" | grep -q "$T/etc/policy.yaml:3:"
	# and a program the policy does not allow is refused
	printf '#!/bin/sh\necho ran\n' > "$T/tool" && chmod +x "$T/tool"
	s=0
	unshare -fp --mount-proc "${argv[@]:0:${#argv[@]}-1}" "$T/tool" > "$T/out2" 2> "$T/err2" || s=$?
	[ "$s" != 0 ]
	[ ! -s "$T/out2" ]
	grep -q "denied by policy" "$T/err2"
}

@test "README: the systemd unit and the exported drop-in pass systemd-analyze verify" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	mkdir -p "$T/units/app.service.d" "$T/etc/app"
	block '^\[Unit\]$' | sed -e "s|/usr/local/bin/osl|$OSL|" -e "s|/etc/app/|$T/etc/app/|" > "$T/units/app.service"
	grep -q "^ExecStart=$OSL -l journald supervise -c $T/etc/app/tree.yaml$" "$T/units/app.service"
	printf 'version: 1\nsupervisor:\n  children:\n    - name: web\n      cmd: [sleep, "1000"]\n' > "$T/etc/app/tree.yaml"
	run osl supervise -c "$T/etc/app/tree.yaml" --check
	assert_success
	block '^version: 1$' > "$T/etc/app/policy.yaml"
	# the drop-in, as the README makes it
	run --separate-stderr osl policy export --format systemd "$T/etc/app/policy.yaml"
	assert_success
	printf '%s\n' "$output" > "$T/units/app.service.d/osl.conf"
	grep -q '^\[Service\]' "$T/units/app.service.d/osl.conf"
	run env SYSTEMD_UNIT_PATH="$T/units:" systemd-analyze verify "$T/units/app.service"
	assert_success
	refute_output --partial "app.service"
	refute_output --partial "osl.conf"
	# a mistake in it would be seen: the check is not blind
	sed 's/^Type=exec/Type=bogus/' "$T/units/app.service" > "$T/units/bad.service"
	run env SYSTEMD_UNIT_PATH="$T/units:" systemd-analyze verify "$T/units/bad.service"
	assert_output --partial "bogus"
}

@test "README: the CI step builds a project under builtin:ci and leaves its records where the artifact step takes them" {
	# a CI runner's environment: XDG_STATE_HOME unset, its default under HOME
	unset XDG_STATE_HOME
	LOG=$HOME/.local/state/osl/activity.jsonl
	project
	ci=$(block '^- name: test')
	run_line=$(sed -n 's/^ *run: //p' <<<"$ci")
	path=$(sed -n 's/.*path: \([^ }]*\).*/\1/p' <<<"$ci")
	[ -n "$run_line" ] && [ -n "$path" ]
	rm -f "$LOG"
	run --separate-stderr bash -c "$run_line"
	assert_success
	assert_output "tests passed"
	[ -z "$stderr" ]
	[ "$(cat build/result)" = ok ]
	art=$(eval echo "$path")
	[ "$art" = "$LOG" ]
	run osl log verify "$art"
	assert_success
	[ "$(jq -r .event.action "$art" | tr '\n' ' ')" = "proc.exec proc.exit " ]
}
