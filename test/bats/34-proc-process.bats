#!/usr/bin/env bats
# osl proc run: what the sandboxed process itself holds: capabilities
# (proc.capabilities), IPC, UTS and PID namespaces, exec from memory.
load helper

setup() {
	common_setup
	proc_setup
}

teardown() {
	[ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
	[ -z "${W:-}" ] || rm -rf "$W"
}

# The capability sets of a sandboxed child: "Inh Prm Eff Bnd Amb" in hex.
child_caps() { osl "$@" -- sh -c "awk '/^Cap/ { printf \"%s \", \$2 }' /proc/self/status"; }

# --- capabilities ---

@test "caps: a root child under builtin:default has no capability in any set" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	run child_caps -p builtin:default proc run
	assert_success
	z=0000000000000000
	assert_output "$z $z $z $z $z "
	run osl -j -p builtin:default proc run --dry-run
	echo "$output" | jq -e '.[] | select(.kind == "caps") | .enforcement == "full"'
	echo "$output" | jq -e '.[-1].capabilities == []'
	run osl -p builtin:default proc run --dry-run
	assert_output --regexp 'full +caps +proc.capabilities +every capability dropped'
}

@test "caps: proc.capabilities keeps what it names, in every set (ambient: across exec)" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	printf 'version: 1\nextends: [builtin:default]\nproc:\n  capabilities: [net_bind_service, CAP_NET_RAW]\n' > k.yaml
	run child_caps -p k.yaml proc run
	assert_success
	c=0000000000002400
	assert_output "$c $c $c $c $c "
	run osl -p k.yaml proc run --dry-run
	assert_output --partial "every capability but net_bind_service, net_raw dropped"
	run osl -j -p k.yaml proc run --dry-run
	echo "$output" | jq -e '.[-1].capabilities == ["net_bind_service", "net_raw"]'
	# without setuid among them, the program cannot change its uid
	run -127 osl -p k.yaml proc run -- setpriv --reuid=65534 true	# setpriv's own status
	assert_output --partial "setresuid failed"
}

@test "caps: an unprivileged child has none, held by no_new_privs" {
	nobody_home
	run as_nobody "$OSL" -j -p builtin:default proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[] | select(.kind == "caps") | .enforcement == "full"'
	run as_nobody "$OSL" -p builtin:default proc run -- sh -c "grep -E 'Cap(Eff|Prm|Amb)' /proc/self/status"
	assert_success
	refute_output --regexp ':\s+0*[1-9a-f]'
}

@test "caps: osl without CAP_SETPCAP cannot empty the bounding set: caps partial, --require-full refuses" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v setpriv >/dev/null || skip "no setpriv"
	run osl -p "$P/proc-full.yaml" proc run --require-full -- /bin/true
	assert_success
	run setpriv --bounding-set=-setpcap "$OSL" -j -p "$P/proc-full.yaml" proc run --dry-run
	echo "$output" | jq -e '[.[] | select(.enforcement != null and .enforcement != "full")] |
	    length == 1 and .[0].kind == "caps" and .[0].enforcement == "partial" and
	    (.[0].reason | test("bounding set stays"))'
	run -125 setpriv --bounding-set=-setpcap "$OSL" -p "$P/proc-full.yaml" proc run --require-full -- /bin/true
	assert_output --partial "1 of"
	assert_output --partial "1 by this kernel's limits"
}

