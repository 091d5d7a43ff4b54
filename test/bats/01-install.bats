#!/usr/bin/env bats
# make install into a staging root: the binary, its links, libosl with a
# soname and a .pc file, man pages, completions and policies.
load helper

setup() { common_setup; }

@test "make install DESTDIR=... installs everything a package needs" {
	[ -f "$OSL_BUILD/libosl.so" ] || skip "the shared library is not built in $OSL_BUILD"
	run make -s -C "$OSL_TOP" B="${OSL_BUILD#$OSL_TOP/}" install DESTDIR="$T/root" PREFIX=/usr
	assert_success
	r=$T/root/usr
	[ -x "$r/bin/osl" ]
	[ "$(readlink "$r/bin/osl-fs")" = osl ]
	[ -f "$r/lib/libosl.so.0.1.0" ]
	[ "$(readlink "$r/lib/libosl.so.0")" = libosl.so.0.1.0 ]
	objdump -p "$r/lib/libosl.so.0.1.0" | grep -q 'SONAME *libosl.so.0'
	PKG_CONFIG_PATH=$r/lib/pkgconfig run pkg-config --cflags --libs libosl
	assert_output --partial "-losl"
	[ -f "$r/include/osl/policy/policy.h" ]
	[ -f "$r/share/man/man1/osl.1" ]
	[ -f "$r/share/man/man5/osl-policy.5" ]
	[ -f "$r/share/bash-completion/completions/osl" ]
	[ -f "$r/share/osl/policies/default.yaml" ]
	run "$r/bin/osl-fs" stat /
	[ "$status" -ne 2 ]
}

@test "a program links against the installed libosl and decides" {
	[ -f "$OSL_BUILD/libosl.so" ] || skip "the shared library is not built in $OSL_BUILD"
	command -v cc >/dev/null || skip "no C compiler"
	make -s -C "$OSL_TOP" B="${OSL_BUILD#$OSL_TOP/}" install DESTDIR="$T/root" PREFIX=/usr >/dev/null
	r=$T/root/usr
	cat > "$T/p.c" <<'C'
#include <stdio.h>
#include "policy/policy.h"
int main(void) {
	struct osl_policy_env env = { .home = "/home/u", .pwd = "/tmp", .user = "u", .uid = "1000" };
	struct osl_policy *p; struct osl_decision d;
	struct osl_request rq = { .access = OSL_ACCESS_READ, .path = "/home/u/.ssh/id_rsa" };
	const struct osl_error *e = osl_policy_load(&p, "builtin:default", &env);
	if (e) { fprintf(stderr, "%s\n", e->msg); return 2; }
	osl_policy_decide(p, &rq, &d);
	printf("%s\n", d.verdict == OSL_ALLOW ? "allow" : "deny");
	osl_policy_free(p);
	return 0;
}
C
	cc -o "$T/p" "$T/p.c" -I"$r/include/osl" -L"$r/lib" -losl
	LD_LIBRARY_PATH=$r/lib run "$T/p"
	assert_success
	assert_output deny
}
