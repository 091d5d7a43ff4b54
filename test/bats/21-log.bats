#!/usr/bin/env bats
# The activity log: records, the chain, verify, concurrency, full disks,
# reopening, and the syslog sink against a real rsyslogd.
load helper

setup() {
	common_setup
	export OSL_POLICY=$OSL_TOP/test/fixtures/policies/fs-basic.yaml
	echo data > "$HOME/f"
	mkdir -p "$HOME/secret" && echo s > "$HOME/secret/k"
}

some_records() {
	for i in 1 2 3 4 5; do osl fs stat "$HOME/f" >/dev/null; done
	osl fs cat "$HOME/secret/k" 2>/dev/null || true
	osl fs cat "$HOME/nosuch" 2>/dev/null || true
}

@test "records are one JSON object per line with the ECS fields" {
	some_records
	[ "$(wc -l < "$LOG")" = 7 ]
	while read -r line; do
		printf '%s' "$line" | jq -e '."@timestamp" and .event.action and .event.sequence
			and .process.pid and .host.hostname and .user.id and .osl.chain.hash
			and (.osl.chain.prev | length == 64) and .osl.severity_number
			and .ecs.version' >/dev/null
	done < "$LOG"
	head -c 14 "$LOG" | grep -q '^{"@timestamp":'
	[ "$(jq -s '[.[].event.sequence] == [range(1;8)]' "$LOG")" = true ]
}

@test "verify: an untouched log is intact" {
	some_records
	run osl log verify "$LOG"
	assert_success
	assert_output --partial "intact, 7 records"
	run --separate-stderr osl -j log verify "$LOG"
	[ "$(jget '.[0].intact' "$output")" = true ]
}

@test "verify: an edited record is found, with its line" {
	some_records
	sed -i '3s/"fs.read"/"fs.exec"/' "$LOG"
	run osl log verify "$LOG"
	assert_failure 1
	# FILE:LINE: says the line once
	assert_output "osl log verify: $LOG:3: chain.hash does not match the line's bytes (the record was changed)"
}

@test "verify: a deleted, a reordered and an inserted record are found" {
	some_records
	cp "$LOG" "$T/orig"
	sed -i '4d' "$LOG"
	run osl log verify "$LOG"
	assert_failure 1
	assert_output --partial ":4: "
	cp "$T/orig" "$LOG"
	{ sed -n 1,2p "$T/orig"; sed -n 4p "$T/orig"; sed -n 3p "$T/orig"; sed -n '5,$p' "$T/orig"; } > "$LOG"
	run osl log verify "$LOG"
	assert_failure 1
	assert_output --partial ":3: "
	{ sed -n 1,2p "$T/orig"; sed -n 2p "$T/orig"; sed -n '3,$p' "$T/orig"; } > "$LOG"
	run osl log verify "$LOG"
	assert_failure 1
}

@test "verify: a torn last line is named as torn, not as tampering" {
	some_records
	head -c -20 "$LOG" > "$T/torn" && mv "$T/torn" "$LOG"
	run osl log verify "$LOG"
	assert_failure 1
	assert_output --partial ":7: "
	assert_output --partial "torn"
	run --separate-stderr osl -j log verify "$LOG"
	[ "$(jget '.[0].torn_tail' "$output")" = true ]
}

@test "after a torn line the next record starts on a fresh line and the chain goes on" {
	some_records
	printf '{"@timestamp":"2026-' >> "$LOG"
	osl fs stat "$HOME/f" >/dev/null
	tail -n 1 "$LOG" | jq -e .event.action >/dev/null
	run osl log verify "$LOG"
	assert_success
	assert_output --partial "intact, 8 records"
	assert_output --partial "1 torn line (line 8)"
}

@test "verify: bad input" {
	run osl log verify
	assert_failure 2
	run osl log verify "$T/nosuch"
	assert_failure 2
	assert_output --partial "No such file or directory"
	echo 'not json' > "$T/j"
	run osl log verify "$T/j"
	assert_failure 1
	assert_output --partial ":1: "
}

