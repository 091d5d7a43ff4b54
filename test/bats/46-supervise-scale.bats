#!/usr/bin/env bats
# osl supervise at scale: a tree of 10,000 real children, each its own
# process, and `ctl status` (text and -j) answers for every one of them,
# streamed (osl-supervise(8), CONTROL).  No timing is asserted; the waits
# are bounded.
#
# So that it runs in under a minute on two shared cores (40 s here, with
# eight other builds running; the 10,000 start in about 10 s): the children are a 9 KB program without
# libc that only pauses (a libc program spends most of its start in the
# dynamic loader's CPU probing, which a VM makes slow), and the tree runs in
# a mount namespace of its own whose /sys/fs/cgroup is read-only, so its
# containment is the process group, as on a host without a writable cgroup
# v2 folder (osl-supervise(8), CONTAINMENT).  A cgroup per child costs 1 to
# 3 ms of kernel time each on this VM: 10,000 of them take over a minute.
load supervise

setup() {
	sv_setup
	[ "$(uname -m)" = x86_64 ] || skip "the pause program is x86-64 assembly"
	command -v cc >/dev/null || skip "no C compiler for the pause program"
	unshare -m true 2>/dev/null || skip "no mount namespace (unshare -m)"
	cat > pause.c <<-'EOF'
	void _start(void)
	{
		for (;;)	/* pause(2) */
			__asm__ volatile ("mov $34, %%eax; syscall" ::: "rax", "rcx", "r11", "memory");
	}
	EOF
	cc -O2 -nostdlib -static -o pause pause.c
}

# A tree of N children: N/1000 entries of 1000 replicas (at most 1000 a child).
tree_of() {
	printf 'version: 1\nsupervisor:\n  children:\n'
	for e in $(seq $(($1 / 1000))); do
		printf '    - name: w%d\n      cmd: [%s]\n      replicas: 1000\n' "$e" "$T/pause"
	done
}

# Start tree.yaml with /sys/fs/cgroup read-only (containment: process group).
start_big() {
	unshare -m --propagation private sh -c 'mount -o bind,ro /sys/fs/cgroup /sys/fs/cgroup \
	    2>/dev/null; exec "$0" --audit -l none supervise -c tree.yaml' "$OSL" \
	    >"$T/sv.out" 2>"$T/sv.err" &
	SVPID=$!
	# the socket is served once the 10,000 spawns of the start are done
	# (one batch of the loop): up to 4 minutes (an ASan build is slow)
	wait_socket 4800
}

# Wait (bounded: 4 minutes) until N children are up with a pid.
wait_up() {
	for _ in $(seq 1200); do
		up=$("$OSL" supervise ctl status | grep -c '^  w[0-9]*-[0-9]* *up *[0-9]')
		[ "$up" -ge "$1" ] && return 0
		sleep 0.2
	done
	echo "$up of $1 up"
	return 1
}

@test "supervise: ctl status of a 10,000-child tree answers in full, text and -j" {
	tree_of 10000 > tree.yaml
	start_big
	wait_up 10000
	run -0 "$OSL" supervise ctl status
	# the root, then every child on its line, each up with its pid
	[ "${#lines[@]}" = 10001 ]
	[ "$(grep -c '^  w[0-9]*-[0-9]* *up *[0-9][0-9]* ' <<<"$output")" = 10000 ]
	assert_line --regexp '^  w1-1 +up +[0-9]+ '
	assert_line --regexp '^  w10-1000 +up +[0-9]+ '
	run -0 "$OSL" -j supervise ctl status
	# some 2.5 MB on one line
	[ "${#output}" -gt 2000000 ]
	[ "$(jq '.tree.children | length' <<<"$output")" = 10000 ]
	[ "$(jq '[.tree.children[] | select(.state == "up" and .pid > 0)] | length' \
	    <<<"$output")" = 10000 ]
	[ "$(jq -r '.tree.children[9999].name' <<<"$output")" = w10-1000 ]
	[ "$(jq -r .containment <<<"$output")" = process-group ]
	# the pids are the children's own, each a distinct live process
	[ "$(jq '[.tree.children[].pid] | unique | length' <<<"$output")" = 10000 ]
	pid=$(jq '.tree.children[4321].pid' <<<"$output")
	[ "$(cat /proc/"$pid"/cmdline | tr '\0' ' ')" = "$T/pause " ]
	# and the tree still answers and acts: a child stopped is down, the rest up
	"$OSL" supervise ctl stop w5-500
	run -0 "$OSL" supervise ctl status
	assert_line --regexp '^  w5-500 +down '
	[ "$(grep -c ' up ' <<<"$output")" = 10000 ]	# the root and 9,999 children
	# the shutdown stops every one of them
	kill -TERM "$SVPID"
	wait "$SVPID"
	SVPID=
	! pgrep -f "^$T/pause" >/dev/null
}
