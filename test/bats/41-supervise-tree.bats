#!/usr/bin/env bats
# osl supervise -c FILE: trees from YAML, the control socket, strategies seen
# through `ctl status -j` pids.  Real processes; no timing is asserted.
load supervise

setup() {
	sv_setup
	SV_FILE=tree.yaml
}

# A tree of three sleepers a b c under STRATEGY ($1), plus extra YAML ($2).
tree3() {
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  name: app
	  strategy: $1
	  intensity: 10
	  period: 1m
	  children:
	    - name: a
	      cmd: [sleep, "1000"]
	    - name: b
	      cmd: [sleep, "1000"]
	    - name: c
	      cmd: [sleep, "1000"]
	EOF
}

pids() { "$OSL" -j supervise ctl status | jq -r '[.tree.children[].pid] | map(tostring) | join(" ")'; }

# Wait until every child has a pid different from the ones in $1.
settled() {
	for _ in $(seq 200); do
		p=$(pids)
		case "$p" in *null*) ;; *) [ "$p" != "$1" ] && return 0 ;; esac
		sleep 0.05
	done
	return 1
}

@test "supervise -c --check: a valid tree" {
	tree3 one_for_one
	run osl supervise -c tree.yaml --check
	assert_success
	assert_output "tree.yaml: ok (3 children, 1 supervisors)"
	run osl -j supervise -c tree.yaml --check
	assert_success
	[ "$(jget .children "$output")" = 3 ]
}

@test "supervise -c: a bad file is FILE:LINE:COL and exit 2, before anything starts" {
	printf 'version: 1\nsupervisor:\n  strategy: bogus\n  children: []\n' > bad.yaml
	run osl supervise -c bad.yaml
	assert_failure 2
	assert_output --partial "bad.yaml:3:13: strategy: one of one_for_one"
	printf 'version: 1\nsupervisor:\n  children:\n    - name: x\n      cmd: [true]\n      colour: red\n' > bad.yaml
	run osl supervise -c bad.yaml
	assert_failure 2
	assert_output --partial "bad.yaml:6:7: 'colour': unknown or unsupported key"
	printf 'version: 1\nsupervisor:\n  children:\n    - name: x\n      cmd: [./nosuch]\n' > bad.yaml
	run osl supervise -c bad.yaml --check
	assert_failure 2
	assert_output --partial "bad.yaml:5:13:"
	printf 'version: 1\nsupervisor:\n  children:\n    - name: x\n      cmd: [true]\n      significant: true\n' > bad.yaml
	run osl supervise -c bad.yaml --check
	assert_failure 2
	assert_output --partial "significant child must be transient or temporary"
	printf 'version: 1\nsupervisor:\n  children:\n    - {name: x, cmd: [true]}\n    - {name: x, cmd: [true]}\n' > bad.yaml
	run osl supervise -c bad.yaml --check
	assert_failure 2
	printf 'version: 1\nsupervisor:\n  children:\n\t- {name: x, cmd: [true]}\n' > bad.yaml
	run osl supervise -c bad.yaml --check
	assert_failure 2
	assert_output --partial "bad.yaml:4:1: invalid YAML: a tab is not allowed for indentation in YAML"
	printf 'version: 1\nsupervisor: &a\n  children: *a\n' > bad.yaml
	run osl supervise -c bad.yaml --check
	assert_failure 2
	printf '\x00\x01garbage' > bad.yaml
	run osl supervise -c bad.yaml --check
	assert_failure 2
}

@test "supervise -c one_for_one: only the killed child gets a new pid" {
	tree3 one_for_one
	start_tree
	read -r a b c <<<"$(pids)"
	kill -KILL "$b"
	settled "$a $b $c"
	read -r a2 b2 c2 <<<"$(pids)"
	[ "$a2" = "$a" ] && [ "$b2" != "$b" ] && [ "$c2" = "$c" ]
}

@test "supervise -c one_for_all: every child gets a new pid" {
	tree3 one_for_all
	start_tree
	read -r a b c <<<"$(pids)"
	kill -KILL "$b"
	settled "$a $b $c"
	for _ in $(seq 100); do read -r a2 b2 c2 <<<"$(pids)"; [ "$a2" != "$a" ] && [ "$c2" != "$c" ] && break; sleep 0.05; done
	[ "$a2" != "$a" ] && [ "$b2" != "$b" ] && [ "$c2" != "$c" ]
	grep -q '"action":"supervise.restart"' "$LOG"
}

