#!/usr/bin/env bats
# osl fs cp, mv, rm, ls, hash, du: exact, atomic copies; trees walked by
# descriptors without following a symlink; each file decided on its own.
load helper

setup() {
	common_setup
	export OSL_POLICY=$OSL_TOP/test/fixtures/policies/fs-basic.yaml
	mkdir -p "$HOME/secret" "$HOME/work" "$T/outside"
	printf 'k3y\n' > "$HOME/secret/key"
	W=$HOME/work
}

@test "cp copies bytes exactly; two decisions, one fs.copy record at info" {
	head -c 3000000 /dev/urandom > "$W/src"
	osl fs cp "$W/src" "$W/dst"
	cmp "$W/src" "$W/dst"
	r=$(last_record)
	[ "$(jget .event.action "$r")" = fs.copy ]
	[ "$(jget .file.path "$r")" = "$W/dst" ]
	[ "$(jget .file.path "$r")" = "$W/dst" ]
	[ "$(jget .file.size "$r")" = 3000000 ]
	[ "$(jget .file.inode "$r")" = "$(stat -c %i "$W/dst")" ]
	[ "$(jget .osl.source.path "$r")" = "$W/src" ]
	[ "$(jget .osl.bytes "$r")" = 3000000 ]
	[ "$(ls -A "$W" | wc -l)" = 2 ]
}

@test "cp: the source is decided (read) and the destination (write)" {
	run osl fs cp "$HOME/secret/key" "$W/stolen"
	assert_failure 3
	assert_output --partial "rule no-secret"
	[ ! -e "$W/stolen" ]
	echo a > "$W/a"
	run osl fs cp "$W/a" "$T/outside/a"
	assert_failure 3
	[ ! -e "$T/outside/a" ]
	run osl fs cp "$W/a" "$HOME/secret/a"
	assert_failure 3
	[ "$(jget .rule.id "$(last_record)")" = no-secret ]
}

@test "cp into a directory, several sources, -n keeps the existing file" {
	echo a > "$W/a"; echo b > "$W/b"; mkdir "$W/d"
	osl fs cp "$W/a" "$W/b" "$W/d"
	[ "$(cat "$W/d/a")" = a ] && [ "$(cat "$W/d/b")" = b ]
	echo new > "$W/a"
	osl fs cp -n "$W/a" "$W/d/a"
	[ "$(cat "$W/d/a")" = a ]
	osl fs cp "$W/a" "$W/d/a"
	[ "$(cat "$W/d/a")" = new ]
	run osl fs cp "$W/a" "$W/b" "$W/nodir"
	assert_failure 2
	run osl fs cp "$W/d" "$W/e"
	assert_failure 1
	assert_output --partial "is a directory (use -r)"
	run osl fs cp "$W/a" "$W/a"
	assert_failure 1
	assert_output --partial "same file"
}

@test "cp keeps holes in sparse files" {
	truncate -s 64M "$W/sparse"
	printf 'middle' | dd of="$W/sparse" bs=1 seek=30000000 conv=notrunc 2>/dev/null
	osl fs cp "$W/sparse" "$W/copy"
	cmp "$W/sparse" "$W/copy"
	[ "$(stat -c %s "$W/copy")" = 67108864 ]
	[ "$(du -k "$W/copy" | cut -f1)" -lt 1024 ]
}

@test "cp -a keeps modes, owners, times, symlinks and xattrs" {
	mkdir -p "$W/t/sub"
	echo f > "$W/t/sub/f"
	chmod 0751 "$W/t/sub/f"
	chmod 0705 "$W/t/sub"
	touch -d 2001-02-03T04:05:06 "$W/t/sub/f"
	touch -d 2002-02-03T04:05:06 "$W/t/sub"
	ln -s sub/f "$W/t/l"
	mkfifo "$W/t/fifo"
	if [ "$(id -u)" = 0 ]; then chown 1234:2345 "$W/t/sub/f"; fi
	xattr=0
	if python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.osl", b"hello")' "$W/t/sub/f" 2>/dev/null; then
		xattr=1
	fi
	osl fs cp -a "$W/t" "$W/u"
	[ "$(stat -c '%a %Y %u %g' "$W/u/sub/f")" = "$(stat -c '%a %Y %u %g' "$W/t/sub/f")" ]
	[ "$(stat -c '%a %Y' "$W/u/sub")" = "$(stat -c '%a %Y' "$W/t/sub")" ]
	[ "$(readlink "$W/u/l")" = sub/f ]
	[ -p "$W/u/fifo" ]
	if [ "$xattr" = 1 ]; then
		[ "$(python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.osl").decode())' "$W/u/sub/f")" = hello ]
	fi
	r=$(last_record)
	[ "$(jget .event.action "$r")" = fs.copy ]
	[ "$(jget .osl.files "$r")" -ge 4 ]
}