@test "caps: policy: names are checked, a merged list is the intersection, show and hash have it" {
	printf 'version: 1\nproc:\n  capabilities: [net_bind_servic]\n' > bad.yaml
	run -2 osl policy check bad.yaml
	assert_output --partial "bad.yaml:3:18: proc.capabilities: unknown capability 'net_bind_servic'"
	printf 'version: 1\nproc:\n  capabilities: [net_raw, net_bind_service]\n' > a.yaml
	printf 'version: 1\nextends: [a.yaml]\nproc:\n  capabilities: [cap_net_bind_service, chown]\n' > b.yaml
	printf 'version: 1\nextends: [a.yaml]\n' > c.yaml
	run osl -j -p b.yaml policy show
	echo "$output" | jq -e '.proc.capabilities == ["net_bind_service"]'
	run osl -j -p c.yaml policy show
	echo "$output" | jq -e '.proc.capabilities == ["net_bind_service", "net_raw"]'
	run osl -p b.yaml policy show
	assert_line "  capabilities: [net_bind_service]"
	# the YAML that show prints loads back to the same hash
	osl -p b.yaml policy show > shown.yaml
	h1=$(osl policy check b.yaml | sed 's/.*sha256/sha256/')
	h2=$(osl policy check shown.yaml | sed 's/.*sha256/sha256/')
	[ "$h1" = "$h2" ]
	printf 'version: 1\nextends: [a.yaml]\nproc:\n  capabilities: [net_raw]\n' > d.yaml
	h3=$(osl policy check d.yaml | sed 's/.*sha256/sha256/')
	[ "$h1" != "$h3" ]
}

@test "caps: the probes of what capabilities give escape bare and are held as root" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$PROBES/_helper" ] || skip "probes not built (make probes)"
	run "$OSL_TOP/test/probes/run" "$PROBES" cap_sethostname cap_settimeofday cap_fanotify_fs \
	    cap_open_by_handle cap_rlimit_raise
	echo "$output"
	assert_success
	for p in cap_sethostname cap_fanotify_fs cap_open_by_handle; do
		assert_line --regexp "^$p 0 [0-9]+ held$"
	done
}

# --- IPC and UTS namespaces ---

@test "ns: every sandboxed child has IPC and UTS namespaces of its own" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	run osl -j -p builtin:default proc run --dry-run
	echo "$output" | jq -e '.[-1].namespaces | index("ipc") and index("uts")'
	echo "$output" | jq -e '[.[] | select(.kind == "ns" and (.rule == "ipc" or .rule == "uts")) | .enforcement] == ["full", "full"]'
	# the host's segments are not there; a host name set inside stays inside
	# (a root child keeps CAP_SYS_ADMIN only when its policy names it)
	id=$(ipcmk -M 4096 -p 0600 | sed -n 's/.*id: *//p')
	printf 'version: 1\nextends: [builtin:default]\nproc:\n  capabilities: [sys_admin]\n' > sa.yaml
	run osl -p sa.yaml proc run -- sh -c "ipcs -m | grep -c ' $id ' ; hostname osl-test && hostname"
	ipcrm -m "$id"
	assert_output "0
osl-test"
	[ "$(hostname)" != osl-test ]
	run "$OSL_TOP/test/probes/run" "$PROBES" ipc_shmat cap_sethostname
	echo "$output"
	assert_line --regexp '^ipc_shmat 0 [0-9]+ held$'
}

@test "ns: an unprivileged child gets them in its user namespace" {
	nobody_home
	as_nobody unshare -U true 2>/dev/null || skip "no unprivileged user namespaces here"
	run as_nobody "$OSL" -j -p builtin:default proc run --dry-run
	echo "$output" | jq -e '.[-1].namespaces | index("user") and index("ipc") and index("uts")'
	run as_nobody "$OSL" -p builtin:default proc run -- sh -c 'id -u; readlink /proc/self/ns/ipc'
	assert_success
	assert_line 65534
	refute_line "$(readlink /proc/self/ns/ipc)"
}

# --- PID namespace (proc.namespaces: [pid]) ---

pid_policy() { printf 'version: 1\nextends: [%s]\nproc:\n  namespaces: [pid]\n' "${1:-builtin:default}" > pid.yaml; }

@test "pid: the program sees only its own processes; osl is its init; /proc is its own" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	pid_policy "$P/proc-run.yaml"
	run osl -j -p pid.yaml proc run --dry-run
	echo "$output" | jq -e '.[-1].namespaces | index("pid") and index("mount")'
	echo "$output" | jq -e '.[] | select(.kind == "ns" and .rule == "pid") | .enforcement == "full"'
	run osl -p pid.yaml proc run -- sh -c 'echo $$; ls /proc/self/fd >/dev/null && echo fd; ps -e -o pid=,comm= | tr -s " " | sort -n'
	assert_success
	assert_line 2
	assert_line fd
	assert_line " 1 osl"
	refute_line --partial bats
	echo "$output"
	[ "${#lines[@]}" -le 7 ]
	# and the policy's rules below /proc hold on the new /proc
	run osl -p pid.yaml proc run -- cat /proc/self/status
	assert_success
}

