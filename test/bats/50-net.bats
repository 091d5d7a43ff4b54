#!/usr/bin/env bats
# osl net: resolve, connect, listen, check, wait and the egress proxy, on
# loopback only.  Every wait is bounded in count and time.
load helper

bats_require_minimum_version 1.5.0

setup() {
	common_setup
	P=$OSL_TOP/test/fixtures/policies
	NB=$P/net-basic.yaml
	PIDS=()
}

teardown() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}

# Wait (at most 30 s) until FILE has a line matching RE; print the match.
wait_line() {
	for _ in $(seq 300); do
		if grep -qE "$2" "$1" 2>/dev/null; then grep -oE "$2" "$1" | head -n 1; return 0; fi
		sleep 0.1
	done
	echo "timed out waiting for '$2' in $1:" >&2
	cat "$1" >&2 || true
	return 1
}

# Start `osl net listen` in the background on ADDR (port 0); sets LPORT.
# The rest of the arguments are extra options; stdin from $LIN (default /dev/null).
start_listen() {
	local addr=$1; shift
	"$OSL" -p "$NB" net listen "$@" "$addr:0" < "${LIN:-/dev/null}" > "$T/l.out" 2> "$T/l.err" &
	PIDS+=($!)
	LPID=$!
	LPORT=$(wait_line "$T/l.err" 'listening on .*:[0-9]+$')
	LPORT=${LPORT##*:}
}

# A free TCP port on 127.0.0.1 that nothing listens on (bound then closed).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- resolve ---

@test "resolve: localhost gives 127.0.0.1, text and JSON, and is logged" {
	run osl -p "$NB" net resolve localhost
	assert_success
	assert_line "127.0.0.1"
	run osl -j -p "$NB" net resolve localhost
	assert_success
	[ "$(jget '.name' "$output")" = localhost ]
	jget '.addresses[]' "$output" | grep -qx 127.0.0.1
	rec=$(grep '"net.resolve"' "$LOG" | tail -n 1)
	[ "$(jget '.destination.domain' "$rec")" = localhost ]
	jget '.dns.resolved_ip[]' "$rec" | grep -qx 127.0.0.1
}

@test "resolve: denied when the policy has resolve: false (exit 3)" {
	run osl -p "$P/net-noresolve.yaml" net resolve localhost
	assert_failure 3
	assert_output --partial "'localhost': denied by policy"
	run osl -p "$P/net-noresolve.yaml" net connect localhost:2000
	assert_failure 3
}

@test "resolve: a name that does not exist is exit 1" {
	run osl -p "$NB" net resolve no-such-host.invalid
	assert_failure 1
	assert_output --partial "cannot resolve"
}

# --- bad input ---

@test "bad targets are exit 2 with one line: missing port, bad port, bad host" {
	for t in localhost 127.0.0.1 "127.0.0.1:" "127.0.0.1:x" "127.0.0.1:0" "127.0.0.1:65536" \
	    "127.0.0.1:-1" "[::1" "[::1]x" "bad_host!:80" "a..b:80" ":80" "unix:"; do
		run osl -p "$NB" net connect "$t"
		[ "$status" -eq 2 ] || { echo "'$t' gave $status: $output"; false; }
		[ "${#lines[@]}" -eq 1 ] || { echo "'$t': $output"; false; }
		run osl -p "$NB" net check "$t"
		[ "$status" -eq 2 ] || { echo "check '$t' gave $status"; false; }
	done
}

@test "a 64 KiB host name is refused at once, quoted short" {
	long=$(head -c 65536 /dev/zero | tr '\0' a)
	run osl -p "$NB" net connect "$long:80"
	assert_failure 2
	assert_output --partial "host name longer than 253 characters"
	[ "${#output}" -lt 200 ]
	run osl -p "$NB" net resolve "$long"
	assert_failure 2
	run osl -p "$NB" net check "$long:80"
	assert_failure 2
	[ "${#output}" -lt 200 ]
}

@test "bad options: durations and counts" {
	run osl -p "$NB" net connect --timeout soon 127.0.0.1:2000
	assert_failure 2
	run osl -p "$NB" net wait --timeout 0 127.0.0.1:2000
	assert_failure 2
	run osl -p "$NB" net listen --max-conns 0 127.0.0.1:0
	assert_failure 2
	run osl -p "$NB" net proxy extra
	assert_failure 2
}

# --- connect and listen ---

@test "listen/connect relay 1 MiB of random bytes both ways, byte for byte" {
	head -c 1048576 /dev/urandom > "$T/a"
	head -c 1048576 /dev/urandom > "$T/b"
	LIN=$T/b start_listen 127.0.0.1
	timeout 20 "$OSL" -p "$NB" net connect "127.0.0.1:$LPORT" < "$T/a" > "$T/a.out"
	wait "$LPID"
	cmp "$T/a" "$T/l.out"
	cmp "$T/b" "$T/a.out"
	# both ends logged, with the bytes each way and the peer
	c=$(grep '"net.connect"' "$LOG" | tail -n 1)
	[ "$(jget '.destination.port' "$c")" = "$LPORT" ]
	[ "$(jget '.destination.ip' "$c")" = 127.0.0.1 ]
	[ "$(jget '.source.bytes' "$c")" = 1048576 ]
	[ "$(jget '.destination.bytes' "$c")" = 1048576 ]
	[ "$(jget '.network.transport' "$c")" = tcp ]
	[ "$(jget '.event.duration' "$c")" -gt 0 ]
	a=$(grep '"net.accept"' "$LOG" | tail -n 1)
	[ "$(jget '.source.ip' "$a")" = 127.0.0.1 ]
	[ "$(jget '.source.port' "$a")" = "$(jget '.source.port' "$c")" ]
	[ "$(jget '.source.bytes' "$a")" = 1048576 ]
	grep -q '"net.bind"' "$LOG"
	run osl log verify "$LOG"
	assert_success
}

@test "half-close: the listener's EOF reaches the client while the client still sends" {
	printf 'from-server\n' > "$T/b"
	LIN=$T/b start_listen 127.0.0.1
	head -c 200000 /dev/urandom > "$T/a"
	# the client's stdin ends later than the server's
	(sleep 0.5; cat "$T/a") | timeout 20 "$OSL" -p "$NB" net connect "127.0.0.1:$LPORT" > "$T/a.out"
	wait "$LPID"
	cmp "$T/b" "$T/a.out"
	cmp "$T/a" "$T/l.out"
}

@test "connect by name: localhost, logged with destination.domain" {
	printf 'hi\n' > "$T/b"
	LIN=$T/b start_listen 127.0.0.1
	run -0 timeout 10 "$OSL" -p "$NB" net connect "localhost:$LPORT" < /dev/null
	assert_output "hi"
	wait "$LPID"
	c=$(grep '"net.connect"' "$LOG" | tail -n 1)
	[ "$(jget '.destination.domain' "$c")" = localhost ]
	[ "$(jget '.destination.ip' "$c")" = 127.0.0.1 ]
	grep -q '"net.resolve"' "$LOG"
}

@test "connect: denied by an address rule names the rule; by name too (every address is checked)" {
	run osl -p "$NB" net connect 127.0.0.1:9
	assert_failure 3
	assert_output "osl net connect: '127.0.0.1:9': denied by policy (rule no-discard at $NB:15:7)"
	run osl -p "$NB" net connect localhost:9
	assert_failure 3
	assert_output --partial "rule no-discard"
	run osl -p "$NB" net connect 10.0.0.1:80
	assert_failure 3
	assert_output --partial "no rule matched: default deny"
	rec=$(grep '"net.connect"' "$LOG" | tail -n 1)
	[ "$(jget '.event.type | index("denied") != null' "$rec")" = true ]
}

@test "listen: bind denied names the rule; an allowed bind in use is exit 1" {
	run osl -p "$NB" net listen 127.0.0.5:0
	assert_failure 3
	assert_output --partial "denied by policy (rule no-five"
	run osl -p "$NB" net listen 10.9.9.9:4000
	assert_failure 3
	start_listen 127.0.0.1
	run osl -p "$NB" net listen "127.0.0.1:$LPORT"
	assert_failure 1
	assert_output --partial "cannot bind"
}

@test "connect: refused is exit 1, --timeout on a black hole is 124" {
	port=$(free_port)
	run osl -p "$NB" net connect "127.0.0.1:$port"
	assert_failure 1
	assert_output --partial "refused"
	# a listener with a full backlog is the local black hole: skip if it answers
	python3 - "$T/bh" <<-'EOF' &
	import socket, sys, time
	s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
	open(sys.argv[1], "w").write(str(s.getsockname()[1]) + "\n")
	fill = []
	for _ in range(8):
	    c = socket.socket(); c.setblocking(False)
	    try: c.connect(s.getsockname())
	    except BlockingIOError: pass
	    fill.append(c)
	time.sleep(10)
	EOF
	PIDS+=($!)
	bh=$(wait_line "$T/bh" '^[0-9]+$')
	run osl -p "$NB" net connect --timeout 300ms "127.0.0.1:$bh" < /dev/null
	[ "$status" -eq 124 ] || skip "the kernel accepted past the backlog (status $status)"
	assert_output --partial "timed out"
}

@test "a peer that never reads: the relay stays bounded and --idle ends it (124)" {
	python3 - "$T/nr" <<-'EOF' &
	import socket, sys, time
	s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
	open(sys.argv[1], "w").write(str(s.getsockname()[1]) + "\n")
	c, _ = s.accept()
	c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
	time.sleep(15)
	EOF
	PIDS+=($!)
	port=$(wait_line "$T/nr" '^[0-9]+$')
	run timeout 20 "$OSL" -p "$NB" net connect --idle 1s "127.0.0.1:$port" < /dev/zero
	assert_failure 124
	assert_output --partial "idle"
	rec=$(grep '"net.connect"' "$LOG" | tail -n 1)
	[ "$(jget '.event.outcome' "$rec")" = failure ]
	# what went out is bounded by the kernel's buffers, not by /dev/zero
	[ "$(jget '.source.bytes' "$rec")" -lt 67108864 ]
}

@test "a peer that resets mid-transfer is exit 1 with one line" {
	python3 - "$T/rs" <<-'EOF' &
	import socket, struct, sys, time
	s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
	open(sys.argv[1], "w").write(str(s.getsockname()[1]) + "\n")
	c, _ = s.accept()
	c.recv(10)
	c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	c.close()
	time.sleep(5)
	EOF
	PIDS+=($!)
	port=$(wait_line "$T/rs" '^[0-9]+$')
	run timeout 20 "$OSL" -p "$NB" net connect "127.0.0.1:$port" < /dev/zero
	assert_failure 1
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial "osl net connect:"
}

@test "listen --keep serves connections one after another" {
	start_listen 127.0.0.1 --keep
	for i in 1 2 3; do
		printf 'conn%s\n' "$i" | timeout 10 "$OSL" -p "$NB" net connect "127.0.0.1:$LPORT" > /dev/null
	done
	wait_line "$T/l.out" conn3 > /dev/null
	[ "$(grep -c conn "$T/l.out")" -eq 3 ]
	[ "$(grep -c '"net.accept"' "$LOG")" -ge 3 ]
}

@test "listen --max-conns 2 serves two clients at once" {
	start_listen 127.0.0.1 --max-conns 2
	exec 5< <(sleep 3 | timeout 10 "$OSL" -p "$NB" net connect "127.0.0.1:$LPORT")
	# the first is still open; a second is served meanwhile
	printf 'second\n' | timeout 5 "$OSL" -p "$NB" net connect "127.0.0.1:$LPORT" > /dev/null
	wait_line "$T/l.out" second > /dev/null
	exec 5<&-
	# the acceptors go with the listener
	kill "$LPID"
	for _ in $(seq 200); do
		st=0
		"$OSL" -p "$NB" net check --timeout 200ms "127.0.0.1:$LPORT" > /dev/null || st=$?
		[ "$st" -eq 1 ] && break
		sleep 0.1
	done
	[ "$st" -eq 1 ]
}

@test "IPv6 on ::1" {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null ||
		skip "no ::1 on this host"
	printf 'six\n' > "$T/b"
	LIN=$T/b start_listen '[::1]'
	run -0 timeout 10 "$OSL" -p "$NB" net connect "[::1]:$LPORT" < /dev/null
	assert_output six
	wait "$LPID"
	c=$(grep '"net.connect"' "$LOG" | tail -n 1)
	[ "$(jget '.destination.ip' "$c")" = ::1 ]
	[ "$(jget '.network.type' "$c")" = ipv6 ]
	run osl -p "$NB" net check "[::1]:$(free_port)"
	assert_failure 1
}

# Run "$@" where localhost is both ::1 and 127.0.0.1 (a private /etc/hosts).
dual_localhost() {
	printf '::1 localhost\n127.0.0.1 localhost\n' > "$T/hosts"
	unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$T/hosts" "$@"
}

@test "connect by name races the addresses (Happy Eyeballs): a silent ::1 does not hold up 127.0.0.1" {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null ||
		skip "no ::1 on this host"
	dual_localhost true 2> /dev/null || skip "cannot make a mount namespace here"
	# ::1:P is a black hole (full backlog), 127.0.0.1:P answers
	python3 - "$T/p" <<-'EOF' &
	import socket, sys, time
	s6 = socket.socket(socket.AF_INET6); s6.bind(("::1", 0)); s6.listen(0)
	port = s6.getsockname()[1]
	fill = []
	for _ in range(8):
	    c = socket.socket(socket.AF_INET6); c.setblocking(False)
	    try: c.connect(("::1", port))
	    except BlockingIOError: pass
	    fill.append(c)
	s4 = socket.socket(); s4.bind(("127.0.0.1", port)); s4.listen(4)
	open(sys.argv[1], "w").write(str(port) + "\n")
	s4.settimeout(20)
	c, _ = s4.accept(); c.sendall(b"four\n"); c.close()
	time.sleep(5)
	EOF
	PIDS+=($!)
	port=$(wait_line "$T/p" '^[0-9]+$')
	run osl -p "$NB" net check --timeout 300ms "[::1]:$port"
	[ "$status" -eq 1 ] || skip "the kernel accepted past the backlog (status $status)"
	# one by one, the first address alone would use up the 20 s
	run -0 dual_localhost timeout 30 "$OSL" -p "$NB" net connect --timeout 20s "localhost:$port" < /dev/null
	assert_output four
	c=$(grep '"net.connect"' "$LOG" | tail -n 1)
	[ "$(jget '.destination.ip' "$c")" = 127.0.0.1 ]
	[ "$(jget '.event.outcome' "$c")" = success ]
	[ "$(jget '.dns.resolved_ip | length' "$(grep '"net.resolve"' "$LOG" | tail -n 1)")" = 2 ]
}

@test "connect by name: a refused ::1 goes on to 127.0.0.1 at once, both logged" {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null ||
		skip "no ::1 on this host"
	dual_localhost true 2> /dev/null || skip "cannot make a mount namespace here"
	printf 'v4\n' > "$T/b"
	LIN=$T/b start_listen 127.0.0.1
	run -0 dual_localhost timeout 10 "$OSL" -p "$NB" net connect "localhost:$LPORT" < /dev/null
	assert_output v4
	grep '"net.connect"' "$LOG" | grep '"failure"' | grep -q "ECONNREFUSED"
	[ "$(jget '.destination.ip' "$(grep '"net.connect"' "$LOG" | grep '"failure"' | tail -n 1)")" = ::1 ]
	[ "$(jget '.destination.ip' "$(grep '"net.connect"' "$LOG" | tail -n 1)")" = 127.0.0.1 ]
}

@test "unix:PATH sockets, decided as fs.write on the path" {
	printf 'over unix\n' > "$T/b"
	"$OSL" -p "$NB" net listen "unix:$TMPDIR/s" < "$T/b" > "$T/l.out" 2> "$T/l.err" &
	PIDS+=($!)
	for _ in $(seq 300); do [ -S "$TMPDIR/s" ] && break; sleep 0.1; done
	run -0 timeout 10 "$OSL" -p "$NB" net connect "unix:$TMPDIR/s" < /dev/null
	assert_output "over unix"
	run osl -p "$NB" net connect "unix:/run/nosuch.sock"
	assert_failure 3
}

@test "connect --udp sends datagrams" {
	python3 - "$T/u" <<-'EOF' &
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
	open(sys.argv[1], "w").write(str(s.getsockname()[1]) + "\n")
	s.settimeout(10)
	d, a = s.recvfrom(65536)
	s.sendto(d.upper(), a)
	EOF
	PIDS+=($!)
	port=$(wait_line "$T/u" '^[0-9]+$')
	run -0 bash -c "printf 'ping' | timeout 10 '$OSL' -p '$NB' net connect --udp --idle 2s 127.0.0.1:$port"
	assert_output PING
}

# --- check and wait ---

@test "check: open 0, closed 1, denied 3, with -j" {
	start_listen 127.0.0.1 --keep
	run osl -p "$NB" net check "127.0.0.1:$LPORT"
	assert_success
	assert_output "127.0.0.1:$LPORT open"
	port=$(free_port)
	run osl -p "$NB" net check "127.0.0.1:$port"
	assert_failure 1
	run osl -p "$NB" net check 127.0.0.1:9
	assert_failure 3
	assert_output --partial "rule no-discard"
	run osl -j -p "$NB" net check "127.0.0.1:$LPORT" "127.0.0.1:$port"
	assert_failure 1
	[ "$(jget '.[0].state' "$output")" = open ]
	[ "$(jget '.[1].state' "$output")" = closed ]
}

@test "wait: a closed port times out with 124, a denied one is 3 at once" {
	port=$(free_port)
	run osl -p "$NB" net wait --timeout 400ms "127.0.0.1:$port"
	assert_failure 124
	assert_output --partial "not open after 400ms; the last try: Connection refused"
	refute_output --partial "timed out"
	SECONDS=0
	run osl -p "$NB" net wait --timeout 10s 127.0.0.1:9
	assert_failure 3
	[ "$SECONDS" -lt 5 ]
}

@test "wait: a port that opens later is waited for (exit 0)" {
	port=$(free_port)
	(sleep 0.7; exec "$OSL" -p "$NB" net listen "127.0.0.1:$port" < /dev/null > /dev/null 2>&1) &
	PIDS+=($!)
	run osl -p "$NB" net wait --timeout 10s "127.0.0.1:$port"
	assert_success
	assert_output "127.0.0.1:$port open"
}

@test "wait: one net.wait record per target with its tries; the tries themselves only at debug level" {
	port=$(free_port)
	(sleep 0.7; exec "$OSL" -p "$NB" net listen "127.0.0.1:$port" < /dev/null > /dev/null 2>&1) &
	PIDS+=($!)
	closed=$(free_port)
	run osl -p "$NB" net wait --timeout 3s "127.0.0.1:$port" "localhost:$closed"
	assert_failure 124
	[ "$(grep -c '"net.wait"' "$LOG")" -eq 2 ]
	ok=$(jq -c "select(.event.action == \"net.wait\" and .destination.port == $port)" "$LOG")
	[ "$(jget '.event.outcome' "$ok")" = success ]
	[ "$(jget '.osl.tries' "$ok")" -ge 2 ]
	[ "$(jget '.destination.port' "$ok")" = "$port" ]
	[ "$(jget '.event.duration > 0' "$ok")" = true ]
	ko=$(jq -c "select(.event.action == \"net.wait\" and .destination.port == $closed)" "$LOG")
	[ "$(jget '.event.outcome' "$ko")" = failure ]
	# the last real error of the tries, not the deadline
	[ "$(jget '.error.code' "$ko")" = ECONNREFUSED ]
	[ "$(jget '.destination.domain' "$ko")" = localhost ]
	[ "$(jget '.osl.tries' "$ko")" -ge 3 ]
	# not one record per try at info level
	run grep -c -e '"net.connect"' -e '"net.resolve"' "$LOG"
	[ "$output" = 0 ]
	# at debug level, every try is there
	sed 's/level: info/level: debug/' "$NB" > "$T/debug.yaml"
	rm -f "$LOG"
	run osl -p "$T/debug.yaml" net wait --timeout 400ms "127.0.0.1:$closed"
	assert_failure 124
	tries=$(jq -r 'select(.event.action == "net.wait" and .event.outcome == "failure") | .osl.tries' "$LOG")
	[ "$(grep '"net.connect"' "$LOG" | grep -c '"failure"')" -eq "$tries" ]
}

@test "wait: a denied target is one denial record at the start, nothing is tried" {
	port=$(free_port)
	run osl -p "$NB" net wait --timeout 10s "127.0.0.1:$port" 127.0.0.1:9
	assert_failure 3
	assert_output --partial "rule no-discard"
	d=$(jq -c 'select(.event.action == "net.wait" and .destination.port == 9)' "$LOG")
	[ "$(jget '.event.type | index("denied") != null' "$d")" = true ]
	[ "$(jq -r "select(.event.action == \"net.wait\" and .destination.port == $port) | .osl.tries" "$LOG")" = 0 ]
	run grep -c '"net.connect"' "$LOG"
	[ "$output" = 0 ]
}

# --- the proxy ---

# Two web servers on two loopback addresses, and the proxy.
start_web() {
	mkdir -p "$T/www"
	echo "hello from the web" > "$T/www/index.html"
	(cd "$T/www" && exec timeout 60 python3 -u -m http.server 0 --bind 127.0.0.1) > "$T/w1" 2>&1 &
	PIDS+=($!)
	(cd "$T/www" && exec timeout 60 python3 -u -m http.server 0 --bind 127.0.0.2) > "$T/w2" 2>&1 &
	PIDS+=($!)
	W1=$(wait_line "$T/w1" 'port [0-9]+')
	W1=${W1#port }
	# a host whose loopback is 127.0.0.1 alone: the server fails at once
	W2=$(wait_line "$T/w2" 'port [0-9]+|Error') && [ "${W2#port }" != "$W2" ] ||
	    skip "cannot bind 127.0.0.2"
	W2=${W2#port }
	start_proxy
}

# The proxy alone; sets PX (its address) and PXPID.
start_proxy() {
	"$OSL" -p "$P/net-proxy.yaml" net proxy > "$T/px" 2> "$T/px.err" &
	PIDS+=($!)
	PXPID=$!
	PX=$(wait_line "$T/px" '^127\.0\.0\.1:[0-9]+$')
}

# Wait (at most 5 s) until the log has a line with each of the fixed
# strings given: the proxy writes a connection's records when it ends,
# a few milliseconds later, in batches (osl-net(1), proxy).
wait_log() {
	for _ in $(seq 50); do
		grep -F -- "$1" "$LOG" 2>/dev/null | grep -F -- "${2:-}" | grep -qF -- "${3:-}" && return 0
		sleep 0.1
	done
	echo "no record with $* in $LOG" >&2
	return 1
}

@test "proxy: the allowed name works (http and CONNECT), the other fails through it and directly" {
	command -v curl > /dev/null || skip "no curl"
	start_web
	run -0 curl -sS -f -x "http://$PX" "http://localhost:$W1/"
	assert_output "hello from the web"
	run -0 curl -sS -f -p -x "http://$PX" "http://localhost:$W1/"
	assert_output "hello from the web"
	# the other server is up (direct curl works) but not allowed
	run -0 curl -sS -f "http://127.0.0.2:$W2/"
	run curl -sS -f -x "http://$PX" "http://127.0.0.2:$W2/"
	assert_failure
	assert_output --partial "403"
	run curl -sS -f -p -x "http://$PX" "http://127.0.0.2:$W2/"
	assert_failure
	assert_output --partial "403"
	run osl -p "$P/net-proxy.yaml" net connect "127.0.0.2:$W2"
	assert_failure 3
	# every decision is in the log with the name, the address and the bytes
	wait_log '"net.connect"' '"localhost"' '"allow"'
	ok=$(grep '"net.connect"' "$LOG" | grep '"localhost"' | grep '"allow"' | tail -n 1)
	[ "$(jget '.destination.ip' "$ok")" = 127.0.0.1 ]
	[ "$(jget '.destination.port' "$ok")" = "$W1" ]
	[ "$(jget '.rule.id' "$ok")" = local-name ]
	[ "$(jget '.destination.bytes' "$ok")" -gt 0 ]
	[ "$(jget '.source.bytes' "$ok")" -gt 0 ]
	[ "$(grep '"net.connect"' "$LOG" | grep -c "127.0.0.2:$W2 denied")" -ge 3 ]
	run osl log verify "$LOG"
	assert_success
}

@test "proxy: garbage, a 1 MiB request line, an https:// URL without CONNECT and a silent client; it keeps serving" {
	command -v curl > /dev/null || skip "no curl"
	start_web
	run -0 python3 - "${PX%:*}" "${PX#*:}" <<-'EOF'
	import socket, sys
	addr = (sys.argv[1], int(sys.argv[2]))
	def ask(data, shut=True):
	    s = socket.create_connection(addr, timeout=15)
	    try:
	        s.sendall(data)
	    except OSError:
	        pass
	    if shut:
	        try: s.shutdown(socket.SHUT_WR)
	        except OSError: pass
	    out = b""
	    try:
	        while True:
	            b = s.recv(65536)
	            if not b: break
	            out += b
	    except OSError:
	        pass
	    return out.split(b"\r\n", 1)[0].decode()
	silent = socket.create_connection(addr)	# says nothing; must not block others
	print(ask(b"\x00\x01garbage\xff\r\n\r\n"))
	print(ask(b"GET /" + b"a" * (1 << 20) + b" HTTP/1.1\r\n\r\n", shut=False))
	print(ask(b"GET https://localhost/ HTTP/1.1\r\nHost: localhost\r\n\r\n"))
	print(ask(b"CONNECT localhost:99999 HTTP/1.1\r\n\r\n"))
	print(ask(b"GET / HTTP/1.1\r\n\r\n"))
	silent.close()
	EOF
	assert_line --index 0 "HTTP/1.1 400 Bad Request"
	assert_line --index 1 "HTTP/1.1 414 URI Too Long"
	assert_line --index 2 "HTTP/1.1 400 Bad Request"
	assert_line --index 3 "HTTP/1.1 400 Bad Request"
	assert_line --index 4 "HTTP/1.1 400 Bad Request"
	run -0 curl -sS -f -x "http://$PX" "http://localhost:$W1/"
	assert_output "hello from the web"
	wait_log '"net.accept"' "not an HTTP request"
}

@test "proxy: several clients at once" {
	command -v curl > /dev/null || skip "no curl"
	start_web
	for i in 1 2 3 4 5 6; do
		curl -sS -f -x "http://$PX" "http://localhost:$W1/" > "$T/c$i" &
	done
	wait %5 %6 %7 %8 %9 %10 2>/dev/null || true
	for _ in $(seq 300); do [ "$(cat "$T"/c? 2>/dev/null | grep -c hello)" -eq 6 ] && break; sleep 0.1; done
	[ "$(cat "$T"/c? | grep -c hello)" -eq 6 ]
}

@test "proxy: a CONNECT tunnel relays both ways with half-close; the records have the exact bytes and the source the server saw" {
	start_web
	# the server reads to the client's EOF, then answers 1 MiB + 7 and
	# closes: the answer only comes if the half-close went through
	run -0 timeout 60 python3 - "${PX%:*}" "${PX#*:}" <<-'EOF'
	import hashlib, os, socket, sys, threading
	srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
	port = srv.getsockname()[1]
	up, back = os.urandom(3 << 20), os.urandom((1 << 20) + 7)
	seen = {}
	def serve():
	    c, peer = srv.accept(); seen["peer"] = peer[1]
	    got = b""
	    while True:
	        b = c.recv(1 << 16)
	        if not b: break
	        got += b
	    seen["up"] = hashlib.sha256(got).digest() == hashlib.sha256(up).digest()
	    c.sendall(back); c.close()
	th = threading.Thread(target=serve); th.start()
	s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
	head = b"CONNECT localhost:%d HTTP/1.1\r\n\r\n" % port
	s.sendall(head)
	r = b""
	while not r.endswith(b"\r\n\r\n"):
	    b = s.recv(1)
	    if not b: break
	    r += b
	s.sendall(up); s.shutdown(socket.SHUT_WR)
	got = b""
	while True:
	    b = s.recv(1 << 16)
	    if not b: break
	    got += b
	th.join(30)
	print(r.split(b"\r\n")[0].decode())
	print(port, seen.get("peer"), seen.get("up"), got == back, len(head), len(r))
	EOF
	assert_line --index 0 "HTTP/1.1 200 Connection established"
	read -r sport peer upok backok hlen rlen <<< "${lines[1]}"
	[ "$upok" = True ] && [ "$backok" = True ]
	# the records are written when the tunnel ends: wait for both
	for _ in $(seq 300); do
		grep '"net.connect"' "$LOG" | grep -q "\"port\":$sport[,}]" && break
		sleep 0.1
	done
	con=$(grep '"net.connect"' "$LOG" | grep "\"port\":$sport[,}]" | tail -n 1)
	[ "$(jget '.source.ip' "$con")" = 127.0.0.1 ]
	[ "$(jget '.source.port' "$con")" = "$peer" ]
	[ "$(jget '.source.bytes' "$con")" = $((3 << 20)) ]
	[ "$(jget '.destination.bytes' "$con")" = $(((1 << 20) + 7)) ]
	# the client's own record: what it sent (the head too) and got (the 200 too)
	for _ in $(seq 300); do
		acc=$(grep '"net.accept"' "$LOG" | grep '"source":{[^}]*"bytes":'$((hlen + (3 << 20))) | tail -n 1)
		[ -n "$acc" ] && break
		sleep 0.1
	done
	[ "$(jget '.source.bytes' "$acc")" = $((hlen + (3 << 20))) ]
	[ "$(jget '.destination.bytes' "$acc")" = $((rlen + (1 << 20) + 7)) ]
	[ "$(jget '.destination.ip' "$acc")" = 127.0.0.1 ]
	[ "$(jget '.destination.port' "$acc")" = "${PX#*:}" ]
	run osl log verify "$LOG"
	assert_success
}

@test "proxy: SIGTERM right after N tunnels: every record is written, and the open tunnels and heads end with theirs" {
	start_proxy
	# N tunnels that end, then K held open, then SIGTERM at once: the
	# held ones end (the client sees the end), and the proxy exits
	run -0 timeout 60 python3 - "${PX%:*}" "${PX#*:}" "$PXPID" 20 3 <<-'EOF'
	import os, signal, socket, sys, threading
	px, pid, n, k = (sys.argv[1], int(sys.argv[2])), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
	srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(64)
	port = srv.getsockname()[1]
	def echo(c):
	    while True:
	        b = c.recv(65536)
	        if not b: break
	        c.sendall(b)
	    c.close()
	def serve():
	    while True:
	        threading.Thread(target=echo, args=(srv.accept()[0],), daemon=True).start()
	threading.Thread(target=serve, daemon=True).start()
	def tunnel():
	    s = socket.create_connection(px, timeout=30)
	    s.sendall(b"CONNECT localhost:%d HTTP/1.1\r\n\r\n" % port)
	    r = b""
	    while not r.endswith(b"\r\n\r\n"):
	        b = s.recv(1)
	        if not b: sys.exit("no answer: %r" % r)
	        r += b
	    if not r.startswith(b"HTTP/1.1 200"): sys.exit(r.decode())
	    s.sendall(b"ping")
	    got = b""
	    while len(got) < 4: got += s.recv(4 - len(got))
	    return s
	def drain(s):
	    while s.recv(65536): pass
	    s.close()
	# a head still being read: in the accept queue before the tunnels
	# (TCP_DEFER_ACCEPT queues it with its first bytes), so taken first
	half = socket.create_connection(px, timeout=30)
	half.sendall(b"CONNECT localhost:%d HTTP/1.1\r\n" % port)
	for _ in range(n):
	    s = tunnel(); s.shutdown(socket.SHUT_WR); drain(s)
	held = [tunnel() for _ in range(k)]
	os.kill(pid, signal.SIGTERM)
	for s in held: drain(s)
	print(half.recv(65536).split(b"\r\n")[0].decode())
	print(port)
	EOF
	assert_line --index 0 "HTTP/1.1 503 Service Unavailable"
	output=${lines[1]}
	port=$output
	for _ in $(seq 100); do kill -0 "$PXPID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$PXPID" 2>/dev/null; then echo "the proxy did not exit"; false; fi
	wait "$PXPID"	# its status: 0
	# each tunnel's two records: net.connect to the server, net.accept of the client
	con=$(grep '"net.connect"' "$LOG" | grep "\"port\":$port[,}]" | grep '"allow"')
	[ "$(grep -c '"outcome":"success"' <<< "$con")" -eq 20 ]
	[ "$(grep '"outcome":"failure"' <<< "$con" | grep -c 'cut short: osl is stopping')" -eq 3 ]
	[ "$(grep -c '"net.accept"' "$LOG")" -eq 24 ]
	[ "$(grep '"net.accept"' "$LOG" | grep -c 'cut short: osl is stopping')" -eq 4 ]
	run osl log verify "$LOG"
	assert_success
}

# --- addresses as the kernel routes them (osl-net(1), DESTINATIONS) ---

# The forms of "this host" that a loopback deny must hold: Linux routes a
# connection to the unspecified address to the local host.
LOOPBACK_FORMS='0.0.0.0 [::] 0 [::ffff:0.0.0.0] [::ffff:127.0.0.1] [0:0:0:0:0:ffff:7f00:1] [::ffff:0:0] 127.1'

@test "connect: the unspecified and v4-mapped addresses are this host's loopback for a deny" {
	LD=$P/net-loopback-deny.yaml
	printf 'hi\n' > "$T/b"
	LIN=$T/b start_listen 127.0.0.1
	for h in $LOOPBACK_FORMS; do
		run timeout 10 "$OSL" -p "$LD" net connect "$h:$LPORT" < /dev/null
		[ "$status" -eq 3 ] || { echo "$h:$LPORT: exit $status: $output"; false; }
		assert_output --partial "denied by policy"
		refute_output hi
	done
	# the record names the address the connection would have reached
	rec=$(grep '"net.connect"' "$LOG" | grep '"net.connect 0.0.0.0:' | tail -n 1)
	[ "$(jget '.destination.ip' "$rec")" = 127.0.0.1 ]
	rec=$(grep '"net.connect"' "$LOG" | grep '"net.connect \[::\]:' | tail -n 1)
	[ "$(jget '.destination.ip' "$rec")" = ::1 ]
	for v in check wait; do
		run timeout 10 "$OSL" -p "$LD" net $v --timeout 5s "0.0.0.0:$LPORT" "[::]:$LPORT"
		assert_failure 3
	done
	# the listener saw nothing: it still waits for its one client
	kill -0 "$LPID"
	# where the loopback is allowed, 0.0.0.0 reaches the listener as 127.0.0.1
	run -0 timeout 10 "$OSL" -p "$NB" net connect "0.0.0.0:$LPORT" < /dev/null
	assert_output hi
	c=$(grep '"net.connect"' "$LOG" | tail -n 1)
	[ "$(jget '.destination.ip' "$c")" = 127.0.0.1 ]
}

# --- a name with several addresses (a hosts file in a mount namespace) ---

# Run "$@" with /etc/hosts replaced by $T/hosts in a mount namespace of its
# own: the host's /etc/hosts is never touched.
with_hosts() {
	unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$T/hosts" "$@"
}

need_hosts_ns() {
	printf '127.0.0.1 probe.test\n' > "$T/hosts"
	with_hosts "$OSL" -p "$NB" net resolve probe.test > /dev/null 2>&1 ||
		skip "cannot bind-mount a hosts file in a mount namespace (unshare -m)"
}

@test "connect by name: an explicit deny on any resolved address denies the name, the allowed one is not tried" {
	need_hosts_ns
	printf 'hi\n' > "$T/b"
	LIN=$T/b start_listen 127.0.0.1
	# the allowed, listening address first: a connect that skipped the deny would get there
	printf '127.0.0.1 multi.test\n127.0.0.5 multi.test\n127.0.0.1 multi-ok.test\n127.0.0.6 multi-ok.test\n' > "$T/hosts"
	run -0 with_hosts "$OSL" -p "$NB" net resolve multi.test
	assert_output $'127.0.0.1\n127.0.0.5'
	run with_hosts timeout 10 "$OSL" -p "$NB" net connect "multi.test:$LPORT" < /dev/null
	assert_failure 3
	assert_output "osl net connect: 'multi.test:$LPORT': denied by policy (rule no-five at $NB:16:7)"
	kill -0 "$LPID"		# nobody came
	# an address that is only not allowed (no deny) is skipped: the other one connects
	run -0 with_hosts timeout 10 "$OSL" -p "$NB" net connect "multi-ok.test:$LPORT" < /dev/null
	assert_output hi
}

@test "proxy: an explicit deny on any resolved address of a name denies it (CONNECT and GET)" {
	need_hosts_ns
	command -v curl > /dev/null || skip "no curl"
	start_web
	printf '127.0.0.1 multi.test\n127.0.0.5 multi.test\n127.0.0.1 multi-ok.test\n127.0.0.6 multi-ok.test\n' > "$T/hosts"
	# exec: $! is the proxy itself, which teardown stops
	(exec unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$T/hosts" \
	    "$OSL" -p "$NB" net proxy) > "$T/px2" 2> "$T/px2.err" &
	PIDS+=($!)
	PX2=$(wait_line "$T/px2" '^127\.0\.0\.1:[0-9]+$')
	run curl -sS -f -x "http://$PX2" "http://multi.test:$W1/"
	assert_failure
	assert_output --partial "403"
	run curl -sS -f -p -x "http://$PX2" "http://multi.test:$W1/"
	assert_failure
	assert_output --partial "403"
	run -0 curl -sS -f -x "http://$PX2" "http://multi-ok.test:$W1/"
	assert_output "hello from the web"
	[ "$(grep '"net.connect"' "$LOG" | grep "multi.test:$W1 denied" | grep -c 'no-five')" -eq 2 ]
}
