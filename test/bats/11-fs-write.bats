#!/usr/bin/env bats
# osl fs write, append, touch, mkdir, rmdir, ln, chmod, chown: decided on the
# real parent + name, done relative to the resolved descriptor, atomic.
load helper

setup() {
	common_setup
	export OSL_POLICY=$OSL_TOP/test/fixtures/policies/fs-basic.yaml
	mkdir -p "$HOME/secret" "$HOME/work" "$T/outside"
	printf 'k3y\n' > "$HOME/secret/key"
	W=$HOME/work
}

@test "write replaces a file atomically with standard input and logs fs.write" {
	printf 'old\n' > "$W/f"
	chmod 0640 "$W/f"
	ino=$(stat -c %i "$W/f")
	printf 'new contents\n' | osl fs write "$W/f"
	[ "$(cat "$W/f")" = "new contents" ]
	# a new inode (renamed over), the old mode kept, no temporary left
	[ "$(stat -c %i "$W/f")" != "$ino" ]
	[ "$(stat -c %a "$W/f")" = 640 ]
	[ "$(ls -A "$W")" = f ]
	r=$(last_record)
	[ "$(jget .event.action "$r")" = fs.write ]
	[ "$(jget .file.path "$r")" = "$W/f" ]
	[ "$(jget .file.path "$r")" = "$W/f" ]
	[ "$(jget .file.size "$r")" = 13 ]
	[ "$(jget .file.mode "$r")" = 0640 ]
	[ "$(jget .file.inode "$r")" = "$(stat -c %i "$W/f")" ]
	[ "$(jget .osl.bytes "$r")" = 13 ]
}

@test "write of a new file is fs.create, -m sets its mode, -j describes it" {
	run --separate-stderr osl -j fs write -m 0600 "$W/n" <<<"x"
	assert_success
	[ "$(jget '.[0].mode' "$output")" = 0600 ]
	[ "$(jget '.[0].size' "$output")" = 2 ]
	[ "$(stat -c %a "$W/n")" = 600 ]
	[ "$(jget .event.action "$(last_record)")" = fs.create ]
}

@test "write through a symlink replaces its target, decided on the target" {
	echo a > "$W/real"
	ln -s real "$W/link"
	echo b | osl fs write "$W/link"
	[ -L "$W/link" ]
	[ "$(cat "$W/real")" = b ]
	[ "$(jget .file.path "$(last_record)")" = "$W/real" ]
	ln -s ../secret/key "$W/evil"
	run osl fs write "$W/evil" <<<"pwned"
	assert_failure 3
	assert_output --partial "rule no-secret"
	[ "$(cat "$HOME/secret/key")" = k3y ]
}

@test "write outside the allowed tree is denied by default, through .. too" {
	run osl fs write "$T/outside/x" <<<"x"
	assert_failure 3
	assert_output --partial "default deny"
	run osl fs write "$W/../../outside/y" <<<"x"
	assert_failure 3
	ln -s "$T/outside" "$W/out"
	run osl fs write "$W/out/z" <<<"x"
	assert_failure 3
	[ -z "$(ls -A "$T/outside")" ]
}

@test "write: magic links are refused" {
	run osl fs write /proc/self/root$W/m <<<"x"
	assert_failure
	[ ! -e "$W/m" ]
	exec 8<"$T/outside"
	run osl fs write /proc/self/fd/8/m <<<"x"
	assert_failure
	exec 8<&-
	[ -z "$(ls -A "$T/outside")" ]
}

@test "write: a directory swapped for a symlink in a tight loop never lets a write out" {
	mkdir -p "$W/sw"
	# 2,000 rounds of: the directory away, a symlink to outside in its
	# place, then the directory back (perl: no process per step)
	perl -e 'my ($w, $o) = @ARGV; for (1..2000) { rename("$w/sw", "$w/sw.real");
		symlink($o, "$w/sw"); select(undef, undef, undef, 0.0005); unlink("$w/sw");
		rename("$w/sw.real", "$w/sw"); select(undef, undef, undef, 0.0005) }' "$W" "$T/outside" &
	pid=$!
	n=0
	while kill -0 "$pid" 2>/dev/null; do
		"$OSL" -l none fs write "$W/sw/f$n" <<<"x" 2>/dev/null || true
		n=$((n + 1))
	done
	wait "$pid"
	[ "$n" -gt 5 ]
	[ -z "$(ls -A "$T/outside")" ]
}

@test "write: bad input is a clear one-line error and loses nothing" {
	echo keep > "$W/f"
	run osl fs write
	assert_failure 2
	run osl fs write "$W/f" "$W/g"
	assert_failure 2
	run osl fs write "$W" <<<"x"
	assert_failure 1
	assert_output "osl fs write: '$W': Is a directory"
	run osl fs write "$W/nosuchdir/f" <<<"x"
	assert_failure 1
	assert_output "osl fs write: '$W/nosuchdir/f': No such file or directory"
	run osl fs write -m 9999 "$W/f" <<<"x"
	assert_failure 2
	[ "$(cat "$W/f")" = keep ]
	mkfifo "$W/fifo"
	run osl fs write "$W/fifo" <<<"x"
	assert_failure 1
	assert_output --partial "not a regular file"
}

@test "append adds to the end; a file with other hard links is refused" {
	echo one > "$W/f"
	echo two | osl fs append "$W/f"
	[ "$(cat "$W/f")" = $'one\ntwo' ]
	[ "$(jget .event.action "$(last_record)")" = fs.write ]
	echo new | osl fs append "$W/g"
	[ "$(jget .event.action "$(last_record)")" = fs.create ]
	ln "$HOME/secret/key" "$W/hard"
	run osl fs append "$W/hard" <<<"pwned"
	assert_failure 3
	assert_output --partial "hard links"
	[ "$(cat "$HOME/secret/key")" = k3y ]
}

