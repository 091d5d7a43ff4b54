#!/usr/bin/env bats
# The attacker who writes osl's environment (a CI step's variables, a
# wrapper script) and the workspace: each test tries the escape bare (it
# must work) and under osl (it must be held, or the report must say it is
# not).  man/osl-policy.5, VARIABLES; man/osl.7, GUARANTEES.
#
# The user is nobody, whose home in the password database is /srv/real: in
# a mount namespace of the test's own, $W is bind-mounted on /srv (outside
# /tmp, which each run gets fresh) and a copy of /etc/passwd with that line
# on /etc/passwd (the machine's files are never touched).  R is the real
# home as the user sees it, $W/real as the test does.
load helper

setup() {
	common_setup
	proc_setup
	[ "$(id -u)" = 0 ] || skip "needs root (to bind-mount a passwd of the test's)"
	unshare -m --propagation private true 2>/dev/null || skip "no mount namespaces here"
	nobody_home
	mkdir -p "$W/real/.ssh" "$W/real/.config" "$W/real/.local/state" "$W/decoy" "$W/work"
	echo realkey > "$W/real/.ssh/id_ed25519"
	chmod 700 "$W/real/.ssh"
	chown -R 65534:65534 "$W/real" "$W/decoy" "$W/work"
	[ -d /srv ] || skip "no /srv to mount the test's folder on"
	R=/srv/real
	awk -F: -v OFS=: -v h="$R" '$1 == "nobody" { $6 = h } 1' /etc/passwd > "$W/passwd"
	grep -q "^nobody:.*:$R:" "$W/passwd" || skip "no user nobody in /etc/passwd"
}

teardown() { [ -z "${W:-}" ] || rm -rf "$W"; }

# CMD... as nobody in /srv/work, whose home in the password database is
# $R, with the environment's variables as given before it (VAR=VALUE words;
# HOME=/srv/decoy unless one is given)
as_user() {
	unshare -m --propagation private sh -c 'mount --bind "$0" /srv &&
	    mount --bind /srv/passwd /etc/passwd && cd /srv/work &&
	    exec env -u XDG_CONFIG_HOME -u XDG_STATE_HOME -u TMPDIR HOME=/srv/decoy \
	    setpriv --reuid=65534 --regid=65534 --clear-groups env "$@"' "$W" "$@"
}

landlock_ok() {
	"$OSL" -j -p builtin:default proc run --dry-run > "$T/r.json" 2>/dev/null
	[ "$(jq '.[-1].landlock_abi' "$T/r.json")" -ge 1 ] || skip "needs Landlock"
}

@test "HOME=decoy: the account's own ~/.ssh stays denied (read, run, report)" {
	landlock_ok
	# bare: the decoy HOME does not hide the real key
	run as_user cat "$R/.ssh/id_ed25519"
	assert_success
	assert_output realkey
	# under osl: the deny covers the account's home as well as $HOME
	run as_user "$OSL" -l none -p builtin:default proc run -- cat "$R/.ssh/id_ed25519"
	assert_failure
	refute_output --partial realkey
	run as_user "$OSL" -l none -p builtin:default fs cat "$R/.ssh/id_ed25519"
	assert_failure
	assert_output --partial no-ssh-keys
	refute_output --partial realkey
	# the report names both, each held
	run as_user "$OSL" -j -p builtin:default proc run --dry-run
	assert_success
	echo "$output" | jq -e --arg d "'$R/.ssh'" '[.[] | select(.rule == "no-ssh-keys")] |
	    length == 2 and any(.reason | startswith($d)) and
	    all(.enforcement == "full" or (.reason | test("decoy")))'
	# policy check names the account's value; show lists the second rule
	run as_user "$OSL" -j -p builtin:default policy check
	assert_success
	echo "$output" | jq -e --arg r "$R" '.[0].variables.HOME | .value == "/srv/decoy" and .account == $r'
	# same id, the account's path
	run as_user "$OSL" -j -p builtin:default policy show
	assert_success
	echo "$output" | jq -e --arg p "$R/.ssh/**" '.fs.deny | any(.expanded == $p and .id == "no-ssh-keys" and .account)'
}

