#!/usr/bin/env bats
# osl fs stat and cat: decisions on the resolved path, exit statuses, records.
load helper

setup() {
	common_setup
	export OSL_POLICY=$OSL_TOP/test/fixtures/policies/fs-basic.yaml
	mkdir -p "$HOME/secret" "$HOME/work"
	printf 'hello\n' > "$HOME/work/a.txt"
	printf 'k3y\n' > "$HOME/secret/key"
}

@test "stat prints metadata and logs an fs.read record" {
	run osl fs stat "$HOME/work/a.txt"
	assert_success
	assert_line --index 0 --partial "File: $HOME/work/a.txt"
	assert_output --partial "regular file"
	r=$(last_record)
	[ "$(jget .event.action "$r")" = fs.read ]
	[ "$(jget .event.outcome "$r")" = success ]
	[ "$(jget .file.path "$r")" = "$HOME/work/a.txt" ]
	[ "$(jget .file.size "$r")" = 6 ]
	[ "$(jget .osl.decision "$r")" = allow ]
	[ "$(jget '.rule.version' "$r")" != null ]
	# a relative path: File: as given, Path: resolved; " -> " only for a symlink
	cd "$HOME/work"
	ln -s a.txt l
	run osl fs stat a.txt l
	assert_success
	assert_line --index 0 "  File: a.txt"
	assert_line --index 1 "  Path: $HOME/work/a.txt"
	assert_line "  File: l -> a.txt"
	assert_line "  Path: $HOME/work/l"
}

@test "stat -j gives one object per path with the fields scripts need" {
	run --separate-stderr osl -j fs stat "$HOME/work/a.txt"
	assert_success
	[ "$(jget '.[0].type' "$output")" = file ]
	[ "$(jget '.[0].size' "$output")" = 6 ]
	[ "$(jget '.[0].mode' "$output")" = "$(stat -c %04a "$HOME/work/a.txt")" ]
	[ "$(jget '.[0].inode' "$output")" = "$(stat -c %i "$HOME/work/a.txt")" ]
}

@test "stat does not follow a final symlink unless -L" {
	ln -s a.txt "$HOME/work/link"
	run --separate-stderr osl -j fs stat "$HOME/work/link"
	assert_success
	[ "$(jget '.[0].type' "$output")" = symlink ]
	run --separate-stderr osl -j fs stat -L "$HOME/work/link"
	[ "$(jget '.[0].type' "$output")" = file ]
	[ "$(jget '.[0].target_path' "$output")" = "$HOME/work/a.txt" ]
}

@test "cat copies bytes exactly" {
	head -c 300000 /dev/urandom > "$HOME/work/bin"
	osl fs cat "$HOME/work/bin" > "$T/out"
	cmp "$HOME/work/bin" "$T/out"
	[ "$(jget .osl.bytes "$(last_record)")" = 300000 ]
}

@test "a denial by a rule exits 3, names the rule, and is logged" {
	run osl fs cat "$HOME/secret/key"
	assert_failure 3
	assert_output --regexp "^osl fs cat: '$HOME/secret/key': denied by policy \(rule no-secret at .*fs-basic.yaml:[0-9]+:[0-9]+\)$"
	r=$(last_record)
	[ "$(jget .osl.decision "$r")" = deny ]
	[ "$(jget .rule.id "$r")" = no-secret ]
	# findable: the outcome and the decision (ECS has no denied type for files)
	[ "$(jget .event.outcome "$r")" = failure ]
	[ "$(jget '.event.type' "$r" | jq -c .)" = '["access"]' ]
}

@test "a denial by default says no rule matched" {
	run osl fs stat /etc/hostname
	assert_failure 3
	assert_output --partial "denied by policy"
	assert_output --partial "default deny"
}

@test "a symlink in an allowed tree that points at a denied file is denied" {
	ln -s ../secret/key "$HOME/work/innocent"
	run osl fs cat "$HOME/work/innocent"
	assert_failure 3
	assert_output --partial "rule no-secret"
	refute_output --partial "k3y"
	[ "$(jget .file.path "$(last_record)")" = "$HOME/secret/key" ]
}

@test "a denied path is denied before its existence is revealed" {
	run osl fs stat "$HOME/secret/nosuch"
	assert_failure 3
	run osl fs stat "$HOME/secret/../secret/key"
	assert_failure 3
}

@test "magic links (/proc/self/root, /proc/self/fd) are refused" {
	run osl fs cat /proc/self/root/etc/hostname
	assert_failure
	refute_output "$(cat /etc/hostname)"
	exec 9<"$HOME/secret/key"
	run osl fs cat /proc/self/fd/9
	assert_failure
	refute_output --partial "k3y"
	exec 9<&-
	# the same for files the policy allows: the link is refused, not the file
	run osl fs cat "$HOME/work/a.txt"
	assert_success
	run osl fs cat "/proc/self/root$HOME/work/a.txt"
	assert_failure 1
	assert_output "osl fs cat: '/proc/self/root$HOME/work/a.txt': Too many levels of symbolic links"
	exec 8<"$HOME/work/a.txt"
	run osl fs cat /proc/self/fd/8
	exec 8<&-
	assert_failure 1
	assert_output "osl fs cat: '/proc/self/fd/8': Too many levels of symbolic links"
}