@test "4 concurrent writers x 50 records: 200 records in one valid chain" {
	for w in 1 2 3 4; do
		( for i in $(seq 50); do "$OSL" fs stat "$HOME/f" >/dev/null || exit 1; done ) &
	done
	wait
	[ "$(wc -l < "$LOG")" = 200 ]
	run osl log verify "$LOG"
	assert_success
	assert_output --partial "intact, 200 records"
}

full_fs() {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	mkdir -p "$TMPDIR/full"
	mount -t tmpfs -o size=256k tmpfs "$TMPDIR/full" || skip "cannot mount tmpfs here"
	dd if=/dev/zero of="$TMPDIR/full/filler" bs=4k 2>/dev/null || true
}

teardown() {
	mountpoint -q "$TMPDIR/full" 2>/dev/null && umount "$TMPDIR/full" || true
	[ -n "${RSYSLOG_PID:-}" ] && kill "$RSYSLOG_PID" 2>/dev/null || true
}

@test "a full disk under the log with on_failure: deny refuses the operation (exit 3)" {
	full_fs
	run osl -p "$OSL_TOP/test/fixtures/policies/log-full.yaml" fs cat "$HOME/f"
	assert_failure 3
	assert_output --partial "No space left on device"
	refute_output --partial "data"
}

@test "the space one osl reserves past the log's end serves the next ones, also on a full disk" {
	full_fs
	rm -f "$TMPDIR/full/filler"
	command -v strace >/dev/null || skip "strace is not installed"
	P=$OSL_TOP/test/fixtures/policies/log-full.yaml
	run osl -p "$P" fs cat "$HOME/f"
	assert_success
	# the next command finds the blocks past the end and reserves nothing
	# (LeakSanitizer cannot run under ptrace: off for this one, in an ASan build)
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -e trace=fallocate -o "$T/st" "$OSL" -p "$P" fs cat "$HOME/f"
	assert_success
	! grep -q fallocate "$T/st"
	# with the disk full, the reserved blocks still take the records
	dd if=/dev/zero of="$TMPDIR/full/filler" bs=4k 2>/dev/null || true
	for _ in 1 2 3; do
		run osl -p "$P" fs cat "$HOME/f"
		assert_success
		assert_output data
	done
	run osl log verify "$TMPDIR/full/activity.jsonl"
	assert_success
	assert_output --partial "intact, 5 records"
}

@test "a full disk under the log with on_failure: continue goes on and says so" {
	full_fs
	run --separate-stderr osl -p "$OSL_TOP/test/fixtures/policies/log-full-continue.yaml" fs cat "$HOME/f"
	assert_success
	assert_output data
	[[ "$stderr" == *"No space left on device"* ]]
}

@test "SIGHUP reopens the log file (logrotate's create + postrotate)" {
	osl fs stat "$HOME/f" >/dev/null
	mkfifo "$HOME/fifo"
	"$OSL" fs cat "$HOME/fifo" > "$T/out" &
	pid=$!
	# SIGHUP caught (SigCgt bit 1) before the log moves; the signal is
	# taken before the write below lets osl go on, so no wait after it
	for i in $(seq 200); do
		(( 0x$(awk '/^SigCgt/ { print $2 }' /proc/$pid/status 2>/dev/null || echo 0) & 1 )) && break
		sleep 0.05
	done
	mv "$LOG" "$LOG.1"
	kill -HUP $pid
	echo through > "$HOME/fifo"
	wait $pid
	[ "$(cat "$T/out")" = through ]
	[ -s "$LOG" ]
	[ "$(wc -l < "$LOG.1")" = 1 ]
	jq -e '.file.path | endswith("fifo")' "$LOG" >/dev/null
	run osl log verify -r "$LOG.1" "$LOG"
	assert_success
}

