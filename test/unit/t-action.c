/* The action table (lib/action.h): one row per action, names unique, every
 * action in the man pages, and the lookups that the decider, `policy
 * explain` and `log show -a` use.  (Its ECS categories and types are checked
 * against Elastic's definitions by test/ecs/check.) */
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "tap.h"

/* The text of man page NAME (in man/ of the source tree), or NULL. */
static char *
man_page(const char *name)
{
	const char *top = getenv("OSL_TOP");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	/* run from the source tree (make), or by test/run-tests (OSL_TOP) */
	snprintf(path, sizeof(path), "%s/man/%s.scd", top ? top : ".", name);
	if (!(f = fopen(path, "r")))
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || !(buf = calloc(1, (size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	return buf;
}

/* NAME as a whole word of TEXT (not the start of a longer action name). */
static bool
has_word(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; (p = strstr(p, name)); p++) {
		bool start = p == text || !(p[-1] == '.' || p[-1] == '_' ||
		    (p[-1] >= 'a' && p[-1] <= 'z'));
		bool end = !(p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') ||
		    (p[n] == '.' && p[n + 1] >= 'a' && p[n + 1] <= 'z'));

		if (start && end)
			return true;
	}
	return false;
}

int
main(void)
{
	static const struct { const char *group, *page; } pages[] = {
		{ "fs.", "osl-fs.1" }, { "net.", "osl-net.1" }, { "proc.", "osl-proc.1" },
		{ "supervise.", "osl-supervise.8" }, { "log.", "osl-log.5" },
	};
	char *log5 = man_page("osl-log.5");
	enum osl_action a;
	enum osl_access acc;

	ok(log5 != NULL, "man/osl-log.5.scd read (OSL_TOP or the source tree)");
	for (unsigned i = 0; i < OSL_ACT__COUNT; i++) {
		const struct osl_action_def *d = osl_action(i);

		ok(d->name && d->category && d->type && strchr(d->name, '.'),
		    "%s: a name with its group, an ECS category and type", d->name);
		ok(osl_action_by_name(d->name, &a) && a == i, "%s: found by its name, once", d->name);
		ok(log5 && has_word(log5, d->name), "%s: in osl-log(5)'s ACTIONS", d->name);
		for (size_t k = 0; k < sizeof(pages) / sizeof(pages[0]); k++) {
			char *page;

			if (strncmp(d->name, pages[k].group, strlen(pages[k].group)) != 0)
				continue;
			page = man_page(pages[k].page);
			ok(page && has_word(page, d->name), "%s: in %s", d->name, pages[k].page);
			free(page);
		}
	}
	ok(!osl_action_by_name("fs.frobnicate", &a), "an unknown name is no action");
	ok(!osl_action_by_name("fs", &a), "a group is no action");
	ok(osl_action_access("fs.copy", &acc) && acc == OSL_ACCESS_WRITE, "fs.copy is a write");
	ok(!osl_action_access("supervise.exit", &acc), "a record-only action has no access");
	ok(osl_action(OSL_ACT__COUNT)->access == OSL_ACCESS_NONE, "out of range: no access");
	is_str(osl_access_name(OSL_ACCESS_NONE), "none", "access 0 is none");
	ok(has_word("a *fs.read* b", "fs.read") && !has_word("fs.readlink", "fs.read") &&
	    !has_word("xfs.read", "fs.read") && has_word("fs.read.", "fs.read"),
	    "whole words only");
	free(log5);
	return done_testing();
}
