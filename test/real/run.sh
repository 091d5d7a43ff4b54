#!/bin/sh
# Real projects through the README's three commands, as a CI engineer runs
# them: from a clean unpacked tree, a fresh copy for every step,
#   1. osl policy learn -o P.yaml -- CMD
#   2. osl -p P.yaml proc run --require-full -- CMD
#   3. osl policy learn --diff P.yaml -- CMD      (0 drift on an identical run)
#   4. the same build under builtin:ci
# and an injected payload (an ssh key of the fixture HOME, ~/.bashrc, a write
# outside the workspace, /etc/shadow, another process's environ, TCP and UDP
# to a local listener) that must be refused under the learned policy, under
# --diff and under builtin:ci.  Output is TAP.
#
# The sources come as CI fetches them: Debian source packages (a deb-src
# entry is added beside the deb one) and an npm package (npm pack).
#
# Usage: test/real/run.sh OSL [PROJECT...]   (projects: cjson libyaml
# markupsafe npm osl; all when none is given).  Needs root (apt-get) and the
# two registries; WORK (default build/real) holds the sources and the runs.
set -u
OSL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${WORK:-$top/build/real}
PROJECTS=${*:-cjson libyaml markupsafe npm osl}
unset TMPDIR		# as on a CI runner
export LC_ALL=C.UTF-8
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
check() {	# check DESC CMD...: ok when CMD succeeds
	d=$1; shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}

mkdir -p "$WORK/src"
WORK=$(cd "$WORK" && pwd)

# --- the sources, once ---
fetch() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root to install build dependencies"
		exit 0
	fi
	f=/etc/apt/sources.list.d/osl-test-real-src.sources
	if ! grep -qs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources; then
		# the deb entries again, as deb-src
		sed -n '/^Types:/,/^$/p' /etc/apt/sources.list.d/debian.sources |
		    sed 's/^Types:.*/Types: deb-src/' > "$f"
	fi
	export DEBIAN_FRONTEND=noninteractive
	pkgs="cmake make gcc autoconf automake libtool pkg-config python3-dev python3-pytest
	    python3-setuptools libseccomp-dev libyaml-dev nettle-dev scdoc"
	command -v npm >/dev/null || pkgs="$pkgs npm"	# a node of its own may be there
	{
		apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends $pkgs
	} > "$WORK/apt.log" 2>&1 || { echo "Bail out! apt-get: see $WORK/apt.log"; exit 1; }
	cd "$WORK/src"
	for p in cjson libyaml markupsafe; do
		ls ${p}_*.orig.tar.* >/dev/null 2>&1 ||
		    apt-get source -qq --download-only "$p" >> "$WORK/apt.log" 2>&1 ||
		    ls ${p}_*.orig.tar.* >/dev/null 2>&1 ||	# a missing debian.tar is fine
		    { echo "Bail out! apt-get source $p: see $WORK/apt.log"; exit 1; }
	done
	ls has-symbols-*.tgz >/dev/null 2>&1 || npm pack -q has-symbols@1.1.0 >> "$WORK/apt.log" 2>&1 ||
	    { echo "Bail out! npm pack: see $WORK/apt.log"; exit 1; }
	[ -f osl.tar ] || git -C "$top" archive -o "$WORK/src/osl.tar" HEAD ||
	    { echo "Bail out! git archive"; exit 1; }
}

# unpack P DIR: a clean tree of project P in DIR (a fresh clone, as it were)
# (owned by whoever runs the job, as a checkout is: a root run keeps no
# CAP_DAC_OVERRIDE under a policy, so the tarball's uid 1001 would lock it out)
unpack() {
	rm -rf "$2" && mkdir -p "$2"
	export TAR_OPTIONS=--no-same-owner
	case $1 in
	cjson) tar xzf "$WORK"/src/cjson_*.orig.tar.gz -C "$2" --strip-components=1 ;;
	libyaml) tar xzf "$WORK"/src/libyaml_*.orig.tar.gz -C "$2" --strip-components=1 ;;
	markupsafe) tar xzf "$WORK"/src/markupsafe_*.orig.tar.gz -C "$2" --strip-components=1 ;;
	npm) tar xzf "$WORK"/src/has-symbols-*.tgz -C "$2" --strip-components=1 ;;
	osl) tar xf "$WORK/src/osl.tar" -C "$2" ;;
	esac
}