@test "rotation: a writer killed while rotating leaves its empty FILE.new.PID; the next rotation removes it, not one with bytes or one whose writer lives" {
	command -v strace >/dev/null || skip "strace is needed"
	printf 'version: 1\nextends: [builtin:default]\nlog:\n  rotate: { size: 1k, keep: 3 }\n' > "$T/p.yaml"
	osl -p "$T/p.yaml" fs stat "$HOME/f" >/dev/null
	# killed at the rotation's first rename: the new file is made, not in place
	run strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
	    -e inject=rename,renameat,renameat2:signal=KILL:when=1 "$OSL" -p "$T/p.yaml" fs stat "$HOME/f"
	[ "$status" = 137 ] || skip "strace cannot inject a signal here"
	left=$(echo "$LOG".new.*)
	[ -f "$left" ] && [ ! -s "$left" ]
	dead=$(sh -c 'echo $$')
	echo '{"not a log file' > "$LOG.new.$dead"
	: > "$LOG.new.$$"
	: > "$LOG.new.x$dead"
	osl -p "$T/p.yaml" fs stat "$HOME/f" >/dev/null
	[ -e "$LOG.1" ]
	[ ! -e "$left" ]
	[ -s "$LOG.new.$dead" ] && [ -e "$LOG.new.$$" ] && [ -e "$LOG.new.x$dead" ]
	run osl log verify -r "$LOG.1" "$LOG"
	assert_success
}

@test "the syslog sink speaks RFC 5424 to a real rsyslogd on a private socket" {
	command -v rsyslogd >/dev/null || skip "rsyslog is not installed"
	cat > "$T/rsyslog.conf" <<CONF
global(workDirectory="$T")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$T/log.sock" CreatePath="on" useSpecialParser="off" parseHostname="on")
template(name="t" type="string" string="%APP-NAME%|%PROCID%|%syslogseverity-text%|%msg%\n")
*.* action(type="omfile" file="$T/syslog.out" template="t")
CONF
	rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslog.pid" &
	RSYSLOG_PID=$!
	for i in $(seq 300); do [ -S "$T/log.sock" ] && break; sleep 0.1; done
	[ -S "$T/log.sock" ] || fail "rsyslogd did not create its socket"
	run osl -l "syslog:$T/log.sock" fs stat "$HOME/f"
	assert_success
	run osl -l "syslog:$T/log.sock" fs cat "$HOME/secret/k"
	assert_failure 3
	for i in $(seq 300); do [ "$(wc -l < "$T/syslog.out" 2>/dev/null)" -ge 2 ] 2>/dev/null && break; sleep 0.1; done
	run cat "$T/syslog.out"
	assert_line --index 0 --regexp '^osl\|[0-9]+\|info\|'
	assert_line --index 1 --regexp '^osl\|[0-9]+\|warning\|'
	line=$(sed -n 1p "$T/syslog.out")
	printf '%s' "${line#*|*|*|}" | sed 's/^ *//' | jq -e '.event.action == "fs.read"' >/dev/null
}

@test "show: a table of records, filtered by action, outcome, level and time" {
	some_records
	run osl log show "$LOG"
	assert_success
	assert_line --index 0 --regexp '^TIME +LEVEL +ACTION +OUTCOME'
	[ "${#lines[@]}" = 8 ]
	assert_output --partial "denied by no-secret"
	# a denial did not happen either: failure, and findable by its decision
	run osl log show --outcome failure "$LOG"
	[ "${#lines[@]}" = 3 ]
	assert_output --partial "nosuch"
	run osl log show --decision deny "$LOG"
	[ "${#lines[@]}" = 2 ]
	assert_output --partial "denied by no-secret"
	run osl log show -d allow -o failure "$LOG"
	[ "${#lines[@]}" = 2 ]
	assert_output --partial "nosuch"
	run osl log show --decision maybe "$LOG"
	assert_failure 2
	assert_output --partial "decision must be allow or deny"
	# a group alone is fs.*; a name that is no action is refused, not silently empty
	run osl log show --action fs "$LOG"
	[ "${#lines[@]}" = 8 ]
	run osl log show --action 'fs.*' "$LOG"
	[ "${#lines[@]}" = 8 ]
	run osl log show --action fsx "$LOG"
	assert_failure 2
	assert_output --partial "unknown action 'fsx'"
	run osl log show --level warn "$LOG"
	[ "${#lines[@]}" = 3 ]
	run osl log show --action 'net.*' "$LOG"
	[ "${#lines[@]}" = 1 ]
	run osl log show --since 1h "$LOG"
	[ "${#lines[@]}" = 8 ]
	run osl log show --since 2099-01-01T00:00:00Z "$LOG"
	[ "${#lines[@]}" = 1 ]
}

