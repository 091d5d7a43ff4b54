#!/usr/bin/env bats
# osl supervise's runtime: the exec's outcome and the child's end as events
# (pidfds), orphans reaped without taking a supervised child's status, an
# idle supervisor that makes no system calls, cgroup v2 containment.  Real
# processes; no timing is asserted.
load supervise

setup() {
	sv_setup
	SV_FILE=tree.yaml
}

status_json() { "$OSL" -j supervise ctl status; }
child_field() { status_json | jq -r --arg n "$1" ".tree.children[] | select(.name == \$n) | $2"; }

# Wait (up to 10 s) until child $1's pid is a number other than $2.
new_pid() {
	for _ in $(seq 200); do
		p=$(child_field "$1" .pid)
		[ "$p" != null ] && [ "$p" != "${2:-}" ] && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
}

@test "supervise: an exec that fails is 127 or 126 with the reason, as before" {
	printf '#!/nonexistent/interpreter\n' > badinterp
	printf '\177ELF not really' > badelf
	chmod +x badinterp badelf
	run -127 osl --audit supervise -- "$T/badinterp"
	assert_output --partial "'$T/badinterp': cannot run: No such file or directory"
	run -126 osl --audit supervise -- "$T/badelf"
	assert_output --partial "Exec format error"
	# the start record carries the exec's outcome, the exit record the status
	rec=$(grep '"action":"supervise.start"' "$LOG" | tail -n 1)
	[ "$(jget '.event.outcome' "$rec")" = failure ]
	rec=$(grep '"action":"supervise.exit"' "$LOG" | tail -n 1)
	[ "$(jget '.process.exit_code' "$rec")" = 126 ]
}

@test "supervise -c: a child whose exec fails does not hold up the others" {
	printf '#!/nonexistent/interpreter\n' > badinterp
	chmod +x badinterp
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 1000
	  period: 1m
	  children:
	    - name: bad
	      cmd: [$T/badinterp]
	      restart: temporary
	    - name: w
	      cmd: [sleep, "1000"]
	      replicas: 20
	EOF
	SV_OPTS=--audit start_tree
	for i in $(seq 20); do new_pid "w-$i" >/dev/null; done
	run child_field bad .state
	assert_output down
	rec=$(grep '"action":"supervise.exit"' "$LOG" | grep '"name":"bad"' | tail -n 1)
	[ "$(jget '.process.exit_code' "$rec")" = 127 ]
	[ "$(grep '"action":"supervise.start"' "$LOG" | grep -c '"outcome":"success"')" -ge 20 ]
}

@test "supervise: every child is watched through a pidfd" {
	start_sleepers
	a=$(new_pid a)
	new_pid b >/dev/null
	# a pidfd's fdinfo names the process it refers to
	run bash -c "grep -h '^Pid:' /proc/$SVPID/fdinfo/* | awk '{print \$2}' | sort -n"
	assert_line "$a"
	assert_line "$(child_field b .pid)"
}

@test "supervise: orphans are reaped, and a supervised child's status is never taken from it" {
	# the child makes orphans that end at the same moment it does, again and
	# again: each restart is seen with the child's own status (3)
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 1000
	  period: 1m
	  children:
	    - name: c
	      cmd: [sh, -c, "for i in 1 2 3 4 5; do setsid sh -c 'exit 0' & done; sleep 0.01; exit 3"]
	      backoff: { initial: 1ms, max: 2ms }
	EOF
	start_tree
	for _ in $(seq 200); do
		[ "$(grep -c '"action":"supervise.exit"' "$LOG")" -ge 20 ] && break
		sleep 0.05
	done
	kill -TERM "$SVPID"; wait "$SVPID" || true; SVPID=
	[ "$(grep -c '"action":"supervise.exit"' "$LOG")" -ge 20 ]
	grep '"action":"supervise.exit"' "$LOG" | jq -c '[.process.exit_code, .osl.supervise.signal]' | sort | uniq -c
	# every end but the last (the shutdown's TERM) is the child's own exit 3
	[ "$(grep '"action":"supervise.exit"' "$LOG" | jq -r '.process.exit_code' | grep -vc '^3$')" -le 1 ]
}

@test "supervise: an idle supervisor makes no system calls (no polling tick)" {
	command -v strace >/dev/null || skip "strace is not installed"
	start_sleepers
	new_pid a >/dev/null
	new_pid b >/dev/null
	# no context switch of its own over 2 s: it sleeps in the kernel
	v0=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$SVPID/status")
	sleep 2
	v1=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$SVPID/status")
	[ "$v0" = "$v1" ]
	# and under strace for 2 s: attaching wakes epoll_wait once (EINTR);
	# after that one turn of the loop it waits again and nothing follows
	timeout -s INT 2 strace -qq -f -p "$SVPID" -o "$T/idle.strace" || true
	cat "$T/idle.strace"
	[ "$(grep -c 'epoll_wait(' "$T/idle.strace")" -eq 1 ]
	run tail -n 1 "$T/idle.strace"
	assert_output --regexp 'epoll_wait\(.*(<detached|<unfinished)'
}

