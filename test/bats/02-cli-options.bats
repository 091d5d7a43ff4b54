#!/usr/bin/env bats
# GNU argument order (osl(1) OPTIONS): a verb's options may follow its
# operands until `--`, global options may follow the group and the verb (but
# --policy, --log and --audit only the group), and the verbs that run a child
# keep its command line from the first operand on.
load helper

setup() { common_setup; }

# The same files in the current folder, with fixed times, for two runs.
fixture() {
	mkdir -p d/sub e
	printf 'hello\n' >f
	printf 'a\n' >d/a
	printf 'h\n' >d/.h
	printf 'b\n' >d/sub/b
	ln -s f l
	"$OSL" policy show >p.yaml
	printf 'cases:\n  - { action: fs.read, target: /etc/hostname, expect: allow }\n' >cases.yaml
	"$OSL" log keygen k.priv k.pub >/dev/null
	find . -exec touch -h -d @1000000000 {} +
}

# Stable output of one run in $T/w: status, stdout and stderr, state of the folder;
# times, inode numbers and the key files' bytes vary between two runs.
run_in() {
	local dir=$T/w mode=$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	(
		cd "$dir" && fixture
		"$OSL" "$@" </dev/null >out 2>err
		echo "status $?"
		[ "$mode" = status ] && : >out	# what it lists changes between runs
		cat out err
		find . -path ./out -prune -o -path ./err -prune -o -name 'k.*' -prune -o \
			-printf '%p %y %m %s\n' | sort
	) | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g; s/"inode":"?[0-9]+"?/"inode":N/g; s/Inode: [0-9]+/Inode: N/;
		s/"(dev|ctime|atime|mtime|duration|pid|sequence)":[^,}]*/"\1":X/g'
}

# GROUP VERB | OPTIONS | OPERANDS [| status]: every verb, its options before
# and after its operands give the same result (with status: the same exit
# status and stderr, for lists of processes that change).
OPTION_TABLE='
fs stat      | -j                  | f
fs stat      | -L                  | l
fs stat      | --dereference -j    | l
fs ls        | -l                  | d
fs ls        | -a -R               | d
fs ls        | -laR                | d e
fs ls        | --long --all -j     | d
fs cat       | -j                  | f
fs cat       | -q -v               | f
fs hash      | --algo sha256       | f d/a
fs hash      | --algo=sha256 -j    | f
fs du        | -b                  | d
fs du        | --bytes -j          | d f
fs write     | -m 0600             | new
fs write     | --mode=0640 -j      | f
fs append    | -j                  | f
fs touch     | -c                  | missing
fs touch     | --no-create -j      | f
fs mkdir     | -p                  | x/y/z
fs mkdir     | -p -m 0700          | x/y
fs mkdir     | --parents --mode 0750 -j | d/sub/n
fs rmdir     | -j                  | e
fs ln        | -s                  | f lnk
fs ln        | -s -f               | f l
fs ln        | --symbolic --force -j | d/a l
fs chmod     | -R                  | 0700 d
fs chmod     | --recursive -j      | 0750 d
fs chown     | -R                  | 0:0 d
fs cp        | -r                  | d d2
fs cp        | -R -n               | d e
fs cp        | -a                  | d d3
fs cp        | --archive --no-clobber -j | f d
fs mv        | -n                  | f d
fs mv        | --no-clobber -j     | f g
fs rm        | -r                  | d
fs rm        | -R -f               | d missing
fs rm        | --recursive --force -j | d e
fs rm        | -f                  | missing
proc info    | -j                  | 1 | status
proc tree    | -j                  | 1 | status
proc tree    | -j                  | 999999999
proc kill    | -s 0                | 999999999
proc kill    | --signal=TERM -j    | 999999999
net resolve  | -4                  | localhost
net resolve  | --ipv4 -j           | localhost
net check    | -t 1s               | 127.0.0.1:1
net check    | --timeout 1s -j     | 127.0.0.1:1
net wait     | --timeout 100ms     | 127.0.0.1:1
net wait     | -t 100ms -j         | 127.0.0.1:1
net connect  | -t 1s -4            | 127.0.0.1:1
net connect  | --timeout=1s --idle 1s -j | 127.0.0.1:1
policy check | -j                  | p.yaml
policy show  | -j                  | p.yaml
policy explain | -j                | fs.read /etc/passwd
policy test  | --policy p.yaml     | cases.yaml
policy test  | -j                  | cases.yaml
policy export | --format systemd   | p.yaml
policy export | -f oci-seccomp -j  | p.yaml
log verify   | -r                  | nolog
log verify   | -k k.pub -c nockp -j | nolog
log show     | -a "fs.*" -o success | nolog
log show     | -s 10m -L info -j   | nolog
log keygen   | -j                  | k2.priv k2.pub
'

