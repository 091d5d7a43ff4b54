#!/usr/bin/env bats
# osl supervise -c FILE: the control socket is not the tree's to use.  A
# child (sandboxed by a policy or not) that asks the socket to stop its
# sibling is refused, logged, and a sandboxed one cannot even see the
# socket's folder; control: {tree: true} lets the tree in.
load supervise

setup() {
	sv_setup
	SV_FILE=t.yaml
	P=$OSL_TOP/test/fixtures/supervise
}

# The tree: a victim, and an attacker ($1: its extra keys) that asks the
# socket to stop it.  $2: a control: line for the file.
attack_tree() {
	cp "$P/ctl-attack.py" "$T/"
	cat > t.yaml <<-EOF
	version: 1
	$2
	supervisor:
	  children:
	    - name: victim
	      cmd: [sleep, "1000"]
	    - name: attacker
	      cmd: [/usr/bin/python3, $T/ctl-attack.py, $SOCK]
	      restart: temporary
	      output: log
	      $1
	EOF
}

@test "control: a child of the tree is refused (and logged); its sibling keeps running" {
	attack_tree ""
	start_tree
	wait_record '.message | test("^(answer|connect): ")'
	run jq -r 'select(.message | test("^(answer|connect): ")) | .message' "$LOG"
	assert_output --partial 'answer: {"ok":false,"error":"permission denied: '
	assert_output --partial 'a process of the supervised tree'
	wait_record '.event.action == "supervise.control"'
	rec=$(jq -c 'select(.event.action == "supervise.control")' "$LOG" | head -n 1)
	[ "$(jget '.event.outcome' "$rec")" = failure ]
	[ "$(jget '.osl.supervise.peer_pid > 0' "$rec")" = true ]
	[ "$(child 0 .state)" = up ]
	# from outside the tree, the same request works
	run -0 "$OSL" supervise ctl stop victim
}

@test "control: a child with a policy cannot even see the socket's folder" {
	attack_tree "policy: $P/child-policy.yaml"
	start_tree
	wait_record '.message | test("^(answer|connect): ")'
	run jq -r 'select(.message | test("^(answer|connect): ")) | .message' "$LOG"
	# an empty mode-0 tmpfs over the folder: not found, or not even
	# searchable once the child has no CAP_DAC_OVERRIDE (root's is dropped)
	assert_output --regexp '^connect: (FileNotFoundError|PermissionError)$'
	[ "$(child 0 .state)" = up ]
}

@test "control: {tree: true} lets the tree's processes use the socket" {
	attack_tree "" "control: { tree: true }"
	start_tree
	wait_record '.message | test("^(answer|connect): ")'
	run jq -r 'select(.message | test("^(answer|connect): ")) | .message' "$LOG"
	assert_output --partial 'answer: {"ok":true'
	for _ in $(seq 100); do [ "$(child 0 .state)" = down ] && break; sleep 0.05; done
	[ "$(child 0 .state)" = down ]
}

# A fake supervisor on socket $1 (python3; as uid $2 once bound, when
# given): each request line goes to $T/fake.got, each is answered with a
# status of one child "fake"; $T/fake.ready says ready once it listens.
fake_server() {
	cat > "$T/fake.py" <<-'PY'
	import os, socket, sys
	got = open(os.environ["T"] + "/fake.got", "a", buffering=1)
	ready = open(os.environ["T"] + "/fake.ready", "w")
	s = socket.socket(socket.AF_UNIX)
	s.bind(sys.argv[1])
	os.chmod(sys.argv[1], 0o666)
	if len(sys.argv) > 2:
	    os.setgid(int(sys.argv[2])); os.setuid(int(sys.argv[2]))
	s.listen(4)
	ready.write("ready\n")
	ready.close()
	while True:
	    c, _ = s.accept()
	    got.write(c.makefile().readline())
	    c.sendall(b'{"ok":true,"tree":{"name":"fake","state":"up","pid":1,"restarts":0}}\n')
	    c.close()
	PY
	rm -f "$T/fake.ready" "$T/fake.got"
	T=$T /usr/bin/python3 "$T/fake.py" "$@" 3>&- &
	FAKE=$!
	for _ in $(seq 200); do [ -s "$T/fake.ready" ] && return; sleep 0.05; done
	false
}

@test "ctl trusts no socket in a folder others may write, or own, nor a server of another uid" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed"
	[ "$(id -u)" = 0 ] || skip "needs root (a folder and a server of another uid)"
	teardown() { [ -z "${FAKE:-}" ] || kill "$FAKE" 2>/dev/null || true; }
	# a good folder (ours, 0700): the fake's answer is taken (what the
	# refusals below would otherwise print)
	mkdir -m 0700 "$T/good"
	fake_server "$T/good/s.sock"
	run -0 "$OSL" supervise ctl -s "$T/good/s.sock" status
	assert_output --partial fake
	kill "$FAKE"; FAKE=
	# a folder others may write (a shared /tmp): refused, nothing sent
	mkdir -m 0777 "$T/open" && chmod 0777 "$T/open"
	fake_server "$T/open/s.sock"
	run -1 "$OSL" supervise ctl -s "$T/open/s.sock" stop db
	assert_output "osl supervise ctl: '$T/open/s.sock': not trusted: its folder '$T/open' has mode 0777, writable by others"
	[ ! -s "$T/fake.got" ]
	kill "$FAKE"; FAKE=
	# XDG_RUNTIME_DIR set by an attacker to a folder of another user's
	mkdir -m 0700 -p "$T/other/osl" && chown -R 65534:65534 "$T/other"
	fake_server "$T/other/osl/supervise.sock"
	XDG_RUNTIME_DIR=$T/other run -1 "$OSL" -j supervise ctl status
	assert_output --partial "not trusted: its folder '$T/other/osl' belongs to uid 65534, neither osl's user nor root"
	refute_output --partial fake
	[ ! -s "$T/fake.got" ]
	kill "$FAKE"; FAKE=
	# a good folder, a server that is another uid's (bound, then setuid)
	rm -f "$T/good/s.sock"
	fake_server "$T/good/s.sock" 65534
	run -1 "$OSL" supervise ctl -s "$T/good/s.sock" stop db
	assert_output "osl supervise ctl: '$T/good/s.sock': not trusted: its server is uid 65534, neither osl's user nor root"
	[ ! -s "$T/fake.got" ]
	# a link to a good folder is not followed
	ln -s good "$T/link"
	run -1 "$OSL" supervise ctl -s "$T/link/s.sock" status
	assert_output --partial "cannot connect"
}
