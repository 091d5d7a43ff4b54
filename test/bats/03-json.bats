#!/usr/bin/env bats
# -j: one JSON document on stdout for every verb and every outcome, an entry
# per operand with the failed ones, each shape as man osl(1) "JSON OUTPUT"
# says (test/fixtures/json-output.schema.json).

load supervise

setup() {
	sv_setup
	echo hello > ok.txt
	mkdir -p "$HOME/.ssh" dir
	echo key > "$HOME/.ssh/id_ed25519"
	printf 'version: 1\nbad: [\n' > bad.yaml
	printf 'version: 1\ndefault: allow\nproc: { signal: [same-user] }\n' > allow.yaml
}

# shape DEF STATUS ARGS...: `osl -j ARGS` exits STATUS and prints exactly one
# JSON document, of shape DEF.
shape() {
	local def=$1 want=$2
	shift 2
	run "-$want" --separate-stderr "$OSL" -j "$@"
	[ "$(printf '%s' "$output" | jq -s length)" -eq 1 ] || {
		echo "osl -j $*: not one JSON document: $output" >&2
		return 1
	}
	printf '%s' "$output" | json_shape "$def" || {
		echo "osl -j $*: $output" >&2
		return 1
	}
}

@test "every verb's -j document has its shape: fs" {
	shape fs.stat 0 fs stat ok.txt dir
	shape fs.ls 0 fs ls -a . dir
	shape fs.cat 0 fs cat ok.txt
	shape fs.hash 0 fs hash ok.txt
	shape fs.du 0 fs du ok.txt dir
	shape fs.changed 0 fs write new.txt < ok.txt
	shape fs.changed 0 fs append new.txt < ok.txt
	shape fs.changed 0 fs touch t1 t2
	shape fs.changed 0 fs mkdir d1 d2
	shape fs.removed 0 fs rmdir d2
	shape fs.changed 0 fs ln -s ok.txt link
	shape fs.changed 0 fs chmod 600 ok.txt
	shape fs.changed 0 fs chown 0:0 ok.txt
	shape fs.changed 0 fs cp ok.txt dir/
	# one slash between the folder and the name
	[ "$(jget '.[0].path' "$output")" = dir/ok.txt ]
	shape fs.changed 0 fs mv t1 d1/
	[ "$(jget '.[0].path' "$output")" = d1/t1 ]
	shape fs.removed 0 fs rm -r d1 t2
	# fs ls has what fs stat has: one function builds a file's JSON
	"$OSL" -j fs stat ok.txt | jq -S '.[0] | del(.path, .target_path)' > stat.json
	"$OSL" -j fs ls . | jq -S '.[] | select(.name == "ok.txt") | del(.path, .name)' > ls.json
	diff stat.json ls.json
}

@test "every verb's -j document has its shape: proc, net, policy, log" {
	shape proc.ps 0 proc ps
	shape proc.info 0 proc info $$
	shape proc.tree 0 proc tree $$
	shape proc.kill 0 -p allow.yaml proc kill -s 0 $$
	shape proc.run.dry 0 proc run --dry-run -- true
	shape net.resolve 0 net resolve 127.0.0.1
	shape net.targets 1 net check 127.0.0.1:1
	shape net.targets 124 net wait --timeout 200ms 127.0.0.1:1
	shape policy.check 0 policy check allow.yaml
	shape policy.show 0 policy show
	shape policy.explain 1 policy explain fs.read /etc/shadow
	shape policy.explain 0 policy explain fs.read "$PWD/ok.txt"
	printf 'cases:\n  - { action: fs.read, target: /etc/shadow, expect: deny }\n' > cases.yaml
	shape policy.test 0 policy test cases.yaml
	shape policy.learn 0 policy learn -o learned.yaml -- true
	shape policy.learn.diff 1 policy learn --diff learned.yaml -- sh -c 'cat /etc/shadow'
	jq -e '.count == (.drift | length) and .count > 0' <<<"$output"
	shape log.keygen 0 log keygen key.priv key.pub
	shape log.verify 0 log verify "$LOG"
	shape log.show 0 log show "$LOG"
}

@test "proc info and ps: /proc parsed, times RFC 3339 to the second they are known to" {
	run --separate-stderr "$OSL" -j proc info $$
	assert_success
	# VmRSS "3992 kB" is bytes; Uid "0\t0\t0\t0" four ids; limits numbers or null
	jq -e '.status.vm_rss % 1024 == 0 and .status.vm_rss > 0' <<<"$output"
	jq -e --argjson u "$(id -u)" '.status.uid.real == $u and .status.uid.fs == $u' <<<"$output"
	jq -e --argjson n "$(ulimit -Sn)" '.limits.nofile.soft == $n and .limits.nofile.unit == "files"' <<<"$output"
	jq -e '.namespaces | map(select(.name == "mnt")) | .[0].inode > 0' <<<"$output"
	[ "$(jget '.status.tgid' "$output")" = $$ ]
	[[ "$(jget '.start' "$output")" =~ ^[0-9-]{10}T[0-9:]{8}Z$ ]]
}