# The build and test command of each, as its CI runs it.
cmd_of() {
	case $1 in
	cjson) echo 'mkdir build && cd build && cmake -DENABLE_CJSON_TEST=On .. && make -j2 && ctest --output-on-failure' ;;
	libyaml) echo 'autoreconf -fi && ./configure && make -j2 && make check' ;;
	# no test may be skipped: the C extension must load (-rs lists skips)
	markupsafe) echo '/usr/bin/python3 setup.py build_ext --inplace && PYTHONPATH=src /usr/bin/python3 -m pytest -rs -p no:cacheprovider tests && ! PYTHONPATH=src /usr/bin/python3 -m pytest -q -rs -p no:cacheprovider tests | grep -q skipped' ;;
	npm) echo 'npm pkg delete devDependencies scripts && npm install --no-audit --no-fund tape@5 core-js@2 get-own-property-symbols@0.9 && node test && node test/shams/core-js.js && node test/shams/get-own-property-symbols.js' ;;
	osl) echo 'make -j2 all' ;;
	esac
}

# --- the payload and what it is aimed at ---
start_targets() {
	OUTSIDE=$WORK/outside
	rm -rf "$OUTSIDE" && mkdir -p "$OUTSIDE"
	env -i OSL_VICTIM_TOKEN=osl-victim-secret-4242 sleep 3600 &
	VICTIM=$!
	# a TCP and a UDP listener on loopback that write down what reaches them
	/usr/bin/python3 -c '
import select, socket, sys, time
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen(8)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
open(sys.argv[1] + "/ports", "w").write("%d %d\n" % (t.getsockname()[1], u.getsockname()[1]))
end = time.time() + 3600
while time.time() < end:
    r, _, _ = select.select([t, u], [], [], 1)
    for s in r:
        if s is t:
            c, _ = t.accept(); c.settimeout(2)
            try: data = c.recv(4096)
            except OSError: data = b""
            c.close(); data = b"tcp:" + data
        else:
            data = b"udp:" + u.recv(4096)
        with open(sys.argv[1] + "/received", "ab") as f: f.write(data + b"\n")
' "$OUTSIDE" &
	LISTENER=$!
	i=0
	while [ ! -s "$OUTSIDE/ports" ] && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
	read TCP UDP < "$OUTSIDE/ports"
}

stop_targets() {
	kill "$VICTIM" "$LISTENER" 2>/dev/null
	wait "$VICTIM" "$LISTENER" 2>/dev/null
}

# write_payload DIR: the injected test step, inside the workspace
write_payload() {
	cat > "$1/.osl-payload.sh" <<EOF
leak() { echo "OSL-PAYLOAD-LEAK: \$1"; }
cat "\$HOME/.ssh/id_rsa" 2>/dev/null | grep -q osl-fixture-key && leak ssh-key
echo pwned >> "\$HOME/.bashrc" 2>/dev/null && leak bashrc
echo pwned > "$OUTSIDE/planted" 2>/dev/null && leak outside-write
cat /etc/shadow > /dev/null 2>&1 && leak shadow
grep -qa osl-victim-secret /proc/$VICTIM/environ 2>/dev/null && leak environ
/usr/bin/python3 -c '
import socket
try:
    s = socket.create_connection(("127.0.0.1", $TCP), timeout=3); s.sendall(b"key"); s.close()
    print("OSL-PAYLOAD-LEAK: tcp")
except OSError: pass
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"key", ("127.0.0.1", $UDP))
except OSError: pass
'
exit 0
EOF
}

# payload_held WHAT OUTPUTFILE: nothing leaked, nothing received, nothing written
payload_held() {
	bad=$(grep -h 'OSL-PAYLOAD-LEAK' "$2"; cat "$OUTSIDE/received" 2>/dev/null;
	    [ -e "$OUTSIDE/planted" ] && echo planted
	    grep -q pwned "$FHOME/.bashrc" && echo bashrc)
	rm -f "$OUTSIDE/received" "$OUTSIDE/planted"
	printf 'alias ll="ls -l"\n' > "$FHOME/.bashrc"
	if [ -z "$bad" ]; then ok "$1"; else notok "$1"; echo "$bad" | diag; fi
}

# run_in P STEP OUT CMD...: in a fresh tree of P, with the fixture HOME
run_in() {
	p=$1 step=$2 out=$3
	shift 3
	ws=$WORK/$p/ws-$step
	unpack "$p" "$ws"
	[ "${PAYLOAD:-0}" = 1 ] && write_payload "$ws"
	t0=$(date +%s)
	(cd "$ws" && HOME=$FHOME "$@") > "$out" 2>&1
	rc=$?
	echo "$step: exit $rc in $(($(date +%s) - t0))s" >> "$WORK/$p/times"
	return $rc
}

