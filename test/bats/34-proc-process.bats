#!/usr/bin/env bats
# osl proc run: what the sandboxed process itself holds: capabilities
# (proc.capabilities), IPC, UTS and PID namespaces, exec from memory.
load helper

setup() {
	common_setup
	P=$OSL_TOP/test/fixtures/policies
	PROBES=${OSL_BUILD:-$OSL_TOP/build}/probes
	[ -x "$PROBES/_helper" ] || PROBES=$OSL_TOP/build/probes
}

teardown() { [ -z "${W:-}" ] || rm -rf "$W"; }

# The capability sets of a sandboxed child: "Inh Prm Eff Bnd Amb" in hex.
child_caps() { osl "$@" -- sh -c "awk '/^Cap/ { printf \"%s \", \$2 }' /proc/self/status"; }
nobody_setup() {
	command -v setpriv >/dev/null || skip "setpriv is needed"
	W=$(mktemp -d /tmp/osl-nobody.XXXXXX)
	chmod 755 "$W"
	mkdir -p "$W/home"
	chown 65534:65534 "$W/home"
}
as_nobody() {
	(cd "$W" && HOME=$W/home XDG_STATE_HOME=$W/home/state TMPDIR=$W/home \
	    setpriv --reuid=65534 --regid=65534 --clear-groups "$@")
}

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
	# securebits are locked: the program cannot keep capabilities across
	# a change of uid of its own
	run osl -p k.yaml proc run -- setpriv --reuid=65534 true
	assert_failure
	assert_output --partial "keep process capabilities failed"
}

@test "caps: an unprivileged child has none, held by no_new_privs" {
	nobody_setup
	run as_nobody "$OSL" -j -p builtin:default proc run --dry-run
	assert_success
	echo "$output" | jq -e '.[] | select(.kind == "caps") | .enforcement == "full"'
	run as_nobody "$OSL" -p builtin:default proc run -- sh -c "grep -E 'Cap(Eff|Prm|Amb)' /proc/self/status"
	assert_success
	refute_output --regexp ':\s+0*[1-9a-f]'
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
	nobody_setup
	as_nobody unshare -U true 2>/dev/null || skip "no unprivileged user namespaces here"
	run as_nobody "$OSL" -j -p builtin:default proc run --dry-run
	echo "$output" | jq -e '.[-1].namespaces | index("user") and index("ipc") and index("uts")'
	run as_nobody "$OSL" -p builtin:default proc run -- sh -c 'id -u; readlink /proc/self/ns/ipc'
	assert_success
	assert_line 65534
	refute_line "$(readlink /proc/self/ns/ipc)"
}