@test "every verb: options after operands are options, as before them" {
	local line verb opts ops mode before after n=0 bad=0
	while IFS='|' read -r verb opts ops mode; do
		verb=$(echo $verb)
		[ -n "$verb" ] || continue
		eval "opts=($opts)"
		eval "ops=($ops)"
		mode=$(echo $mode)
		before=$(run_in "$mode" $verb "${opts[@]}" "${ops[@]}")
		after=$(run_in "$mode" $verb "${ops[@]}" "${opts[@]}")
		if [ "$before" != "$after" ]; then
			echo "differs: osl $verb ${opts[*]} ${ops[*]}" >&2
			diff <(echo "$before") <(echo "$after") >&2
			bad=$((bad + 1))
		fi
		n=$((n + 1))
	done <<<"$OPTION_TABLE"
	[ "$bad" -eq 0 ]
	[ "$n" -ge 60 ]
}

@test "the table covers every verb of every group" {
	local missing=
	while read -r g v; do
		[ -n "$v" ] || continue
		case $g in help|completion|supervise) continue ;; esac
		case "$g $v" in
		"proc run"|"policy learn") continue ;;	# verbatim: their own tests below
		"proc ps"|"net listen"|"net proxy") continue ;;	# no operands / run until stopped: below
		esac
		grep -qE "^$g $v +\|" <<<"$OPTION_TABLE" || missing="$missing $g-$v"
	done < <(osl help --commands)
	[ -z "$missing" ] || { echo "not in the table:$missing" >&2; false; }
}

@test "an option after an operand is taken as an option, not a file" {
	touch f
	run osl fs stat f -j
	assert_success
	[ "$(jget '.[0].path' "$output")" = f ]
	mkdir d && touch d/x
	run osl fs ls d -l
	assert_success
	assert_line --regexp '^-rw.* x$'
}

@test "global options after the group and after the verb: osl proc ps -j | jq" {
	run osl proc ps -j
	assert_success
	jget 'length > 0' "$output" | grep -qx true
	run osl proc -j ps
	assert_success
	jget '.[0].pid' "$output" | grep -qE '^[0-9]+$'
	run osl proc ps --json
	assert_success
	[ "${output:0:1}" = '[' ]
	touch f
	run osl fs -p nonexist-policy.yaml cat f
	assert_failure
	assert_output --partial nonexist-policy.yaml
}

@test "--policy, --log and --audit after the verb: a usage error (a glob's file name could give them)" {
	touch f
	for o in "-p p.yaml" "--policy=p.yaml" "-l none" "--log=none" "--audit" "--aud" "-qlnone"; do
		run osl fs cat f $o
		assert_failure 2
		assert_output --partial "is taken only before the verb (osl "
		run osl proc run --dry-run $o
		assert_failure 2
	done
	run osl fs cat f -l
	assert_failure 2
	assert_output --partial "osl: --log is taken only before the verb (osl --log ... fs cat ...)"
	# before the verb, after the group, they are taken
	run osl fs -l none --audit cat f
	assert_success
}

@test "a verb's own option wins over a global one of the same letter" {
	run osl fs mkdir a/b -p
	assert_success
	assert_dir_exists a/b
	touch a/f
	run osl fs ls a -l
	assert_success
	assert_line --regexp '^-rw.* f$'
	# -j is global, -l the verb's: one cluster
	run osl fs ls a -jl
	assert_success
	jget '.[0].entries | length' "$output" | grep -qx 2 ||
		jget 'length' "$output" | grep -qE '^[0-9]+$'
}

