#!/usr/bin/env bats
# osl proc: run under the kernel's enforcement; ps, info, kill, tree.
load helper

bats_require_minimum_version 1.5.0

setup() {
	common_setup
	proc_setup
}

teardown() { [ -z "${W:-}" ] || rm -rf "$W"; }

run_p() { osl -p "$P/proc-run.yaml" proc run "$@"; }

need_landlock() {
	osl -j -p "$P/proc-full.yaml" proc run --dry-run > "$T/r.json"
	abi=$(jq '.[-1].landlock_abi' "$T/r.json")
	[ "$abi" -ge "${1:-1}" ] || skip "needs Landlock ABI ${1:-1} (kernel has $abi)"
}

# --- exit statuses ---

@test "run: the child's exit status is osl's (sampled 0..255)" {
	for s in 0 1 2 3 7 42 100 123 125 126 127 128 200 254 255; do
		st=0
		run_p -- sh -c "exit $s" || st=$?
		[ "$st" -eq "$s" ] || { echo "exit $s gave $st"; false; }
	done
}

@test "run: a child killed by signal N gives 128+N" {
	run run_p -- sh -c 'kill -TERM $$'
	assert_failure 143
	run run_p -- sh -c 'kill -KILL $$'
	assert_failure 137
	run run_p -- sh -c 'kill -SEGV $$'
	assert_failure 139
}

@test "run: a command not found is 127 with one line" {
	run -127 run_p -- no-such-command-osl
	assert_output "osl proc run: 'no-such-command-osl': command not found"
}

@test "run: a file that is not executable is 126" {
	printf 'echo hi\n' > "$T/noexec"
	chmod 644 "$T/noexec"
	run run_p -- "$T/noexec"
	assert_failure 126
	assert_output --partial "not executable"
	run run_p -- /etc
	assert_failure 126
}

@test "run: exec denied by the policy's exec rules is 126 and names the rule" {
	cp /bin/true "$T/mytrue"
	run run_p -- "$T/mytrue"
	assert_failure 126
	assert_output --partial "denied by policy"
	[ "${#lines[@]}" -eq 1 ]
}

@test "run: a bad policy is 125" {
	printf 'version: 1\nbogus: [\n' > "$T/bad.yaml"
	run osl -p "$T/bad.yaml" proc run -- true
	assert_failure 125
}

@test "run: --cwd to a missing folder is 125 with a message" {
	run run_p --cwd "$T/nope" -- true
	assert_failure 125
	assert_output --partial "cannot change directory"
}

# --- bad input ---

@test "run: bad options are usage errors (exit 2), one line each" {
	run run_p
	assert_failure 2
	assert_line --index 0 --partial "a command is needed"
	run run_p --timeout soon -- true
	assert_failure 2
	assert_line --index 0 --partial "'soon': bad duration"
	run run_p --limit bogus=1 -- true
	assert_failure 2
	assert_line --index 0 --partial "unknown limit"
	run run_p --limit memory=lots -- true
	assert_failure 2
	assert_line --index 0 --partial "bad value"
	run run_p --limit memory -- true
	assert_failure 2
	run run_p --env-set NOVALUE -- true
	assert_failure 2
	run run_p --frobnicate -- true
	assert_failure 2
}

@test "kill, info, tree: bad PIDs and signals are exit 2" {
	run osl proc kill
	assert_failure 2
	run osl proc kill abc
	assert_failure 2
	assert_output --partial "'abc': not a process id"
	run osl proc kill -s NOSIG $$
	assert_failure 2
	assert_output --partial "'NOSIG': unknown signal"
	run osl proc info
	assert_failure 2
	run osl proc info -5
	assert_failure 2
	run osl proc tree 0
	assert_failure 2
	run osl proc ps extra
	assert_failure 2
}

@test "every proc verb answers -h" {
	for v in run ps info kill tree; do
		run osl proc $v -h
		assert_success
		assert_output --partial "osl proc $v"
	done
}

# --- timeouts and signals ---