@test "TMPDIR=the real home under builtin:ci: \${TMPDIR} is the run's own /tmp, the key stays out" {
	landlock_ok
	run as_user TMPDIR="$R" sh -c 'cat "$TMPDIR/.ssh/id_ed25519"'
	assert_success
	assert_output realkey
	run as_user TMPDIR="$R" "$OSL" -l none -p builtin:ci proc run -- \
	    sh -c 'cat "$0/.ssh/id_ed25519"' "$R"
	assert_failure
	refute_output --partial realkey
}

@test "XDG_CONFIG_HOME elsewhere: the child cannot rewrite the account's ~/.config/osl/policy.yaml" {
	landlock_ok
	mkdir -p "$W/real/.config/osl"
	echo "extends: [builtin:strict]" > "$W/real/.config/osl/policy.yaml"
	chown -R 65534:65534 "$W/real/.config"
	cp "$W/real/.config/osl/policy.yaml" "$W/policy.orig"
	plant='echo "extends: [builtin:default]" > "$0/.config/osl/policy.yaml"'
	run as_user HOME="$R" XDG_CONFIG_HOME=/srv/decoy sh -c "$plant" "$R"
	assert_success
	cp "$W/policy.orig" "$W/real/.config/osl/policy.yaml"
	run as_user HOME="$R" XDG_CONFIG_HOME=/srv/decoy "$OSL" -l none -p builtin:default \
	    proc run -- sh -c "$plant" "$R"
	assert_failure
	cmp "$W/policy.orig" "$W/real/.config/osl/policy.yaml"
	# without the folder, a policy made there later is not hidden: partial
	rm -rf "$W/real/.config/osl"
	run as_user HOME="$R" XDG_CONFIG_HOME=/srv/decoy "$OSL" -j -p builtin:default \
	    proc run --dry-run
	echo "$output" | jq -e --arg d "'$R/.config/osl'" '.[] |
	    select(.rule == "no-policy-tampering-config" and (.reason | startswith($d))) |
	    .enforcement == "partial"'
}

@test "XDG_STATE_HOME elsewhere: the child cannot rewrite the account's own activity log" {
	landlock_ok
	mkdir -p "$W/real/.local/state/osl"
	echo '{"old":1}' > "$W/real/.local/state/osl/activity.jsonl"
	chown -R 65534:65534 "$W/real/.local"
	cp "$W/real/.local/state/osl/activity.jsonl" "$W/log.orig"
	run as_user HOME="$R" XDG_STATE_HOME=/srv/decoy sh -c ': > "$0"' \
	    "$R/.local/state/osl/activity.jsonl"
	assert_success
	cp "$W/log.orig" "$W/real/.local/state/osl/activity.jsonl"
	run as_user HOME="$R" XDG_STATE_HOME=/srv/decoy "$OSL" -p builtin:default \
	    proc run -- sh -c ': > "$0"' "$R/.local/state/osl/activity.jsonl"
	assert_failure
	cmp "$W/log.orig" "$W/real/.local/state/osl/activity.jsonl"
	# and the run's own log, where XDG_STATE_HOME sends it, is held too
	assert_file_exists "$W/decoy/osl/activity.jsonl"
}

@test "a workspace file named like an option: a glob of the verb's operands cannot set --policy, --log or --audit" {
	# as the user types it: run by root here, in a workspace the attacker
	# wrote, with a link to a file builtin:strict does not let it read
	cd "$W/work"
	printf 'version: 1\nname: open\ndefault: allow\n' > open.yaml
	ln -s /etc/hostname host
	echo notes > notes
	run "$OSL" -l none -p builtin:strict fs cat host
	assert_failure 3
	# typed before the verb, each is the user's own choice and is taken
	run "$OSL" -l none --audit -p builtin:strict fs cat host
	assert_success
	for f in --audit --aud --policy=open.yaml -popen.yaml --log=none -lnone; do
		touch -- "$f"
		run "$OSL" -p builtin:strict fs cat *
		assert_failure 2
		assert_output --partial "only before the verb"
		refute_output --partial "$(cat /etc/hostname)"
		# and after --, the file is a file
		run "$OSL" -l none -p builtin:strict fs stat -- "$f"
		assert_success
		rm -- "$f"
	done
	# the options that only shape the output stay anywhere
	run "$OSL" -l none -p builtin:strict fs cat notes -q
	assert_success
	assert_output notes
}