@test "failed operands are entries: error {code, message}, and rule for a denial" {
	shape fs.stat 3 fs stat ok.txt "$HOME/.ssh/id_ed25519" missing
	jq -e 'length == 3 and .[0].path == "ok.txt" and (.[0] | has("error") | not)' <<<"$output"
	jq -e '.[1].error.code == "denied" and .[1].rule.id == "no-ssh-keys" and (.[1].rule.where | test("^builtin:default:[0-9]+:[0-9]+$"))' <<<"$output"
	jq -e '.[2].path == "missing" and .[2].error.code == "ENOENT" and (.[2] | has("rule") | not)' <<<"$output"
	# the message is the line on stderr
	[[ "$stderr" == *"$(jget '.[1].error.message' "$output")"* ]]

	# a listed name the policy would not let be read: no metadata, its rule
	shape fs.ls 0 fs ls -a "$HOME"
	jq -e '.[] | select(.name == ".ssh") | .denied == "no-ssh-keys" and .rule.id == "no-ssh-keys" and (has("size") | not)' <<<"$output"
	shape fs.cat 3 fs cat "$HOME/.ssh/id_ed25519"
	jq -e 'length == 1 and .[0].rule.id == "no-ssh-keys"' <<<"$output"
	shape fs.changed 3 fs touch t1 /etc/osl-json-test
	jq -e '.[1].rule.id == "default" and .[1].error.code == "denied"' <<<"$output"
	shape fs.removed 1 fs rm missing
	shape fs.hash 1 fs hash ok.txt missing
	shape fs.du 1 fs du missing
	shape fs.changed 1 fs mkdir dir

	shape proc.kill 3 proc kill -s 0 1 4194300
	jq -e '.[0].pid == 1 and .[0].rule.id == "proc.signal" and .[1].error.code == "ESRCH"' <<<"$output"
	shape net.targets 2 net check 127.0.0.1:1 'no port'
	jq -e '.[0].state == "closed" and .[0].error.code == "ECONNREFUSED" and .[1].state == "invalid" and .[1].error.code == "invalid"' <<<"$output"
	printf 'version: 1\ndefault: allow\nnet:\n  deny: [{ id: no-lo, addr: "127.0.0.0/8:*" }]\n' > nolo.yaml
	shape net.targets 3 -p nolo.yaml net check 127.0.0.1:1
	jq -e '.[0].state == "denied" and .[0].rule.id == "no-lo"' <<<"$output"
	shape policy.check 2 policy check allow.yaml bad.yaml
	jq -e '.[1].valid == false and .[1].error.code == "invalid" and (.[1].error.message | test("bad.yaml:3"))' <<<"$output"
	shape log.verify 2 log verify missing.jsonl
}

@test "a verb that fails before it has a list prints {\"error\": ...}" {
	shape error_doc 2 fs stat
	jq -e '.error.code == "invalid" and (.error.message | length > 0)' <<<"$output"
	shape error_doc 2 net resolve
	shape error_doc 2 proc info nonsense
	shape error_doc 1 proc info 4194300
	shape error_doc 2 log show missing.jsonl
	shape error_doc 2 policy show missing.yaml
	shape error_doc 127 proc run -- /nonexistent/program
	jq -e '.error.code == "ENOENT"' <<<"$output"
	shape denied_doc 3 log keygen /etc/osl-json-test.key
	jq -e '.rule.id == "default"' <<<"$output"
	shape error_doc 1 supervise ctl status
}

@test "bad input to any verb is one {\"error\": ...} document, exit 2" {
	while read -r verb; do
		# shellcheck disable=SC2086
		shape error_doc 2 $verb --no-such-option || return 1
		jq -e '.error.code == "invalid" and (.error.message | test("no-such-option"))' <<<"$output"
	done < <("$OSL" help --commands)
}

@test "supervise --check and ctl status: started_at in RFC 3339; a refusal is {ok: false, error}" {
	start_sleepers
	shape supervise.check 0 supervise -c tree.yaml --check
	printf 'version: 1\nsupervisor:\n  strategy: bogus\n  children: []\n' > bad-tree.yaml
	shape error_doc 2 supervise -c bad-tree.yaml --check
	shape ctl.status 0 supervise ctl status
	jq -e '[.tree.children[].started_at | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{9}Z$")] | all' <<<"$output"
	shape ctl.refused 1 supervise ctl stop nosuchchild
	jq -e '.error.code == "failed" and (.error.message | length > 0)' <<<"$output"
}

@test "every verb with -j output is in the tests above and in osl(1) JSON OUTPUT" {
	man=$(sed -n '/^# JSON OUTPUT/,/^# EXIT STATUS/p' "$OSL_TOP/man/osl.1.scd")
	# the verbs whose stdout is their own (osl(1) says so)
	own=("policy export" "net connect" "net listen" "net proxy" supervise help completion)
	while read -r verb; do
		[[ " ${own[*]/%/|} " == *" $verb|"* ]] && continue
		grep -qF "*$verb*" <<<"$man" || { echo "$verb: not in osl(1) JSON OUTPUT"; return 1; }
	done < <("$OSL" help --commands)
	grep -qF '*policy export*, *net connect*, *net listen*, *net proxy* and *supervise*' <<<"$man"
}