@test "pid: exit statuses, signals and --timeout as without it" {
	pid_policy "$P/proc-run.yaml"
	for s in 0 1 7 125 255; do
		st=0
		osl -p pid.yaml proc run -- sh -c "exit $s" || st=$?
		[ "$st" -eq "$s" ]
	done
	run osl -p pid.yaml proc run -- sh -c 'kill -TERM $$'
	assert_failure 143
	run -127 osl -p pid.yaml proc run -- no-such-command-osl
	# a signal to osl reaches the program, with and without its own session
	for mode in "" --no-setsid; do
		rm -f ready
		"$OSL" -p pid.yaml proc run $mode -- sh -c 'trap "exit 5" HUP; echo r > ready; while :; do sleep 0.05; done' &
		pid=$!
		for _ in $(seq 100); do [ -s ready ] && break; sleep 0.05; done
		kill -HUP "$pid"
		st=0
		wait "$pid" || st=$?
		[ "$st" -eq 5 ] || { echo "mode '$mode': $st"; false; }
	done
	# a timeout ends the whole namespace, a grandchild in a session of its own too
	run osl -p pid.yaml proc run --timeout 300ms -- sh -c 'setsid sleep 31.4159 & sleep 31.4159'
	assert_failure 124
	for _ in $(seq 200); do pgrep -f 'sleep 31.4159' >/dev/null || break; sleep 0.05; done
	! pgrep -f 'sleep 31.4159'
}

@test "pid: a program killed by a signal is reported as without it (status 128+N, the record names the signal)" {
	pid_policy "$P/proc-run.yaml"
	# the init exits 128+N (a signal cannot kill it); osl takes the
	# program's own status from it: a death by a signal, not an exit 143
	for pol in "$P/proc-run.yaml" pid.yaml; do
		for sig in TERM KILL; do
			rm -f "$LOG"
			run osl -p "$pol" proc run -- sh -c "kill -$sig \$\$"
			assert_failure "$(( 128 + $(kill -l "$sig") ))"
			jq -e --arg s "SIG$sig" 'select(.event.action == "proc.exit") |
			    .osl.signal == $s and .process.exit_code == null and .event.outcome == "failure"' "$LOG"
		done
		# and an exit 143 is an exit 143, with or without the namespace
		rm -f "$LOG"
		run osl -p "$pol" proc run -- sh -c 'exit 143'
		assert_failure 143
		jq -e 'select(.event.action == "proc.exit") | .process.exit_code == 143 and .osl.signal == null' "$LOG"
	done
}

@test "pid: an unprivileged user gets it in its user namespace" {
	nobody_home
	as_nobody unshare -U true 2>/dev/null || skip "no unprivileged user namespaces here"
	pid_policy
	cp pid.yaml "$W/pid.yaml"
	run as_nobody "$OSL" -p "$W/pid.yaml" proc run -- sh -c 'echo $$; id -u; ps -e | wc -l'
	assert_success
	assert_output "2
65534
5"
}

@test "pid: policy: only known namespaces; a merged list is the union; show has it" {
	printf 'version: 1\nproc:\n  namespaces: [pid, net]\n' > bad.yaml
	run -2 osl policy check bad.yaml
	assert_output --partial "bad.yaml:3:21: proc.namespaces"
	pid_policy
	printf 'version: 1\nextends: [pid.yaml]\nproc:\n  namespaces: []\n' > c.yaml
	run osl -j -p c.yaml policy show
	echo "$output" | jq -e '.proc.namespaces == ["pid"]'
	run osl -p c.yaml policy show
	assert_line "  namespaces: [pid]"
}

# --- exec from memory ---