@test "policy learn: a child that writes one file in a system folder does not get the folder" {
	# /srv (a system folder, osl-policy(5)) is a tmpfs of the test's own,
	# in a mount namespace: the machine's is never written
	cd "$W/work"
	run unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /srv &&
	    exec "$0" -l none policy learn -o "$1" -- sh -c "echo x > /srv/one; mkdir /srv/made && echo y > /srv/made/f"' \
	    "$OSL" "$W/learned.yaml"
	assert_success
	cat "$W/learned.yaml"
	sed -n '/^  write:/,/^  [a-z]*:/p' "$W/learned.yaml" > "$W/write"
	grep -qx '    - "/srv/one"' "$W/write"
	grep -qx '    - "/srv/made/\*\*"' "$W/write"
	! grep -q '"/srv/\*\*"' "$W/write"
}

@test "osl fs verbs racing a swap of a path component for a link to a denied folder: never through it" {
	command -v python3 >/dev/null || skip "python3 is needed for renameat2"
	# A and B exchanged (renameat2 RENAME_EXCHANGE) until killed, or once
	cat > "$T/swap.py" <<-'PY'
	import ctypes, sys
	libc = ctypes.CDLL(None, use_errno=True)
	a, b = sys.argv[1].encode(), sys.argv[2].encode()
	while True:
	    if libc.renameat2(-100, a, -100, b, 2) != 0:
	        sys.exit("renameat2: errno %d" % ctypes.get_errno())
	    if sys.argv[3:] == ["once"]:
	        break
	PY
	mkdir -p "$HOME/.ssh" "$T/ws/d"
	echo SECRET > "$HOME/.ssh/id"
	echo data > "$T/src"
	ln -s "$HOME/.ssh" "$T/ws/l"
	cd "$T/ws"
	snap() { ls -la --time-style=+%s.%N "$HOME/.ssh"; cat "$HOME/.ssh/id"; }
	start() { echo public > d/id; python3 "$T/swap.py" d l & sp=$!; }
	stop() { kill "$sp"; wait "$sp" || true; [ -L l ] || python3 "$T/swap.py" d l once; }
	before=$(snap)
	# bare: the swap leads a plain cat into ~/.ssh (within 30 s)
	start
	leak=0
	for _ in $(seq 30000); do
		grep -qs SECRET d/id && { leak=1; break; }
	done
	stop
	[ "$leak" = 1 ]
	# under osl: each verb 40 times while the swap goes on; never the
	# secret on stdout, nothing in ~/.ssh changed, nothing copied from it
	for verb in "cat d/id" "write d/id" "append d/id" "touch d/t" "chmod 0600 d/id" \
	    "cp $T/src d/c" "mkdir d/n" "ln -s x d/s" "mv d/id d/m" "cp -r d $T/out" "rm d/id"; do
		start
		for _ in $(seq 40); do
			out=$(echo x | "$OSL" -l none -p builtin:default fs $verb 2>&1) || true
			[[ "$out" != *SECRET* ]] || { stop; echo "fs $verb read the secret"; false; }
			# (a link copied as a link is no copy: files only)
			[ -z "$(find "$T/out" -type f -exec grep -l SECRET {} + 2>/dev/null)" ] ||
			    { stop; echo "fs $verb copied the secret"; false; }
			rm -rf "$T/out"
		done
		stop
		[ "$(snap)" = "$before" ] || { echo "fs $verb changed ~/.ssh"; ls -la "$HOME/.ssh"; false; }
	done
}

@test "a hard link in the workspace to a key denied outside every allowed tree: the report says partial" {
	landlock_ok
	# /srv, a tmpfs of the test's own in a mount namespace: the home and
	# the workspace outside /tmp, each run's fresh one
	in_srv() {
		unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /srv &&
		    mkdir -p /srv/home/.ssh /srv/ws && echo KEY > /srv/home/.ssh/id &&
		    ln /srv/home/.ssh/id /srv/ws/notes && cd /srv/ws && HOME=/srv/home exec "$@"' sh "$@"
	}
	# bare, and under builtin:ci: the same inode, which no rule can refuse
	run in_srv cat notes
	assert_output KEY
	run in_srv "$OSL" -l none -p builtin:ci proc run -- cat notes
	assert_output KEY
	# so the line of no-ssh-keys is not full, and names the file
	run in_srv "$OSL" -j -p builtin:ci proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[] | select(.rule == "no-ssh-keys" and (.reason | contains("/srv/home/.ssh/id"))) |
	    .enforcement == "partial" and (.reason | contains("has 2 names"))'
}

