#!/usr/bin/env bats
# osl policy learn: observe real commands, write a policy that passes check,
# enforce it (the same run succeeds, a write it never made is denied), and
# report drift.
load helper

# --diff traces an `osl proc run`: LeakSanitizer cannot run under ptrace,
# so it is off for those commands in the ASan pass
learn_diff() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$OSL" "$@"
}

# a HOME outside /tmp, which a private /tmp (proc.tmp) would hide from the
# run: a test of what the kernel refuses in HOME needs it seen
outside_home() {
	HOME=$(mktemp -d "$(cd "$OSL_BUILD" && pwd -P)/learn-home.XXXXXX")
	OUT_HOME=$HOME
	export HOME
}

teardown() {
	[ -z "${OUT_HOME:-}" ] || rm -rf "$OUT_HOME"
}

setup() {
	common_setup
	# the workspace is a folder of its own: HOME and TMPDIR lie outside it
	W=$T/ws
	mkdir -p "$W"
	cd "$W"
	printf 'b\na\nc\na\n' > in.txt
}

@test "learn: a shell pipeline gives a folded policy that passes check" {
	run osl policy learn -o "$T/p.yaml" -- sh -c 'sort in.txt | uniq > out.txt; mkdir -p gen/a/b && echo x > gen/a/b/f'
	assert_success
	assert_output --partial "wrote '$T/p.yaml'"
	run osl policy check "$T/p.yaml"
	assert_success
	p=$(cat "$T/p.yaml")
	# trees, with the variables put back; not the files one by one
	grep -qx '    - "${PWD}/\*\*"' "$T/p.yaml"
	grep -qx '    - "/usr/\*\*"' "$T/p.yaml"
	! grep -q 'out.txt"' "$T/p.yaml"
	! grep -q "\"$W" "$T/p.yaml"
	# what each rule came from
	grep -q '# .* paths, e.g. .*; by .*sort' "$T/p.yaml"
	grep -q '^    memory: [0-9]*M   # peak address space' "$T/p.yaml"
	grep -q '^    nofile: [0-9]*   # highest fd' "$T/p.yaml"
	grep -q '^default: deny' "$T/p.yaml"
}

@test "learn: enforce after learn: the same run succeeds, a write it never made is denied" {
	osl policy learn -o "$T/p.yaml" -- sh -c 'sort in.txt | uniq > out.txt; mkdir -p gen && echo x > gen/f'
	rm -rf out.txt gen
	# held in full, the loader too (every mount but the exec trees is noexec)
	run osl -j -p "$T/p.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '[.[] | select(.enforcement and .enforcement != "full") | .rule] == []'
	run osl -p "$T/p.yaml" proc run -- sh -c 'sort in.txt | uniq > out.txt; mkdir -p gen && echo x > gen/f'
	assert_success
	[ "$(cat out.txt)" = "$(printf 'a\nb\nc')" ]
	[ -f gen/f ]
	run osl -p "$T/p.yaml" proc run -- sh -c "echo x > '$HOME/planted'"
	assert_failure
	# (a HOME below /tmp that no rule names is not even there: a private /tmp)
	assert_output --regexp "Permission denied|Directory nonexistent"
	[ ! -e "$HOME/planted" ]
}

@test "learn: every process is followed (nested shells, the reads of the innermost)" {
	printf 'secret-ish\n' > "$T/outside.txt"
	run osl policy learn -o "$T/p.yaml" -- sh -c "sh -c 'sh -c \"cat $T/outside.txt > /dev/null\"'"
	assert_success
	grep -q "e.g. $T/outside.txt; by cat" "$T/p.yaml"
	grep -qx "    - \"$T/\*\*\"" "$T/p.yaml"
}

@test "learn: make building a small C program, then the build enforced" {
	command -v make >/dev/null && command -v cc >/dev/null || skip "no make or cc"
	mkdir -p src
	printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > src/hello.c
	printf 'build/hello: src/hello.c\n\tmkdir -p build\n\tcc -O2 -o $@ src/hello.c\n' > Makefile
	run osl policy learn -o "$T/p.yaml" -- make
	assert_success
	run osl policy check "$T/p.yaml"
	assert_success
	grep -q 'by .*cc' "$T/p.yaml"
	rm -rf build
	run osl -j -p "$T/p.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '[.[] | select(.enforcement and .enforcement != "full") | .rule] == []'
	run osl -p "$T/p.yaml" proc run -- make
	assert_success
	run ./build/hello
	assert_output hello
}