@test "exec from memory: a memfd copy of a program does not run, as root and as nobody" {
	[ -x "$PROBES/memfd_procfd" ] || skip "probes not built (make probes)"
	run osl -j -p builtin:default proc run --dry-run
	echo "$output" | jq -e '.[] | select(.rule == "exec-from-memory") | .enforcement == "full"'
	run osl -j -p builtin:strict proc run --dry-run
	echo "$output" | jq -e '.[] | select(.rule == "exec-from-memory") | .enforcement == "full"'
	nobody_home
	cp "$PROBES/memfd_procfd" "$PROBES/memfd_execveat" "$W/"
	chmod 755 "$W"/memfd_*
	for b in default strict; do
		printf 'version: 1\nextends: [builtin:%s]\nfs:\n  read: ["%s/**"]\n  exec: ["%s/**"]\n' "$b" "$W" "$W" > "$W/$b.yaml"
	done
	for p in memfd_procfd memfd_execveat; do
		run as_nobody "$W/$p" "$W"
		assert_output "{\"probe\":\"$p\",\"errno\":0}"
		for b in default strict; do
			run as_nobody "$OSL" -p "$W/$b.yaml" proc run -- "$W/$p" "$W"
			assert_output --regexp "^\{\"probe\":\"$p\",\"errno\":[1-9][0-9]*\}$"
			run "$OSL" -p "$W/$b.yaml" proc run -- "$W/$p" "$W"
			assert_output --regexp "^\{\"probe\":\"$p\",\"errno\":[1-9][0-9]*\}$"
		done
	done
	# with seccomp none there is no guard, and the exec rules say so
	printf 'version: 1\nextends: [builtin:default]\nproc:\n  seccomp: none\n' > none.yaml
	run osl -j -p none.yaml proc run --dry-run
	echo "$output" | jq -e '.[] | select(.rule == "exec-from-memory") | .enforcement == "none"'
	echo "$output" | jq -e '.[] | select(.rule == "exec-system") | .enforcement == "partial" and (.reason | test("exec-from-memory"))'
}

@test "exec from memory: osl's own filter export (its build's seccomp-gen) runs under the guard" {
	gen=$OSL_BUILD/gen/seccomp-gen
	[ -x "$gen" ] || skip "no $gen"
	W=$(mktemp -d /tmp/osl-gen.XXXXXX)
	chmod 755 "$W"
	cp "$gen" "$W/"
	# libseccomp exports to a descriptor: a sealed memfd, which the
	# default profile lets a program make (an unsealed one is ENOSYS)
	# (in the sanitizer pass it is built with ASan: LeakSanitizer cannot
	# stop the world under seccomp and Landlock, so it is told not to try)
	printf 'version: 1\nextends: [builtin:default]\nfs:\n  read: ["%s/**"]\n  exec: ["%s/**"]\nproc:\n  env: { keep: [ASAN_OPTIONS] }\n' "$W" "$W" > "$W/p.yaml"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" run osl -p "$W/p.yaml" proc run -- "$W/seccomp-gen"
	assert_success
	assert_line --index 0 "/* generated by src/build/seccomp-gen.c: do not edit */"
}

# --- one table of argument checks: strict refuses what default refuses ---

@test "ioctl: TIOCSTI is refused by strict's seccomp filter itself (a root child with CAP_SYS_ADMIN, --no-setsid)" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$PROBES/tiocsti" ] || skip "probes not built (make probes)"
	W=$(mktemp -d /tmp/osl-ioctl.XXXXXX)
	chmod 755 "$W"
	cp "$PROBES/tiocsti" "$PROBES/tioclinux" "$W/"
	run "$W/tiocsti" "$W"
	assert_output '{"probe":"tiocsti","errno":0}'
	for b in default strict; do
		# CAP_SYS_ADMIN kept: the kernel itself would let TIOCSTI through
		printf 'version: 1\nextends: [builtin:%s]\nfs:\n  read: ["%s/**", /dev/ptmx, /dev/pts/**]\n  write: [/dev/ptmx, /dev/pts/**]\n  exec: ["%s/**"]\nproc:\n  capabilities: [sys_admin]\n' \
		    "$b" "$W" "$W" > "$W/$b.yaml"
		for p in tiocsti tioclinux; do
			run osl -p "$W/$b.yaml" proc run --no-setsid -- "$W/$p" "$W"
			assert_output --regexp '"errno":1}$'
		done
		run osl -j -p "$W/$b.yaml" proc run --dry-run
		echo "$output" | jq -e '.[-1].capabilities == ["sys_admin"]'
	done
}