@test "the environment's PATH and OSL_POLICY do not widen a run given -p" {
	cd "$W/work"
	mkdir bin
	printf '#!/bin/sh\necho planted\n' > bin/ls
	chmod +x bin/ls
	# bare: PATH leads to the workspace's ls
	run env PATH="$PWD/bin:$PATH" ls
	assert_output planted
	# builtin:default runs no program of the workspace: the one PATH found
	# is refused, named
	run env PATH="$PWD/bin:$PATH" "$OSL" -l none -p builtin:default proc run -- ls
	assert_failure 126
	refute_output --partial planted
	assert_output --partial "exec 'ls': denied by policy"
	# $OSL_POLICY is the policy when -p is not given, never instead of it
	printf 'version: 1\nname: open\ndefault: allow\n' > open.yaml
	run env OSL_POLICY="$PWD/open.yaml" "$OSL" -l none fs stat /etc/hostname
	assert_success
	run env OSL_POLICY="$PWD/open.yaml" "$OSL" -l none -p builtin:strict fs stat /etc/hostname
	assert_failure 3
}

@test "TMPDIR=the account's home: the rules for temporary files are inert" {
	echo orig > "$W/real/.bashrc"
	chown 65534:65534 "$W/real/.bashrc"
	# bare: TMPDIR is where the home is
	run as_user TMPDIR="$R" sh -c 'echo evil > "$TMPDIR/.bashrc"'
	assert_success
	echo orig > "$W/real/.bashrc"
	for t in "$R" "$R/"; do
		run as_user TMPDIR="$t" sh -c 'echo evil | "$0" -l none -p builtin:ci fs write "$1/.bashrc"' \
		    "$OSL" "$R"
		assert_failure 3
		assert_output --partial "rule write-tmp (builtin:ci:39:7) is inert: \${TMPDIR} is '$t', which holds the home folder '$R'"
	done
	[ "$(cat "$W/real/.bashrc")" = orig ]
}

@test "a workspace file name with a terminal escape or a newline: osl's stderr keeps one line per message, no raw control bytes" {
	cd "$W/work"
	name=$'a\e[2K\rosl: enforcement: full\nfake'
	ln -s /etc/hostname "$name"
	# bare: a program that prints the name as is forges a line
	[ "$(printf '%s\n' ./a* | wc -l)" = 2 ]
	run --separate-stderr "$OSL" -l none -p builtin:strict fs cat ./a*
	assert_failure 3
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" != *$'\e'* && "$stderr" != *$'\r'* ]]
	[[ "$stderr" == *'\e[2K\rosl: enforcement: full\nfake'* ]]
	# and osl log show: one record, one line
	"$OSL" -l "file:$T/names.jsonl" -p builtin:strict fs cat ./a* 2>/dev/null || true
	run "$OSL" log show "$T/names.jsonl"
	assert_success
	[ "${#lines[@]}" = 2 ]
	[[ "$output" != *$'\e'* && "$output" != *$'\r'* ]]
	# a refusal inside the sandbox, on the run's stderr
	run --separate-stderr "$OSL" -l none -p builtin:strict proc run -- /bin/cat ./a*
	assert_failure
	[[ "$stderr" != *$'\e'* && "$stderr" != *$'\r'* ]]
	! grep -qx 'fake.*' <<<"$stderr"
}

