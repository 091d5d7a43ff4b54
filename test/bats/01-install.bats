#!/usr/bin/env bats
# make install into a staging root: the binary, its links, libosl with a
# soname and a .pc file, man pages, completions and policies.  (-o: the
# commit osl --version names is not remade here, so that install relinks
# nothing under the other test files that run the same build at once.)
load helper

setup() { common_setup; }

@test "make install DESTDIR=... installs everything a package needs" {
	[ -f "$OSL_BUILD/libosl.so" ] || skip "the shared library is not built in $OSL_BUILD"
	run make -s -C "$OSL_TOP" B="${OSL_BUILD#$OSL_TOP/}" -o "${OSL_BUILD#$OSL_TOP/}/gen/commit.h" install DESTDIR="$T/root" PREFIX=/usr
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
	make -s -C "$OSL_TOP" B="${OSL_BUILD#$OSL_TOP/}" -o "${OSL_BUILD#$OSL_TOP/}/gen/commit.h" install DESTDIR="$T/root" PREFIX=/usr >/dev/null
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

@test "libosl's boundary: only public headers installed, only osl_ symbols exported, a program on the public API links and runs" {
	[ -f "$OSL_BUILD/libosl.so" ] || skip "the shared library is not built in $OSL_BUILD"
	command -v cc >/dev/null || skip "no C compiler"
	make -s -C "$OSL_TOP" B="${OSL_BUILD#$OSL_TOP/}" -o "${OSL_BUILD#$OSL_TOP/}/gen/commit.h" install DESTDIR="$T/root" PREFIX=/usr >/dev/null
	r=$T/root/usr
	run sh -c "cd '$r/include/osl' && find . -type f | sort"
	assert_output "$(printf '%s\n' ./action.h ./error.h ./fs/fs.h ./log/config.h ./policy/policy.h)"
	# nothing but osl_ is defined and global, in either library
	run sh -c "nm -g --defined-only '$r/lib/libosl.a' | awk 'NF==3 && \$3 !~ /^osl_/'"
	assert_output ""
	run sh -c "nm -D --defined-only '$r/lib/libosl.so.0.1.0' | awk 'NF==3 && \$3 !~ /^osl_/'"
	assert_output ""
	nm -g --defined-only "$r/lib/libosl.a" | grep -q ' T osl_policy_decide$'
	! nm -g --defined-only "$r/lib/libosl.a" | grep -Eq ' (sb_add|cJSON_Parse|ydoc_parse|osl_policy_to_json)$'
	mkdir -p "$T/w/d"
	printf 'k\n' > "$T/w/d/key"
	cat > "$T/w/p.yaml" <<YAML
version: 1
default: deny
fs:
  read: [{ path: "$T/w/**", id: work }]
  deny: [{ path: "$T/w/d/key", id: no-key }]
YAML
	cat > "$T/q.c" <<'C'
/* resolve, then decide on what the path really names: the public API only */
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include "fs/fs.h"
#include "policy/policy.h"
int main(int argc, char **argv) {
	struct osl_policy_env env = { .home = "/root", .pwd = "/", .user = "u", .uid = "0" };
	struct osl_policy *p;
	const struct osl_error *e = osl_policy_load(&p, argv[1], &env);
	if (e) { fprintf(stderr, "%s\n", e->msg); return 2; }
	for (int i = 2; i < argc; i++) {
		struct osl_fs_file f; struct osl_decision d; char why[256];
		if ((e = osl_fs_resolve(&f, argv[i], 0))) { printf("%s\n", e->msg); continue; }
		struct osl_request rq = { .access = OSL_ACCESS_READ, .path = f.real };
		osl_policy_decide(p, &rq, &d);
		printf("%s %s\n", f.real, osl_decision_reason(p, &d, why, sizeof(why)));
		osl_fs_close(&f);
	}
	osl_policy_free(p);
	return 0;
}
C
	ln -s d/key "$T/w/innocent"
	cc -Wall -Werror -o "$T/q" "$T/q.c" -I"$r/include/osl" "$r/lib/libosl.a" \
	  $(PKG_CONFIG_PATH=$r/lib/pkgconfig pkg-config --static --libs-only-l libosl | sed 's/-losl//')
	run "$T/q" "$T/w/p.yaml" "$T/w/innocent" "$T/w/p.yaml"
	assert_success
	assert_line --index 0 --partial "$T/w/d/key denied by rule no-key"
	assert_line --index 1 --partial "$T/w/p.yaml allowed by rule work"
	cc -Wall -Werror -o "$T/q2" "$T/q.c" -I"$r/include/osl" -L"$r/lib" -losl
	LD_LIBRARY_PATH=$r/lib run "$T/q2" "$T/w/p.yaml" "$T/w/innocent"
	assert_success
	assert_output --partial "denied by rule no-key"
}