# --- unix sockets of the host, Landlock's scope ---

# a process outside listening on each named unix socket given (python3
# of /usr, which the policies below may run)
listen_unix() {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed"
	/usr/bin/python3 -c '
import socket, sys, time
ss = []
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX); s.bind(p); s.listen(4); ss.append(s)
time.sleep(120)' "$@" >/dev/null 2>&1 3>&- &
	LISTENER=$!
	for _ in $(seq 100); do [ -S "${@: -1}" ] && return; sleep 0.05; done
	false
}

@test "unix-connect: osl decides connect(): a host's socket the policy only reads, a bus it writes, a second name are refused (a record each); its own connects; a rule naming the bus allows it" {
	mkdir -p ro w
	listen_unix "$T/ro/sock" "$T/w/bus" "$T/w/own"
	printf 'version: 1\nextends: [%s]\nfs: { read: ["${PWD}/**"], write: ["${PWD}/w/**"] }\n' \
	    "$P/proc-full.yaml" > "$T/u.yaml"
	run osl -j -p "$T/u.yaml" proc run --dry-run
	echo "$output" | jq -e '.[] | select(.rule == "unix-connect") | .reason | test("decided by osl")' ||
	    { kill "$LISTENER"; skip "no seccomp user notification or pidfd_getfd here"; }
	echo "$output" | jq -e '.[] | select(.rule == "unix-connect") | .enforcement == "full"'
	# shellcheck disable=SC2016
	try='import socket, sys
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX)
    try: s.connect(p); print(p.split("/")[-1], "connected", s.getpeername().split("/")[-1])
    except OSError as e: print(p.split("/")[-1], e.errno)'
	ln "$T/ro/sock" "$T/w/link"	# a second name, under the write rule
	run --separate-stderr osl -l "file:$T/log.jsonl" -p "$T/u.yaml" proc run -- /usr/bin/python3 -c "$try" \
	    "$T/ro/sock" "$T/w/bus" "$T/w/own" w/own "$T/w/../w/own"
	assert_success
	assert_line "sock 13"
	assert_line "bus 13"
	assert_line "own connected own"
	[ "${#lines[@]}" = 5 ]
	echo "$stderr" | grep -q "actions refused by the sandbox: unix.connect $T/ro/sock (python3[.0-9]*), unix.connect $T/w/bus"
	jq -e -s '[.[] | select(.event.action == "proc.denied")] | length == 2 and
	    (map(.osl.blockers) | unique == ["unix.connect"]) and
	    (map(.file.path) | sort == ["'"$T/ro/sock"'", "'"$T/w/bus"'"])' "$T/log.jsonl"
	# a socket with a second name (made before the run) only by a rule
	# naming it, though this one is under the write rule
	run osl -p "$T/u.yaml" proc run -- /usr/bin/python3 -c "$try" "$T/w/link"
	assert_line "link 13"
	printf 'version: 1\nextends: [%s]\nfs: { write: ["${PWD}/w/link"] }\n' "$T/u.yaml" > "$T/l.yaml"
	run osl -p "$T/l.yaml" proc run -- /usr/bin/python3 -c "$try" "$T/w/link"
	assert_line "link connected sock"
	rm "$T/w/link"
	# through a symlink the program makes, the real path decides
	ln -s "$T/ro/sock" "$T/w/sym"
	run osl -p "$T/u.yaml" proc run -- /usr/bin/python3 -c "$try" "$T/w/sym"
	assert_line "sym 13"
	# an abstract socket of its own, in a network namespace of its own
	# shellcheck disable=SC2016
	abs='import socket