@test "supervise -c rest_for_one: the killed child and the later ones restart" {
	tree3 rest_for_one
	start_tree
	read -r a b c <<<"$(pids)"
	kill -KILL "$b"
	settled "$a $b $c"
	for _ in $(seq 100); do read -r a2 b2 c2 <<<"$(pids)"; [ "$c2" != "$c" ] && break; sleep 0.05; done
	[ "$a2" = "$a" ] && [ "$b2" != "$b" ] && [ "$c2" != "$c" ]
}

@test "supervise -c: more restarts than the intensity allows is exit 1" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 2
	  period: 1m
	  children:
	    - name: crash
	      cmd: [sh, -c, "exit 1"]
	      backoff: { initial: 10ms }
	EOF
	run timeout 30 "$OSL" supervise -c t.yaml
	assert_failure 1
	grep -q '"action":"supervise.giveup"' "$LOG"
}

@test "supervise -c: SIGTERM shuts the tree down in reverse order, exit 0" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	EOF
	for n in a b c; do
		printf '    - name: %s\n      cmd: [sh, -c, "trap \\"echo %s >> %s/order; exit 0\\" TERM; touch %s/trap-%s; while :; do sleep 0.02; done"]\n' \
		    "$n" "$n" "$T" "$T" "$n" >> t.yaml
	done
	start_tree t.yaml
	# the TERM must find each shell's trap in place
	for _ in $(seq 200); do [ -e trap-a ] && [ -e trap-b ] && [ -e trap-c ] && break; sleep 0.05; done
	kill -TERM "$SVPID"
	st=0; wait "$SVPID" || st=$?
	SVPID=
	[ "$st" -eq 0 ]
	[ "$(tr '\n' ' ' < "$T/order")" = "c b a " ]
	[ ! -e "$SOCK" ]
}

@test "supervise ctl: stop, start, restart, signal, metrics" {
	tree3 one_for_one
	start_tree
	run osl supervise ctl stop b
	assert_success
	# the answer comes when b has its stop signal, not when it is reaped
	wait_for 1 .state down
	run osl -j supervise ctl status
	[ "$(jget '.tree.children[1].pid' "$output")" = null ]
	[ "$(jget '.tree.strategy' "$output")" = one_for_one ]
	run osl supervise ctl start b
	assert_success
	wait_for 1 .state up
	run osl supervise ctl signal c KILL
	assert_success
	run osl supervise ctl metrics
	assert_success
	assert_output --partial 'osl_supervise_up{name="a"} 1'
	assert_output --partial '# TYPE osl_supervise_restarts_total counter'
	run osl supervise ctl stop nosuch
	assert_failure 1
	assert_output --partial "no such child"
	# an unknown verb is a usage error (osl(1) EXIT STATUS), found before
	# the supervisor is asked
	run osl supervise ctl bogus
	assert_failure 2
	assert_output --partial "unknown verb 'bogus'"
}

@test "supervise ctl: errors name the child, suggest its path, name an unknown signal" {
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: workers
	      supervisor:
	        children:
	          - { name: w-1, cmd: [sleep, "1000"] }
	          - { name: w-2, cmd: [sleep, "1000"] }
	    - name: web
	      cmd: [sh, -c, "trap 'echo hup >> $T/hups' HUP; touch $T/web-up; while :; do sleep 0.05; done"]
	      stop: { signal: kill }
	EOF
	start_tree
	for _ in $(seq 200); do [ -e "$T/web-up" ] && break; sleep 0.05; done
	run osl supervise ctl restart w-2
	assert_failure 1
	assert_output --partial "'w-2': no such child; did you mean 'workers/w-2'?"
	run osl supervise ctl restart nosuch
	assert_failure 1
	assert_output --partial "'nosuch': no such child (see 'osl supervise ctl status'"
	run osl supervise ctl restart workers/w-2
	assert_success
	# a bad value: refused before it is sent (osl(1) EXIT STATUS 2)
	run osl supervise ctl signal web NOPE
	assert_failure 2
	assert_output --partial "'NOPE': unknown signal (a name such as HUP"
	refute_output --partial "is needed"
	run osl supervise ctl signal web SIGHUP
	assert_success
	# osl(1) SIGNALS: any case, as proc kill -s (bats 30); the tree
	# file's stop.signal too (kill, above)
	for sig in sighup hup Hup 1; do
		run osl supervise ctl signal web "$sig"
		assert_success
	done
	for _ in $(seq 200); do [ "$(wc -l < "$T/hups")" -ge 5 ] && break; sleep 0.05; done
	[ "$(wc -l < "$T/hups")" -eq 5 ]
	[ "$(jget '.tree.children[1].restarts' "$("$OSL" -j supervise ctl status)")" = 0 ]
	run osl supervise ctl signal workers TERM
	assert_failure 1
	assert_output --partial "a child process is needed, not a supervisor"
	run osl supervise ctl restrat web
	assert_failure 2
	assert_output --partial "did you mean 'restart'"
}

