#!/usr/bin/env bats
# The log as ECS: records of every kind checked against Elastic's own
# definitions (test/ecs/check), the check itself, and logs written before
# the chain moved under osl.  (make test checks every record of the suite.)
load helper

setup() {
	common_setup
	command -v node >/dev/null || skip "node is needed (src/build/deps.sh)"
	"$OSL_TOP/test/ecs/defs" 2>/dev/null || skip "@elastic/ecs could not be fetched (test/ecs/defs)"
	mkdir -p "$HOME/work"
	cd "$HOME/work"
}

ecs() { "$OSL_TOP/test/ecs/check" "$@"; }

@test "records of every kind are ECS: fields, types, event.* values, process, dns, file.path" {
	echo a > a.txt
	osl fs stat a.txt >/dev/null
	osl fs cat a.txt >/dev/null
	echo b | osl fs write b.txt
	osl fs cp a.txt c.txt
	osl fs mv c.txt d.txt
	osl fs ln -s a.txt s
	osl fs ln a.txt h
	osl fs chmod 600 b.txt
	osl fs rm d.txt
	osl fs cat /etc/shadow 2>/dev/null || true
	osl fs cat nosuch 2>/dev/null || true
	osl net resolve localhost >/dev/null
	osl net connect 127.0.0.1:1 </dev/null 2>/dev/null || true
	osl proc run -- /bin/true
	osl proc run -- sh -c 'exit 3' || true
	run ecs "$LOG"
	assert_success
	assert_output --regexp "^ecs: [0-9]+ records in 1 files checked against @elastic/ecs .*: conform$"
	# the program run is process.*, osl its parent; dns nests; paths are absolute
	r=$(grep '"proc.exec"' "$LOG" | head -n 1)
	[ "$(jget '.process.executable' "$r")" = /usr/bin/true ]
	[ "$(jget '.process.name' "$r")" = true ]
	[ "$(jget '.process.parent.executable' "$r")" = "$(realpath "$OSL")" ]
	[ "$(jget '.process.pid > 0 and .process.parent.pid > 0' "$r")" = true ]
	[ "$(jget '.process.working_directory' "$r")" = "$HOME/work" ]
	r=$(grep '"proc.exit"' "$LOG" | tail -n 1)
	[ "$(jget '.process.exit_code' "$r")" = 3 ]
	[ "$(jget '.process.name' "$r")" = "$(basename "$(realpath "$(command -v sh)")")" ]
	[ "$(jget '.dns.question.name' "$(grep '"net.resolve"' "$LOG")")" = localhost ]
	r=$(grep '"fs.read"' "$LOG" | head -n 1)
	[ "$(jget '.file.path' "$r")" = "$HOME/work/a.txt" ]
	[ "$(jget '.osl.path' "$r")" = a.txt ]
	[ "$(jget '.ecs.version' "$r")" = "$(jq -r .version "$OSL_TOP/build/ecs/fields.json")" ]
	# the error is said once; the message names the setting that allowed it
	jget '.error.message' "$(grep '"net.connect"' "$LOG")" | grep -v 'refused: Connection refused' | grep -q refused
	jget '.message' "$(grep '"net.resolve"' "$LOG")" | grep -q 'allowed by net.resolve: true'
	# a denial: failure, decision deny, no denied type for a file
	r=$(grep '/etc/shadow' "$LOG")
	[ "$(jget '[.event.outcome, .osl.decision, (.event.type | join(","))] | join(" ")' "$r")" = \
		"failure deny access" ]
}

@test "the ECS check refuses what is not ECS, and names it" {
	osl fs stat /etc/hostname >/dev/null
	good=$(head -n 1 "$LOG")
	bad() {	# JQ-FILTER WANTED-TEXT
		printf '%s\n' "$good" | jq -c "$1" > bad.jsonl
		run ecs bad.jsonl
		assert_failure 1
		assert_output --partial "$2"
	}
	bad '. + {chain: .osl.chain}' 'chain.prev: not an ECS field'
	bad '.dns = {"question.name": "x"}' 'dns.question.name: a dotted key inside an object'
	bad '.process.child = {pid: 1}' 'process.child.pid: not an ECS field'
	bad '.file.path = "rel/x"' 'file.path: not absolute'
	bad '.event.type = ["access", "denied"]' 'event.type: "denied" is not one ECS expects for ["file"]'
	bad '.event.outcome = "denied"' 'event.outcome: "denied" is not an ECS value'
	bad '.event.duration = "12"' 'event.duration: ECS long, got "12"'
	bad '.ecs.version = "1.0"' 'ecs.version: want'
	bad '.event.action = "fs.frob"' 'is not in the action table'
	bad '.event.category = ["process"]' 'the table has ["file","access"]'
	# a duplicate key, which a JSON parser would silently fold
	printf '%s\n' "$good" | sed 's/"action":/"action":"x","action":/' > bad.jsonl
	run ecs bad.jsonl
	assert_failure 1
	assert_output --partial "event.action: duplicate key"
	printf '%s\n' "$good" > good.jsonl
	run ecs good.jsonl
	assert_success
	rm -f bad.jsonl	# not a record of osl's: out of the suite's check
}

# A log as an older osl wrote it: the chain a top-level member, its hash over
# the bytes before ,"chain": (each record rebuilt from one of today's).
old_format() {	# IN OUT
	python3 - "$1" "$2" <<-'PY'
	import hashlib, sys
	prev = bytes(32)
	with open(sys.argv[1], 'rb') as f, open(sys.argv[2], 'wb') as out:
	    for line in f:
	        body = line[:line.rindex(b',"chain":')] + b'}'
	        h = hashlib.sha256(prev + body).digest()
	        out.write(body + b',"chain":{"prev":"' + prev.hex().encode() + b'","hash":"' +
	                  h.hex().encode() + b'"}}\n')
	        prev = h
	PY
}

@test "verify: a log written before osl.chain still verifies, and says so; new records chain on" {
	command -v python3 >/dev/null || skip "python3 is needed"
	for i in 1 2 3; do osl fs stat /etc/hostname >/dev/null; done
	old_format "$LOG" old.jsonl
	[ "$(jq -r '.chain.hash | length' old.jsonl | sort -u)" = 64 ]
	run osl log verify old.jsonl
	assert_success
	assert_output --partial "intact, 3 records"
	assert_output --partial "3 records (from line 1) predate osl.chain"
	run osl -j log verify old.jsonl
	[ "$(jget '.[0].old_format' "$output")" = 3 ]
	# today's writer goes on from the old chain
	osl -l file:"$PWD/old.jsonl" fs stat /etc/hostname >/dev/null
	tail -n 1 old.jsonl | jq -e '.osl.chain.hash and (has("chain") | not)' >/dev/null
	run osl log verify old.jsonl
	assert_success
	assert_output --partial "intact, 4 records"
	assert_output --partial "3 records (from line 1) predate osl.chain"
	# and an edit of an old record is still caught
	sed -i '2s/"fs.read"/"fs.exec"/' old.jsonl
	run osl log verify old.jsonl
	assert_failure 1
	assert_output --partial ":2: "
	# today's format is not reported as old
	run osl log verify "$LOG"
	assert_success
	refute_output --partial "predate"
	rm -f old.jsonl		# not ECS by design: out of the suite's check
}
