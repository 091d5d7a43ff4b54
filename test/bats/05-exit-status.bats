#!/usr/bin/env bats
# osl(1) EXIT STATUS, verb by verb: one bad input of each kind per group of
# verbs, and the status it must give.  The table is the man page's.
load helper

setup() {
	common_setup
	cat > p.yaml <<-YAML
	version: 1
	default: allow
	fs:
	  deny: ["$T/secret"]
	net:
	  deny: ["127.0.0.2:*"]
	YAML
	export OSL_POLICY=$T/p.yaml XDG_RUNTIME_DIR=$T/rt
	mkdir -p rt
	echo s > secret
	echo n > notes
	printf 'version: 1\nsupervisor:\n  children: []\n' > tree.yaml
	printf 'version: 2\n' > bad.yaml
	: > empty.jsonl
}

# STATUS | ARGS (word-split; $T is expanded)
TABLE='
2   | fs cat
2   | fs stta notes
2   | fs cat --bogus notes
2   | proc run
2   | proc info
2   | net wait
2   | net check 127.0.0.1:0x
2   | policy check --bogus
2   | log show --bogus
2   | log verify
2   | supervise
2   | supervise ctl bogus
2   | supervise ctl restart
2   | supervise ctl signal web
2   | supervise ctl signal web NOPE
2   | supervise ctl stop web extra
2   | supervise ctl status extra
2   | -p $T/nosuch.yaml fs cat notes
2   | -p $T/nosuch.yaml net check 127.0.0.1:1
2   | -p $T/nosuch.yaml net wait -t 1s 127.0.0.1:1
2   | -p $T/nosuch.yaml policy show
125 | -p $T/nosuch.yaml supervise -- true
125 | -p $T/bad.yaml supervise -- true
125 | -p $T/nosuch.yaml supervise -s $T/rt/s.sock -c tree.yaml
125 | -p $T/bad.yaml supervise -s $T/rt/s.sock -c tree.yaml
2   | -p $T/nosuch.yaml supervise -c tree.yaml --check
2   | -p $T/bad.yaml supervise -c tree.yaml --check
125 | -p $T/bad.yaml proc run -- true
125 | -l file:/proc/nosuch/osl.jsonl proc run -- true
125 | -l file:/proc/nosuch/osl.jsonl supervise -- true
125 | -l file:/proc/nosuch/osl.jsonl supervise -s $T/rt/s.sock -c tree.yaml
1   | -l file:/proc/nosuch/osl.jsonl fs cat notes
2   | -p $T/nosuch.yaml proc ps
2   | -p $T/nosuch.yaml proc tree
2   | -p $T/nosuch.yaml proc info 1
2   | -p $T/nosuch.yaml log verify $T/empty.jsonl
2   | -p $T/nosuch.yaml log show $T/empty.jsonl
2   | -p $T/nosuch.yaml supervise ctl -s $T/rt/s.sock status
2   | -p builtin:nosuch proc ps
2   | -p $T proc ps
2   | policy check $T/nosuch.yaml
2   | log verify $T/nosuch.jsonl
2   | supervise -c $T/nosuch.yaml
125 | -p $T/nosuch.yaml proc run -- true
3   | fs cat secret
3   | fs cp secret copy
3   | net connect 127.0.0.2:1
3   | net check 127.0.0.2:1
3   | net wait -t 1s 127.0.0.2:1
1   | fs cat nosuch
1   | fs stat nosuch
1   | fs ls nosuch
1   | proc info 4194300
1   | proc kill 4194300
1   | net check 127.0.0.1:1
1   | supervise ctl status
127 | proc run -- nosuch-command
126 | proc run -- ./notes
124 | net wait -t 300ms 127.0.0.1:1
124 | proc run --timeout 300ms -- sleep 30
0   | fs cat notes
0   | supervise -c tree.yaml --check
'