@test "cp -a keeps hard links inside the tree; cp -r does not" {
	mkdir -p "$W/t/a" "$W/t/b"
	echo shared > "$W/t/a/one"
	ln "$W/t/a/one" "$W/t/b/two"
	osl fs cp -a "$W/t" "$W/u"
	[ "$(stat -c %i "$W/u/a/one")" = "$(stat -c %i "$W/u/b/two")" ]
	[ "$(stat -c %i "$W/u/a/one")" != "$(stat -c %i "$W/t/a/one")" ]
	[ "$(stat -c %h "$W/u/a/one")" = 2 ]
	# merging into an existing tree (m/t exists): names replaced atomically
	mkdir -p "$W/m/t/a" "$W/m/t/b"
	echo old > "$W/m/t/a/one"; echo old > "$W/m/t/b/two"
	osl fs cp -a "$W/t" "$W/m"
	[ "$(stat -c %i "$W/m/t/a/one")" = "$(stat -c %i "$W/m/t/b/two")" ]
	[ "$(cat "$W/m/t/b/two")" = shared ]
	osl fs cp -r "$W/t" "$W/v"
	[ "$(stat -c %i "$W/v/a/one")" != "$(stat -c %i "$W/v/b/two")" ]
}

@test "cp -r: a symlink in the tree is copied as a symlink, never followed out" {
	mkdir "$W/t"
	echo secret-outside > "$T/outside/o"
	ln -s "$T/outside" "$W/t/out"
	osl fs cp -r "$W/t" "$W/u"
	[ -L "$W/u/out" ]
	[ ! -e "$W/u/out/o.copy" ]
	[ "$(ls -A "$T/outside")" = o ]
}

@test "cp -r: a denied file inside the tree stops the copy; nothing half-made is left" {
	mkdir -p "$W/t"
	echo a > "$W/t/a"
	echo S=1 > "$W/t/.env"
	run osl fs cp -r "$W/t" "$W/u"
	assert_failure 3
	assert_output --partial "denied by policy"
	[ ! -e "$W/u" ]
	[ "$(ls -A "$W")" = t ]
}

@test "cp -r into itself is refused" {
	mkdir -p "$W/t"
	run osl fs cp -r "$W/t" "$W/t/in"
	assert_failure 1
	assert_output --partial "into itself"
}

@test "cp on a full disk leaves no partial destination and exits 1" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
	mkdir "$W/small"
	mount -t tmpfs -o size=1m tmpfs "$W/small" 2>/dev/null || skip "cannot mount a tmpfs here"
	head -c 3000000 /dev/urandom > "$W/big"
	echo old > "$W/small/big"
	run osl fs cp "$W/big" "$W/small/big"
	rc=$status
	out=$output
	left=$(ls -A "$W/small")
	kept=$(cat "$W/small/big")
	mkdir "$W/tree" && cp "$W/big" "$W/tree/a" && cp "$W/big" "$W/tree/b"
	run osl fs cp -r "$W/tree" "$W/small/tree"
	rc2=$status
	left2=$(ls -A "$W/small")
	umount "$W/small"
	[ "$rc" = 1 ]
	[ "$out" = "osl fs cp: '$W/small/big': No space left on device" ]
	[ "$left" = big ]
	[ "$kept" = old ]
	[ "$rc2" = 1 ]
	[ "$left2" = big ]
}