# Skip unless the running tree has cgroup containment (it says why not).
need_cgroup() {
	local j
	j=$(status_json)
	[ "$(jget .containment "$j")" = cgroup ] ||
		skip "no cgroup v2 containment here: $(jget .containment_note "$j")"
}

@test "supervise: each child runs in its own cgroup; status says so, and the folders go at exit" {
	start_sleepers
	need_cgroup
	a=$(new_pid a)
	dir=$(status_json | jq -r .cgroup)
	[ -d "$dir/a" ] && [ -d "$dir/b" ]
	grep -qx "$a" "$dir/a/cgroup.procs"
	[ "$(child_field a .containment)" = cgroup ]
	[ "$(child_field b .containment)" = cgroup ]
	# the child was in its cgroup from its first instruction (CLONE_INTO_CGROUP)
	run grep '^0::' "/proc/$a/cgroup"
	assert_output --partial "/osl-supervise.$SVPID/a"
	kill -TERM "$SVPID"; wait "$SVPID"; SVPID=
	[ ! -e "$dir" ]
}

@test "supervise: the folders a SIGKILLed supervisor left go when the next one starts; a live one's stay" {
	command -v flock >/dev/null || skip "flock (util-linux) is needed"
	start_sleepers
	need_cgroup
	dir=$(status_json | jq -r .cgroup)
	base=${dir%/*}
	# a start that fails (the socket is taken) leaves nothing
	"$OSL" supervise -c tree.yaml 2>/dev/null & p=$!
	st=0; wait "$p" || st=$?
	[ "$st" -eq 125 ]
	[ ! -e "$base/osl-supervise.$p" ]
	kill -KILL "$SVPID"; wait "$SVPID" || true; SVPID=
	[ -d "$dir/a" ]
	# its children go with it (bounded)
	for _ in $(seq 200); do grep -qx 'populated 0' "$dir/cgroup.events" && break; sleep 0.05; done
	# stand-ins: a gone pid's folders (with a child folder), and three that
	# must stay: a live pid's, a gone pid's that holds a process, and one
	# whose lock a supervisor of another PID namespace would hold
	sh -c 'exit 0' & gone=$!; wait "$gone"
	sleep 1000 & live=$!
	mkdir -p "$base/osl-supervise.$gone/x" "$base/osl-supervise.$live"
	sh -c 'exit 0' & gone2=$!; wait "$gone2"
	sh -c 'exit 0' & gone3=$!; wait "$gone3"
	mkdir "$base/osl-supervise.$gone2" "$base/osl-supervise.$gone3"
	sleep 1000 & inside=$!
	echo "$inside" > "$base/osl-supervise.$gone2/cgroup.procs"
	flock -n "$base/osl-supervise.$gone3" sleep 1000 & locker=$!
	for _ in $(seq 200); do [ -n "$(pgrep -P "$locker" -x sleep)" ] && break; sleep 0.05; done
	run -0 osl supervise -- true
	[ ! -e "$dir" ]
	[ ! -e "$base/osl-supervise.$gone" ]
	[ -d "$base/osl-supervise.$live" ]
	[ -d "$base/osl-supervise.$gone2" ]
	[ -d "$base/osl-supervise.$gone3" ]
	kill "$live" "$inside" "$locker" "$(pgrep -P "$locker" -x sleep)"
	wait "$live" "$inside" "$locker" || true
	for _ in $(seq 200); do grep -qx 'populated 0' "$base/osl-supervise.$gone2/cgroup.events" && break; sleep 0.05; done
	rmdir "$base/osl-supervise.$live" "$base/osl-supervise.$gone2" "$base/osl-supervise.$gone3"
}

@test "supervise: stopping a child kills the setsid'd, double-forked grandchild too (cgroup.kill)" {
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: a
	      cmd: [sh, -c, "(setsid sh -c 'trap \"\" TERM; echo \$\$ > $T/gc; exec sleep 1000' &); exec sleep 1000"]
	EOF
	SV_OPTS="--audit" start_tree
	need_cgroup
	for _ in $(seq 200); do [ -s "$T/gc" ] && break; sleep 0.05; done
	gc=$(cat "$T/gc")
	# it left the group and the session, and ignores TERM
	[ "$(ps -o sid= -p "$gc" | tr -d ' ')" = "$gc" ]
	run osl supervise ctl stop a
	assert_success
	for _ in $(seq 200); do kill -0 "$gc" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$gc" 2>/dev/null
	# the supervisor is still up, the child down
	[ "$(child_field a .state)" = down ]
}

@test "supervise: memory and pids per child in status and metrics, where the controllers are" {
	root=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
	[ -n "$root" ] || skip "no cgroup v2 hierarchy mounted"
	start_sleepers
	need_cgroup
	new_pid a >/dev/null
	base=$(dirname "$(status_json | jq -r .cgroup)")
	if ! grep -qw memory "$base/cgroup.controllers" || ! grep -qw pids "$base/cgroup.controllers"; then
		# the status says so, per child
		[ "$(child_field a .memory)" = null ]
		child_field a .containment_note | grep -q "no memory"
		skip "the cgroup v2 hierarchy here has no memory/pids controller ($(cat "$base/cgroup.controllers"))"
	fi
	[ "$(child_field a .pids)" -ge 1 ]
	[ "$(child_field a .memory)" -gt 0 ]
	run osl supervise ctl metrics
	assert_line --regexp '^osl_supervise_memory_bytes\{name="a"\} [0-9]+$'
	assert_line --regexp '^osl_supervise_pids\{name="a"\} [0-9]+$'
}

@test "supervise: where clone3 is refused (osl's own sandbox), the fork path still runs the child in its cgroup" {
	bin=$(cd "$OSL_BUILD" && pwd -P)
	cat > p.yaml <<-EOF
	version: 1
	name: t
	extends: [builtin:default]
	fs:
	  exec:
	    - { path: "$bin/**", id: exec-osl }
	  write:
	    - { path: "/sys/fs/cgroup/**", id: cgroups }
	EOF
	# (LeakSanitizer, in an ASan build, cannot work under the sandbox)
	run osl --policy p.yaml proc run -- env ASAN_OPTIONS=detect_leaks=0 "$bin/osl" -l none \
	    supervise -- sh -c \
	    'grep Seccomp: /proc/$PPID/status; grep "^0::" /proc/self/cgroup; exit 4'
	assert_failure 4
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	grep -q "^0::.*/osl-supervise\.[0-9]*/sh$" <<<"$output" ||
		skip "no writable cgroup v2 here: $(grep '^0::' <<<"$output")"
}

@test "supervise: a child restarts in a cgroup that was killed (leftovers), and runs" {
	# each run leaves a grandchild that ignores TERM: it is killed with
	# cgroup.kill before the next run starts in the same folder.  (On some
	# kernels a folder that was cgroup.kill'ed kills every child later
	# cloned into it: osl has the child join it by cgroup.procs then.)
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 100
	  period: 1m
	  children:
	    - name: a
	      cmd: [sh, -c, "(setsid sh -c 'trap \"\" TERM; exec sleep 1000' &); sleep 0.2; exit 3"]
	      backoff: { initial: 1ms, max: 2ms }
	EOF
	start_tree
	need_cgroup
	for _ in $(seq 200); do
		[ "$(grep -c '"action":"supervise.exit"' "$LOG")" -ge 4 ] && break
		sleep 0.05
	done
	grep '"action":"supervise.exit"' "$LOG" | jq -c '[.process.exit_code, .osl.supervise.signal]'
	[ "$(grep -c '"action":"supervise.exit"' "$LOG")" -ge 4 ]
	# every run got to its own exit 3: none was killed at birth
	[ "$(grep '"action":"supervise.exit"' "$LOG" | jq -r '.process.exit_code' | grep -vc '^3$')" -eq 0 ]
	# and what the runs left behind is gone
	dir=$(status_json | jq -r .cgroup)
	[ "$(wc -l < "$dir/a/cgroup.procs")" -le 3 ]
}

@test "supervise: ctl status of 1,000 children answers in full, text and -j (no 64 KiB cap)" {
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: w
	      cmd: [sleep, "1000"]
	      replicas: 1000
	EOF
	start_tree
	# bounded: until every replica has a pid (up to 60 s under load)
	for _ in $(seq 600); do
		up=$(status_json | jq '[.tree.children[] | select(.pid != null)] | length')
		[ "$up" = 1000 ] && break
		sleep 0.1
	done
	[ "$up" = 1000 ]
	run -0 status_json
	# the answer is far past the old 64 KiB buffer
	[ "${#output}" -gt 65536 ]
	[ "$(jq '.tree.children | length' <<<"$output")" = 1000 ]
	[ "$(jq -r '.tree.children[999].name' <<<"$output")" = w-1000 ]
	run -0 "$OSL" supervise ctl status
	[ "$(grep -c '^  w-[0-9]* *up ' <<<"$output")" = 1000 ]
	assert_line --regexp '^  w-1000 +up '
	# a client that asks three times and does not read (≈700 KiB waiting)
	# holds no one up, and gets every answer whole when it reads at last
	python3 -c '
import json, os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"{\"cmd\":\"status\"}\n" * 3)
for _ in range(600):
    if os.path.exists("go"):
        break
    time.sleep(0.1)
buf = b""
while buf.count(b"\n") < 3:
    b = s.recv(1 << 16)
    if not b:
        break
    buf += b
print(" ".join(str(len(json.loads(l)["tree"]["children"])) for l in buf.splitlines()))
' "$SOCK" > slow.out &
	slow=$!
	run -0 status_json
	[ "$(jq '.tree.children | length' <<<"$output")" = 1000 ]
	"$OSL" supervise ctl stop w-1
	# the answer comes when w-1 has its stop signal, not when it is reaped
	for _ in $(seq 200); do [ "$(child_field w-1 .state)" = down ] && break; sleep 0.05; done
	[ "$(child_field w-1 .state)" = down ]
	touch go
	wait "$slow"
	[ "$(cat slow.out)" = "1000 1000 1000" ]
}