@test "supervise ctl: garbage, oversized and half-written requests get an error, the supervisor goes on" {
	command -v python3 >/dev/null || skip "python3 is needed to talk raw to the socket"
	tree3 one_for_one
	start_tree
	run python3 - "$SOCK" <<-'EOF'
	import socket, sys
	def ask(data):
	    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(data)
	    s.settimeout(5); out = s.recv(65536).decode(); s.close(); return out.strip()
	half = socket.socket(socket.AF_UNIX); half.connect(sys.argv[1]); half.sendall(b'{"cmd":')
	print(ask(b'garbage\n'))
	print(ask(b'\xff\xfe[1,2]\n'))
	print(ask(b'{"cmd":"status"' + b' ' * 5000))
	print(ask(b'{"cmd":"status"}\n')[:11])
	EOF
	assert_success
	assert_line --index 0 '{"ok":false,"error":"malformed request: a JSON object is needed"}'
	assert_line --index 1 --partial '"ok":false'
	assert_line --index 2 '{"ok":false,"error":"request too long"}'
	assert_line --index 3 '{"ok":true,'
	run osl supervise ctl status
	assert_success
}

@test "supervise ctl: another uid is refused (the folder, and SO_PEERCRED behind it)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch uid"
	command -v setpriv >/dev/null || skip "setpriv is needed"
	tree3 one_for_one
	pub=$(mktemp -d /tmp/osl-sv-XXXXXX)
	chmod 0755 "$pub"
	"$OSL" supervise -c tree.yaml -s "$pub/s/sock" >/dev/null 2>&1 &
	SVPID=$!
	for _ in $(seq 200); do [ -S "$pub/s/sock" ] && break; sleep 0.05; done
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OSL" supervise ctl -s "$pub/s/sock" status
	assert_failure 1
	assert_output --partial "cannot connect"
	# even with the folder and socket opened up, the peer's uid is checked
	chmod 0755 "$pub/s"
	chmod 0666 "$pub/s/sock"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$OSL" supervise ctl -s "$pub/s/sock" stop a
	assert_failure 1
	assert_output --partial "permission denied"
	run osl supervise ctl -s "$pub/s/sock" status
	assert_success
	assert_output --partial "a "
	kill -TERM "$SVPID"; wait "$SVPID" || true
	SVPID=
	rm -rf "$pub"
}

@test "supervise -c: a child with ready: {fd: N} holds back the next one until it is ready" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: slow
	      cmd: [sh, -c, "sleep 0.5; echo slow >> $T/order; echo >&3; exec sleep 1000"]
	      ready: { fd: 3 }
	    - name: next
	      cmd: [sh, -c, "echo next >> $T/order; exec sleep 1000"]
	EOF
	run osl supervise -c t.yaml --check
	assert_success
	start_tree t.yaml
	for _ in $(seq 200); do [ "$(cat "$T/order" 2>/dev/null | wc -l)" = 2 ] && break; sleep 0.05; done
	[ "$(tr '\n' ' ' < "$T/order")" = "slow next " ]
	run osl -j supervise ctl status
	[ "$(jget '.tree.children[0].state' "$output")" = up ]
	printf 'version: 1\nsupervisor:\n  children:\n    - {name: x, cmd: [true], ready: {fd: 1}}\n' > bad.yaml
	run osl supervise -c bad.yaml --check
	assert_failure 2
	assert_output --partial "bad.yaml:4:42: ready.fd"
}

@test "supervise -c: until it is ready, a child is 'starting' and the next one waits" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: never
	      cmd: [sleep, "1000"]
	      ready: { fd: 5 }
	    - name: next
	      cmd: [sleep, "1000"]
	EOF
	start_tree t.yaml
	run osl -j supervise ctl status
	[ "$(jget '.tree.children[0].state' "$output")" = starting ]
	[ "$(jget '.tree.children[1].state' "$output")" = down ]
	[ "$(jget '.tree.children[1].pid' "$output")" = null ]
}
