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

# osl proc's tests: the fixture policies (P) and the escape probes (PROBES)
proc_setup() {
	P=$OSL_TOP/test/fixtures/policies
	PROBES=${OSL_BUILD:-$OSL_TOP/build}/probes
	[ -x "$PROBES/_helper" ] || PROBES=$OSL_TOP/build/probes
}

# test/probes/run ARGS...: none escaped, each probe ran under the sandbox
# and said what it got (none " refused "), and 30 or more are held.
probes_held() {
	run "$OSL_TOP/test/probes/run" "$@"
	echo "$output"
	assert_success
	assert_line --regexp '^[0-9]+ held, 0 escaped'
	refute_output --partial " refused "
	held=$(echo "$output" | tail -n 1 | cut -d' ' -f1)
	[ "$held" -ge 30 ]
}

# The abstract socket tests (34, 42): skipped where osl cannot decide
# connect() or Landlock cannot scope, under builtin:default (the host's
# network namespace); a host process listening on abstract name $1 (its
# pid: LISTENER), ready when /proc/net/unix lists it.
abstract_host_listener() {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed"
	run osl -j -p builtin:default proc run --dry-run
	echo "$output" | jq -e '.[] | select(.rule == "unix-connect") | .reason | test("decided by osl")' ||
	    skip "no seccomp user notification or pidfd_getfd here"
	echo "$output" | jq -e '.[-1].landlock_abi >= 6' || skip "no Landlock scope (ABI 6) here"
	echo "$output" | jq -e '.[-1].namespaces | index("net") | not'
	/usr/bin/python3 -c '
import socket, time
s = socket.socket(socket.AF_UNIX); s.bind("\0'"$1"'"); s.listen(4)
time.sleep(120)' >/dev/null 2>&1 3>&- &
	LISTENER=$!
	for _ in $(seq 100); do grep -q "@$1\$" /proc/net/unix && break; sleep 0.05; done
	grep -q "@$1\$" /proc/net/unix
}

# A loopback TCP port for a server that binds it later (its port must be in
# its configuration first): a holder keeps 127.0.0.1:PORT bound with
# SO_REUSEADDR but not listening, so no other program can take it, while the
# server, which also sets SO_REUSEADDR, can bind it and listen; a connect is
# refused until then.  The kernel picks the port.  Sets PORT and PORT_HOLDER
# (the caller's teardown kills it; it exits by itself after 300 s).
reserve_port() {
	command -v python3 >/dev/null || skip "python3 is needed"
	timeout 300 python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True); time.sleep(300)' \
	    > "$T/reserved-port" 2>&1 3>&- &
	PORT_HOLDER=$!
	for _ in $(seq 300); do grep -qx '[0-9]*' "$T/reserved-port" && break; sleep 0.1; done
	PORT=$(grep -x '[0-9]*' "$T/reserved-port")
}

# nobody, in a folder of its own ($W, with a home nobody owns; the test
# file's teardown removes it)
nobody_home() {
	command -v setpriv >/dev/null || skip "setpriv is needed"
	W=$(mktemp -d /tmp/osl-nobody.XXXXXX)
	chmod 755 "$W"
	mkdir -p "$W/home"
	chown 65534:65534 "$W/home"
}
as_nobody() {
	(cd "$W" && HOME=$W/home XDG_STATE_HOME=$W/home/state TMPDIR=$W/home \
	    setpriv --reuid=65534 --regid=65534 --clear-groups "$@")
}

# The JSON on stdin has the shape DEF of test/fixtures/json-output.schema.json
# (man osl(1), JSON OUTPUT), each key once per object; says why not, and
# fails, when it does not.
json_shape() {
	python3 -c '
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
def once(kv):
    keys = [k for k, _ in kv]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        sys.exit("%s: duplicate keys %s" % (sys.argv[2], dup))
    return dict(kv)
doc = json.loads(sys.stdin.read(), object_pairs_hook=once)
v = Draft202012Validator({"$ref": "#/$defs/" + sys.argv[2], "$defs": schema["$defs"]})
errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errs[:5]:
    print("%s: at %s: %s" % (sys.argv[2], "/".join(map(str, e.absolute_path)) or "top", e.message[:300]), file=sys.stderr)
sys.exit(1 if errs else 0)
' "$OSL_TOP/test/fixtures/json-output.schema.json" "$1"
}