@test "show -j: one JSON array of the records as written" {
	some_records
	run --separate-stderr osl -j log show -a 'fs.*' "$LOG"
	assert_success
	[ "$(printf '%s' "$output" | jq length)" = 7 ]
	[ "$(printf '%s' "$output" | jq -c '.[0]')" = "$(head -n 1 "$LOG" | jq -c .)" ]
	run --separate-stderr osl -j log show -a net.connect "$LOG"
	[ "$output" = "[]" ]
}

@test "show: bad input" {
	some_records
	run osl log show --outcome maybe "$LOG"
	assert_failure 2
	run osl log show --since yesterday "$LOG"
	assert_failure 2
	run osl log show --level loud "$LOG"
	assert_failure 2
	run osl log show
	assert_failure 2
	run osl log show "$T/nosuch"
	assert_failure 2
	printf 'junk\n' >> "$LOG"
	run --separate-stderr osl log show "$LOG"
	assert_success
	[[ "$stderr" == *"1 line is not a JSON record, skipped"* ]]
}

@test "the journald sink speaks the native protocol to a real systemd-journald" {
	[ "$(id -u)" = 0 ] || skip "needs root for a private mount namespace"
	[ -x /lib/systemd/systemd-journald ] || skip "systemd-journald is not installed"
	command -v journalctl >/dev/null || skip "journalctl is not installed"
	command -v unshare >/dev/null || skip "unshare is not installed"
	# journald's socket path is fixed: give it a private /run in a private
	# mount namespace, so the machine's own journal (if any) is not touched
	cat > "$T/j.sh" <<'SH'
set -e
mkdir -p /run/systemd /run/log
mount -t tmpfs tmpfs /run/systemd
mount -t tmpfs tmpfs /run/log
[ -d /var/log/journal ] && mount -t tmpfs tmpfs /var/log/journal
mkdir -p /run/systemd/journal
# not holding bats' output open, and never outliving the test
/lib/systemd/systemd-journald </dev/null >/dev/null 2>&1 3>&- &
jpid=$!
trap 'kill $jpid 2>/dev/null' EXIT
for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
"$OSL" -l journald fs stat "$HOME/f" >/dev/null
"$OSL" -l journald fs cat "$HOME/secret/k" 2>/dev/null && exit 9
for i in $(seq 100); do
	n=$(journalctl -D /run/log/journal -o json --no-pager SYSLOG_IDENTIFIER=osl 2>/dev/null | wc -l)
	[ "$n" -ge 2 ] && break
	sleep 0.05
done
journalctl -D /run/log/journal -o json --no-pager SYSLOG_IDENTIFIER=osl
SH
	run timeout 60 unshare -m --propagation private sh "$T/j.sh"
	assert_success
	[ "${#lines[@]}" -ge 2 ]
	[ "$(jget .PRIORITY "${lines[0]}")" = 6 ]
	[ "$(jget .PRIORITY "${lines[1]}")" = 4 ]
	jget .OSL_RECORD "${lines[0]}" | jq -e '.event.action == "fs.read" and .osl.chain.hash' >/dev/null
	jget .MESSAGE "${lines[1]}" | grep -q "denied by no-secret"
}