@test "every verb group: usage 2, bad or missing policy 2 (125 for proc run and supervise), denied 3, not found 1, timeout 124" {
	local want args bad= out st
	while IFS='|' read -r want args; do
		want=$(echo $want)
		[ -n "$want" ] || continue
		args=${args//\$T/$T}
		# shellcheck disable=SC2086
		out=$("$OSL" $args 2>&1 </dev/null) && st=0 || st=$?
		[ "$st" -eq "$want" ] || bad="$bad
  osl $args: $st, not $want: ${out%%$'\n'*}"
	done <<<"$TABLE"
	[ -z "$bad" ] || { echo "wrong status:$bad" >&2; false; }
}

@test "every status of the table has its paragraph in osl(1) EXIT STATUS" {
	local man s
	man=$(sed -n '/^# EXIT STATUS/,/^# ENVIRONMENT/p' "$OSL_TOP/man/osl.1.scd")
	for s in $(echo "$TABLE" | cut -d'|' -f1 | sort -u); do
		grep -qE "^(\*[0-9]+\*, )*\*$s\*" <<<"$man" || fail "osl(1) EXIT STATUS has no *$s*"
	done
	# the kinds the table tests are the ones the page names
	grep -q 'file that cannot be opened or is bad is this, not 2' <<<"$man"
	grep -q 'With \*-q\* there' <<<"$man"
	grep -q 'not found (no such file, process or child' <<<"$man"
}

@test "a named policy file that cannot be opened stops every verb, also one that never reads it; help and -h still answer" {
	local v
	# -p and $OSL_POLICY alike; the message says it is the policy file
	for v in "proc ps" "log verify $T/empty.jsonl" "supervise ctl -s $T/rt/s.sock status"; do
		# shellcheck disable=SC2086
		run --separate-stderr osl -p "$T/typo.yaml" $v
		assert_failure 2
		[ -z "$output" ]
		[[ "$stderr" == *": cannot open the policy file '$T/typo.yaml': No such file or directory" ]]
		# shellcheck disable=SC2086
		OSL_POLICY=$T/typo.yaml run --separate-stderr osl $v
		assert_failure 2
		[[ "$stderr" == *"cannot open the policy file '$T/typo.yaml'"* ]]
	done
	# -j: the one document is the error
	run --separate-stderr osl -j -p "$T/typo.yaml" proc ps
	assert_failure 2
	[ "$(jq -r .error.code <<<"$output")" = invalid ]
	# a name that is not a file: a folder, an unknown built-in one
	run --separate-stderr osl -p "$T" proc ps
	assert_failure 2
	[[ "$stderr" == *"cannot open the policy file '$T': Is a directory" ]]
	run --separate-stderr osl -p builtin:defualt proc ps
	assert_failure 2
	[[ "$stderr" == *"unknown built-in policy 'builtin:defualt'" ]]
	# what only shows help does not look at it
	run osl -p "$T/typo.yaml" proc ps -h
	assert_success
	run osl -p "$T/typo.yaml" help proc
	assert_success
	run osl -p "$T/typo.yaml" completion bash
	assert_success
	# an empty $OSL_POLICY names nothing: discovery goes on
	OSL_POLICY= run osl proc ps
	assert_success
	# the verbs that run a command: 125, before anything runs
	run osl -p "$T/typo.yaml" proc run -- touch ran
	assert_failure 125
	run osl -p "$T/typo.yaml" supervise -- touch ran
	assert_failure 125
	[ ! -e ran ]
}

@test "-q: a denial is only its exit status and its record; other errors are still said" {
	run --separate-stderr osl -q fs cat secret
	assert_failure 3
	[ -z "$stderr" ]
	r=$(last_record)
	[ "$(jget .osl.decision "$r")" = deny ]
	[ "$(jget .file.path "$r")" = "$T/secret" ]
	run --separate-stderr osl fs cat secret
	assert_failure 3
	# a rule without an id is named by where it is, once
	[ "$stderr" = "osl fs cat: 'secret': denied by policy (rule at $T/p.yaml:4:10)" ]
	run --separate-stderr osl -q fs cat nosuch
	assert_failure 1
	[[ "$stderr" == *"'nosuch': No such file or directory"* ]]
	# -j still carries the denial in the document
	run --separate-stderr osl -q -j fs cat secret
	assert_failure 3
	[ -z "$stderr" ]
	[[ "$output" == *'"error"'* ]]
}