@test "-- ends the options: what follows is an operand" {
	run osl fs ls -- -l
	assert_failure
	assert_output --partial "'-l'"
	touch ./-j
	run osl fs stat -- -j
	assert_success
	assert_output --partial 'File: -j'
}

@test "a global option after the verb without its argument is a usage error" {
	touch f
	run osl fs cat f -j -q -p
	assert_failure 2
	assert_output --partial "is taken only before the verb"
	run osl fs -l
	assert_failure 2
	assert_output --partial "option '-l' needs an argument"
}

@test "proc run: the child's command line from the first operand on is the child's" {
	run osl proc run -- sh -c 'printf "%s\n" "$@"' x -j4 --dry-run -p
	assert_success
	assert_output "$(printf '%s\n' -j4 --dry-run -p)"
	run osl proc run sh -c 'printf "%s\n" "$@"' x -j4 -l
	assert_success
	assert_output "$(printf '%s\n' -j4 -l)"
	# osl's options before the command: global and the verb's
	run osl proc run -j --dry-run -- true
	assert_success
	[ "${output:0:1}" = '{' ] || [ "${output:0:1}" = '[' ]
}

@test "supervise and policy learn keep the child's command line" {
	run osl supervise -- sh -c 'printf "%s\n" "$@"' x -v -j
	assert_success
	assert_output "$(printf '%s\n' -v -j)"
	run osl supervise sh -c 'printf "%s\n" "$@"' x -q
	assert_success
	assert_output -- -q
	run osl policy learn -o learned.yaml -- sh -c 'printf "%s\n" "$@"' x -j
	assert_success
	assert_line -- -j
}

@test "osl-GROUP aliases take global options after the verb too" {
	ln -s "$OSL" osl-fs
	touch f
	run ./osl-fs stat f -j
	assert_success
	[ "$(jget '.[0].path' "$output")" = f ]
	run ./osl-fs -j stat f
	assert_success
	[ "$(jget '.[0].path' "$output")" = f ]
}

@test "no (null) in the help of any command, group or in the completions" {
	local cmd out bad=
	while read -r cmd; do
		out=$(osl $cmd -h 2>&1) || { bad="$bad [$cmd: status $?]"; continue; }
		grep -q '(null)' <<<"$out" && bad="$bad [$cmd]"
		# every option in the help is one the parser takes
		for o in $(grep -oE '^  (-[A-Za-z0-9]|    )(, )?--[a-z0-9-]+' <<<"$out" | grep -oE -- '--[a-z0-9-]+'); do
			[ "$o" = --help ] && continue
			out=$(timeout 10 "$OSL" $cmd "$o" -h 2>&1 </dev/null) || true
			grep -q 'unknown option' <<<"$out" && bad="$bad [$cmd $o unknown]"
		done
	done < <(osl help --commands | grep -v '^help$'; printf '%s\n' fs proc net policy log '')
	for sh in bash zsh fish; do
		osl completion $sh | grep -q '(null)' && bad="$bad [completion $sh]"
	done
	[ -z "$bad" ] || { echo "$bad" >&2; false; }
}

@test "a short-only option (-R) does not hide the long options after it" {
	mkdir d && touch d/f
	run osl fs cp --archive --no-clobber d d2
	assert_success
	assert_file_exists d2/f
	run osl fs rm --no-preserve-root -R d2
	assert_success
	assert_not_exists d2
}

@test "the shipped completions load in their shells and complete groups and options" {
	bash -n "$OSL_TOP/completions/osl.bash"
	if command -v zsh >/dev/null; then
		zsh -n "$OSL_TOP/completions/_osl"
	fi
	command -v fish >/dev/null || skip "fish is not installed"
	mkdir bin && ln -s "$OSL" bin/osl
	run env PATH="$PWD/bin:$PATH" fish -c "source $OSL_TOP/completions/osl.fish"
	assert_success
	assert_output ''
	run env PATH="$PWD/bin:$PATH" fish -c "source $OSL_TOP/completions/osl.fish; complete -C 'osl '"
	assert_line --regexp '^fs	file operations'
	assert_line --regexp '^supervise	'
	run env PATH="$PWD/bin:$PATH" fish -c "source $OSL_TOP/completions/osl.fish; complete -C 'osl fs cp -'"
	assert_line --regexp '^-R	same as -r'
	assert_line --regexp '^--archive	'
	refute_output --partial null
}