s = socket.socket(socket.AF_UNIX); s.bind("\0osl-t-abs"); s.listen(1)
c = socket.socket(socket.AF_UNIX)
try: c.connect("\0osl-t-abs"); print("abstract connected")
except OSError as e: print("abstract", e.errno)'
	run osl -j -p "$T/u.yaml" proc run --dry-run
	if echo "$output" | jq -e '.[-1].namespaces | index("net")'; then
		run osl -p "$T/u.yaml" proc run -- /usr/bin/python3 -c "$abs"
		assert_output "abstract connected"
	fi
	# in the host's, under TCP port rules: its own too (osl's thread holds
	# the ports and the scope, the program's domain nests in its), and the
	# ports hold for what osl connects
	printf 'version: 1\nextends: [%s]\nnet: { connect: ["127.0.0.1:1"] }\n' "$T/u.yaml" > "$T/h.yaml"
	run osl -j -p "$T/h.yaml" proc run --dry-run
	if ! echo "$output" | jq -e '.[-1].namespaces | index("net")' &&
	    echo "$output" | jq -e '.[-1].landlock_abi >= 6'; then
		run osl -p "$T/h.yaml" proc run -- /usr/bin/python3 -c "$abs
import socket
for port in (1, 2):
    t = socket.socket()
    try: t.connect(('127.0.0.1', port)); print(port, 'connected')
    except OSError as e: print(port, e.errno)"
		assert_line "abstract connected"
		assert_line "1 111"
		assert_line "2 13"
	fi
	kill "$LISTENER"
	# bare, they connect; a rule naming the bus itself allows it
	mkdir w2
	listen_unix "$T/ro/sock2" "$T/w2/bus"
	printf 'version: 1\nextends: [%s]\nfs: { write: ["${PWD}/w2/bus"] }\n' "$T/u.yaml" > "$T/n.yaml"
	run /usr/bin/python3 -c "$try" "$T/ro/sock2" "$T/w2/bus"
	assert_line "sock2 connected sock2"
	assert_line "bus connected bus"
	run osl -p "$T/n.yaml" proc run -- /usr/bin/python3 -c "$try" "$T/ro/sock2" "$T/w2/bus"
	kill "$LISTENER"
	assert_line "sock2 13"
	assert_line "bus connected bus"
}

@test "unix-connect: in the host's network namespace (builtin:default) the program's own abstract sockets connect, from any of its processes; a host process's stays refused (EPERM), as root and as nobody" {
	abstract_host_listener "osl-t-abs-host-$$"
	# shellcheck disable=SC2016
	abs='import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind("\0osl-t-abs-own-%d" % os.getpid()); s.listen(4)
def try_(name, what):
    c = socket.socket(socket.AF_UNIX)
    try: c.connect(name); print(what, "connected", flush=True)
    except OSError as e: print(what, e.errno, flush=True)
try_("\0osl-t-abs-own-%d" % os.getpid(), "own")
pid = os.fork()
if pid == 0:
    try_("\0osl-t-abs-own-%d" % os.getppid(), "child")
    os._exit(0)
os.waitpid(pid, 0)
try_("\0" + sys.argv[1], "host")'
	run osl -p builtin:default proc run -- /usr/bin/python3 -c "$abs" "osl-t-abs-host-$$"
	assert_success
	assert_output "own connected
child connected
host 1"
	nobody_home
	run as_nobody "$OSL" -p builtin:default proc run -- /usr/bin/python3 -c "$abs" "osl-t-abs-host-$$"
	assert_success
	assert_output "own connected
child connected
host 1"
	# with a PID namespace there is no connector (it would be PID 2):
	# refused (osl(7))
	pid_policy
	run osl -p pid.yaml proc run -- /usr/bin/python3 -c "$abs" "osl-t-abs-host-$$"
	assert_line "own 1"
	assert_line "host 1"
	# bare, the host's connects (the name is right)
	run /usr/bin/python3 -c "$abs" "osl-t-abs-host-$$"
	assert_output --partial "host connected"
	kill "$LISTENER"
	# the process that connects them (the program's child, in its Landlock
	# domain, under no filter) is not the program's to trace or read
	# shellcheck disable=SC2016
	peek='import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
for p in os.listdir("/proc"):
    try: st = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
    except (OSError, ValueError): continue
    if int(st[1]) != os.getpid(): continue
    print("ptrace", libc.ptrace(16, int(p), 0, 0), ctypes.get_errno())
    try: open("/proc/%s/mem" % p, "rb"); print("mem read")
    except OSError as e: print("mem", e.errno)'
	run osl -p builtin:default proc run -- /usr/bin/python3 -c "$peek"
	assert_success
	assert_output "ptrace -1 1
mem 13"
	# a rename across folders is Landlock's (the connector adds no layer)
	mkdir -p "$T/ra" "$T/rb" && touch "$T/ra/f"
	run osl -p builtin:default proc run -- /usr/bin/python3 -c \
	    "import os; os.rename('$T/ra/f', '$T/rb/f'); print('renamed')"
	assert_output "renamed"
}

