#!/usr/bin/env bats
# osl proc run with host-name rules: the egress proxy for the life of the
# child, in the child's own network namespace where one can be made.
load helper

bats_require_minimum_version 1.5.0

setup() {
	common_setup
	P=$OSL_TOP/test/fixtures/policies
	PE=$P/net-egress.yaml
	PIDS=()
	command -v curl > /dev/null || skip "no curl"
}

teardown() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -n "${U:-}" ]; then rm -rf "$U"; fi
}

wait_line() {
	for _ in $(seq 300); do
		if grep -qE "$2" "$1" 2>/dev/null; then grep -oE "$2" "$1" | head -n 1; return 0; fi
		sleep 0.1
	done
	return 1
}

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
}

# What the child tries: the allowed name through the proxy (http and a
# CONNECT tunnel), the other address through it, and both directly.
egress_script() {
	echo "curl -sS -f http://localhost:$W1/ && echo via-proxy-ok
		curl -sS -f -p http://localhost:$W1/ && echo tunnel-ok
		curl -sS -f http://127.0.0.2:$W2/ || echo other-refused-by-proxy
		curl -sS -f --noproxy '*' --max-time 5 http://127.0.0.2:$W2/ || echo other-unreachable-directly
		curl -sS -f --noproxy '*' --max-time 5 http://127.0.0.1:$W1/ || echo host-loopback-unreachable"
}

assert_egress_held() {
	assert_success
	assert_line "hello from the web"
	assert_line via-proxy-ok
	assert_line tunnel-ok
	assert_line other-refused-by-proxy
	assert_line other-unreachable-directly
	assert_line host-loopback-unreachable
}

# full only where osl can make the namespace (root here)
need_netns() {
	osl -j -p "$PE" proc run --dry-run > "$T/r.json" || true
	lvl=$(jq -r '.[] | select(.rule == "egress-proxy") | .enforcement' "$T/r.json")
	[ "$lvl" = full ] || skip "no network namespace here: $(jq -r '.[] | select(.rule == "egress-proxy") | .reason' "$T/r.json")"
}

@test "egress: the report names the proxy; name rules are full in a namespace" {
	need_netns
	run -0 osl -p "$PE" proc run --dry-run
	assert_line --regexp '^full +net +egress-proxy +a network namespace with only loopback'
	assert_line --regexp '^full +net.connect +localhost:\* +web-by-name: only through the egress proxy'
	# the proxy of a dry run (and its record thread) makes no log
	assert_file_not_exists "$LOG"
}

@test "egress: the child gets the proxy variables" {
	run -0 osl -p "$PE" proc run -- sh -c 'for v in http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY; do eval echo \$v=\$$v; done'
	assert_line --regexp '^http_proxy=http://127\.0\.0\.1:[0-9]+$'
	assert_line --regexp '^https_proxy=http://127\.0\.0\.1:[0-9]+$'
	assert_line --regexp '^HTTP_PROXY=http://127\.0\.0\.1:[0-9]+$'
	assert_line --regexp '^HTTPS_PROXY=http://127\.0\.0\.1:[0-9]+$'
	assert_line --regexp '^ALL_PROXY=http://127\.0\.0\.1:[0-9]+$'
}

@test "egress: the named host works through the proxy; the other fails through it and directly" {
	need_netns
	start_web
	run osl -p "$PE" proc run -- sh -c "$(egress_script)"
	assert_egress_held
	# every decision of the proxy is in the log
	ok=$(grep '"net.connect"' "$LOG" | grep '"allow"' | tail -n 1)
	[ "$(jget '.destination.domain' "$ok")" = localhost ]
	[ "$(jget '.rule.id' "$ok")" = web-by-name ]
	[ "$(jget '.destination.bytes' "$ok")" -gt 0 ]
	grep '"net.connect"' "$LOG" | grep -q "127.0.0.2:$W2 denied"
	grep -q '"proc.exit"' "$LOG"
	run osl log verify "$LOG"
	assert_success
}

@test "egress: the proxy ends with the child; every entry is full in a namespace" {
	need_netns
	mkdir -p "$T/secret" "$T/bin"	# the policy's paths exist: held in full
	run -0 osl -j -p "$PE" proc run --dry-run
	echo "$output" | jq -e '[.[] | select(.enforcement and .enforcement != "full") | .rule] == []'
	run -0 osl -p "$PE" proc run -- sh -c 'echo $http_proxy'
	url=$output
	run curl -sS --max-time 2 "$url"
	assert_failure
}

# An unprivileged user: nobody when the tests run as root, else ourselves.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	else
		"$@"
	fi
}

need_userns() {
	if [ "$(id -u)" = 0 ]; then command -v setpriv > /dev/null || skip "no setpriv"; fi
	as_user unshare -Urn true 2> /dev/null ||
		skip "no unprivileged user namespace here (user.max_user_namespaces=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo -), kernel.unprivileged_userns_clone=$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo -))"
	# a directory the unprivileged user owns (bats' own are root's, mode 700)
	U=$(mktemp -d /tmp/osl-egress-user.XXXXXX)
	chmod 755 "$U"
	if [ "$(id -u)" = 0 ]; then chown nobody:nogroup "$U"; fi
}