fetch
start_targets
trap stop_targets EXIT
for p in $PROJECTS; do
	rm -rf "$WORK/$p" && mkdir -p "$WORK/$p"
	FHOME=$WORK/$p/home
	mkdir -p "$FHOME/.ssh"
	echo "-----BEGIN OPENSSH PRIVATE KEY----- osl-fixture-key" > "$FHOME/.ssh/id_rsa"
	chmod 600 "$FHOME/.ssh/id_rsa"
	printf 'alias ll="ls -l"\n' > "$FHOME/.bashrc"
	C=$(cmd_of "$p")
	P=$WORK/$p/p.yaml
	L=$WORK/$p/log
	mkdir -p "$L"

	if run_in "$p" learn "$L/learn" "$OSL" policy learn -o "$P" -- sh -c "$C"; then
		ok "$p: 1. learn ($(wc -l < "$P") lines)"
	else
		notok "$p: 1. learn"; tail -5 "$L/learn" | diag
	fi
	[ -f "$P" ] || P=/nonexistent
	# tight: no rule on all of HOME, of /proc or of /tmp (${TMPDIR} is the
	# private /tmp of `osl proc run`); the secret denies
	bad=$(grep -nE '^ *- "(\$\{HOME\}/\*\*|/proc/\*\*|/tmp/\*\*|/\*\*)"' "$P" 2>&1)
	if [ -z "$bad" ] && HOME=$FHOME "$OSL" -p "$P" policy explain fs.read "$FHOME/.ssh/id_rsa" 2>&1 | grep -q denied &&
	    "$OSL" -p "$P" policy explain fs.read /etc/shadow 2>&1 | grep -q denied; then
		ok "$p: learned policy is tight"
	else
		notok "$p: learned policy is tight"; echo "$bad" | diag
	fi
	if run_in "$p" enforce "$L/enforce" "$OSL" -p "$P" proc run --require-full -- sh -c "$C"; then
		ok "$p: 2. enforced, --require-full, fresh tree"
	else
		notok "$p: 2. enforced, --require-full, fresh tree"; tail -8 "$L/enforce" | diag
	fi
	if run_in "$p" diff "$L/diff" "$OSL" policy learn --diff "$P" -- sh -c "$C" &&
	    grep -q '^# 0 things' "$L/diff"; then
		ok "$p: 3. --diff: 0 drift on an identical run"
	else
		notok "$p: 3. --diff: 0 drift on an identical run"; grep -v '^ok\|^PASS' "$L/diff" | tail -8 | diag
	fi
	CI=builtin:ci
	if [ "$p" = npm ]; then
		# the registry and npm's cache: what a CI engineer adds to builtin:ci
		CI=$WORK/$p/ci.yaml
		printf '%s\n' 'version: 1' 'extends: [builtin:ci]' \
		    'fs: { read: ["${HOME}/.npm/**", "${HOME}/.npmrc"], write: ["${HOME}/.npm/**"] }' \
		    'net: { connect: ["registry.npmjs.org:443"], resolve: true }' > "$CI"
	fi
	if run_in "$p" ci "$L/ci" "$OSL" -p "$CI" proc run -- sh -c "$C"; then
		ok "$p: 4. under $(basename "$CI")"
	else
		notok "$p: 4. under $(basename "$CI")"; tail -8 "$L/ci" | diag
	fi

	# the payload, injected after the project's own tests
	PAYLOAD=1
	run_in "$p" payload-enforce "$L/payload-enforce" "$OSL" -p "$P" proc run -- sh .osl-payload.sh
	payload_held "$p: payload refused under the learned policy" "$L/payload-enforce"
	run_in "$p" payload-diff "$L/payload-diff" "$OSL" policy learn --diff "$P" -- sh .osl-payload.sh
	payload_held "$p: payload refused under --diff" "$L/payload-diff"
	run_in "$p" payload-ci "$L/payload-ci" "$OSL" -p "$CI" proc run -- sh .osl-payload.sh
	payload_held "$p: payload refused under $(basename "$CI")" "$L/payload-ci"
	PAYLOAD=0
	sed "s/^/# $p /" "$WORK/$p/times"
done
echo "1..$n"
[ $fails = 0 ]
