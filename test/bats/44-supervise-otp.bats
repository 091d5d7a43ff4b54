#!/usr/bin/env bats
# osl supervise -c: OTP's supervisor semantics seen from real processes,
# with exact run counts (each child appends a line to a file per start).
load supervise

setup() {
	sv_setup
}

# osl's user+system CPU time and its wall time so far, in clock ticks:
# "CPU WALL" for PID.
cpu_wall() {
	local stat up hz
	stat=$(cut -d' ' -f14,15,22 "/proc/$1/stat") || return 1
	read -r up _ </proc/uptime
	hz=$(getconf CLK_TCK)
	set -- $stat
	echo "$(($1 + $2)) $(( $(echo "$up * $hz" | bc | cut -d. -f1) - $3 ))"
}

@test "nested supervisor: restarted after its backoff until the root gives up (12 runs), osl stays idle meanwhile" {
	cat > t.yaml <<-EOF
	version: 1
	supervisor:
	  intensity: 5
	  period: 1m
	  children:
	    - name: inner
	      supervisor:
	        intensity: 1
	        period: 1m
	        children:
	          - name: w
	            cmd: [sh, -c, "echo run >> runs; sleep 0.3; exit 1"]
	EOF
	"$OSL" supervise -c t.yaml 2>sv.err &
	SVPID=$!
	cw=
	end=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$SVPID" 2>/dev/null || break
		cw=$(cpu_wall "$SVPID") || break
		sleep 0.1
	done
	kill -KILL "$SVPID" 2>/dev/null || true
	run wait "$SVPID"
	SVPID=
	assert_failure 1
	echo "runs $(wc -l <runs), cpu/wall ticks $cw"
	[ "$(wc -l <runs)" -eq 12 ]
	[ "$(jq -c 'select(.event.action == "supervise.restart" and .osl.supervise.name == "inner")' "$LOG" | wc -l)" -eq 5 ]
	[ "$(jq -c 'select(.event.action == "supervise.giveup" and .osl.supervise.name == "root")' "$LOG" | wc -l)" -eq 1 ]
	# the backoffs are waited out in epoll, not in a busy loop
	read -r cpu wall <<<"$cw"
	[ "$((cpu * 4))" -lt "$wall" ]
}