@test "a policy file that cannot be opened is named as the policy file: exit 2 (125 for proc run)" {
	touch x
	run osl -p nonexist.yaml fs cat x
	assert_failure 2
	assert_output "osl fs cat: cannot open the policy file 'nonexist.yaml': No such file or directory"
	run osl fs -p nonexist.yaml cat x
	assert_failure 2
	OSL_POLICY=$PWD run osl fs stat x
	assert_failure 2
	assert_output --partial "cannot open the policy file '$PWD': Is a directory"
	run osl -p nonexist.yaml proc run -- true
	assert_failure 125
	assert_output --partial "cannot open the policy file 'nonexist.yaml'"
}

# GIVEN | STATUS | MESSAGE: unknown names, each with its suggestion
ERROR_TABLE='
fs stta              | 2 | osl fs: unknown verb '\''stta'\''; did you mean '\''stat'\''?
fs sta /             | 2 | osl fs: unknown verb '\''sta'\''; did you mean '\''stat'\''?
fss ls               | 2 | osl: unknown group '\''fss'\''; did you mean '\''fs'\''?
prco ps              | 2 | osl: unknown group '\''prco'\''; did you mean '\''proc'\''?
policy chekc f       | 2 | osl policy: unknown verb '\''chekc'\''; did you mean '\''check'\''?
proc zzzzzz          | 2 | osl proc: unknown verb '\''zzzzzz'\''
help fs stta         | 2 | osl help: no such verb '\''fs stta'\''; did you mean '\''stat'\''?
supervise ctl stauts | 2 | osl supervise ctl: unknown verb '\''stauts'\''; did you mean '\''status'\''? (status start stop restart delete signal reload shutdown metrics)
supervise ctl tat    | 2 | osl supervise ctl: unknown verb '\''tat'\'' (status start stop restart delete signal reload shutdown metrics)
'

@test "unknown groups, verbs and ctl verbs: exit 2, with 'did you mean' for a typo" {
	local given want msg bad=
	while IFS='|' read -r given want msg; do
		given=$(echo $given)
		[ -n "$given" ] || continue
		msg=${msg# }
		run osl $given
		if [ "$status" -ne "$want" ] ||
			[ "$output" != "$msg"$'\n'"${msg%%: *}: see '${msg%%: *} -h'" ]; then
			bad="$bad [$given: $status: $output]"
		fi
	done <<<"$ERROR_TABLE"
	[ -z "$bad" ] || { echo "$bad" >&2; false; }
}

@test "one wording for a bad duration in every verb; -l names the sinks" {
	local cmd
	for cmd in "net wait 127.0.0.1:1 --timeout 5x" "net check -t 5x 127.0.0.1:1" \
	    "net connect 127.0.0.1:1 --idle 5x" "proc run --timeout 5x -- true"; do
		run osl $cmd
		assert_failure 2
		assert_line --index 0 --partial "'5x': bad duration (e.g. 250ms, 10s, 5m)"
	done
	# the same words in a policy file, a tree file and a --limit
	printf 'version: 1\nproc:\n  limits:\n    wall: 5x\n' > p.yaml
	run osl policy check p.yaml
	assert_failure 2
	assert_output --partial "p.yaml:4:11: proc.limits.wall: '5x': bad duration (e.g. 250ms, 10s, 5m)"
	printf 'version: 1\nsupervisor:\n  period: 5x\n  children: []\n' > t.yaml
	run osl supervise -c t.yaml --check
	assert_failure 2
	assert_output --partial "t.yaml:3:11: period: '5x': bad duration (e.g. 250ms, 10s, 5m)"
	run osl proc run --limit wall=5x -- true
	assert_failure 2
	assert_line --index 0 --partial "'5x': bad duration (e.g. 250ms, 10s, 5m) for limit 'wall'"
	touch x
	run osl -l bogus fs cat x
	assert_failure 2
	assert_output --partial "unknown log sink 'bogus' (file:PATH, stderr, syslog, syslog:SOCKET, journald, none)"
}

@test "a long cluster of the verb's and global letters" {
	mkdir a && touch a/f
	run osl fs ls a -jlaRlaRlaRlaRlaRlaR
	assert_success
	[ "$(jget '.[0].name' "$output")" = f ]
}

@test "every long option of every command is in its man page" {
	local cmd page o missing=
	while read -r cmd; do
		case $cmd in
		help|completion|'') page=$OSL_TOP/man/osl.1.scd ;;
		*) page=$(ls "$OSL_TOP"/man/osl-"${cmd%% *}".[18].scd) ;;
		esac
		for o in $(osl $cmd -h | grep -oE -- '^  (-[A-Za-z0-9], |    )--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+'); do
			[ "$o" = --help ] && continue
			grep -qF -- "$o" "$page" || missing="$missing [$cmd $o: ${page##*/}]"
		done
	done < <(osl help --commands; echo)
	[ -z "$missing" ] || { echo "not in the man page:$missing" >&2; false; }
}