@test "learn --diff: nothing new is exit 0; a new write is drift, exit 1" {
	outside_home
	osl policy learn -o "$T/p.yaml" -- sh -c 'cat in.txt > /dev/null'
	run learn_diff policy learn --diff "$T/p.yaml" -- sh -c 'cat in.txt > /dev/null'
	assert_success
	assert_output --partial "# 0 things"
	run learn_diff policy learn --diff "$T/p.yaml" -- sh -c "cat in.txt > /dev/null; echo x > '$HOME/new'"
	assert_failure 1
	# it ran enforced: the write was refused, and the command failed for it
	assert_output --partial "fs.write $HOME/new (by dash) refused by the kernel: no rule matched: default deny"
	assert_output --partial "proc.exit: the command exited with 2 under the policy"
	[ ! -e "$HOME/new" ]
	run --separate-stderr learn_diff -j policy learn --diff "$T/p.yaml" -- sh -c "echo x > '$HOME/new2'"
	assert_failure 1
	[ "$(jget '.count' "$output")" = 2 ]
	[ "$(jget '.drift[0].target' "$output")" = "$HOME/new2" ]
	[ "$(jget '.drift[0].action' "$output")" = fs.write ]
	[ "$(jget '.drift[0].refused' "$output")" = true ]
	[ "$(jget '.drift[1].action' "$output")" = proc.exit ]
	# a peak above a limit is drift too: the run would fail under the policy
	printf 'version: 1\ndefault: allow\nproc:\n  limits: { nofile: 16 }\n' > "$T/lim.yaml"
	run learn_diff policy learn --diff "$T/lim.yaml" -- python3 -c 'f = [open("/dev/null") for _ in range(20)]'
	assert_failure 1
	assert_output --partial "proc.limits: nofile: the run needed 17 or more, the limit is 16"
}

@test "learn --base: the result extends the base and still loads" {
	run osl policy learn -o "$T/p.yaml" --base builtin:ci -- sh -c 'cat in.txt'
	assert_success
	grep -qx 'extends: \["builtin:ci", builtin:secrets\]' "$T/p.yaml"
	run osl policy show "$T/p.yaml"
	assert_success
	assert_output --partial "no-shadow"
	printf 'version: 1\nname: b\nproc:\n  limits: { nofile: 64 }\n' > "$T/base.yaml"
	run osl policy learn -o "$T/p2.yaml" --base "$T/base.yaml" -- true
	assert_success
	grep -qx "extends: \[\"$T/base.yaml\", builtin:secrets\]" "$T/p2.yaml"
	grep -q "# nofile: the base's limit is lower" "$T/p2.yaml"
	run osl policy check "$T/p2.yaml"
	assert_success
}

