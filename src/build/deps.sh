#!/bin/sh
# Install what osl needs to build and test on Debian/Ubuntu.
#   --check-or-install: do nothing when everything is there (fast path of `make`)
#   --install: always run apt-get for what is missing
set -eu
PKGS="nodejs libyaml-dev libseccomp-dev nettle-dev bats bats-assert bats-support bats-file scdoc clang libclang-rt-14-dev rsyslog valgrind jq hyperfine systemd python3-jsonschema golang-github-opencontainers-specs-dev crun curl python3 strace erlang-base s6 zsh fish prometheus wrk"
missing=""
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $PKGS; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$st" in *" installed") ;; *) missing="$missing $p" ;; esac
	done
else
	echo "osl: not a Debian-like system; install: $PKGS (or your distribution's names)" >&2
	exit 0
fi
# npm: Debian's package, unless npm came with another nodejs (nodesource)
command -v npm >/dev/null 2>&1 || missing="$missing npm"
# ECS's definitions for the log's conformance test (build/ecs/, fetched once)
ecs() { "$(dirname "$0")/../../test/ecs/defs" || echo "osl: could not fetch @elastic/ecs (test/ecs/defs); make test needs it" >&2; }
[ -n "$missing" ] || { ecs; exit 0; }
if [ "$(id -u)" != 0 ]; then
	echo "osl: missing packages:$missing" >&2
	echo "osl: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "osl: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends $missing >&2
ecs
