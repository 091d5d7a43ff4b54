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