@test "mv renames; across filesystems it copies, syncs, then removes" {
	echo a > "$W/a"
	osl fs mv "$W/a" "$W/b"
	[ ! -e "$W/a" ] && [ "$(cat "$W/b")" = a ]
	r=$(last_record)
	[ "$(jget .event.action "$r")" = fs.move ]
	[ "$(jget .osl.source.path "$r")" = "$W/a" ]
	run osl fs mv "$HOME/secret/key" "$W/key"
	assert_failure 3
	[ -e "$HOME/secret/key" ]
	run osl fs mv "$W/b" "$HOME/secret/b"
	assert_failure 3
	[ -e "$W/b" ]
	[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
	mkdir "$W/other"
	mount -t tmpfs -o size=8m tmpfs "$W/other" 2>/dev/null || skip "cannot mount a tmpfs here"
	mkdir -p "$W/tree/sub"; echo x > "$W/tree/sub/x"; ln -s sub/x "$W/tree/l"
	osl fs mv "$W/tree" "$W/other/tree"
	osl fs mv "$W/b" "$W/other/b"
	ok=$( [ ! -e "$W/tree" ] && [ "$(cat "$W/other/tree/sub/x")" = x ] && [ -L "$W/other/tree/l" ] &&
		[ ! -e "$W/b" ] && [ "$(cat "$W/other/b")" = a ] && echo yes)
	umount "$W/other"
	[ "$ok" = yes ]
}

@test "mv of a folder is decided with all that may lie beneath it, existing or not" {
	# the issue's attack: rename ~/.config and read the token under the new name
	mkdir -p "$HOME/.config/gh"
	echo token > "$HOME/.config/gh/hosts.yml"
	run osl -p builtin:default fs mv "$HOME/.config" "$HOME/.cfg"
	assert_failure 3
	assert_output "osl fs mv: '$HOME/.config': denied by policy (rule no-gcloud-credentials at builtin:default:51:7, which could match a path beneath it)"
	[ -e "$HOME/.config/gh/hosts.yml" ] && [ ! -e "$HOME/.cfg" ]
	[ "$(jget .rule.id "$(last_record)")" = no-gcloud-credentials ]
	run osl -p builtin:default fs cat "$HOME/.cfg/gh/hosts.yml"
	assert_failure
	refute_output --partial token
	# nothing denied exists beneath: the rules decide, not a walk
	rm -r "$HOME/.config/gh"
	run osl -p builtin:default fs mv "$HOME/.config" "$HOME/.cfg"
	assert_failure 3
	# the destination side: a folder moved to where a deny rule reaches
	# (a policy planted as $XDG_CONFIG_HOME/osl/policy.yaml)
	rmdir "$XDG_CONFIG_HOME"
	mkdir -p "$W/evil/osl"
	echo 'version: 1' > "$W/evil/osl/policy.yaml"
	run osl -p builtin:default fs mv "$W/evil" "$XDG_CONFIG_HOME"
	assert_failure 3
	assert_output "osl fs mv: '$XDG_CONFIG_HOME': denied by policy (rule no-policy-tampering-config at builtin:default:60:7, which could match a path beneath it)"
	[ ! -e "$XDG_CONFIG_HOME" ]
	# a folder no deny rule reaches moves; **/.env matches alike anywhere
	mkdir -p "$W/proj/sub"
	echo x > "$W/proj/.env"
	osl fs mv "$W/proj" "$W/proj2"
	[ -e "$W/proj2/.env" ] && [ ! -e "$W/proj" ]
	# in the fixture policy, the folder above the denied one
	run osl fs mv "$HOME" "$T/home2"
	assert_failure 3
	assert_output --partial "rule no-secret at"
	assert_output --partial "which could match a path beneath it"
}

@test "rm, rm -f, rm -r never follows a symlink out of the tree" {
	echo a > "$W/a"
	osl fs rm "$W/a"
	[ ! -e "$W/a" ]
	[ "$(jget .event.action "$(last_record)")" = fs.delete ]
	run osl fs rm "$W/a"
	assert_failure 1
	assert_output "osl fs rm: '$W/a': No such file or directory"
	osl fs rm -f "$W/a"
	mkdir -p "$W/t/sub"
	echo keep > "$T/outside/keep"
	ln -s "$T/outside" "$W/t/sub/out"
	ln -s "$T/outside/keep" "$W/t/k"
	run osl fs rm "$W/t"
	assert_failure 1
	assert_output --partial "Is a directory"
	osl fs rm -r "$W/t"
	[ ! -e "$W/t" ]
	[ "$(cat "$T/outside/keep")" = keep ]
	r=$(last_record)
	[ "$(jget .event.action "$r")" = fs.delete ]
	[ "$(jget .osl.files "$r")" = 4 ]
	[ "$(jget .log.level "$r")" = info ]
}

@test "rm -r leaves a denied file (and its directories) and says so" {
	mkdir -p "$W/t/d"
	echo a > "$W/t/a"
	echo S=1 > "$W/t/d/.env"
	run osl fs rm -r "$W/t"
	assert_failure 3
	assert_output --partial "'$W/t/d/.env': denied by policy"
	[ -e "$W/t/d/.env" ]
	[ ! -e "$W/t/a" ]
}

@test "rm of a file that may be read but not written is denied (fs.delete is a write)" {
	mkdir -p "$TMPDIR/d"
	echo x > "$TMPDIR/f"
	echo y > "$TMPDIR/d/g"
	run osl fs cat "$TMPDIR/f"
	assert_success
	run osl fs rm "$TMPDIR/f"
	assert_failure 3
	assert_output "osl fs rm: '$TMPDIR/f': denied by policy (no rule matched: default deny ($OSL_TOP/test/fixtures/policies/fs-basic.yaml:5:10); a rule that would allow it: fs.write: [\"$TMPDIR/**\"])"
	[ -e "$TMPDIR/f" ]
	run osl fs rm -r "$TMPDIR/d"
	assert_failure 3
	[ -e "$TMPDIR/d/g" ]
	[ "$(jget .event.action "$(last_record)")" = fs.delete ]
}

@test "rm refuses / unless --no-preserve-root" {
	run osl fs rm -r /
	assert_failure 1
	assert_output --partial "refusing to remove /"
	run osl fs rm -rf /../
	assert_failure 1
}

@test "rm -r logs each file at debug and a summary at info" {
	mkdir -p "$W/t/s"; echo 1 > "$W/t/1"; echo 2 > "$W/t/s/2"
	OSL_POLICY=$OSL_TOP/test/fixtures/policies/fs-debug.yaml osl fs rm -r "$W/t"
	[ ! -e "$W/t" ]
	# one result record per file at debug (a start record's outcome is unknown)
	run jq -r 'select(.event.action == "fs.delete" and .log.level == "debug" and
		.event.outcome != "unknown") | .file.path' "$LOG"
	assert_output $'/'"${W#/}"$'/t/1\n'"$W"$'/t/s/2\n'"$W"$'/t/s'
	r=$(last_record)
	[ "$(jget .log.level "$r")" = info ]
	[ "$(jget .osl.files "$r")" = 4 ]
	[ "$(jget .osl.errors "$r")" = 0 ]
	[ "$(jget .file.path "$r")" = "$W/t" ]
}

