#!/usr/bin/env bats
# builtin:default and root's own home (man/osl-policy.5, RULES, except):
# no-root-home denies /root/** except ${HOME}/**, so root with HOME=/root
# writes, reads and runs its own files while the home's secrets stay denied,
# and root with another HOME (sudo) is still refused /root.  /root is a
# folder of the test's, bind-mounted over the real one in a mount namespace
# of its own: the machine's /root is never touched.
load helper

setup() {
	common_setup
	[ "$(id -u)" = 0 ] || skip "needs root (a home of /root)"
	unshare -m --propagation private true 2>/dev/null || skip "no mount namespaces here"
	R=$T/roothome
	mkdir -p "$R/bin" "$R/.ssh" somehome
	echo notes > "$R/notes"
	echo key > "$R/.ssh/id_ed25519"
	printf '#!/bin/sh\necho tool ran\n' > "$R/bin/tool"
	chmod +x "$R/bin/tool"
}

# osl ARGS with $R as /root and HOME=$H (default /root)
as_root_home() {
	unshare -m --propagation private sh -c 'mount --bind "$1" /root && shift && exec "$@"' \
	    sh "$R" env HOME="${H:-/root}" "$OSL" -p builtin:default "$@"
}

@test "HOME=/root: root writes, reads and runs in its own home; its secrets stay denied" {
	run as_root_home fs write /root/x <<<"data"
	assert_success
	[ "$(cat "$R/x")" = data ]
	run as_root_home fs cat /root/notes
	assert_success
	assert_output notes
	run as_root_home proc run -- /root/bin/tool
	assert_success
	assert_output "tool ran"
	# and the sandboxed program too sees its home
	run as_root_home proc run -- cat /root/notes
	assert_success
	assert_output notes
	run --separate-stderr as_root_home fs cat /root/.ssh/id_ed25519
	assert_failure 3
	[[ "$stderr" == *"denied by policy (rule no-ssh-keys at builtin:default:"* ]]
	run as_root_home proc run -- cat /root/.ssh/id_ed25519
	assert_failure
	refute_output --partial key
	run as_root_home fs write /root/.ssh/authorized_keys <<<"ssh-ed25519 AAAA"
	assert_failure 3
	[ ! -e "$R/.ssh/authorized_keys" ]
}

@test "HOME=/root: check does not warn, explain and test name write-home, the report says the deny covers nothing" {
	run --separate-stderr as_root_home policy check builtin:default
	assert_success
	[ -z "$stderr" ]
	run as_root_home policy explain fs.write /root/x
	assert_success
	assert_line --index 1 "  reason: allowed by rule write-home (builtin:default:26:7)"
	# the deny that names the path but yields is said, not hidden
	assert_line "  deny rules that yield to their except here:"
	assert_line --regexp "^    fs.deny +/root/\*\* +builtin:default:74:7 \(no-root-home\)$"
	run --separate-stderr as_root_home -j policy explain fs.write /root/x
	[ "$(jq -r '.yields[0].id' <<<"$output")" = no-root-home ]
	[ "$(jq -r '.rule.id' <<<"$output")" = write-home ]
	run as_root_home policy explain fs.exec /root/bin/tool
	assert_success
	assert_line --index 1 --partial "allowed by rule exec-home-bin"
	run as_root_home policy explain fs.read /root/.ssh/id_ed25519
	assert_failure 1
	assert_line --index 1 --partial "denied by rule no-ssh-keys"
	cat > cases.yaml <<-EOF
	policy: builtin:default
	cases:
	  - { action: fs.write, target: /root/x, expect: allow, rule: write-home }
	  - { action: fs.read, target: /root/.gnupg/k, expect: deny, rule: no-gpg-keys }
	  - { action: fs.read, target: /root/.ssh/id, expect: deny, rule: no-ssh-keys }
	EOF
	run as_root_home policy test "$T/cases.yaml"
	assert_success
	run as_root_home proc run --dry-run -- /root/bin/tool
	assert_success
	assert_line --regexp "^full +fs.deny +/root/\*\* +no-root-home: '/root' is within its except: the deny covers nothing here$"
	# policy show keeps the except, as written once expanded
	run as_root_home policy show
	assert_line --partial '- { path: "/root/**", except: ["/root/**"], id: "no-root-home" }'
}

@test "root with another HOME (sudo): /root stays denied, and hidden in the sandbox" {
	export H=$T/somehome
	run --separate-stderr as_root_home fs cat /root/notes
	assert_failure 3
	[[ "$stderr" == *"denied by policy (rule no-root-home at builtin:default:"* ]]
	run --separate-stderr as_root_home fs write /root/x <<<"data"
	assert_failure 3
	[ ! -e "$R/x" ]
	run as_root_home proc run -- cat /root/notes
	assert_failure
	refute_output notes
	run as_root_home proc run -- /root/bin/tool
	assert_failure
	run as_root_home proc run --dry-run -- true
	assert_line --regexp "^full +fs.deny +/root/\*\* +no-root-home: '/root' over-mounted by an empty read-only tmpfs in a private mount namespace$"
	run as_root_home policy explain fs.read /root/notes
	assert_failure 1
	assert_line --index 1 "  reason: denied by rule no-root-home (builtin:default:74:7)"
	refute_output --partial "yield"
	# a folder of another home renamed whole: still denied
	run --separate-stderr as_root_home fs mv /root/bin "$T/bin2"
	assert_failure 3
}

@test "HOME=/: the except is inert, /root stays denied; HOME below /root hides the except with /root" {
	export H=/
	run --separate-stderr as_root_home fs cat /root/notes
	assert_failure 3
	[[ "$stderr" == *"rule no-root-home"* ]]
	run as_root_home policy show
	assert_line --partial "except \${HOME}/** is inert: \${HOME} is '/'"
	run --separate-stderr as_root_home policy check
	assert_success
	[[ "$stderr" == *"fs.deny '/root/**' (no-root-home): its except '\${HOME}/**' is inert, it excepts nothing (the deny holds whole)"* ]]
	run as_root_home -j policy show
	[ "$(jq -r '.fs.deny[] | select(.id == "no-root-home") | .except[0].inert' <<<"$output")" != null ]
	# a home inside /root: the deny holds for the rest of /root; the
	# sandbox over-mounts /root whole, the home with it (never wider)
	export H=/root/bin
	run as_root_home fs cat /root/bin/tool
	assert_success
	run --separate-stderr as_root_home fs cat /root/notes
	assert_failure 3
	run as_root_home proc run --dry-run -- true
	assert_line --regexp "^[a-z]+ +fs.deny +/root/\*\* +no-root-home: .*, and its except within it with it$"
}