@test "verify -c: checkpoint copies kept elsewhere catch a truncated or replaced log" {
	mkdir -p "$T/elsewhere"
	cat > "$T/cp.yaml" <<YAML
version: 1
extends: [$OSL_TOP/test/fixtures/policies/fs-basic.yaml]
log:
  sink: "file:$T/a.jsonl"
  checkpoint: { every: 3, sink: "file:$T/elsewhere/cp.jsonl" }
YAML
	for i in 1 2 3 4 5 6 7 8 9 10; do osl -p "$T/cp.yaml" fs stat "$HOME" >/dev/null; done
	[ "$(grep -c '"log.checkpoint"' "$T/elsewhere/cp.jsonl")" = 4 ]
	jget .osl.checkpoint.file "$(head -n 1 "$T/elsewhere/cp.jsonl")" | grep -qx "$T/a.jsonl"
	run osl log verify -c "$T/elsewhere/cp.jsonl" "$T/a.jsonl"
	assert_success
	assert_output --partial "4 of 4 checkpoint copies matched"
	# the newest records cut off: the chain alone still holds
	cp "$T/a.jsonl" "$T/a.full"
	head -n 6 "$T/a.full" > "$T/a.jsonl"
	run osl log verify "$T/a.jsonl"
	assert_success
	run --separate-stderr osl -j log verify -c "$T/elsewhere/cp.jsonl" "$T/a.jsonl"
	assert_failure 1
	[ "$(jget '.[0].intact' "$output")" = false ]
	[ "$(jget '.[0].bad_line' "$output")" = 7 ]
	[ "$(jget '.[0].pins_matched' "$output")" = 2 ]
	[[ "$stderr" == *"truncated: $T/elsewhere/cp.jsonl (line 4) has a checkpoint of record 12, the log ends at record 6"* ]]
	# replaced by a fresh log, chained from zero, at the same path
	rm "$T/a.jsonl"
	osl -p "$T/cp.yaml" fs stat "$HOME" >/dev/null
	run osl log verify -c "$T/elsewhere/cp.jsonl" "$T/a.jsonl"
	assert_failure 1
	assert_output --regexp "record [0-9]+ does not match its checkpoint|truncated"
	# a changed checkpoint file is refused, not trusted
	cp "$T/a.full" "$T/a.jsonl"
	sed -i '2s/"sequence":[0-9]*/"sequence":1/' "$T/elsewhere/cp.jsonl"
	run osl log verify -c "$T/elsewhere/cp.jsonl" "$T/a.jsonl"
	assert_failure 1
	assert_output --partial "checkpoint file '$T/elsewhere/cp.jsonl' is not intact"
	run osl log verify -c "$T/nosuch" "$T/a.jsonl"
	assert_failure 2
	run osl log verify -c "$T/elsewhere/cp.jsonl" "$T/a.jsonl" "$T/a.full"
	assert_failure 2
	assert_output --partial "give its files with -r"
}

@test "signed checkpoints: keygen, a policy that signs, verify --key" {
	run osl log keygen "$HOME/ck" "$HOME/ck.pub"
	assert_success
	[ "$(stat -c %a "$HOME/ck")" = 600 ]
	run osl log keygen "$HOME/ck"
	assert_failure 1
	assert_output --partial "File exists"
	run osl log keygen /etc/osl-key
	assert_failure 3
	osl log keygen "$HOME/other" "$HOME/other.pub" >/dev/null
	cat > "$T/signed.yaml" <<YAML
version: 1
extends: [$OSL_TOP/test/fixtures/policies/fs-basic.yaml]
log:
  sink: "file:$T/signed.jsonl"
  checkpoint: { every: 3, key: "$HOME/ck" }
YAML
	for i in 1 2 3 4 5 6 7; do osl -p "$T/signed.yaml" fs stat "$HOME/f" >/dev/null; done
	grep -q '"log.checkpoint"' "$T/signed.jsonl"
	run osl log verify --key "$HOME/ck.pub" "$T/signed.jsonl"
	assert_success
	assert_output --regexp "intact, [0-9]+ records, [1-9][0-9]* checkpoints"
	run osl log verify --key "$HOME/other.pub" "$T/signed.jsonl"
	assert_failure 1
	run osl log verify --key "$T/nosuch.pub" "$T/signed.jsonl"
	assert_failure 2
}