@test "cp -r logs a read and a copy per file at debug, then the summary at info" {
	mkdir -p "$W/t/s"; echo 1 > "$W/t/1"; echo 22 > "$W/t/s/2"
	OSL_POLICY=$OSL_TOP/test/fixtures/policies/fs-debug.yaml osl fs cp -r "$W/t" "$W/u"
	run jq -r 'select(.log.level == "debug" and .event.outcome != "unknown") |
		"\(.event.action) \(.event.outcome) \(.file.path)"' "$LOG"
	assert_line "fs.read success $W/t/1"
	assert_line "fs.copy success $W/u/1"
	assert_line "fs.copy success $W/u/s/2"
	assert_line "fs.copy success $W/u/s"
	r=$(last_record)
	[ "$(jget .log.level "$r")" = info ]
	[ "$(jget .osl.files "$r")" = 3 ]
	[ "$(jget .osl.bytes "$r")" = 5 ]
	[ "$(jget .file.path "$r")" = "$W/u" ]
}

@test "ls, ls -l, ls -a, ls -R and ls -j" {
	mkdir -p "$W/d/e"; echo a > "$W/d/a"; echo h > "$W/d/.h"; ln -s a "$W/d/l"
	run osl fs ls "$W/d"
	assert_success
	assert_output $'a\ne\nl'
	run osl fs ls -a "$W/d"
	assert_output $'.h\na\ne\nl'
	run osl fs ls -l "$W/d"
	assert_line --index 2 --regexp '^lrwxrwxrwx .* l -> a$'
	run --separate-stderr osl -j fs ls "$W/d"
	assert_success
	[ "$(jget 'length' "$output")" = 3 ]
	[ "$(jget '.[2].type' "$output")" = symlink ]
	[ "$(jget '.[2].target' "$output")" = a ]
	[ "$(jget '.[0].path' "$output")" = "$W/d/a" ]
	run osl fs ls -R "$W/d"
	assert_line "$W/d/e:"
	run osl fs ls -R "$HOME"
	assert_failure 3
	assert_output --partial "'$HOME/secret': denied by policy"
	refute_output --partial key
}

