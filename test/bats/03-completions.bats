#!/usr/bin/env bats
# The completion scripts (`osl completion SHELL`, osl(1)) in the shells
# themselves: bash calls _osl with COMP_WORDS as readline would, zsh runs
# interactively in a pseudo-terminal and gets a TAB typed (test/zsh-complete),
# fish answers `complete -C LINE`.  What each must offer is read from osl
# itself (help --commands, -h, the ctl verbs, the shipped policies), so the
# tables, -h and the completions of all three shells are checked to agree.
load helper

setup() {
	common_setup
	mkdir bin comp
	ln -s "$OSL" bin/osl
	for g in fs proc net policy log supervise; do ln -s "$OSL" "bin/osl-$g"; done
	osl completion bash >comp/osl.bash
	osl completion zsh >comp/_osl
	osl completion fish >comp/osl.fish
	touch mine.yaml mkfile
}

need() {
	case $1 in
	zsh) command -v zsh >/dev/null || skip "zsh is not installed (src/build/deps.sh installs it)" ;;
	fish) command -v fish >/dev/null || skip "fish is not installed (src/build/deps.sh installs it)" ;;
	esac
}

# offered SHELL LINE...: for each LINE, "@@ LINE" and then what SHELL
# completes after it, one candidate a line
offered() {
	local sh=$1 l
	shift
	case $sh in
	bash)
		for l in "$@"; do
			echo "@@ $l"
			PATH=$PWD/bin:$PATH bash --norc --noprofile -c '
				source comp/osl.bash
				read -ra COMP_WORDS <<<"$1"
				[ "${1: -1}" = " " ] && COMP_WORDS+=("")
				COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
				complete -p "${COMP_WORDS[0]}" >/dev/null || exit 1
				_osl
				printf "%s\n" "${COMPREPLY[@]}"' _ "$l" || echo "(bash failed)"
		done ;;
	zsh)
		printf '%s\n' "$@" | PATH=$PWD/bin:$PATH timeout 120 "$OSL_TOP/test/zsh-complete" comp
		[ "${PIPESTATUS[1]}" != 77 ] || skip "zsh has no zpty module" ;;
	fish)
		for l in "$@"; do
			echo "@@ $l"
			PATH=$PWD/bin:$PATH timeout 60 fish --no-config -c \
			    'source comp/osl.fish; complete -C $argv[1]' "$l" | cut -f1
		done ;;
	esac
}

# The candidates for LINE in the output OUT of offered.
section() {
	awk -v want="@@ $1" '$0 == want { on = 1; next } /^@@ / { on = 0 } on' <<<"$2"
}

# The words a line must complete to, from osl itself.
words() {
	case $1 in
	groups) osl help --commands | awk '{ print $1 }' | sort -u ;;
	verbs) osl help --commands | awk -v g="$2" '$1 == g { print $2 }' ;;
	ctl-verbs) osl supervise ctl nosuch 2>&1 | sed -n '1s/.*(\(.*\))$/\1/p' | tr ' ' '\n' ;;
	builtin) ls "$OSL_TOP"/policies/*.yaml | sed 's|.*/||; s|\.yaml$||; s|^|builtin:|' ;;
	# the options -h lists: what completes after "-"
	options) shift; osl "$@" -h | grep -oE -- '^  (-[A-Za-z0-9], |    )--[a-z0-9-]+|^  -[A-Za-z0-9]' |
		grep -oE -- '--?[A-Za-z0-9-]+' ;;
	*) printf '%s\n' $1 ;;
	esac
}

# LINE | WHAT IT OFFERS (words, or a list of the words above) | NOT OFFERED
CASES='
osl |groups|
osl fs |verbs fs|proc
osl proc |verbs proc|fs
osl supervise ctl |ctl-verbs|mkfile
osl supervise ctl -|options supervise ctl|
osl supervise ct|ctl|
osl supervise mkdi|mkdir|ctl
osl supervise -- mkdi|mkdir|
osl supervise -r |no on-failure always|
osl supervise -r always mkdi|mkdir|
osl supervise -r always -|--period --grace -c --config --check|
osl -l stderr fs |verbs fs|
osl -p |builtin mine.yaml|fs
osl policy learn --base bui|builtin|
osl policy test --policy bui|builtin|
osl proc run -- mkdi|mkdir|mkfile
osl proc run mkdi|mkdir|mkfile
osl policy learn -o out.yaml -- mkdi|mkdir|
osl proc run -- make mk|mkfile|mkdir
osl fs cp -|options fs cp|--policy
osl fs cp mkfile -|options fs cp|
osl fs ls --al|--all|--long
osl -l |stderr syslog journald none|
osl fs -p bui|builtin|
osl fs cat -p bui||builtin:default
osl fs --log s|stderr syslog|
osl fs cat --log s||stderr
osl fs ls -l mk|mkfile|
osl proc ps -l ||stderr
osl help |groups|
osl-fs |verbs fs|proc supervise
osl-fs cp -|options fs cp|
osl-proc |verbs proc|fs
osl-supervise ctl st|start status stop|
'

# check SHELL: every case of CASES in SHELL; the failures on stderr
check() {
	local sh=$1 line want not out got w bad= lines=()
	while IFS='|' read -r line want not; do
		[ -n "$line" ] && lines+=("$line")
	done <<<"$CASES"
	out=$(offered "$sh" "${lines[@]}")
	while IFS='|' read -r line want not; do
		[ -n "$line" ] || continue
		got=$(section "$line" "$out" | sed 's|/$||')
		for w in $(case $want in groups|ctl-verbs|builtin*|verbs*|options*) words $want ;; *) echo $want ;; esac); do
			grep -qxF -- "$w" <<<"$got" || bad="$bad [$line: $w missing]"
		done
		for w in $not; do
			grep -qxF -- "$w" <<<"$got" && bad="$bad [$line: $w offered]"
		done
	done <<<"$CASES"
	[ -z "$bad" ] || { echo "$sh:$bad" >&2; false; }
}

@test "bash completes groups, verbs, options, builtin: policies, ctl verbs, commands and osl-GROUP" {
	check bash
}

@test "zsh completes groups, verbs, options, builtin: policies, ctl verbs, commands and osl-GROUP" {
	need zsh
	check zsh
}

@test "fish completes groups, verbs, options, builtin: policies, ctl verbs, commands and osl-GROUP" {
	need fish
	check fish
}

@test "each shell completes every option -h lists, for every command" {
	local cmds=() lines=() sh c out got w bad=
	while read -r c; do cmds+=("$c"); done < <(osl help --commands; echo supervise ctl)
	for c in "${cmds[@]}"; do lines+=("osl $c -"); done
	for sh in bash zsh fish; do
		command -v $sh >/dev/null || continue
		out=$(offered $sh "${lines[@]}")
		for c in "${cmds[@]}"; do
			got=$(section "osl $c -" "$out")
			for w in $(words options $c); do
				grep -qxF -- "$w" <<<"$got" || bad="$bad [$sh: osl $c $w]"
			done
		done
	done
	[ -z "$bad" ] || { echo "not completed:$bad" >&2; false; }
}

@test "the test can fail: a completion script that lost a verb is caught" {
	osl completion bash | sed 's/ chmod / /' >comp/osl.bash
	run check bash
	assert_failure
	assert_output --partial '[osl fs : chmod missing]'
}