@test "unix-connect: a socket bound after the start, in another network namespace, or sent a datagram: held, as root and as nobody (probes)" {
	[ -x "$PROBES/_listen" ] || skip "probes not built (make probes)"
	run osl -j -p "$P/proc-full.yaml" proc run --dry-run
	echo "$output" | jq -e '.[] | select(.rule == "unix-connect") | .reason | test("decided by osl")' ||
	    skip "no seccomp user notification or pidfd_getfd here"
	set -- unix_later unix_netns unix_dgram unix_named session_bus
	for u in "" -u; do
		[ -z "$u" ] || command -v setpriv >/dev/null || skip "setpriv is needed for -u"
		run "$OSL_TOP/test/probes/run" $u "$PROBES" "$@"
		echo "$output"
		assert_success
		refute_output --partial " refused "
		assert_line "unix_later 0 13 held"
		assert_line "unix_named 0 13 held"
		assert_line "session_bus 0 13 held"
		assert_line "unix_dgram 0 1 held"	# no unix datagram socket (EPERM)
		# unix_netns needs unshare -n for its listener (root's, as the run
		# script starts it)
		assert_line --regexp "^unix_netns (0 13 held|- - skip:no listener in another network namespace)"
	done
}

@test "landlock.scope: a kernel before ABI 6 is reported, not left out (strace makes the version 5)" {
	command -v strace >/dev/null || skip "strace is not installed"
	inject() { strace -f -qq -o /dev/null -e trace=landlock_create_ruleset \
	    -e inject=landlock_create_ruleset:retval=5:when=1 "$OSL" "$@"; }
	run inject -p "$P/proc-full.yaml" proc run --dry-run
	assert_success
	assert_line --regexp '^(partial|full) +scope +landlock.scope +landlock ABI 5 \(< 6\) scopes nothing'
	printf 'version: 1\nextends: [%s]\nnet: { connect: ["*:443"] }\n' "$P/proc-full.yaml" > "$T/n.yaml"
	run inject -p "$T/n.yaml" proc run --dry-run
	assert_line --regexp '^none +scope +landlock.scope +.*signals reach the user.s processes outside; abstract unix sockets reach listeners outside'
	run osl -p "$P/proc-full.yaml" proc run --dry-run
	assert_line --regexp '^full +scope +landlock.scope +abstract unix sockets and signals scoped'
}

@test "vsock: with seccomp none an empty network namespace is no longer full (vsock passes it); the default profile refuses the family" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed"
	/usr/bin/python3 -c 'import socket; socket.socket(40, socket.SOCK_STREAM)' 2>/dev/null ||
	    skip "the kernel has no AF_VSOCK"
	printf 'version: 1\nextends: [%s]\nproc: { seccomp: none }\n' "$P/proc-full.yaml" > "$T/none.yaml"
	run osl -p "$T/none.yaml" proc run --dry-run
	assert_line --regexp '^partial +net +no-network +.*vsock sockets reach the host past the namespace'
	vs='import socket
try: socket.socket(40, socket.SOCK_STREAM); print("opened")
except OSError as e: print(e.errno)'
	run osl -p "$T/none.yaml" proc run -- /usr/bin/python3 -c "$vs"
	assert_output opened
	# builtin:ci's own loopback namespace, builtin:default: the family is refused
	for pol in builtin:ci builtin:default; do
		run osl -p "$pol" proc run -- /usr/bin/python3 -c "$vs"
		assert_output 97
	done
	run osl -p "$P/proc-full.yaml" proc run --dry-run
	assert_line --regexp '^full +net +no-network'
}
