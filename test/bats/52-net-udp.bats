#!/usr/bin/env bats
# osl proc run under a policy whose net rules stay on the loopback (builtin:ci
# binds there for its own tests): Landlock sees only TCP, so the child gets a
# private network namespace with its own loopback, or seccomp refuses the
# other socket types, or the report says partial (osl-proc(1), NETWORK).
load helper

bats_require_minimum_version 1.5.0

setup() {
	common_setup
	P=$OSL_TOP/test/fixtures/policies
	PIDS=()
	PROBES=${OSL_BUILD:-$OSL_TOP/build}/probes
	[ -x "$PROBES/udp_send" ] || PROBES=$OSL_TOP/build/probes
	[ -x "$PROBES/udp_send" ] || skip "probes not built (make probes)"
	mkdir -p "$T/bin"
	cp "$PROBES/udp_send" "$PROBES/udp_socket" "$PROBES/raw_socket" "$PROBES/packet_socket" "$T/bin/"
}

teardown() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -n "${W:-}" ]; then rm -rf "$W"; fi
}

# The probes' helper on the host's 127.0.0.1:HPORT (TCP, and UDP echo).
start_helper() {
	for _ in 1 2 3 4 5; do
		HPORT=$((20000 + RANDOM % 30000))
		"$PROBES/_helper" "$HPORT" > "$T/helper.out" 2>&1 &
		HPID=$!
		for _ in $(seq 200); do
			grep -q ready "$T/helper.out" 2>/dev/null && { PIDS+=($HPID); return 0; }
			kill -0 "$HPID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$HPID" 2>/dev/null || true
	done
	echo "the helper did not start" >&2
	return 1
}

need_netns() {
	unshare -n true 2>/dev/null || skip "cannot make a network namespace here"
}

@test "builtin:ci: a UDP datagram does not reach the host's loopback (bare it does)" {
	need_netns
	start_helper
	run -0 "$T/bin/udp_send" "$T" "$HPORT"
	assert_output '{"probe":"udp_send","errno":0}'
	run -0 --separate-stderr osl -p builtin:ci proc run -- bin/udp_send "$T" "$HPORT"
	# its own loopback: nothing listens there (ECONNREFUSED)
	assert_output '{"probe":"udp_send","errno":111}'
}

@test "builtin:ci: the report has a line for udp, raw and packet sockets; a private network namespace" {
	need_netns
	run -0 osl -p builtin:ci proc run --dry-run
	assert_line --regexp '^full +net +udp-raw-packet +a private network namespace with its own loopback'
	assert_line --regexp 'namespaces: .*net'
	# and its deny of an address beyond the loopback has no route there
	assert_line --regexp '^full +net.deny +169.254.169.254:\* +no-cloud-metadata: beyond the loopback'
}

@test "builtin:ci: the child's loopback is its own: it binds the port the host's helper holds, udp meets there" {
	need_netns
	start_helper
	# (builtin:ci has no connect rule: tcp clients are refused by landlock)
	run -0 --separate-stderr osl -p builtin:ci proc run -- /usr/bin/python3 -c "
import socket
s = socket.socket(); s.bind(('127.0.0.1', $HPORT)); s.listen(1); print('bound')
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', $HPORT))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.sendto(b'dgram', ('127.0.0.1', $HPORT))
print(u.recv(16).decode())"
	assert_output $'bound\ndgram'
}

@test "builtin:ci as an unprivileged user: a private loopback through a user namespace of its own" {
	[ "$(id -u)" = 0 ] || skip "run as root to test as nobody"
	command -v setpriv > /dev/null || skip "no setpriv"
	setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn true 2>/dev/null ||
		skip "no unprivileged user namespaces here"
	start_helper
	W=$(mktemp -d /tmp/osl-udp.XXXXXX)
	chmod 755 "$W"
	cp "$PROBES/udp_send" "$W/"
	chown -R 65534:65534 "$W"
	run -0 --separate-stderr sh -c 'cd "$1" && HOME=$1 XDG_STATE_HOME=$1 TMPDIR=$1 setpriv --reuid=65534 \
	    --regid=65534 --clear-groups "$2" -p builtin:ci proc run -- ./udp_send "$1" "$3"' sh "$W" "$OSL" "$HPORT"
	assert_output '{"probe":"udp_send","errno":111}'
}

# A policy in $T/p.yaml: proc-run.yaml and the net section given.
net_policy() {
	printf 'version: 1\nextends: [%s]\nnet:\n%s\n' "$P/proc-run.yaml" "$1" > "$T/p.yaml"
}