@test "write through a hard link replaces the name only: the other name keeps its data" {
	ln "$HOME/secret/key" "$W/hard"
	echo new | osl fs write "$W/hard"
	[ "$(cat "$HOME/secret/key")" = k3y ]
	[ "$(cat "$W/hard")" = new ]
}

@test "touch creates or updates; -c does not create" {
	osl fs touch "$W/t"
	[ -f "$W/t" ]
	[ "$(jget .event.action "$(last_record)")" = fs.create ]
	touch -d 2000-01-01 "$W/t"
	osl fs touch "$W/t"
	[ "$(stat -c %Y "$W/t")" -gt 946684800 ]
	[ "$(jget .event.action "$(last_record)")" = fs.write ]
	osl fs touch -c "$W/none"
	[ ! -e "$W/none" ]
	run osl fs touch "$HOME/secret/t"
	assert_failure 3
}

@test "mkdir, mkdir -p -m, rmdir" {
	osl fs mkdir "$W/d"
	[ -d "$W/d" ]
	run osl fs mkdir "$W/d"
	assert_failure 1
	assert_output "osl fs mkdir: '$W/d': File exists"
	osl fs mkdir -p -m 0700 "$W/a/b/c"
	[ "$(stat -c %a "$W/a/b/c")" = 700 ]
	osl fs mkdir -p "$W/a/b/c"
	[ "$(jget .event.action "$(last_record)")" = fs.create ]
	run osl fs rmdir "$W/a"
	assert_failure 1
	assert_output --partial "Directory not empty"
	osl fs rmdir "$W/a/b/c" "$W/a/b" "$W/a"
	[ ! -e "$W/a" ]
	[ "$(jget .event.action "$(last_record)")" = fs.delete ]
	run osl fs mkdir -p "$HOME/secret/x/y"
	assert_failure 3
	[ ! -e "$HOME/secret/x" ]
}

@test "ln -s and hard ln; a hard link to a protected file is denied" {
	echo a > "$W/a"
	osl fs ln -s a "$W/s"
	[ "$(readlink "$W/s")" = a ]
	r=$(last_record)
	[ "$(jget .event.action "$r")" = fs.link ]
	[ "$(jget .file.target_path "$r")" = a ]
	osl fs ln "$W/a" "$W/h"
	[ "$(jget .osl.link_target "$(last_record)")" = "$W/a" ]
	[ "$(stat -c %i "$W/a")" = "$(stat -c %i "$W/h")" ]
	run osl fs ln "$HOME/secret/key" "$W/k"
	assert_failure 3
	[ ! -e "$W/k" ]
	run osl fs ln -s b "$W/s"
	assert_failure 1
	assert_output --partial "File exists"
	osl fs ln -sf b "$W/s"
	[ "$(readlink "$W/s")" = b ]
}

@test "chmod: octal and symbolic, -R never through a symlink" {
	echo a > "$W/a"
	osl fs chmod 0600 "$W/a"
	[ "$(stat -c %a "$W/a")" = 600 ]
	osl fs chmod g+r,o+r "$W/a"
	[ "$(stat -c %a "$W/a")" = 644 ]
	r=$(last_record)
	[ "$(jget .event.action "$r")" = fs.chmod ]
	[ "$(jget .file.mode "$r")" = 0644 ]
	mkdir -p "$W/t/sub"
	echo x > "$W/t/sub/f"
	echo o > "$T/outside/o"
	chmod 0644 "$T/outside/o"
	ln -s "$T/outside/o" "$W/t/lnk"
	osl fs chmod -R 0700 "$W/t"
	[ "$(stat -c %a "$W/t/sub/f")" = 700 ]
	[ "$(stat -c %a "$T/outside/o")" = 644 ]
	[ "$(jget .osl.files "$(last_record)")" -ge 3 ]
	run osl fs chmod 0777 "$HOME/secret/key"
	assert_failure 3
	run osl fs chmod bogus "$W/a"
	assert_failure 2
}

@test "chmod refuses a file with other hard links" {
	ln "$HOME/secret/key" "$W/hard"
	run osl fs chmod 0666 "$W/hard"
	assert_failure 3
	assert_output --partial "hard links"
	[ "$(stat -c %a "$HOME/secret/key")" != 666 ]
}

@test "chown and chown -R (root only)" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	mkdir -p "$W/o/p"
	echo x > "$W/o/p/f"
	osl fs chown -R 1234:2345 "$W/o"
	[ "$(stat -c %u:%g "$W/o/p/f")" = 1234:2345 ]
	[ "$(jget .event.action "$(last_record)")" = fs.chown ]
	osl fs chown :3456 "$W/o/p/f"
	[ "$(stat -c %u:%g "$W/o/p/f")" = 1234:3456 ]
	run osl fs chown nosuchuser "$W/o"
	assert_failure 2
}

@test "odd names: newline, invalid UTF-8 and NAME_MAX" {
	n1=$'new\nline'
	n2=$'bad\xff'
	long=$(printf 'x%.0s' $(seq 1 255))
	echo 1 | osl fs write "$W/$n1"
	echo 2 | osl fs write "$W/$n2"
	echo 3 | osl fs write "$W/$long"
	[ "$(cat "$W/$n1")" = 1 ]
	[ "$(cat "$W/$n2")" = 2 ]
	[ "$(cat "$W/$long")" = 3 ]
	tail -n 2 "$LOG" | head -n 1 | jq -e '.file.path | endswith("bad\\xff")'
	run osl fs write "$W/${long}y" <<<"x"
	assert_failure 1
	assert_output --partial "File name too long"
}