@test "completions offer the builtin: policies after -p, --base and policy test --policy" {
	local names
	names=$(ls "$OSL_TOP"/policies/*.yaml | sed 's|.*/||; s|\.yaml$||; s|^|builtin:|' | sort)
	[ -n "$names" ]
	comp() {
		bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
			_osl; printf "%s\n" "${COMPREPLY[@]}"' _ "$OSL_TOP/completions/osl.bash" "$@"
	}
	touch mine.yaml
	run comp osl -p ''
	assert_line mine.yaml
	[ "$(grep '^builtin:' <<<"$output" | sort)" = "$names" ]
	run comp osl policy learn --base bui
	[ "$(sort <<<"$output")" = "$names" ]
	run comp osl policy test --policy bui
	[ "$(sort <<<"$output")" = "$names" ]
	command -v fish >/dev/null || skip "fish is not installed"
	mkdir bin && ln -s "$OSL" bin/osl
	run env PATH="$PWD/bin:$PATH" fish -c "source $OSL_TOP/completions/osl.fish; complete -C 'osl -p '"
	assert_line --regexp '^builtin:ci'
	assert_line --regexp '^mine.yaml'
}

@test "completions: proc run and policy learn complete a command name, then files" {
	comp() {
		bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
			_osl; printf "%s\n" "${COMPREPLY[@]}"' _ "$OSL_TOP/completions/osl.bash" "$@"
	}
	touch mkfile
	run comp osl proc run -- mkdi
	assert_line mkdir
	refute_line mkfile
	run comp osl proc run mkdi
	assert_line mkdir
	run comp osl policy learn -o out.yaml -- mkdi
	assert_line mkdir
	run comp osl proc run -- make mkf
	assert_output mkfile
	command -v fish >/dev/null || skip "fish is not installed"
	mkdir bin && ln -s "$OSL" bin/osl
	run env PATH="$PWD/bin:$PATH" fish -c "source $OSL_TOP/completions/osl.fish; complete -C 'osl proc run -- mkdi'"
	assert_line --regexp '^mkdir'
}

# The man-page text of one command: a verb's paragraph of VERBS (from its
# *verb* line to the next one), else the whole page.
man_text() {
	local g=$1 v=$2 page
	case $g in
	help|completion|'') page=$OSL_TOP/man/osl.1.scd ;;
	*) page=$(ls "$OSL_TOP"/man/osl-"$g".[18].scd) ;;
	esac
	if [ -n "$v" ] && [ "$g" != supervise ]; then
		awk -v v="*$v*" 'index($0, v) == 1 { on = 1; print; next } on && /^(\*[a-z]|#)/ { on = 0 } on' "$page"
	else
		cat "$page"
	fi
}