@test "egress: an unprivileged user gets full through a user namespace of its own" {
	need_userns
	start_web
	cd "$U"
	run -0 as_user env HOME="$U" XDG_STATE_HOME="$U/state" TMPDIR="$U" "$OSL" -p "$PE" proc run --dry-run
	assert_line --regexp '^full +net +egress-proxy +a network namespace with only loopback'
	assert_line --regexp '^full +net.connect +localhost:\* +web-by-name'
	assert_line --regexp 'namespaces: user mount net ipc uts$'	# mount: the noexec mounts (exec-via-loader)
	run as_user env HOME="$U" XDG_STATE_HOME="$U/state" TMPDIR="$U" "$OSL" -p "$PE" proc run -- sh -c "id -u; $(egress_script)"
	assert_egress_held
	assert_line "$(as_user id -u)"
	ok=$(grep '"net.connect"' "$U/state/osl/activity.jsonl" | grep '"allow"' | tail -n 1)
	[ "$(jget '.destination.domain' "$ok")" = localhost ]
	grep '"net.connect"' "$U/state/osl/activity.jsonl" | grep -q "127.0.0.2:$W2 denied"
}

# Run "$@" where no namespace can be made: uid 0 without capabilities in a
# user namespace whose user.max_user_namespaces is 0 (a container that
# forbids nested namespaces, or a host with user namespaces turned off).
no_ns() {
	unshare -U -r sh -c 'echo 0 > /proc/sys/user/max_user_namespaces &&
		exec setpriv --bounding-set=-all --inh-caps=-all "$@"' sh "$@"
}

need_no_ns() {
	command -v setpriv > /dev/null || skip "no setpriv"
	no_ns true 2> /dev/null || skip "cannot make a user namespace to test in"
	! no_ns unshare -n true 2> /dev/null || skip "a namespace can still be made"
	PROBES=${OSL_BUILD:-$OSL_TOP/build}/probes
	[ -x "$PROBES/udp_socket" ] || PROBES=$OSL_TOP/build/probes
	[ -x "$PROBES/udp_socket" ] || skip "probes not built (make probes)"
	mkdir -p "$T/bin"
	cp "$PROBES/udp_socket" "$PROBES/udp_send" "$PROBES/packet_socket" "$PROBES/tcp_connect" "$T/bin/"
}

@test "egress without a namespace: partial, tcp only to the proxy, udp and packet sockets refused" {
	need_no_ns
	start_web
	run -0 no_ns "$OSL" -p "$PE" proc run --dry-run
	assert_line --regexp '^partial +net +egress-proxy +landlock allows tcp by port only .* seccomp refuses udp, raw and packet sockets.*; no network namespace: unshare: '
	assert_line --regexp '^partial +net.connect +localhost:\* +web-by-name: only through the egress proxy'
	run no_ns "$OSL" -p "$PE" proc run --require-full -- true
	[ "$status" -eq 125 ]
	# bare, the same probes get out: udp works, a packet socket needs a capability
	run -0 no_ns "$T/bin/udp_socket" "$T"
	assert_output '{"probe":"udp_socket","errno":0}'
	run -0 no_ns "$OSL" -p "$PE" proc run -- sh -c "
		curl -sS -f http://localhost:$W1/ && echo via-proxy-ok
		curl -sS -f http://127.0.0.2:$W2/ || echo other-refused-by-proxy
		bin/udp_socket . ; bin/udp_send . ; bin/packet_socket . ; bin/tcp_connect . $W1"
	assert_line via-proxy-ok
	assert_line other-refused-by-proxy
	assert_line '{"probe":"udp_socket","errno":1}'		# EPERM (seccomp)
	assert_line '{"probe":"udp_send","errno":1}'
	assert_line '{"probe":"packet_socket","errno":97}'	# EAFNOSUPPORT (seccomp), not EPERM
	assert_line '{"probe":"tcp_connect","errno":13}'	# EACCES (landlock): not the proxy's port
}

# The forms of "this host" that a loopback deny must hold: Linux routes a
# connection to the unspecified address to the local host (osl-net(1)).
LOOPBACK_FORMS='0.0.0.0 [::] 0 [::ffff:0.0.0.0] [::ffff:127.0.0.1] [0:0:0:0:0:ffff:7f00:1] [::ffff:0:0] 127.1'

@test "egress: CONNECT and GET to the unspecified and v4-mapped addresses are denied under a loopback deny" {
	need_netns
	start_web
	cat > "$T/ask.py" <<-'EOF'
	import os, socket, sys
	u = os.environ["http_proxy"].split("//")[1]
	addr = (u.split(":")[0], int(u.split(":")[1]))
	def ask(line):
	    s = socket.create_connection(addr, timeout=15)
	    s.sendall(line.encode() + b"\r\n\r\n")
	    out = b""
	    while b"\r\n" not in out:	# the status line: a tunnel stays open
	        b = s.recv(65536)
	        if not b: break
	        out += b
	    s.close()
	    return out.split(b"\r\n", 1)[0].decode()
	for h in sys.argv[2:]:
	    print(h, ask("CONNECT %s:%s HTTP/1.1" % (h, sys.argv[1])))
	    print(h, ask("GET http://%s:%s/ HTTP/1.1" % (h, sys.argv[1])))
	EOF
	run osl -p "$P/net-egress-loopback-deny.yaml" proc run -- /usr/bin/python3 "$T/ask.py" "$W1" $LOOPBACK_FORMS
	[ "$(grep -c ' HTTP/1.1 403 Forbidden$' <<< "$output")" -eq 16 ] || { echo "$output"; false; }
	# the record names the address the connection would have reached
	rec=$(grep '"net.connect"' "$LOG" | grep '"net.connect 0.0.0.0:' | tail -n 1)
	[ "$(jget '.destination.ip' "$rec")" = 127.0.0.1 ]
}
