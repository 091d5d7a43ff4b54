# Shared set-up for the bats tests: a private HOME, state and config, so a
bats_require_minimum_version 1.5.0
# test never reads or writes the user's real policy or log.
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

: "${OSL:=$BATS_TEST_DIRNAME/../../build/osl}"
: "${OSL_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${OSL_BUILD:=$(dirname "$OSL")}"
export OSL OSL_TOP OSL_BUILD

common_setup() {
	T=$BATS_TEST_TMPDIR
	export HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config TMPDIR=$T/tmp
	mkdir -p "$HOME" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" "$TMPDIR"
	unset OSL_POLICY XDG_RUNTIME_DIR
	LOG=$XDG_STATE_HOME/osl/activity.jsonl
	cd "$T"
}

osl() { "$OSL" "$@"; }

# The last record of the activity log, or of file $2.
last_record() { tail -n 1 "${1:-$LOG}"; }

# A field of a JSON document: jget '.event.action' "$json"
jget() { printf '%s\n' "$2" | jq -r "$1"; }