@test "ls -l and ls -j name a denied entry but show none of its metadata" {
	echo 'API_KEY=1' > "$W/.env"
	touch -d 2001-02-03 "$W/.env"
	run osl fs ls -la "$W"
	assert_success
	assert_line --regexp '^-\?{9} +\? \? +\? +\? +\? +\.env$'
	refute_output --partial 2001
	run --separate-stderr osl -j fs ls -a "$W"
	assert_success
	[[ "$(jget '.[] | select(.name == ".env") | .denied' "$output")" == */fs-basic.yaml:1[0-9]:* ]]
	[ "$(jget '.[] | select(.name == ".env") | .size' "$output")" = null ]
	run --separate-stderr osl -j fs ls "$HOME"
	[ "$(jget '.[] | select(.name == "secret") | .denied' "$output")" = no-secret ]
	[ "$(jget '.[] | select(.name == "work") | .mode' "$output")" = 0755 ]
}

@test "hash prints sha256 like sha256sum; -j gives {path, sha256}" {
	head -c 100000 /dev/urandom > "$W/r"
	run osl fs hash "$W/r"
	assert_success
	assert_output "$(sha256sum "$W/r")"
	run --separate-stderr osl -j fs hash "$W/r"
	[ "$(jget '.[0].sha256' "$output")" = "$(sha256sum "$W/r" | cut -d' ' -f1)" ]
	[ "$(jget '.[0].path' "$output")" = "$W/r" ]
	[ "$(jget .file.hash.sha256 "$(last_record)")" = "$(sha256sum "$W/r" | cut -d' ' -f1)" ]
	run osl fs hash --algo md5 "$W/r"
	assert_failure 2
	run osl fs hash "$HOME/secret/key"
	assert_failure 3
}

@test "du counts a tree" {
	mkdir -p "$W/d/e"; head -c 10000 /dev/zero > "$W/d/e/z"
	run osl fs du -b "$W/d"
	assert_success
	[ "$(cut -f1 <<<"$output")" -ge 10000 ]
	run --separate-stderr osl -j fs du "$W/d"
	[ "$(jget '.[0].files' "$output")" = 3 ]
}

@test "odd names survive cp -r, ls and rm -r" {
	mkdir "$W/t"
	n1=$'new\nline'; n2=$'bad\xff'
	long=$(printf 'y%.0s' $(seq 1 255))
	echo 1 > "$W/t/$n1"; echo 2 > "$W/t/$n2"; echo 3 > "$W/t/$long"
	osl fs cp -r "$W/t" "$W/u"
	[ "$(cat "$W/u/$n1")" = 1 ] && [ "$(cat "$W/u/$n2")" = 2 ] && [ "$(cat "$W/u/$long")" = 3 ]
	run osl fs ls "$W/u"
	assert_line "\$'bad\\xff'"
	assert_line "\$'new\\nline'"
	run --separate-stderr osl -j fs ls "$W/u"
	printf '%s' "$output" | jq -e '[.[].name] | index("bad\\xff") != null'
	osl fs rm -r "$W/u"
	[ ! -e "$W/u" ]
}