@test "rules beyond the loopback, no resolve: seccomp refuses udp, raw and packet sockets" {
	net_policy '  connect: ["10.0.0.0/8:443"]'
	run -0 osl -p "$T/p.yaml" proc run --dry-run
	assert_line --regexp '^full +net +udp-raw-packet +seccomp refuses udp, raw and packet sockets'
	run -0 --separate-stderr osl -p "$T/p.yaml" proc run -- sh -c \
	    "bin/udp_socket . ; bin/udp_send . ; bin/raw_socket . ; bin/packet_socket ."
	assert_line '{"probe":"udp_socket","errno":1}'		# EPERM (seccomp)
	assert_line '{"probe":"udp_send","errno":1}'
	assert_line --regexp '^\{"probe":"raw_socket","errno":(1|97)\}$'
	assert_line '{"probe":"packet_socket","errno":97}'	# EAFNOSUPPORT (seccomp)
}

@test "a loopback connect to a port no bind rule opens is the host's service: no namespace, seccomp refuses udp" {
	start_helper
	net_policy "  connect: [\"127.0.0.1:$HPORT\"]
  bind: [\"127.0.0.1:8000-8100\"]"
	run -0 osl -p "$T/p.yaml" proc run --dry-run
	assert_line --regexp '^full +net +udp-raw-packet +seccomp refuses'
	refute_line --regexp 'namespaces: .*net'
	cp "$PROBES/tcp_connect" "$T/bin/"
	run -0 --separate-stderr osl -p "$T/p.yaml" proc run -- sh -c \
	    "bin/tcp_connect . $HPORT; bin/udp_send . $HPORT"
	assert_line '{"probe":"tcp_connect","errno":0}'	# the host's service, as the policy says
	assert_line '{"probe":"udp_send","errno":1}'
}

@test "rules beyond the loopback with resolve: true: udp stays open and the report says partial" {
	net_policy '  connect: ["10.0.0.0/8:443"]
  resolve: true'
	run -0 osl -p "$T/p.yaml" proc run --dry-run
	assert_line --regexp '^partial +net +udp-raw-packet +landlock restricts tcp only and net.resolve: true needs udp \(DNS\)'
	run osl -p "$T/p.yaml" proc run --require-full -- true
	[ "$status" -eq 125 ]
}

# Run "$@" where no namespace can be made (as 51-net-egress.bats does).
no_ns() {
	unshare -U -r sh -c 'echo 0 > /proc/sys/user/max_user_namespaces &&
		exec setpriv --bounding-set=-all --inh-caps=-all "$@"' sh "$@"
}

@test "builtin:ci where no namespace can be made: seccomp refuses udp, the report says why" {
	command -v setpriv > /dev/null || skip "no setpriv"
	no_ns true 2> /dev/null || skip "cannot make a user namespace to test in"
	! no_ns unshare -n true 2> /dev/null || skip "a namespace can still be made"
	start_helper
	run -0 no_ns "$OSL" -p builtin:ci proc run --dry-run
	assert_line --regexp '^full +net +udp-raw-packet +seccomp refuses udp, raw and packet sockets .*; no network namespace can be made here'
	run -0 --separate-stderr no_ns "$OSL" -p builtin:ci proc run -- bin/udp_send "$T" "$HPORT"
	assert_output '{"probe":"udp_send","errno":1}'
}

@test "osl supervise: a service whose policy binds the loopback serves the host's (ready tcp works); seccomp refuses udp" {
	command -v python3 > /dev/null || skip "python3 is needed"
	start_helper
	export XDG_RUNTIME_DIR=$T/run
	mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
	reserve_port
	PIDS+=("$PORT_HOLDER")
	port=$PORT
	net_policy "  bind: [\"127.0.0.1:$port\"]"
	cat > t.yaml <<-EOF2
	version: 1
	supervisor:
	  children:
	    - name: web
	      cmd: [sh, -c, "bin/udp_send . $HPORT; exec /usr/bin/python3 -c 'import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", $port)); s.listen(); time.sleep(1000)'"]
	      policy: $T/p.yaml
	      ready: { tcp: "127.0.0.1:$port", timeout: 20s }
	      output: log
	EOF2
	"$OSL" supervise -c t.yaml > "$T/sv.out" 2> "$T/sv.err" &
	PIDS+=($!)
	for _ in $(seq 300); do
		[ "$("$OSL" -j supervise ctl status 2>/dev/null | jq -r '.tree.children[0].state')" = up ] && break
		sleep 0.05
	done
	[ "$("$OSL" -j supervise ctl status | jq -r '.tree.children[0].state')" = up ]
	jq -r 'select(.message != null) | .message' "$LOG" | grep -Fx '{"probe":"udp_send","errno":1}'
}