@test "learn: a TCP connect to a local server becomes a connect rule" {
	command -v curl >/dev/null || skip "no curl"
	# port 0: the kernel picks a free one, the server says which
	/usr/bin/python3 -u -m http.server -b 127.0.0.1 0 > "$T/srv" 2>&1 3>&- &
	srv=$!
	for _ in $(seq 300); do grep -qE 'port [0-9]+' "$T/srv" && break; sleep 0.1; done
	port=$(grep -oE 'port [0-9]+' "$T/srv" | head -n 1)
	port=${port#port }
	curl -s -o /dev/null "http://127.0.0.1:$port/"
	run osl policy learn -o "$T/p.yaml" -- curl -s -o /dev/null "http://127.0.0.1:$port/in.txt"
	kill "$srv"
	assert_success
	grep -q "^    - \"127.0.0.1:$port\"   # by curl" "$T/p.yaml"
	run osl policy check "$T/p.yaml"
	assert_success
}

@test "learn: usage errors, a missing command, the command's own status" {
	run osl policy learn -- true
	assert_failure 2
	run osl policy learn -o "$T/p.yaml" --diff "$T/p.yaml" -- true
	assert_failure 2
	run osl policy learn -o "$T/p.yaml"
	assert_failure 2
	run -127 osl policy learn -o "$T/p.yaml" -- no-such-command-osl
	assert_failure 127
	[ ! -e "$T/p.yaml" ]
	run osl policy learn -o "$T/p.yaml" -- sh -c 'exit 7'
	assert_failure 7
	run --separate-stderr osl -j policy learn -o "$T/p.yaml" -- true
	assert_success
	[ "$(jget .output "$output")" = "$T/p.yaml" ]
	[ "$(jget .status "$output")" = 0 ]
	[ "$(jget '.rules > 0' "$output")" = true ]
	run osl policy check "$T/p.yaml"
	assert_success
	run learn_diff policy learn --diff "$T/nope.yaml" -- true
	assert_failure 2
}

@test "learn: threads and processes started from threads; a newline in an argument" {
	run osl policy learn -o "$T/p.yaml" -- /usr/bin/python3 -c 'import subprocess, threading
def f(): subprocess.run(["cat", "in.txt"], stdout=subprocess.DEVNULL)
ts = [threading.Thread(target=f) for _ in range(6)]
[t.start() for t in ts]; [t.join() for t in ts]'
	assert_success
	run osl policy check "$T/p.yaml"
	assert_success
	# the read of in.txt by the cat processes is in the workspace rule
	grep -B1 -x '    - "${PWD}/\*\*"' "$T/p.yaml" | grep -q 'by .*cat'
	grep -q '^# exit status 0, 7 programs run' "$T/p.yaml"
}

@test "learn -o /dev/null writes through the device, never replaces it" {
	run osl policy learn -o /dev/null -- true
	assert_success
	[ -c /dev/null ]
}

@test "learn: names asked of a name server are recorded, with net.resolve: true" {
	cat > "$T/q.py" <<'PY'
import socket, struct
h = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
name = b"".join(bytes([len(x)]) + x.encode() for x in "Build.Example.ORG".split(".")) + b"\0"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", 53))
s.send(h + name + struct.pack(">HH", 1, 1))
PY
	run osl policy learn -o "$T/p.yaml" -- /usr/bin/python3 "$T/q.py"
	assert_success
	grep -q '^  resolve: true' "$T/p.yaml"
	grep -q '^  # names resolved .*: build.example.org$' "$T/p.yaml"
	! grep -q ':53"' "$T/p.yaml"
	# glibc's own resolver (A and AAAA together, sendmmsg); no answer is needed
	run timeout 20 "$OSL" policy learn -o "$T/g.yaml" -- getent ahosts osl-learn-test.invalid
	grep -q 'osl-learn-test.invalid' "$T/g.yaml" || skip "glibc did not ask a name server here"
	# enforced, the name is still asked (no net.resolve drift); the
	# name does not exist, so getent fails: that is the one drift
	run learn_diff policy learn --diff "$T/p.yaml" -- getent ahosts osl-learn-test.invalid
	assert_failure 1
	refute_output --partial "net.resolve"
	assert_output --partial "proc.exit: the command exited with 2"
	assert_output --partial "# 1 thing the policy"
}

@test "learn: a connect to an address of a name the run resolved is written as the name" {
	command -v unshare >/dev/null || skip "no unshare"
	cat > "$T/c.py" <<'PY'
import socket, struct, sys
# the query a resolver sends (no server needs to answer), then the connect
h = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
name = b"".join(bytes([len(x)]) + x.encode() for x in "build.example.org".split(".")) + b"\0"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.connect(("127.0.0.1", 53)); u.send(h + name + struct.pack(">HH", 1, 1))
l = socket.socket(); l.bind(("127.0.0.2", 0)); l.listen(1)
socket.create_connection(l.getsockname(), timeout=5).close()
PY
	# osl resolves the name again to match it: through a hosts file of
	# this test's own mount namespace
	printf '127.0.0.2 build.example.org\n' > "$T/hosts"
	run unshare -m sh -c "mount --bind '$T/hosts' /etc/hosts && '$OSL' policy learn -o '$T/p.yaml' -- /usr/bin/python3 '$T/c.py'"
	assert_success
	grep -qE '^    - "build.example.org:[0-9]+"   # at 127.0.0.2:[0-9]+; by python3' "$T/p.yaml"
	! grep -q '"127.0.0.2:' "$T/p.yaml"
}

@test "learn: programs and libraries the build makes fold into the workspace; O_RDWR, ptys, /proc/self" {
	command -v cc >/dev/null || skip "no cc"
	command -v script >/dev/null || skip "no script"
	printf 'int f(void) { return 42; }\n' > lib.c
	printf 'int f(void);\nint main(void) { return f() == 42 ? 0 : 1; }\n' > main.c
	build='mkdir -p out/lib && cc -shared -fPIC -o out/lib/libf.so lib.c && cc -o out/t main.c -Lout/lib -lf && LD_LIBRARY_PATH=out/lib ./out/t && script -qec true /dev/null > /dev/null && exec 3<>rw.txt'
	run osl policy learn -o "$T/p.yaml" -- sh -c "$build; cat /proc/self/status > /dev/null"
	assert_success
	# no rule per program or library: they do not exist on a clean tree
	! grep -q 'out/' "$T/p.yaml"
	sed -n '/^  exec:/,/^[a-z]/p' "$T/p.yaml" | grep -qx '    - "${PWD}/\*\*"'
	grep -q '# 2 paths, e.g. .*/out/t; by t$' "$T/p.yaml"	# the program and its library
	grep -qx '    - "/dev/pts/\*\*"' "$T/p.yaml"	# the pty's other end
	sed -n '/^  read:/,/^  write:/p' "$T/p.yaml" | grep -qx '    - "/dev/ptmx"'
	sed -n '/^  write:/,/^  exec:/p' "$T/p.yaml" | grep -qx '    - "/dev/ptmx"'
	grep -qx '    - "/proc/self/\*\*"' "$T/p.yaml"
	! grep -q '"/proc/\*\*"' "$T/p.yaml"
	grep -qx 'extends: \[builtin:secrets\]' "$T/p.yaml"
	# on a clean tree, enforced and in full
	rm -rf out rw.txt
	run osl -p "$T/p.yaml" proc run --require-full -- sh -c "$build"
	assert_success
	rm -rf out rw.txt
	run learn_diff policy learn --diff "$T/p.yaml" -- sh -c "$build"
	assert_success
	assert_output --partial "# 0 things"
	# the shipped denies hold, /etc/** read or not
	run osl -p "$T/p.yaml" proc run -- cat /etc/shadow
	assert_failure
	run osl policy learn --no-secrets -o "$T/n.yaml" -- true
	assert_success
	! grep -q 'builtin:secrets' "$T/n.yaml"
}

@test "learn: a cache the run makes in HOME is one rule, never all of HOME" {
	rm -rf "$HOME/.cache-x"
	run osl policy learn -o "$T/p.yaml" -- sh -c 'for i in 1 2 3; do mkdir -p "$HOME/.cache-x/tmp/u$i" && echo x > "$HOME/.cache-x/tmp/u$i/f"; done; cat "$HOME/.cache-x/tmp/u1/f" > /dev/null'
	assert_success
	[ "$(grep -c '^    - .*cache-x' "$T/p.yaml")" = 2 ]	# a read and a write
	grep -qx '    - "${HOME}/.cache-x/\*\*"' "$T/p.yaml"
	! grep -q '"${HOME}/\*\*"' "$T/p.yaml"
}

@test "learn: /proc/self read by a child's child holds in a PID namespace; --require-full, 0 drift" {
	outside_home
	# a subprocess of a subprocess reads its own /proc/self (as a
	# sanitizer, Python or Node does): a folder of its own each time
	cmd='sh -c "sh -c \"grep ^Name: /proc/self/status; wc -l < /proc/self/maps > /dev/null; ls /proc/thread-self/ > /dev/null\""'
	osl policy learn -o "$T/p.yaml" -- sh -c "$cmd"
	grep -qx '    - "/proc/self/\*\*"' "$T/p.yaml"
	grep -qx '  namespaces: \[pid\]' "$T/p.yaml"
	run osl -p "$T/p.yaml" proc run --dry-run
	assert_line --regexp '^full +fs\.read +/proc/self/\*\* .*PID namespace'
	run osl -p "$T/p.yaml" proc run --require-full -- sh -c "$cmd"
	assert_success
	assert_output --partial "Name:	grep"
	run learn_diff policy learn --diff "$T/p.yaml" -- sh -c "$cmd"
	assert_success
	assert_output --partial "# 0 things"
	# the same policy without the namespace: the program's own only,
	# and the report says so
	grep -v '^  namespaces:' "$T/p.yaml" > "$T/nopid.yaml"
	run osl -p "$T/nopid.yaml" proc run --dry-run
	assert_line --regexp '^partial +fs\.read +/proc/self/\*\* .*no PID namespace: .*proc\.namespaces: \[pid\]'
	run osl -p "$T/nopid.yaml" proc run --require-full -- true
	assert_failure
	assert_output --partial "2 by what the policy says, 0 by this kernel"	# self, thread-self
	run osl -p "$T/nopid.yaml" proc run -- sh -c "$cmd"
	assert_failure
	assert_output --partial "/proc/self/status: Permission denied"
	run learn_diff policy learn --diff "$T/nopid.yaml" -- sh -c "$cmd"
	assert_failure 1
	assert_output --partial "/proc/self/status (by grep) refused by the kernel"
}

@test "learn --diff runs enforced: the payload is refused, not merely reported" {
	outside_home
	osl policy learn -o "$T/p.yaml" -- sh -c 'cat in.txt > /dev/null'
	mkdir -p "$HOME/.ssh" && echo osl-fixture-key > "$HOME/.ssh/id_rsa"
	run learn_diff policy learn --diff "$T/p.yaml" -- sh -c "cat in.txt > /dev/null; cat '$HOME/.ssh/id_rsa'; echo pwned >> '$HOME/.bashrc'"
	assert_failure 1
	refute_output --partial osl-fixture-key
	assert_output --partial "fs.read $HOME/.ssh/id_rsa (by cat) refused by the kernel"
	! grep -qs pwned "$HOME/.bashrc"
}