@test "every fs verb answers -h" {
	for v in stat ls cat hash du write append touch mkdir rmdir ln chmod chown cp mv rm; do
		run osl fs "$v" -h
		assert_success
		assert_line --index 0 --partial "usage: osl fs $v"
	done
}

@test "paths near PATH_MAX: write, cp -r, rm -r; one byte too long is a clear error" {
	seg=$(printf 'd%.0s' $(seq 1 250))
	p=$W/t
	# grow the path to about 4000 bytes, one 250-byte directory at a time
	while [ $(( ${#p} + 251 )) -lt 3990 ]; do p=$p/$seg; done
	p=$p/$(printf 'e%.0s' $(seq 1 $((3990 - ${#p} - 1))))
	[ "${#p}" = 3990 ]
	mkdir -p "$p"
	echo deep | osl fs write "$p/f"
	[ "$(cat "$p/f")" = deep ]
	[ "$(jget .file.path "$(last_record)")" = "$p/f" ]
	osl fs cp -r "$W/t" "$W/u"
	[ "$(cat "$W/u/${p#"$W/t/"}/f")" = deep ]
	# PATH_MAX is 4096 with its NUL: a 4097-byte path is refused, and the
	# message keeps its reason however long the path
	long=$(printf 'z%.0s' $(seq 1 $((4095 - ${#p} - 1))))
	run osl fs write "$p/${long}zz" <<<"x"
	assert_failure 1
	assert_output --regexp "^osl fs write: '.*: File name too long$"
	osl fs rm -r "$W/t" "$W/u"
	[ ! -e "$W/t" ] && [ ! -e "$W/u" ]
}

@test "cp: progress on a terminal (bytes, share, rate, time left), cleared at the end; none in scripts or with -q" {
	command -v script >/dev/null || skip "script (util-linux) is needed to give osl a terminal"
	head -c 20M /dev/zero | tr '\0' x > "$W/big"
	# every 8 MiB step shown (the test's interval: 0), so the lines are known
	run script -qec "OSL_PROGRESS_INTERVAL=0 '$OSL' fs cp '$W/big' '$W/copy'" /dev/null
	assert_success
	cmp "$W/big" "$W/copy"
	[[ "$output" == *$'\r8.0 MiB of 20.0 MiB (40%), '*'/s, '*' left'$'\e[K\r16.0 MiB of 20.0 MiB (80%), '* ]]
	[[ "$output" == *$'\r20.0 MiB of 20.0 MiB (100%), '*$' left\e[K\r\e[K' ]]
	# not a terminal: nothing on stderr
	run --separate-stderr env OSL_PROGRESS_INTERVAL=0 "$OSL" fs cp "$W/big" "$W/copy2"
	assert_success
	[ -z "$stderr" ]
	# -q: nothing on the terminal either
	run script -qec "OSL_PROGRESS_INTERVAL=0 '$OSL' -q fs cp '$W/big' '$W/copy3'" /dev/null
	assert_success
	[ -z "$output" ]
}

@test "cp, mv: a bad \$OSL_PROGRESS_INTERVAL is one line and exit 2, before anything is done; empty is unset" {
	echo data > "$W/a"
	for v in 5x -1 1.5.5s 99999999999999999999s; do
		run --separate-stderr env OSL_PROGRESS_INTERVAL="$v" "$OSL" fs cp "$W/a" "$W/b"
		assert_failure 2
		[ "$stderr" = "osl fs cp: \$OSL_PROGRESS_INTERVAL: '$v': bad duration (e.g. 250ms, 10s, 5m)" ]
		[ ! -e "$W/b" ]
	done
	# with -j: the error document; mv too, and the source stays
	run --separate-stderr env OSL_PROGRESS_INTERVAL=5x "$OSL" -j fs mv "$W/a" "$W/c"
	assert_failure 2
	[ "$(jget .error.code "$output")" = invalid ]
	[ -e "$W/a" ] && [ ! -e "$W/c" ]
	run env OSL_PROGRESS_INTERVAL= "$OSL" fs cp "$W/a" "$W/b"
	assert_success
	run env OSL_PROGRESS_INTERVAL=1s "$OSL" fs mv "$W/b" "$W/c"
	assert_success
	[ -e "$W/c" ]
}