@test "every option of every command (supervise ctl too), short and long, is in its verb's paragraph of the man page" {
	local g v text o missing=
	while read -r g v; do
		text=$(man_text "$g" "$v")
		[ -n "$text" ] || { missing="$missing [$g $v: no paragraph]"; continue; }
		for o in $(osl $g $v -h | grep -oE -- '^  (-[A-Za-z0-9], |    )--[a-z0-9-]+|^  -[A-Za-z0-9]' |
		    grep -oE -- '--?[A-Za-z0-9-]+'); do
			case $o in -h|--help) continue ;; esac
			# bold, as scdoc has it: *-4, --ipv4*, *--timeout* _D_, *--listen=*
			grep -qE -- "\*$o[*=, ]|[ *]$o\*" <<<"$text" || missing="$missing [$g $v $o]"
		done
	done < <(osl help --commands; echo supervise ctl; echo)
	[ -z "$missing" ] || { echo "not in the man page:$missing" >&2; false; }
	# and the check can fail: a paragraph without its option is caught
	text=$(man_text net resolve | sed 's/--ipv4//')
	! grep -qE -- "\*--ipv4[*=, ]|[ *]--ipv4\*" <<<"$text"
}

@test "every option that takes an argument says so by its name when it has none" {
	local cmd o bad=
	while read -r cmd; do
		for o in $(osl $cmd -h | grep -oE -- '^  (-[A-Za-z0-9], |    )--[a-z0-9-]+ [A-Z]' |
		    grep -oE -- '--[a-z0-9-]+'); do
			run timeout 10 "$OSL" $cmd "$o" </dev/null
			[ "$status" -eq 2 ] && [[ $output == *"option '$o' needs an argument"* ]] ||
				bad="$bad [$cmd $o: $status: ${output%%$'\n'*}]"
		done
	done < <(osl help --commands; echo supervise ctl; echo)
	[ -z "$bad" ] || { echo "$bad" >&2; false; }
}

# GIVEN | MESSAGE: a bad argument, one wording per kind of option
BAD_ARG_TABLE='
net proxy --max-clients 0                | '\''0'\'': --max-clients takes a number from 1 to 4096
net listen --max-conns 2000 127.0.0.1:0  | '\''2000'\'': --max-conns takes a number from 1 to 1024
supervise --max-restarts x -- true       | '\''x'\'': --max-restarts takes a number from 0 to 100000
supervise --period 0 -- true             | '\''0'\'': --period must be more than 0
net wait --timeout 0 127.0.0.1:1         | '\''0'\'': --timeout must be more than 0
supervise -r sometimes -- true           | '\''sometimes'\'': --restart takes one of: no on-failure always
supervise --restart alway -- true        | '\''alway'\'': --restart takes one of: no on-failure always; did you mean '\''always'\''?
supervise -e 256 -- true                 | '\''256'\'': --exit-success is an exit code (0 to 255)
supervise --grace 5x -- true             | '\''5x'\'': bad duration (e.g. 250ms, 10s, 5m)
'

@test "a bad option argument: exit 2, one wording per kind (number, duration, choice)" {
	local given msg bad=
	while IFS='|' read -r given msg; do
		given=$(echo $given)
		[ -n "$given" ] || continue
		msg=${msg# }
		run osl $given
		[ "$status" -eq 2 ] && [ "${lines[0]}" = "osl ${given%% -*}: $msg" ] ||
			bad="$bad [$given: $status: ${lines[0]}]"
	done <<<"$BAD_ARG_TABLE"
	[ -z "$bad" ] || { echo "$bad" >&2; false; }
	# a duration of 0 where 0 means "at once" is taken
	run -0 osl supervise --grace 0 --stop-timeout 0 -- true
}

@test "the options a usage line names are options of that command" {
	local cmd help o bad=
	while read -r cmd; do
		help=$(osl $cmd -h)
		for o in $(head -n 1 <<<"$help" | grep -oE -- '(^| |\[|\|)--?[A-Za-z0-9][a-z0-9-]*' | grep -oE -- '--?[A-Za-z0-9][a-z0-9-]*'); do
			grep -qE -- "^  (-[A-Za-z0-9], )?$o( |,|$)|^      $o( |$)" <<<"$help" ||
				bad="$bad [$cmd: $o]"
		done
	done < <(osl help --commands; echo supervise ctl; echo)
	[ -z "$bad" ] || { echo "in a usage line but not an option:$bad" >&2; false; }
}
