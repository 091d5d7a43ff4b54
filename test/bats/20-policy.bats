#!/usr/bin/env bats
# osl policy: check, show, explain, test — and every kind of bad policy file.
load helper

setup() {
	common_setup
	cat > "$T/p.yaml" <<'YAML'
version: 1
name: t
default: deny
fs:
  read: ["/srv/**"]
  write: ["/srv/app/build/**"]
  deny:
    - { path: "/srv/secret/**", id: no-secret }
net:
  connect: ["127.0.0.1:5432", "*.example.org:443"]
  deny: ["169.254.169.254:*"]
YAML
}

@test "check: a valid policy is ok, with its rule count and hash" {
	run osl policy check "$T/p.yaml"
	assert_success
	assert_output --regexp "p.yaml: ok, 6 rules, sha256:[0-9a-f]{64}$"
}

@test "check: every shipped policy is valid" {
	run osl policy check "$OSL_TOP"/policies/*.yaml
	assert_success
	for n in default strict ci readonly net-none secrets; do
		run osl policy check "builtin:$n"
		assert_success
	done
}

@test "check -j: one document for several files, valid and not" {
	printf 'version: 1\nbogus: 1\n' > "$T/bad.yaml"
	run --separate-stderr osl -j policy check "$T/p.yaml" "$T/bad.yaml"
	assert_failure 2
	[ "$(jget '.[0].valid' "$output")" = true ]
	[ "$(jget '.[1].valid' "$output")" = false ]
	jget '.[1].error.message' "$output" | grep -q "bad.yaml:2:1"
}

bad() {	# bad NAME CONTENT EXPECTED-MESSAGE-PART
	printf '%s' "$2" > "$T/$1.yaml"
	run osl policy check "$T/$1.yaml"
	assert_failure 2
	assert_output --partial "$T/$1.yaml:"
	assert_output --partial "$3"
	[ "${#lines[@]}" -eq 1 ]
}

@test "bad input: unknown keys, duplicate keys, wrong types, bad version" {
	bad unknown $'version: 1\nfs:\n  reed: [/x]\n' "reed"
	bad dup $'version: 1\nname: a\nname: b\n' "duplicate"
	bad type $'version: 1\nfs:\n  read: /x\n' "list"
	bad version $'version: 2\n' "version"
	bad noversion $'name: x\n' "version"
	bad bool $'version: 1\nnet:\n  resolve: yes\n' "true"
	bad tab $'version: 1\nfs:\n\tread: [/x]\n' "tab.yaml:3:1: invalid YAML: a tab is not allowed for indentation in YAML"
}

@test "bad input: anchors, aliases, billion laughs and tags are refused" {
	bad alias $'version: 1\nfs:\n  read: &a [/x]\n  write: *a\n' "alias"
	bad laughs $'version: 1\na: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n' "anchor"
	bad tag $'version: 1\nname: !!str x\n' "tag"
}

@test "bad input: several documents, invalid UTF-8, binary junk" {
	bad docs $'version: 1\n---\nversion: 1\n' "document"
	bad utf8 $'version: 1\nname: "\xff\xfe"\n' "UTF-8"
	head -c 4096 /dev/urandom > "$T/junk.yaml"
	run osl policy check "$T/junk.yaml"
	assert_failure 2
	[ "${#lines[@]}" -eq 1 ]
}

@test "bad input: 100,000-deep nesting is rejected at depth 65" {
	python3 -c 'print("version: 1\nx: " + "[" * 100000 + "]" * 100000)' > "$T/deep.yaml" 2>/dev/null ||
		{ printf 'version: 1\nx: ' > "$T/deep.yaml"; head -c 100000 /dev/zero | tr '\0' '[' >> "$T/deep.yaml"; }
	run osl policy check "$T/deep.yaml"
	assert_failure 2
	assert_output --partial "deep"
	assert_output --partial "64"
}

@test "bad input: a 2 GiB file is refused without being read" {
	truncate -s 2G "$T/huge.yaml"
	run osl policy check "$T/huge.yaml"
	assert_failure 2
	assert_output --partial "1 MiB"
}

@test "bad input: a missing or unreadable file is exit 2 with the reason" {
	run osl policy check "$T/nosuch.yaml"
	assert_failure 2
	assert_output --partial "No such file or directory"
	run osl policy check "$T"
	assert_failure 2
}

@test "bad input: variables, .. and relative patterns" {
	bad var $'version: 1\nfs:\n  read: ["${NOPE}/x"]\n' "NOPE"
	bad dotdot $'version: 1\nfs:\n  read: ["/srv/../etc/**"]\n' ".."
	bad rel $'version: 1\nfs:\n  read: ["srv/**"]\n' "absolute"
	bad port $'version: 1\nnet:\n  connect: ["127.0.0.1:70000"]\n' "port"
}

@test "extends: relative files and builtins merge; a deny anywhere wins" {
	cat > "$T/child.yaml" <<'YAML'
version: 1
extends: [p.yaml]
fs:
  read: ["/srv/secret/**"]
YAML
	run osl -p "$T/child.yaml" policy explain fs.read /srv/secret/k
	assert_failure 1
	assert_output --partial "no-secret"
	run osl -p "$T/child.yaml" policy explain fs.read /srv/other
	assert_success
}

@test "extends: default may only get stricter, cycles are errors" {
	printf 'version: 1\nextends: [p.yaml]\ndefault: allow\n' > "$T/loose.yaml"
	run osl policy check "$T/loose.yaml"
	assert_failure 2
	assert_output --partial "loose.yaml:3:"
	printf 'version: 1\nextends: [b.yaml]\n' > "$T/a.yaml"
	printf 'version: 1\nextends: [a.yaml]\n' > "$T/b.yaml"
	run osl policy check "$T/a.yaml"
	assert_failure 2
	assert_output --partial "cycle"
}

@test "show: the merged policy as YAML loads again to the same decisions" {
	run osl policy show "$T/p.yaml"
	assert_success
	printf '%s\n' "$output" > "$T/shown.yaml"
	run osl policy check "$T/shown.yaml"
	assert_success
	for t in /srv/secret/k /srv/app/x /etc/passwd; do
		a=$(osl -p "$T/p.yaml" -j policy explain fs.read "$t" | jq -r .decision)
		b=$(osl -p "$T/shown.yaml" -j policy explain fs.read "$t" | jq -r .decision)
		[ "$a" = "$b" ]
	done
}

@test "show -j: every rule with kind, id and place" {
	run --separate-stderr osl -j policy show "$T/p.yaml"
	assert_success
	printf '%s' "$output" | jq -e '[.fs.deny[] | select(.id == "no-secret")] | length == 1'
	printf '%s' "$output" | jq -e '.fs.read[0].where | test("p.yaml:5:[0-9]+$")'
}

@test "show without a file shows the policy in force (the built-in default)" {
	run osl policy show
	assert_success
	assert_output --partial "version: 1"
}

@test "explain: decision, reason, deciding rule with FILE:LINE:COL" {
	run osl -p "$T/p.yaml" policy explain fs.read /srv/secret/key
	assert_failure 1
	assert_line --index 0 "fs.read /srv/secret/key: deny"
	assert_output --partial "no-secret"
	assert_output --regexp "p.yaml:8:[0-9]+"
	run osl -p "$T/p.yaml" policy explain fs.write /srv/app/build/out.o
	assert_success
	run osl -p "$T/p.yaml" policy explain fs.write /etc/passwd
	assert_failure 1
	assert_output --partial "default"
}

@test "explain: network targets by address, CIDR deny and name" {
	run osl -p "$T/p.yaml" policy explain net.connect 127.0.0.1:5432
	assert_success
	run osl -p "$T/p.yaml" policy explain net.connect 127.0.0.1:5433
	assert_failure 1
	run osl -p "$T/p.yaml" policy explain net.connect 169.254.169.254:80
	assert_failure 1
	run osl -p "$T/p.yaml" policy explain net.connect api.example.org:443
	assert_success
	run osl -p "$T/p.yaml" policy explain net.connect example.org:443
	assert_failure 1
}

@test "explain -j: one document" {
	run --separate-stderr osl -p "$T/p.yaml" -j policy explain fs.read /srv/secret/x
	assert_failure 1
	[ "$(jget .decision "$output")" = deny ]
	[ "$(jget .rule.id "$output")" = no-secret ]
	[ "$(jget .by_default "$output")" = false ]
}

@test "explain: bad input is exit 2" {
	run osl policy explain fs.read
	assert_failure 2
	run osl policy explain fs.frobnicate /x
	assert_failure 2
	assert_output --partial "unknown action"
	run osl policy explain net.connect "example.org:99999"
	assert_failure 2
}

@test "test: cases as TAP with rule coverage; exit 0 when all hold" {
	cat > "$T/cases.yaml" <<'YAML'
policy: p.yaml
cases:
  - { action: fs.read, target: /srv/secret/k, expect: deny, rule: no-secret }
  - { action: fs.read, target: /srv/app/x, expect: allow }
  - { action: net.connect, target: "127.0.0.1:5432", expect: allow }
YAML
	run osl policy test "$T/cases.yaml"
	assert_success
	assert_line --index 0 "1..3"
	assert_line --partial "ok 1 - fs.read /srv/secret/k: deny by no-secret"
	assert_output --partial "rules no case reached"
	assert_output --partial "*.example.org:443"
}

@test "test: a failing case is exit 1 and says why" {
	cat > "$T/cases.yaml" <<'YAML'
policy: p.yaml
cases:
  - { action: fs.write, target: /srv/app/x, expect: allow }
  - { action: fs.read, target: /srv/secret/k, expect: deny, rule: other }
YAML
	run osl policy test "$T/cases.yaml"
	assert_failure 1
	assert_output --partial "not ok 1"
	assert_output --partial "expected allow, got deny"
	assert_output --partial "expected rule other"
	run --separate-stderr osl -j policy test "$T/cases.yaml"
	[ "$(jget .failed "$output")" = 2 ]
}

@test "test: a bad case file is exit 2 with FILE:LINE:COL" {
	printf 'policy: p.yaml\ncases:\n  - { action: fs.read, expect: maybe }\n' > "$T/bad.yaml"
	run osl policy test "$T/bad.yaml"
	assert_failure 2
	assert_output --partial "bad.yaml:3:"
}

@test "check warns on rules in force that can never allow anything, and -j lists them" {
	printf 'version: 1\nnet:\n  connect: ["example.com:443", "10.0.0.1:443", "*.example.org:443"]\n' > "$T/names.yaml"
	run --separate-stderr osl policy check "$T/names.yaml"
	assert_success
	[ "${#stderr_lines[@]}" = 2 ]
	[[ "${stderr_lines[0]}" == *"names.yaml:3:13: net.connect 'example.com:443' can never allow anything: a host name, and net.resolve is false"*"set net.resolve: true"* ]]
	[[ "${stderr_lines[1]}" == *"net.connect '*.example.org:443' can never allow anything"* ]]
	printf 'version: 1\nnet:\n  resolve: true\n  connect: ["example.com:443"]\n' > "$T/resolve.yaml"
	run --separate-stderr osl policy check "$T/resolve.yaml"
	assert_success
	[ -z "$stderr" ]
	# an allow beneath a deny of the whole folder; a deny of part of it is no warning
	printf 'version: 1\nfs:\n  read: ["/etc/ssl/**", "/etc/**", "/usr/**"]\n  deny: [{ path: "/etc/**", id: no-etc }, "/usr/share/*.txt"]\n' > "$T/shadow.yaml"
	run --separate-stderr osl policy check "$T/shadow.yaml"
	assert_success
	# /etc/ssl/** and /etc/** itself; /usr/** is only partly denied
	[ "${#stderr_lines[@]}" = 2 ]
	[[ "${stderr_lines[0]}" == *"shadow.yaml:3:10: fs.read '/etc/ssl/**' can never allow anything: every path it names is beneath the deny '/etc/**' (no-etc) ("*"shadow.yaml:4:10), and a deny wins" ]]
	[[ "${stderr_lines[1]}" == *"fs.read '/etc/**' can never allow anything"* ]]
	run --separate-stderr osl -j policy check "$T/shadow.yaml"
	[ "$(jq -r '.[0].never | length' <<<"$output")" = 2 ]
	[ "$(jq -r '.[0].never[0].pattern' <<<"$output")" = '/etc/ssl/**' ]
	run --separate-stderr osl -j policy check "$T/resolve.yaml"
	[ "$(jq -r '.[0].never | length' <<<"$output")" = 0 ]
}

@test "a denial no rule decided names a rule that would allow it" {
	printf '#!/bin/sh\necho hi\n' > "$T/worker.sh" && chmod +x "$T/worker.sh"
	run --separate-stderr osl -p builtin:default proc run -- ./worker.sh
	assert_failure 126
	[[ "$stderr" == *"no rule matched: default deny (builtin:default:"*"); a rule that would allow it: fs.exec: [\"$T/**\"])" ]]
	run --separate-stderr osl fs write /srv/osl-hint-test/x <<<x
	assert_failure 3
	[[ "$stderr" == *"a rule that would allow it: fs.write: [\"/srv/osl-hint-test/**\"])" ]]
	[ ! -e /srv/osl-hint-test ]
	printf 'version: 1\nnet:\n  connect: ["example.com:443"]\n' > "$T/names.yaml"
	run --separate-stderr osl -p "$T/names.yaml" net connect 10.9.8.7:80
	assert_failure 3
	[[ "$stderr" == *"a rule that would allow it: net.connect: [\"10.9.8.7:80\"])" ]]
	run --separate-stderr osl -p "$T/names.yaml" net connect example.com:443
	assert_failure 3
	[[ "$stderr" == *"a rule that would allow it: net.resolve: true)" ]]
	# a rule decided it: the rule is named, no suggestion
	run --separate-stderr osl fs cat /etc/shadow
	assert_failure 3
	refute_output --partial "would allow"
	[[ "$stderr" != *"would allow"* ]]
}

@test "policy check without a file checks the policy in force: -p, \$OSL_POLICY, else the one found" {
	printf 'version: 1\nnet:\n  connect: [example.com:443]\n' > named.yaml
	run --separate-stderr osl -p named.yaml policy check
	assert_success
	assert_output --partial "named.yaml: ok, 1 rules, sha256:"
	[[ "$stderr" == *"net.connect 'example.com:443' can never allow anything"* ]]
	OSL_POLICY=$T/named.yaml run -0 osl policy check
	assert_output --partial "$T/named.yaml: ok, 1 rules"
	run -0 osl policy check
	assert_line --index 0 --partial "builtin:default: ok,"
	printf 'version: 2\n' > bad.yaml
	run -2 osl -p bad.yaml policy check
	assert_output "osl policy check: bad.yaml:1:10: unsupported version '2' (only 1 is known)"
}