@test "a hard link made before the command to a denied file is denied too" {
	ln "$HOME/secret/key" "$HOME/work/notes"
	for verb in cat hash stat; do
		run osl fs $verb "$HOME/work/notes"
		assert_failure 3
		assert_output "osl fs $verb: '$HOME/work/notes': denied by policy (rule no-secret at $OSL_TOP/test/fixtures/policies/fs-basic.yaml:10:7): a hard link to '$HOME/secret/key'"
	done
	r=$(last_record)
	[ "$(jget .rule.id "$r")" = no-secret ]
	[ "$(jget .osl.hard_link_of "$r")" = "$HOME/secret/key" ]
	run osl fs cp "$HOME/work/notes" "$HOME/work/copy"
	assert_failure 3
	[ ! -e "$HOME/work/copy" ]
	# inside a tree that is copied
	mkdir "$HOME/work/tree"
	ln "$HOME/secret/key" "$HOME/work/tree/k"
	run osl fs cp -r "$HOME/work/tree" "$HOME/work/tree2"
	assert_failure 3
	refute_output --partial "k3y"
	# a literal file rule (the issue's ~/.netrc), and a link to an allowed file
	printf 'machine x password p\n' > "$HOME/.netrc"
	ln "$HOME/.netrc" "$HOME/work/n"
	printf 'version: 1\nfs:\n  read: ["${HOME}/**"]\n  deny: [{ path: "${HOME}/.netrc", id: no-netrc }]\n' > "$T/netrc.yaml"
	run osl -p "$T/netrc.yaml" fs cat "$HOME/work/n"
	assert_failure 3
	assert_output "osl fs cat: '$HOME/work/n': denied by policy (rule no-netrc at $T/netrc.yaml:4:10): a hard link to '$HOME/.netrc'"
	ln "$HOME/work/a.txt" "$HOME/work/b.txt"
	run osl fs cat "$HOME/work/b.txt"
	assert_success
	assert_output hello
}

@test "hard links: a denied folder too large to search is not searched, and the record says so" {
	mkdir -p "$HOME/secret/many"
	(cd "$HOME/secret/many" && seq 1 4100 | xargs touch)
	# a file with 2 links outside any denied tree: allowed, noted
	ln "$HOME/work/a.txt" "$HOME/work/b.txt"
	run --separate-stderr osl fs cat "$HOME/work/b.txt"
	assert_success
	assert_output hello
	[ -z "$stderr" ]
	r=$(last_record)
	[ "$(jget .event.outcome "$r")" = success ]
	[ "$(jget '.osl.hard_links_unsearched | join(",")' "$r")" = no-secret ]
	run --separate-stderr osl -v fs cat "$HOME/work/b.txt"
	assert_success
	[ "$stderr" = "osl fs cat: '$HOME/work/b.txt' has 2 hard links; the folder of rule no-secret (more than 4096 entries) was not searched for its other names" ]
	# a literal file rule is still checked by its inode, whatever the folders
	printf 'k3y\n' > "$HOME/secret/many/key"
	ln "$HOME/secret/many/key" "$HOME/work/k"
	printf 'version: 1\nextends: [%s]\nfs:\n  deny: [{ path: "${HOME}/secret/many/key", id: no-key }]\n' \
		"$OSL_TOP/test/fixtures/policies/fs-basic.yaml" > "$T/key.yaml"
	run osl -p "$T/key.yaml" fs cat "$HOME/work/k"
	assert_failure 3
	assert_output "osl fs cat: '$HOME/work/k': denied by policy (rule no-key at $T/key.yaml:4:10): a hard link to '$HOME/secret/many/key'"
	# a file with one name is not searched for
	cp "$HOME/work/a.txt" "$HOME/work/c.txt"
	run osl fs cat "$HOME/work/c.txt"
	assert_success
	[ "$(jget .osl.hard_links_unsearched "$(last_record)")" = null ]
}

@test "hard links: a denied folder on another filesystem is not walked" {
	[ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$HOME/work")" ] ||
		skip "no /dev/shm on another filesystem"
	d=$(mktemp -d /dev/shm/osl-links.XXXXXX)
	(cd "$d" && seq 1 4100 | xargs touch)
	printf 'version: 1\nextends: [%s]\nfs:\n  deny: [{ path: "%s/**", id: no-shm }]\n' \
		"$OSL_TOP/test/fixtures/policies/fs-basic.yaml" "$d" > "$T/shm.yaml"
	ln "$HOME/work/a.txt" "$HOME/work/b.txt"
	run osl -p "$T/shm.yaml" fs cat "$HOME/work/b.txt"
	rm -rf "$d"
	assert_success
	assert_output hello
	[ "$(jget .osl.hard_links_unsearched "$(last_record)")" = null ]
}

@test "a hidden .env anywhere is denied by the ** rule" {
	echo SECRET=1 > "$HOME/work/.env"
	run osl fs cat "$HOME/work/.env"
	assert_failure 3
	assert_output --partial "denied by policy (rule "
}

