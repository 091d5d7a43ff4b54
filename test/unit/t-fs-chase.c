/* lib/fs/chase.c: which symlinks a rule's path follows (man osl-proc(1),
 * RULE PATHS), on a scratch tree: root's links in root's folders are
 * followed, not below an untrusted folder, not another user's, not in a
 * folder others can write; deny rules (OSL_FS_CHASE_ALL) follow any. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/fs.h"
#include "policy/policy.h"
#include "tap.h"

static char D[PATH_MAX];

static const char *
p(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", D, rel);
	return buf[i];
}

static void
chase(const char *rel, unsigned flags, const char *const *untrusted, const char *want,
    bool stopped)
{
	struct osl_fs_chase c;
	int e = osl_fs_chase(p(rel), flags, untrusted, &c);

	is_int(e, 0, "chase '%s'", rel);
	is_str(c.real, want, "real of '%s'", rel);
	is_int(c.stopped, stopped, "'%s' stopped at an untrusted link", rel);
}

int
main(void)
{
	const char *none[] = { NULL }, *ws[2] = { NULL, NULL };
	static char wsdir[PATH_MAX];
	struct osl_fs_chase c;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (links owned by root)\n");
		return 0;
	}
	snprintf(D, sizeof(D), "%s", "/tmp/t-fs-chase.XXXXXX");
	if (!mkdtemp(D) || chmod(D, 0755) == -1)
		return 1;
	mkdir(p("t"), 0755);
	mkdir(p("t/in"), 0755);
	mkdir(p("ws"), 0755);
	mkdir(p("open"), 0777);
	chmod(p("open"), 0777);
	if (symlink("t", p("rel")) || symlink(p("t"), p("abs")) || symlink("../t/in", p("ws/up")) ||
	    symlink("t", p("theirs")) || lchown(p("theirs"), 65534, 65534) ||
	    symlink("../t", p("open/l")) || symlink("loop", p("loop")))
		return 1;
	snprintf(wsdir, sizeof(wsdir), "%s", p("ws"));
	ws[0] = wsdir;

	/* root's link in root's folders: followed, relative or absolute */
	chase("rel/in/x", 0, none, p("t/in/x"), false);
	chase("abs/in", 0, none, p("t/in"), false);
	chase("t/in", 0, none, p("t/in"), false);
	/* below an untrusted folder (${PWD}...): not followed, named */
	chase("ws/up/x", 0, ws, p("ws/up/x"), true);
	osl_fs_chase(p("ws/up/x"), 0, ws, &c);
	is_str(c.link, p("ws/up"), "the link is named");
	is_str(c.target, "../t/in", "with its target");
	is_str(c.link_dir, p("ws"), "and the folder that makes it untrusted");
	/* another user's link; a link in a folder others can write */
	chase("theirs/in", 0, none, p("theirs/in"), true);
	osl_fs_chase(p("theirs/in"), 0, none, &c);
	is_int(c.owner, 65534, "the owner is named");
	chase("open/l/in", 0, none, p("open/l/in"), true);
	/* a deny rule follows any link */
	chase("ws/up/x", OSL_FS_CHASE_ALL, ws, p("t/in/x"), false);
	chase("theirs/in", OSL_FS_CHASE_ALL, none, p("t/in"), false);
	/* what does not exist is taken as written */
	chase("t/nope/a/b", 0, none, p("t/nope/a/b"), false);
	is_int(osl_fs_chase(p("loop/x"), OSL_FS_CHASE_ALL, none, &c), ELOOP, "a loop is ELOOP");
	/* the kernel's own links are kept as written */
	chase("../../proc/self/fd", 0, none, "/proc/self/fd", false);

	/* a batch of rules (osl_fs_rule_resolve with NULL: a policy's load)
	 * opens a folder found clean once: the same answers inside one; a
	 * missing last component below a clean folder is taken as written
	 * (as deny rules: D is below /tmp, where only those follow links) */
	{
		struct osl_policy_env env = { .pwd = wsdir };
		const char *const rel[] = { "t/in/a", "t/in/b", "t/nope", "t/in/nope/x", "rel/in/x",
		    "ws/up/x", "t/in", "t" };
		char want[8][PATH_MAX], out[PATH_MAX];
		bool changed[8];

		for (size_t i = 0; i < 8; i++) {
			changed[i] = osl_fs_rule_resolve(&env, p(rel[i]), true, out, sizeof(out));
			snprintf(want[i], sizeof(want[i]), "%s", changed[i] ? out : p(rel[i]));
		}
		for (int round = 0; round < 2; round++) {
			osl_fs_rule_resolve(&env, NULL, true, NULL, 0);
			for (size_t i = 0; i < 8; i++) {
				bool ch = osl_fs_rule_resolve(&env, p(rel[i]), true, out, sizeof(out));

				is_int(ch, changed[i], "in a batch, round %d: '%s' changed as alone", round,
				    rel[i]);
				is_str(ch ? out : p(rel[i]), want[i], "in a batch, round %d: '%s'", round,
				    rel[i]);
			}
			osl_fs_rule_resolve(&env, NULL, false, NULL, 0);
		}
		/* after the batch nothing is kept: a folder that became a link
		 * since is seen as one */
		osl_fs_rule_resolve(&env, NULL, true, NULL, 0);
		ok(!osl_fs_rule_resolve(&env, p("t/in/x"), true, out, sizeof(out)), "t/in is clean");
		osl_fs_rule_resolve(&env, NULL, false, NULL, 0);
		if (rename(p("t/in"), p("t/in2")) || symlink("in2", p("t/in")))
			return 1;
		ok(osl_fs_rule_resolve(&env, p("t/in/x"), true, out, sizeof(out)) &&
		    !strcmp(out, p("t/in2/x")), "after the batch: the new link is followed");
		unlink(p("t/in"));
		rename(p("t/in2"), p("t/in"));
	}

	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", D);
		if (system(cmd) != 0)
			return 1;
	}
	printf("1..%d\n", tap_n);
	return tap_fail != 0;
}
