# Shared by the `osl supervise -c` tests: a private runtime folder for the
# control socket, and a tree run in the background and stopped at teardown.

setup() {
	common_setup
	export XDG_RUNTIME_DIR=$T/run
	mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
	SOCK=$XDG_RUNTIME_DIR/osl/supervise.sock
}

teardown() {
	[ -n "${SVPID:-}" ] && kill -TERM "$SVPID" 2>/dev/null && wait "$SVPID" 2>/dev/null
	true
}

# Run the tree in FILE ($1, default tree.yaml) until its control socket
# answers; global options (e.g. --audit) in $SV_OPTS.
start_tree() {
	# shellcheck disable=SC2086
	"$OSL" ${SV_OPTS:-} supervise -c "${1:-tree.yaml}" >"$T/sv.out" 2>"$T/sv.err" &
	SVPID=$!
	for _ in $(seq 200); do
		"$OSL" supervise ctl status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	cat "$T/sv.err"
	return 1
}