@test "a missing file is exit 1 with errno, and the failure is logged" {
	run osl fs cat "$HOME/work/nosuch"
	assert_failure 1
	assert_output "osl fs cat: '$HOME/work/nosuch': No such file or directory"
	r=$(last_record)
	[ "$(jget .event.outcome "$r")" = failure ]
	[ "$(jget .error.code "$r")" = ENOENT ]
}

@test "several paths: the good ones are done, the status is the worst" {
	run --separate-stderr osl fs cat "$HOME/work/a.txt" "$HOME/secret/key" "$HOME/work/nosuch"
	assert_failure 3
	assert_output hello
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 2 ]
}

@test "bad input: no operand, a directory, an empty path" {
	run osl fs cat
	assert_failure 2
	run osl fs stat
	assert_failure 2
	run osl fs cat "$HOME/work"
	assert_failure 1
	assert_output --partial "Is a directory"
	run osl fs cat ""
	assert_failure 1
}

@test "odd names: newlines and invalid UTF-8 work and print safely" {
	n1=$'line\nbreak'
	n2=$'bad\xff\xfename'
	echo one > "$HOME/work/$n1"
	echo two > "$HOME/work/$n2"
	run osl fs cat "$HOME/work/$n1" "$HOME/work/$n2"
	assert_success
	assert_output $'one\ntwo'
	run osl fs stat "$HOME/work/$n1"
	assert_line --index 0 --partial "\$'"
	run --separate-stderr osl -j fs stat "$HOME/work/$n2"
	assert_success
	printf '%s' "$output" | jq -e '.[0].path | endswith("bad\\xff\\xfename")'
	tail -n 1 "$LOG" | jq -e '.file.path | endswith("bad\\xff\\xfename")'
}

@test "cat -j puts the content in the document" {
	run --separate-stderr osl -j fs cat "$HOME/work/a.txt"
	assert_success
	[ "$(jget '.[0].content' "$output")" = hello ]
}

@test "--audit allows a default denial, logs it as denied, keeps explicit denies" {
	run osl --audit fs stat /etc/hostname
	assert_success
	r=$(last_record)
	[ "$(jget .osl.audit "$r")" = true ]
	jget .event.reason "$r" | grep -q "allowed by audit mode"
	run osl --audit fs cat "$HOME/secret/key"
	assert_failure 3
}

@test "the built-in default policy keeps ssh keys private" {
	unset OSL_POLICY
	mkdir -p "$HOME/.ssh" && echo key > "$HOME/.ssh/id_ed25519"
	run osl fs cat "$HOME/.ssh/id_ed25519"
	assert_failure 3
	assert_output --partial "denied by policy (rule "
	run osl fs cat "$HOME/work/a.txt"
	assert_success
	[ -s "$XDG_STATE_HOME/osl/activity.jsonl" ]
}

@test "--log overrides the sink; -l none writes nothing" {
	run osl -l "file:$T/other.jsonl" fs stat "$HOME/work/a.txt"
	assert_success
	[ "$(wc -l < "$T/other.jsonl")" -ge 1 ]
	rm -f "$LOG"
	run osl -l none fs stat "$HOME/work/a.txt"
	assert_success
	[ ! -e "$LOG" ]
}

@test "cat - reads standard input, between files" {
	run bash -c 'printf "in\n" | "$OSL" fs cat "$HOME/work/a.txt" - "$HOME/work/a.txt"'
	assert_success
	assert_output $'hello\nin\nhello'
	run --separate-stderr bash -c 'printf "x" | "$OSL" -j fs cat -'
	assert_success
	[ "$(jget '.[0].content' "$output")" = x ]
}

@test "cat - goes through the pipeline: a pipe is the caller's, recorded with its byte count" {
	run bash -c 'printf "in\n" | "$OSL" fs cat -'
	assert_success
	assert_output in
	r=$(last_record)
	[ "$(jget .event.action "$r")" = fs.read ]
	[ "$(jget .osl.path "$r")" = - ]
	[ "$(jget .file.path "$r")" = null ]
	[ "$(jget .file.type "$r")" = fifo ]
	[ "$(jget .osl.bytes "$r")" = 3 ]
	[ "$(jget .osl.decision "$r")" = allow ]
	[ "$(jget .event.reason "$r")" = "allowed by the caller's standard input" ]
}

@test "cat - decides on the file standard input is: a denied file is not copied" {
	run --separate-stderr osl fs cat - < "$HOME/secret/key"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ "$stderr" == "osl fs cat: '-': denied by policy (rule no-secret at "* ]]
	r=$(last_record)
	[ "$(jget .osl.decision "$r")" = deny ]
	[ "$(jget .file.path "$r")" = "$HOME/secret/key" ]
	[ "$(jget .osl.path "$r")" = - ]
	run --separate-stderr osl -j fs cat - < "$HOME/work/a.txt"
	assert_success
	[ "$(jget '.[0].target_path' "$output")" = "$HOME/work/a.txt" ]
	[ "$(jget '.[0].content' "$output")" = hello ]
	[ "$(jget .rule.id "$(last_record)")" != default ]
}
