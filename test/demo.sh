#!/bin/sh
# make demo: a few real operations under the built-in default policy, with
# the decisions and the activity records they leave.  Runs in a scratch HOME
# so that it touches nothing of yours.
set -u
B=${1:-build}
OSL=$(cd "$B" && pwd)/osl
d=$(mktemp -d "${TMPDIR:-/tmp}/osl-demo.XXXXXX")
trap 'rm -rf "$d"' EXIT
export HOME="$d/home" XDG_STATE_HOME="$d/state" XDG_CONFIG_HOME="$d/config" TMPDIR="$d/tmp"
unset OSL_POLICY
mkdir -p "$HOME/.ssh" "$TMPDIR" && cd "$HOME"
echo "hello from osl" > notes.txt
echo "-----BEGIN OPENSSH PRIVATE KEY-----" > .ssh/id_ed25519
log="$XDG_STATE_HOME/osl/activity.jsonl"

run() {
	printf '\n$ %s\n' "$*"
	"$@"
	printf '[exit %d]\n' $?
}
show() {
	if command -v jq >/dev/null 2>&1; then
		tail -n "$1" "$log" | jq -c '{action: .event.action, outcome: .event.outcome,
		  decision: .osl.decision, rule: .rule.id, target: (.file.path // .process.executable), reason: .event.reason}'
	else
		tail -n "$1" "$log"
	fi
}

echo "== osl demo: the built-in default policy, a scratch HOME ($HOME)"
run "$OSL" fs cat notes.txt
run "$OSL" -j fs stat notes.txt
if "$OSL" help --commands | grep -q '^fs write$'; then
	printf '\n$ echo changed | osl fs write notes.txt\n'
	echo changed | "$OSL" fs write notes.txt; echo "[exit $?]"
	printf '\n$ echo x | osl fs write /etc/osl-demo\n'
	echo x | "$OSL" fs write /etc/osl-demo; echo "[exit $?]"
fi
run "$OSL" fs cat .ssh/id_ed25519
run "$OSL" policy explain fs.read "$HOME/.ssh/id_ed25519"
if "$OSL" help --commands | grep -q '^proc run$'; then
	run "$OSL" proc run -- /bin/sh -c 'echo sandboxed; ls ~/.ssh; cat ~/.ssh/id_ed25519'
fi
echo
echo "== the activity log ($log), one record per operation:"
show 8
echo
echo "== the first record in full:"
head -n 1 "$log"
echo
run "$OSL" log verify "$log"