@test "a learned policy that writes ~/.config keeps osl's own policy out of the run's reach" {
	landlock_ok
	# /srv, a tmpfs of the test's own in a mount namespace: a home outside
	# /tmp, with a policy of the user's own in ~/.config/osl
	in_srv() {
		unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /srv &&
		    mkdir -p /srv/home/.config/osl /srv/ws && cd /srv/ws &&
		    echo "extends: [builtin:strict]" > /srv/home/.config/osl/policy.yaml &&
		    HOME=/srv/home exec "$@"' sh "$@"
	}
	unset XDG_CONFIG_HOME XDG_STATE_HOME
	learn='"$0" -l none policy learn -o /srv/learned.yaml -- sh -c "mkdir -p \$HOME/.config/app && echo x > \$HOME/.config/app/state" 2>/dev/null'
	plant='echo "default: allow" > "$HOME/.config/osl/policy.yaml"'
	# bare: the plant works
	run in_srv sh -c "$plant; cat \$HOME/.config/osl/policy.yaml"
	assert_output "default: allow"
	# the learned policy writes ~/.config, but not ~/.config/osl
	run in_srv sh -c "$learn && grep -c '\"\${HOME}/.config/\*\*\"' /srv/learned.yaml &&
	    \"\$0\" -l none -p /srv/learned.yaml proc run -- sh -c '$plant'; cat \$HOME/.config/osl/policy.yaml" "$OSL"
	assert_line 1
	assert_line "extends: [builtin:strict]"
	refute_line "default: allow"
}

@test "an ssh-agent socket at OpenSSH's default place (\$TMPDIR/ssh-XXXX/agent.N) is not the run's to use" {
	landlock_ok
	# a policy whose /tmp is the machine's, and an agent the user started
	printf 'version: 1\nextends: [builtin:default]\nproc: { tmp: shared }\n' > "$T/p.yaml"
	sock=$TMPDIR/ssh-Xq3ZtRk9aB/agent.4242
	mkdir -p "${sock%/*}"
	/usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
open(sys.argv[1] + ".ready", "w").close()
while True:
    c, _ = s.accept(); c.send(b"signed\n"); c.close()' "$sock" 3>&- &
	AP=$!
	for _ in $(seq 100); do [ -e "$sock.ready" ] && break; sleep 0.05; done
	client='import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(s.recv(16).decode().strip())'
	# bare: the agent answers (it signs with the keys no-ssh-keys hides)
	run /usr/bin/python3 -c "$client" "$sock"
	assert_output signed
	run "$OSL" -l none -p "$T/p.yaml" proc run -- /usr/bin/python3 -c "$client" "$sock"
	kill "$AP"
	assert_failure
	refute_output --partial signed
}

@test "builtin:ci run from the home (or with TMPDIR in it): the cloud and tool credentials stay denied" {
	landlock_ok
	# /srv, a tmpfs of the test's own in a mount namespace: a home outside
	# /tmp holding credentials, the job run from it (a runner that checks
	# out into the home, or cd ~)
	in_srv() {
		unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /srv &&
		    mkdir -p /srv/home/.aws /srv/home/.kube /srv/home/.config/gh &&
		    echo AKIA > /srv/home/.aws/credentials && echo kube > /srv/home/.kube/config &&
		    echo tok > /srv/home/.config/gh/hosts.yml && echo m > /srv/home/.netrc &&
		    cd /srv/home && HOME=/srv/home exec "$@"' sh "$@"
	}
	for f in .aws/credentials .kube/config .config/gh/hosts.yml .netrc; do
		run in_srv cat "$f"
		assert_success
		run in_srv "$OSL" -l none -p builtin:ci proc run -- cat "$f"
		assert_failure
		run in_srv "$OSL" -l none -p builtin:ci fs cat "$f"
		assert_failure 3
	done
}

@test "every shipped policy keeps what builtin:secrets denies out of reach, run from the home too" {
	# decisions only (policy explain): HOME is the working folder, as for a
	# job run from the home; each path builtin:secrets denies, a file in it
	mkdir -p "$HOME"
	cd "$HOME"
	unset XDG_CONFIG_HOME XDG_STATE_HOME
	paths=$("$OSL" -j policy show builtin:secrets | jq -r '.fs.deny[] | select(.account | not) | .expanded' |
	    sed 's|/\*\*$|/x|')
	[ "$(wc -l <<<"$paths")" -ge 15 ]
	bad=
	for p in $(ls "$OSL_TOP"/policies/*.yaml | sed 's|.*/||; s|\.yaml$||'); do
		for f in $paths; do
			d=$("$OSL" -j -p "builtin:$p" policy explain fs.read "$f" | jq -r .decision)
			[ "$d" = deny ] || bad="$bad builtin:$p:$f"
		done
	done
	[ -z "$bad" ] || { echo "readable:$bad"; false; }
}