@test "run: --timeout kills the child and its grandchildren (exit 124)" {
	run run_p --timeout 300ms -- sh -c "sleep 30 & echo \$! > $T/gc; sleep 30"
	assert_failure 124
	assert_output --partial "timed out"
	gc=$(cat "$T/gc")
	# gone, or a zombie waiting for init to reap it
	for _ in $(seq 300); do
		[ -e "/proc/$gc" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$gc/stat" 2>/dev/null || break
		sleep 0.05
	done
	! [ -e "/proc/$gc" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$gc/stat"
}

@test "run: --timeout also kills a grandchild that left the process group" {
	run run_p --timeout 300ms -- sh -c "setsid sleep 30 & echo \$! > $T/gc; sleep 30"
	assert_failure 124
	gc=$(cat "$T/gc")
	! [ -e "/proc/$gc" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$gc/stat"
}

@test "run: a child that ignores TERM is killed after the grace period" {
	run run_p --timeout 200ms -- sh -c 'trap "" TERM; sleep 30'
	assert_failure 124
}

@test "run: SIGTERM and SIGUSR1 to osl are forwarded to the child" {
	"$OSL" -p "$P/proc-run.yaml" proc run -- sh -c "trap 'echo got-usr1 >> $T/sig' USR1; trap 'echo got-term >> $T/sig; exit 9' TERM; echo ready > $T/ready; while :; do sleep 0.05; done" &
	pid=$!
	for _ in $(seq 400); do [ -s "$T/ready" ] && break; sleep 0.05; done
	kill -USR1 "$pid"
	# the shell runs a trap when its sleep ends: a TERM pending by then
	# too could run first
	for _ in $(seq 400); do grep -qs got-usr1 "$T/sig" && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid" || st=$?
	[ "${st:-0}" -eq 9 ]
	grep -q got-usr1 "$T/sig"
	grep -q got-term "$T/sig"
}

@test "run: SIGHUP to osl reaches the child (not osl's log reopen)" {
	"$OSL" -p "$P/proc-run.yaml" proc run -- sh -c "trap 'exit 5' HUP; echo ready > $T/ready; while :; do sleep 0.05; done" &
	pid=$!
	for _ in $(seq 400); do [ -s "$T/ready" ] && break; sleep 0.05; done
	kill -HUP "$pid"
	wait "$pid" || st=$?
	[ "${st:-0}" -eq 5 ]
}

@test "run: the child gets its own session unless --no-setsid" {
	run run_p -- sh -c 'ps -o sid= -p $$'
	assert_success
	[ "$(echo $output)" != "$(ps -o sid= -p $$ | tr -d ' ')" ]
	# (ps reads other processes' /proc entries: the refusals are said on stderr)
	run --separate-stderr run_p --no-setsid -- sh -c 'ps -o sid= -p $$'
	assert_success
	[ "$(echo $output)" = "$(ps -o sid= -p $$ | tr -d ' ')" ]
}

# --- environment, fds, limits ---

@test "run: the environment is reduced to the allowlist plus the policy's keep and set" {
	export SECRET_TOKEN=s3cret KEEP_ME=kept LC_ALL=C FROM_CLI=cli
	run run_p --env-keep FROM_CLI --env-set EXTRA=1 -- env
	assert_success
	refute_output --partial SECRET_TOKEN
	assert_line "KEEP_ME=kept"
	assert_line "LC_ALL=C"
	assert_line "FROM_CLI=cli"
	assert_line "EXTRA=1"
	assert_line "SET_BY_POLICY=yes"
	assert_line --regexp '^PATH='
}

@test "run: descriptors beyond 2 are closed" {
	run run_p -- sh -c 'ls /proc/self/fd' 7< /etc/hostname
	assert_success
	refute_line 7
}

@test "run: --limit sets rlimits" {
	run run_p --limit nofile=64 --limit core=0 --limit cpu=5s -- sh -c 'ulimit -n; ulimit -c; ulimit -t'
	assert_success
	assert_line --index 0 64
	assert_line --index 1 0
	assert_line --index 2 5
}

@test "run: --limit memory stops an allocation" {
	command -v python3 >/dev/null || skip "no python3"
	run run_p --limit memory=64M -- python3 -c 'b = bytearray(200 * 1024 * 1024)'
	assert_failure
}

# --- enforcement ---

@test "run: writes outside the policy and reads of denied paths fail" {
	need_landlock 1
	mkdir -p "$T/secret" && echo key > "$T/secret/k"
	run run_p -- sh -c "echo x > /etc/osl-test-escape"
	assert_failure
	run run_p -- cat "$T/secret/k"
	assert_failure
	refute_output --partial topsecret
	run run_p -- sh -c "echo ok > $T/inside && cat $T/inside"
	assert_success
	assert_output ok
}

@test "run: the escape probes all fail under osl (and work bare)" {
	[ -x "$PROBES/_helper" ] || skip "probes not built (make probes)"
	need_landlock 1
	probes_held "$PROBES"
}

@test "run: as an unprivileged user too, every probe that works bare for it fails under osl" {
	[ -x "$PROBES/_helper" ] || skip "probes not built (make probes)"
	need_landlock 1
	command -v setpriv >/dev/null || skip "setpriv is needed for -u"
	setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U true 2>/dev/null ||
	    skip "no unprivileged user namespaces here"
	probes_held -u "$PROBES"
}

# --- the report ---

@test "dry-run: one entry per rule, with the ABI, seccomp profile and namespaces" {
	run osl -j -p "$P/proc-run.yaml" proc run --dry-run -- true
	assert_success
	echo "$output" | jq -e 'type == "array"'
	n=$(echo "$output" | jq '[.[] | select((.kind | startswith("fs.")) and .kind != "fs.tmp" and .rule != "exec-via-loader")] | length')
	[ "$n" -eq 19 ]
	echo "$output" | jq -e '.[-1].kind == "sandbox" and .[-1].seccomp == "default"'
	echo "$output" | jq -e '[.[] | .enforcement // "x"] | all(. == "full" or . == "partial" or . == "none" or . == "x")'
	echo "$output" | jq -e '.[] | select(.rule == "no-secret") | .reason | length > 0'
	run osl -p "$P/proc-run.yaml" proc run --dry-run
	assert_success
	assert_output --partial "landlock ABI"
}

@test "dry-run: a glob below the prefix and a host-name rule are partial, with reasons" {
	need_landlock 4
	run osl -j -p "$P/proc-partial.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[] | select(.pattern == "/etc/*.conf") | .enforcement == "partial"'
	echo "$output" | jq -e '.[] | select(.pattern == "/etc/*.conf") | .reason | test("widened")'
	# a host-name rule is held as well as osl's egress proxy holds it: full in
	# a network namespace of its own (root), partial elsewhere
	eg=$(echo "$output" | jq -r '.[] | select(.rule == "egress-proxy") | .enforcement')
	[ -n "$eg" ]
	echo "$output" | jq -e --arg eg "$eg" '.[] | select(.pattern == "example.org:443") | .enforcement == $eg'
	echo "$output" | jq -e '.[] | select(.pattern == "/usr/**") | .enforcement == "full"'
}

# fs.exec rules hold execve (landlock) and the mapping of code: where a mount
# namespace can be made, every mount is noexec but the exec trees
can_mount_ns() {	# [POLICY]
	osl -j -p "${1:-$P/proc-run.yaml}" proc run --dry-run > "$T/ns.json"
	jq -e '.[-1].namespaces | index("mount")' "$T/ns.json" >/dev/null ||
	    skip "no mount namespace can be made here"
}

@test "dry-run: exec-via-loader is full when every mount but the exec trees is noexec" {
	need_landlock 1
	can_mount_ns
	run osl -j -p "$P/proc-run.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[] | select(.rule == "exec-via-loader") | .enforcement == "full"'
	echo "$output" | jq -e '.[] | select(.rule == "exec-via-loader") | .reason | test("noexec in a private mount namespace")'
	echo "$output" | jq -e '.[] | select(.rule == "exec-via-loader") | .reason | test("mmap PROT_EXEC")'
	# nothing readable that is not executable: no such entry, no namespace
	# for it (nor for a private /tmp: the machine's is asked for)
	printf 'version: 1\nextends: [%s]\nproc: { tmp: shared }\n' "$P/proc-full.yaml" > "$T/shared.yaml"
	run osl -j -p "$T/shared.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '[.[] | select(.rule == "exec-via-loader")] | length == 0'
	# (a mount namespace only to over-mount the host's named unix sockets, if
	# any, where osl does not decide connect())
	if echo "$output" | jq -e '.[] | select(.rule == "unix-connect") | .reason | test("^the 0 named|^connect\\(\\) decided by osl")'; then
		echo "$output" | jq -e '.[-1].namespaces | index("mount") | not'
	else
		echo "$output" | jq -e '.[-1].namespaces | index("mount")'
	fi
}

@test "dry-run: an exec glob keeps exec-via-loader partial: its whole tree can map code" {
	need_landlock 1
	can_mount_ns
	printf 'version: 1\nextends: [%s]\nfs:\n  exec: ["%s/tools/x*"]\n' "$P/proc-run.yaml" "$T" > "$T/glob.yaml"
	mkdir -p tools
	run osl -j -p "$T/glob.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[] | select(.rule == "exec-via-loader") | .enforcement == "partial"'
	echo "$output" | jq -e --arg t "$T/tools" '.[] | select(.rule == "exec-via-loader") | .reason | contains("widened to \u0027" + $t + "\u0027")'
}

@test "run: the loader cannot run a readable file outside the exec trees (it can bare)" {
	need_landlock 1
	can_mount_ns
	ld=$(readlink -f /lib64/ld-linux-x86-64.so.2) || skip "no x86_64 dynamic loader"
	[ -x "$ld" ] || skip "no x86_64 dynamic loader"
	mkdir -p notexec bin
	cp /bin/true notexec/prog
	cp /bin/true bin/prog
	run "$ld" ./notexec/prog
	assert_success
	run run_p -- ./notexec/prog
	assert_failure 126
	run -127 run_p -- "$ld" ./notexec/prog
	assert_output --partial "failed to map segment"
	# in an exec tree, through the loader and directly
	run run_p -- "$ld" ./bin/prog
	assert_success
	run run_p -- ./bin/prog
	assert_success
	# the working directory is entered again after the mounts: relative works
	run run_p -- sh -c './bin/prog && cd bin && ./prog'
	assert_success
}

@test "run: a working directory below a denied folder does not reach past its over-mount" {
	mkdir -p secret
	echo topsecret > secret/key
	printf 'version: 1\nextends: [%s]\nfs:\n  deny: ["%s/secret/**"]\n' "$P/proc-run.yaml" "$T" > "$T/d.yaml"
	can_mount_ns "$T/d.yaml"
	cd secret
	cat key
	run osl -p "$T/d.yaml" proc run -- cat key
	assert_failure
	refute_output --partial topsecret
}

@test "run: dlopen maps a library in an exec tree, not one that is only readable" {
	need_landlock 1
	can_mount_ns
	[ -x /usr/bin/python3 ] || skip "python3 is needed"
	lib=$(/usr/bin/python3 -c 'import ctypes.util; print(ctypes.util.find_library("m") or "")')
	[ -n "$lib" ] || skip "no libm"
	lib=$(/usr/bin/python3 -c "import ctypes; print(ctypes.CDLL('$lib')._name)") || skip "no libm"
	src=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ { print $NF; exit }')
	[ -f "$src" ] || skip "cannot find $lib"
	mkdir -p notexec bin
	cp "$src" notexec/libx.so
	cp "$src" bin/libx.so
	dl='import ctypes, sys; ctypes.CDLL(sys.argv[1]); print("mapped")'
	run /usr/bin/python3 -c "$dl" "$T/notexec/libx.so"
	assert_success
	run run_p -- /usr/bin/python3 -c "$dl" "$T/bin/libx.so"
	assert_success
	assert_output mapped
	run run_p -- /usr/bin/python3 -c "$dl" "$T/notexec/libx.so"
	assert_failure
	assert_output --partial "failed to map segment"
}

# nobody, in a folder of its own (nobody_home) with a program to run
nobody_setup() {
	command -v unshare >/dev/null || skip "unshare is needed"
	ld=$(readlink -f /lib64/ld-linux-x86-64.so.2) || skip "no x86_64 dynamic loader"
	nobody_home
	mkdir -p "$W/notexec" "$W/bin"
	cp /bin/true "$W/notexec/prog"
	cp /bin/true "$W/bin/prog"
}
# nobody, without capabilities, in a user namespace whose own limit of user
# namespaces is 0 (the host's sysctl is untouched): osl there can make none
no_userns() {
	as_nobody unshare -U -c --keep-caps sh -c 'echo 0 > /proc/sys/user/max_user_namespaces &&
	    exec setpriv --ambient-caps=-all --inh-caps=-all --bounding-set=-all "$@"' sh "$@"
}

@test "run: an unprivileged user gets the noexec mounts in a user namespace" {
	need_landlock 1
	nobody_setup
	as_nobody unshare -U true 2>/dev/null || skip "no unprivileged user namespaces here"
	run as_nobody "$OSL" -j -p "$P/proc-run.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[-1].namespaces | index("user") and index("mount")'
	echo "$output" | jq -e '.[] | select(.rule == "exec-via-loader") | .enforcement == "full"'
	run -127 as_nobody "$OSL" -p "$P/proc-run.yaml" proc run -- "$ld" ./notexec/prog
	assert_output --partial "failed to map segment"
	run as_nobody "$OSL" -p "$P/proc-run.yaml" proc run -- sh -c './bin/prog && id -u'
	assert_success
	assert_output 65534
}

@test "run: root without CAP_SYS_ADMIN runs with what it can hold, not exit 125" {
	need_landlock 1
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v setpriv >/dev/null || skip "setpriv is needed"
	nocap() { setpriv --bounding-set=-all --inh-caps=-all "$@"; }
	! nocap unshare -m true 2>/dev/null || skip "setpriv did not drop CAP_SYS_ADMIN"
	# no namespace of its own (a user namespace cannot map uid 0 without
	# CAP_SETFCAP): the report says so, and the program runs
	run nocap "$OSL" -j -p "$P/proc-run.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[-1].namespaces == []'
	echo "$output" | jq -e '.[] | select(.rule == "exec-via-loader") | .enforcement == "partial"'
	run nocap "$OSL" -p "$P/proc-run.yaml" proc run -- sh -c 'echo ran'
	assert_success
	assert_output ran
}

@test "run: without a mount namespace the loader gap is real and exec-via-loader partial says why" {
	need_landlock 1
	nobody_setup
	no_userns true 2>/dev/null || skip "cannot make a user namespace here"
	run no_userns "$OSL" -j -p "$P/proc-run.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[-1].namespaces == []'
	echo "$output" | jq -e '.[] | select(.rule == "exec-via-loader") | .enforcement == "partial"'
	echo "$output" | jq -e '.[] | select(.rule == "exec-via-loader") | .reason | test("^no mount namespace can be made")'
	run -126 no_userns "$OSL" -p "$P/proc-run.yaml" proc run -- ./notexec/prog
	run no_userns "$OSL" -p "$P/proc-run.yaml" proc run -- "$ld" ./notexec/prog
	assert_success
	run -125 no_userns "$OSL" -p "$P/proc-run.yaml" proc run --require-full -- "$ld" ./notexec/prog
}

@test "dry-run: a port range too wide for per-port landlock rules says why, and what it leaves open" {
	need_landlock 4
	printf 'version: 1\nextends: [%s]\nnet:\n  bind: ["*:8080", "*:1024-65535"]\n' \
	    "$P/proc-full.yaml" > "$T/ports.yaml"
	run osl -j -p "$T/ports.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[] | select(.pattern == "*:1024-65535") | .enforcement == "partial"'
	echo "$output" | jq -e '.[] | select(.pattern == "*:1024-65535") | .reason | test("64512 ports: landlock takes one rule per port")'
	echo "$output" | jq -e '.[] | select(.pattern == "*:8080") | .reason | test("another bind rule")'
}

@test "--require-full refuses to run (125) unless every entry is full" {
	need_landlock 4
	run osl -p "$P/proc-partial.yaml" proc run --require-full -- true
	assert_failure 125
	assert_output --partial "require-full"
	run osl -p "$P/proc-full.yaml" proc run --require-full -- /bin/true
	assert_success
	run osl -p "$P/proc-partial.yaml" proc run --best-effort -- /bin/true
	assert_success
	assert_output ""
	run osl -v -p "$P/proc-partial.yaml" proc run -- /bin/true
	assert_success
	assert_output --partial "fs.read /etc/*.conf: partial: glob below '/etc'"
}

@test "--require-full runs a policy that reads outside its exec trees once exec-via-loader is full" {
	need_landlock 4
	can_mount_ns
	mkdir -p secret bin	# every path exists: a rule on a missing one is not full
	run osl -j -p "$P/proc-run.yaml" proc run --dry-run
	echo "$output" | jq -e '[.[] | select(.enforcement and .enforcement != "full")] == []'
	echo "$output" | jq -e '.[] | select(.rule == "exec-via-loader") | .enforcement == "full"'
	run osl -p "$P/proc-run.yaml" proc run --require-full -- sh -c 'ls /usr > /dev/null && echo ran'
	assert_success
	assert_output ran
}

@test "seccomp none is said in the report" {
	printf 'version: 1\nextends: [%s]\nproc: { seccomp: none }\n' "$P/proc-full.yaml" > "$T/none.yaml"
	run osl -j -p "$T/none.yaml" proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[-1].seccomp == "none"'
	echo "$output" | jq -e '.[] | select(.kind == "seccomp") | .enforcement == "none"'
}

# --- the log ---

@test "run: proc.exec and proc.exit are logged with args, status and rusage" {
	run run_p -- sh -c 'exit 3'
	assert_failure 3
	grep '"proc.exec"' "$LOG" | tail -n 1 | jq -e '.process.args == ["sh","-c","exit 3"] and .process.parent.pid > 0'
	grep '"proc.exec"' "$LOG" | tail -n 1 | jq -e '.osl.enforcement.landlock_abi >= 0'
	rec=$(grep '"proc.exit"' "$LOG" | tail -n 1)
	jget '.process.exit_code' "$rec" | grep -qx 3
	echo "$rec" | jq -e '.osl.rusage.max_rss_kb > 0 and .event.duration > 0'
	run run_p -- sh -c 'kill -TERM $$'
	grep '"proc.exit"' "$LOG" | tail -n 1 | jq -e '.osl.signal == "SIGTERM"'
}

@test "audit mode: a would-be denial is logged and allowed, an explicit deny still denies" {
	need_landlock 1
	cp /bin/true "$T/mytrue"
	mkdir -p "$T/secret" && echo key > "$T/secret/k"
	run osl -p "$P/proc-audit.yaml" proc run -- "$T/mytrue"
	assert_success
	grep '"proc.exec"' "$LOG" | tail -n 1 | jq -e '.osl.audit == true'
	run osl -p "$P/proc-audit.yaml" proc run -- cat "$T/secret/k"
	assert_failure
	refute_output --partial topsecret
	run osl -p "$P/proc-run.yaml" --audit proc run -- "$T/mytrue"
	assert_success
}

# --- ps, info, tree, kill ---

@test "ps lists processes, as text and as JSON" {
	run osl proc ps
	assert_success
	assert_line --index 0 --regexp '^ +PID +PPID +USER'
	# the columns line up: START is a 20-character time (to the second),
	# CMD starts where the header says, right-aligned numbers end under theirs
	hdr=${lines[0]}
	cmdcol=$(( ${#hdr} - 3 ))
	[ "${hdr:$cmdcol}" = CMD ]
	for l in "${lines[@]:1:5}"; do
		[[ "${l:29:21}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\ $ ]]
		[ "${l:$((cmdcol - 1)):1}" = " " ] && [ "${l:$((cmdcol - 2)):1}" != " " ]
	done
	run osl -j proc ps
	assert_success
	echo "$output" | jq -e --argjson p $$ '.[] | select(.pid == $p) | .ppid > 0 and (.cmd | length) > 0 and .rss >= 0'
}

@test "info shows status, seccomp and no_new_privs, limits, namespaces and fds" {
	run osl -j proc info $$
	assert_success
	echo "$output" | jq -e '.status.seccomp != null and .status.no_new_privs != null'
	echo "$output" | jq -e '.limits.nofile.soft > 0'
	echo "$output" | jq -e '.namespaces | map(.name) | index("mnt") != null'
	echo "$output" | jq -e '.fds | length >= 1'
	run osl proc info 99999999999
	assert_failure 2
	run osl proc info 4194300
	assert_failure 1
	assert_output --partial "no such process"
}

@test "a sandboxed child shows Seccomp: 2 and NoNewPrivs: 1 in info" {
	"$OSL" -p "$P/proc-run.yaml" proc run -- sleep 5 &
	pid=$!
	# bounded: until osl's child is sleep (sandboxed, it has exec'd)
	for _ in $(seq 400); do child=$(pgrep -P "$pid" -x sleep | head -n 1); [ -n "$child" ] && break; sleep 0.05; done
	run osl -j proc info "$child"
	kill "$pid" 2>/dev/null || true
	wait "$pid" || true
	assert_success
	echo "$output" | jq -e '.status.seccomp == 2 and .status.no_new_privs == true'
}

@test "tree shows children below a PID" {
	sleep 5 &
	s=$!
	run osl -j proc tree $BASHPID
	assert_success
	echo "$output" | jq -e --argjson s "$s" '[.. | objects | select(.pid? == $s)] | length == 1'
	run osl proc tree $BASHPID
	kill $s
	assert_success
	assert_line --regexp "^ +$s sleep 5"
}

@test "kill signals a process the policy allows" {
	printf 'version: 1\ndefault: allow\nproc: { signal: [same-user] }\n' > "$T/same.yaml"
	sleep 30 &
	s=$!
	run osl -p "$T/same.yaml" proc kill -s TERM $s
	wait $s || st=$?
	assert_success
	[ "$st" -eq 143 ]
	# osl(1) SIGNALS: the forms the supervisor takes too (bats 41)
	for sig in usr1 SIGUSR1 sigUsr1 10; do
		sleep 30 &
		s=$!
		run osl -p "$T/same.yaml" -j proc kill -s "$sig" $s
		st=0; wait $s || st=$?
		assert_success
		[ "$(jget '.[0].signal' "$output")" = 10 ]
		[ "$st" -eq 138 ]
	done
}

@test "kill of a process proc.signal does not allow is exit 3 naming proc.signal" {
	sleep 30 &
	s=$!
	run osl -p "$P/proc-signal.yaml" proc kill -s 0 $s
	kill $s
	assert_failure 3
	assert_output --partial "proc.signal"
	grep '"proc.signal"' "$LOG" | tail -n 1 | jq -e '.osl.decision == "deny" and .event.outcome == "failure"'
}

@test "kill of a process that does not exist is exit 1" {
	run osl -p "$P/proc-signal.yaml" proc kill 4194300
	assert_failure 1
	assert_output --partial "no such process"
}

@test "--dry-run: an allow rule on a path that does not exist is not full, and --require-full says it is the policy's" {
	need_landlock 1
	printf 'version: 1\nfs:\n  read: ["/usr/**", "%s/not-made-yet/**"]\n  exec: ["/usr/**"]\n' "$T" > "$T/m.yaml"
	run osl -p "$T/m.yaml" proc run --dry-run
	assert_output --partial "partial  fs.read"
	assert_output --partial "does not exist when the sandbox is made: the rule allows nothing"
	run osl -p "$T/m.yaml" proc run --require-full -- /bin/true
	assert_failure
	assert_output --partial "1 by what the policy says, 0 by this kernel's limits"
}

@test "what Landlock refuses is said at exit on stderr and as proc.denied records" {
	need_landlock 7
	[ "$(id -u)" = 0 ] || skip "reading the audit records needs root"
	printf 'version: 1\nfs:\n  read: ["/usr/**", "/etc/**", "/lib/**", "/lib64/**", "/bin/**"]\n  exec: ["/usr/**", "/bin/**"]\nlog: { sink: "file:%s/denied.jsonl", level: info }\n' "$T" > "$T/d.yaml"
	mkdir -p "$T/private" && echo s > "$T/private/f"
	# one receiver of audit records per machine: another run may hold it
	# for a moment (-v says so); a bounded number of tries
	for _ in $(seq 100); do
		run osl -v -p "$T/d.yaml" proc run -- sh -c "cat '$T/private/f'; cat '$T/private/f'; echo x > '$T/new'"
		case $output in
		*"refused by the sandbox"*) break ;;
		*"another process"*) sleep 0.1 ;;
		*) break ;;
		esac
	done
	[[ $output != *"audit is disabled"* ]] || skip "audit is disabled here"
	assert_failure
	assert_output --partial "3 actions refused by the sandbox: fs.read_file $T/private/f (cat) and again, fs.make_reg $T (dash)"
	grep '"proc.denied"' "$T/denied.jsonl" > "$T/d.txt"
	[ "$(wc -l < "$T/d.txt")" = 2 ]
	grep -q "\"path\":\"$T/private/f\"" "$T/d.txt"
	grep -q '"blockers":"fs.read_file"' "$T/d.txt"
	grep -q '"count":2' "$T/d.txt"
	# nothing refused: nothing said
	run osl -p "$T/d.yaml" proc run -- cat /etc/hostname
	refute_output --partial "refused by the sandbox"
}

# --- /proc/self rules (man osl-proc(1), RULE PATHS) ---

self_policy() {	# self_policy FILE NAMESPACES [EXTRA-READ-RULE [WRITE-RULE]]
	cat > "$1" <<-EOF2
	version: 1
	default: deny
	fs:
	  read:
	    - { path: /usr/**, id: read-usr }
	    - { path: /lib/**, id: read-lib }
	    - { path: /lib64/**, id: read-lib64 }
	    - { path: /bin/**, id: read-bin }
	    - { path: /etc/**, id: read-etc }
	    - { path: /proc/self/**, id: read-self }
	${3:+    - { path: $3, id: read-extra \}}
	  write:
	    - { path: /dev/null, id: write-null }
	${4:+    - { path: \"$4\", id: write-extra \}}
	  exec:
	    - { path: /usr/**, id: exec-usr }
	    - { path: /bin/**, id: exec-bin }
	proc:
	  namespaces: [$2]
	EOF2
}

@test "run: /proc/self in a PID namespace: a child's child reads its own; subset=pid; init's /proc/1 closed" {
	need_landlock
	self_policy "$T/self.yaml" pid
	run osl -p "$T/self.yaml" proc run --dry-run
	assert_line --regexp '^full +fs\.read +/proc/self/\*\* +read-self: .*PID namespace.*subset=pid'
	# the program's grandchild: a /proc/<pid> that did not exist when the
	# rules were made
	run osl -p "$T/self.yaml" proc run --require-full -- sh -c 'sh -c "grep ^Name: /proc/self/status; grep -c . /proc/thread-self/status > /dev/null && echo thread"'
	assert_success
	assert_line "Name:	grep"
	assert_line thread
	# only the pid folders are there; osl's init is not readable
	run osl -p "$T/self.yaml" proc run -- sh -c 'test -e /proc/meminfo && echo meminfo; grep ^Name: /proc/1/status; cat /proc/1/environ > /dev/null 2>&1 || echo no-environ'
	assert_success
	refute_line meminfo
	assert_line "Name:	osl"
	assert_line no-environ
	# another rule below /proc: the whole namespace's /proc, and it says so
	self_policy "$T/self2.yaml" pid /proc/meminfo
	run osl -p "$T/self2.yaml" proc run --dry-run
	assert_line --regexp '^full +fs\.read +/proc/self/\*\* .*global files'
	run osl -p "$T/self2.yaml" proc run -- sh -c 'sh -c "grep ^Name: /proc/self/status; grep -c ^MemTotal /proc/meminfo"'
	assert_success
	assert_line "Name:	grep"
	assert_line 1
	# a write rule there too: the system settings are read-only (asked by
	# access(2) only: nothing is written)
	self_policy "$T/self3.yaml" pid /proc/meminfo '/proc/self/**'
	run osl -p "$T/self3.yaml" proc run --dry-run
	assert_line --regexp '^full +fs\.write +/proc/self/\*\* .*/proc/sys, sysrq-trigger, irq, bus, fs read-only'
	run osl -p "$T/self3.yaml" proc run -- sh -c 'sh -c "echo 0 > /proc/self/oom_score_adj && echo oom"; for f in /proc/sys/kernel/hostname /proc/sysrq-trigger; do test -w $f && echo "$f writable"; done; true'
	assert_success
	assert_output oom
}

@test "run: /proc/self without a PID namespace: the program's own only, partial by the policy" {
	need_landlock
	self_policy "$T/self.yaml" ""
	run osl -p "$T/self.yaml" proc run --dry-run
	assert_line --regexp '^partial +fs\.read +/proc/self/\*\* +read-self: no PID namespace: .*its children.s /proc/self are refused \(proc\.namespaces: \[pid\]'
	run osl -p "$T/self.yaml" proc run --require-full -- true
	assert_failure
	assert_output --partial "1 by what the policy says, 0 by this kernel"
	run osl -p "$T/self.yaml" proc run -- grep ^Name: /proc/self/status
	assert_success
	assert_output "Name:	grep"
	# its children: refused, and osl's own /proc/<pid> is no rule's
	run osl -p "$T/self.yaml" proc run -- sh -c 'grep ^Name: /proc/self/status; grep ^Name: /proc/$PPID/status'
	assert_failure
	assert_output --partial "/proc/self/status: Permission denied"
	refute_output --partial "Name:"
}

@test "builtin:ci: the records go to the activity log file, not into the job's output" {
	mkdir -p "$T/ws" && cd "$T/ws"
	run --separate-stderr "$OSL" -p builtin:ci proc run -- sh -c 'echo built'
	assert_success
	assert_output built
	[ -z "$stderr" ]
	# a proc.exec and a proc.exit, chained, in the file
	[ "$(jq -r '.event.action' "$LOG" | tr '\n' ' ')" = "proc.exec proc.exit " ]
	run "$OSL" log verify "$LOG"
	assert_success
	# a refusal by osl is one line on stderr, and a record
	printf '#!/bin/sh\necho ran\n' > "$HOME/tool" && chmod +x "$HOME/tool"
	run --separate-stderr "$OSL" -p builtin:ci proc run -- "$HOME/tool"
	assert_failure 126
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == "osl proc run: exec '$HOME/tool': denied by policy ("* ]]
	[ "$(jq -r 'select(.event.action == "proc.exec") | .event.outcome' "$LOG" | tail -1)" = failure ] ||
	    [ "$(jq -r 'select(.event.action == "proc.exec") | .osl.decision' "$LOG" | tail -1)" = deny ]
	# -l stderr brings them back into the job's log
	run --separate-stderr "$OSL" -l stderr -p builtin:ci proc run -- true
	assert_success
	[ "$(jq -r '.event.action' <<<"$stderr" | tr '\n' ' ')" = "proc.exec proc.exit " ]
}
