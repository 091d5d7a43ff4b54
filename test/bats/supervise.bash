# Shared by the supervise -c tests (41, 42, 43): a private runtime folder for
# the control socket, a tree started in the background, and stopped after.
load helper

sv_setup() {
	common_setup
	export XDG_RUNTIME_DIR=$T/run
	mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
	SOCK=$XDG_RUNTIME_DIR/osl/supervise.sock
}

teardown() {
	[ -n "${PORT_HOLDER:-}" ] && kill "$PORT_HOLDER" 2>/dev/null
	[ -n "${SVPID:-}" ] && kill -TERM "$SVPID" 2>/dev/null && wait "$SVPID" 2>/dev/null
	no_duplicate_keys
}

# A tree of two sleepers, a and b, started (its file: tree.yaml).
start_sleepers() {
	cat > tree.yaml <<-EOF
	version: 1
	supervisor:
	  children:
	    - name: a
	      cmd: [sleep, "1000"]
	    - name: b
	      cmd: [sleep, "1000"]
	EOF
	start_tree tree.yaml
}

# Every record the test wrote (the log and its rotated files) has each key
# once per object: duplicate keys are undefined behaviour for JSON readers.
# A line that is no JSON at all is a torn one (a writer killed mid-record, as
# bats 42 does on purpose): whether it may be there is log verify's to say.
no_duplicate_keys() {

	set -- "${LOG:-/nonexistent}"*
	[ -e "$1" ] || return 0
	python3 -c '
import json, sys
bad = []
def pairs(kv):
    keys = [k for k, _ in kv]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        bad.append(dup)
    return dict(kv)
for f in sys.argv[1:]:
    for line in open(f, encoding="utf-8", errors="replace"):
        if line.strip():
            try:
                json.loads(line, object_pairs_hook=pairs)
            except ValueError:
                pass
if bad:
    print("records with duplicate keys:", len(bad), bad[:3])
    sys.exit(1)
' "$@"
}

# Start the tree of FILE ($1, default $SV_FILE) and wait for its socket;
# global options (e.g. --audit) in $SV_OPTS.
start_tree() {
	# shellcheck disable=SC2086
	"$OSL" ${SV_OPTS:-} supervise -c "${1:-$SV_FILE}" >"$T/sv.out" 2>"$T/sv.err" &
	SVPID=$!
	wait_socket
}

# Wait (bounded: $1 tries, 200 unless told, 50 ms apart) until the tree
# answers on its socket.
wait_socket() {
	for _ in $(seq "${1:-200}"); do
		"$OSL" supervise ctl status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	cat "$T/sv.err"
	return 1
}

# The field JQ of child N in `ctl status -j`.
child() { "$OSL" -j supervise ctl status | jq -r ".tree.children[$1]$2"; }

# Wait until child N's field JQ is VALUE (bounded).
wait_for() {
	for _ in $(seq 300); do
		[ "$(child "$1" "$2")" = "$3" ] && return 0
		sleep 0.05
	done
	echo "child $1$2 is '$(child "$1" "$2")', not '$3'"
	return 1
}

# Wait until the log has a record matching the jq filter.
wait_record() {
	for _ in $(seq 300); do
		[ -s "$LOG" ] && [ "$(jq -c "select($1)" "$LOG" | wc -l)" -gt 0 ] && return 0
		sleep 0.05
	done
	echo "no record $1"
	return 1
}

# The rotated files of log $1, oldest (the highest number) first, by the
# number after the last dot: the folders above may have dots of their own.
rotated() {
	local f
	for f in "$1".*; do
		[ -e "$f" ] && printf '%s\t%s\n' "${f##*.}" "$f"
	done | sort -k1,1nr | cut -f2-
}
