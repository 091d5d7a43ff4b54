#!/usr/bin/env bats
# Which policy osl uses (man osl(1), POLICY DISCOVERY): -p > $OSL_POLICY >
# $XDG_CONFIG_HOME/osl/policy.yaml (absolute only) > $HOME/.config/osl/
# policy.yaml > /etc/osl/policy.yaml > builtin:default; never a file of the
# current folder.  /etc/osl is only ever made inside a private mount
# namespace over a tmpfs /etc, never on the host.
load helper

setup() {
	common_setup
	unset XDG_CONFIG_HOME
	for f in "$T/flag.yaml" "$T/env.yaml" "$T/xdg/osl/policy.yaml" "$HOME/.config/osl/policy.yaml" \
		"$T/etc-policy.yaml"; do
		mkdir -p "$(dirname "$f")"
		printf 'version: 1\nname: %s\n' "$(basename "$(dirname "$f")")" > "$f"
	done
	# planted in the current folder, where a relative name would look
	for f in "$T/.config/osl/policy.yaml" "$T/osl/policy.yaml" "$T/rel/osl/policy.yaml" \
		"$T/policy.yaml"; do
		mkdir -p "$(dirname "$f")"
		printf 'version: 1\nname: planted\ndefault: allow\n' > "$f"
	done
}

# The source of the policy in force, with the environment given.
source_of() {
	run --separate-stderr env "$@" "$OSL" -j policy show
	assert_success
	jget .source "$output"
}

# Run the rest in a private mount namespace whose /etc is an empty tmpfs,
# with $T/etc-policy.yaml as /etc/osl/policy.yaml when $1 is "etc".
in_ns() {
	[ "$(id -u)" = 0 ] || skip "needs root for a mount namespace"
	unshare -m --propagation private true 2>/dev/null || skip "no mount namespaces here"
	local with=$1
	shift
	unshare -m --propagation private sh -c '
		mount -t tmpfs tmpfs /etc || exit 99
		if [ "$1" = etc ]; then mkdir /etc/osl && cp "$2" /etc/osl/policy.yaml; fi
		shift 2
		exec "$@"' sh "$with" "$T/etc-policy.yaml" "$@"
}

@test "discovery: -p wins over \$OSL_POLICY, XDG_CONFIG_HOME and HOME" {
	run --separate-stderr env OSL_POLICY="$T/env.yaml" XDG_CONFIG_HOME="$T/xdg" \
		"$OSL" -p "$T/flag.yaml" -j policy show
	assert_success
	[ "$(jget .source "$output")" = "$T/flag.yaml" ]
}

@test "discovery: \$OSL_POLICY wins over XDG_CONFIG_HOME and HOME" {
	[ "$(source_of OSL_POLICY="$T/env.yaml" XDG_CONFIG_HOME="$T/xdg")" = "$T/env.yaml" ]
	# empty is unset
	[ "$(source_of OSL_POLICY= XDG_CONFIG_HOME="$T/xdg")" = "$T/xdg/osl/policy.yaml" ]
}

@test "discovery: \$XDG_CONFIG_HOME/osl/policy.yaml wins over ~/.config and /etc" {
	[ "$(source_of XDG_CONFIG_HOME="$T/xdg")" = "$T/xdg/osl/policy.yaml" ]
	run --separate-stderr in_ns etc env XDG_CONFIG_HOME="$T/xdg" "$OSL" -j policy show
	assert_success
	[ "$(jget .source "$output")" = "$T/xdg/osl/policy.yaml" ]
}

@test "discovery: ~/.config/osl/policy.yaml when XDG_CONFIG_HOME is unset; it wins over /etc" {
	[ "$(source_of -u XDG_CONFIG_HOME)" = "$HOME/.config/osl/policy.yaml" ]
	run --separate-stderr in_ns etc "$OSL" -j policy show
	assert_success
	[ "$(jget .source "$output")" = "$HOME/.config/osl/policy.yaml" ]
}

@test "discovery: a relative XDG_CONFIG_HOME is ignored, never a folder under the current one" {
	[ "$(source_of XDG_CONFIG_HOME=rel)" = "$HOME/.config/osl/policy.yaml" ]
	[ "$(source_of XDG_CONFIG_HOME=.)" = "$HOME/.config/osl/policy.yaml" ]
	[ "$(source_of XDG_CONFIG_HOME=)" = "$HOME/.config/osl/policy.yaml" ]
}

@test "discovery: /etc/osl/policy.yaml when the user has none" {
	rm "$HOME/.config/osl/policy.yaml"
	run --separate-stderr in_ns etc "$OSL" -j policy show
	assert_success
	[ "$(jget .source "$output")" = /etc/osl/policy.yaml ]
	[ "$(jget .name "$output")" = "$(basename "$T")" ]
}

@test "discovery: builtin:default when there is nothing; never the current folder" {
	rm "$HOME/.config/osl/policy.yaml"
	run --separate-stderr in_ns none "$OSL" -j policy show
	assert_success
	[ "$(jget .source "$output")" = builtin:default ]
	# a relative HOME is not a place to look either: ./.config is planted
	run in_ns none env HOME=. "$OSL" policy show
	assert_failure 2
	assert_output "osl policy show: builtin:default:47:15: fs.deny: '\${HOME}/.ssh/**': \${HOME} is not an absolute path ('.')"
	# HOME unset and no password entry (an empty /etc): nothing under HOME
	run in_ns none env -u HOME "$OSL" policy show
	assert_failure 2
	assert_output "osl policy show: builtin:default:47:15: fs.deny: '\${HOME}/.ssh/**': \${HOME} is not set"
}
