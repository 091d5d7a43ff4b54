/* A folder decided with everything beneath it (osl_request.tree): could a
 * deny pattern match a path beneath the folder, where the folder's place
 * decides the match?  `osl fs mv` of a folder asks it of the source and the
 * destination, so that a rename can neither take a denied path out of its
 * rule ("mv ~/.config ~/.cfg" and ~/.cfg/gh/hosts.yml is readable) nor put
 * one in (man/osl-fs.1, mv).  Paths that do not exist yet count: the answer
 * comes from the patterns, not from a walk.  Pure; no allocation. */
#include <stdbool.h>
#include <string.h>

#include "policy/internal.h"

#define MAX_COMPS 256

struct comps {
	const char *s[MAX_COMPS];
	size_t len[MAX_COMPS];
	size_t n;
};

/* "/a/b/c" into its components; false when there are too many. */
static bool
split(const char *path, struct comps *c)
{
	c->n = 0;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		if (c->n == MAX_COMPS)
			return false;
		c->s[c->n] = path;
		c->len[c->n] = strcspn(path, "/");
		path += c->len[c->n++];
	}
	return true;
}

static bool
is_stars(const struct comps *p, size_t i)
{
	return p->len[i] == 2 && p->s[i][0] == '*' && p->s[i][1] == '*';
}

/* One pattern component against one name (wildmatch semantics). */
static bool
comp_match(const struct comps *p, size_t i, const struct comps *t, size_t j)
{
	char pat[4097], name[4097];

	if (p->len[i] >= sizeof(pat) || t->len[j] >= sizeof(name))
		return true;	/* cannot tell: as if it could */
	memcpy(pat, p->s[i], p->len[i]);
	pat[p->len[i]] = '\0';
	memcpy(name, t->s[j], t->len[j]);
	name[t->len[j]] = '\0';
	return wildmatch_path(pat, name);
}

/* Can pattern components P[i..] match the folder's D[j..] and then at least
 * one component more?  Bottom-up over two rows: row[j] is the answer for
 * the current i. */
static bool
prefix_of_match(const struct comps *p, const struct comps *d)
{
	bool next[MAX_COMPS + 1], row[MAX_COMPS + 1];

	/* i == p->n: nothing left to match beneath the folder */
	for (size_t j = 0; j <= d->n; j++)
		next[j] = false;
	for (size_t i = p->n; i-- > 0; ) {
		row[d->n] = true;	/* the folder is used up; pattern is left */
		for (size_t j = d->n; j-- > 0; ) {
			if (is_stars(p, i))
				row[j] = next[j] || row[j + 1];
			else
				row[j] = next[j + 1] && comp_match(p, i, d, j);
		}
		memcpy(next, row, sizeof(bool) * (d->n + 1));
	}
	return next[0];
}

bool
osl_pattern_beneath(const char *pattern, const char *dir)
{
	struct comps p, d;
	size_t k;

	if (!split(pattern, &p) || !split(dir, &d))
		return true;	/* deeper than we look: as if it could */
	/* A first component "**" and a tail without one (no-dotenv's ".env"
	 * at any depth): a name beneath any folder matches alike, wherever
	 * the folder is, unless the tail reaches up into the folder (".git"
	 * then "config" at any depth, beneath a folder named ".git"): then the
	 * folder's last names decide. */
	if (p.n > 0 && is_stars(&p, 0)) {
		for (k = 1; k < p.n && !is_stars(&p, k); k++)
			;
		if (k == p.n) {
			k = p.n - 1;	/* the tail's length */
			for (size_t up = 1; up < k; up++) {
				/* the folder's last UP names against the tail's first UP */
				bool all = up <= d.n;

				for (size_t x = 0; all && x < up; x++)
					all = comp_match(&p, 1 + x, &d, d.n - up + x);
				if (all)
					return true;
			}
			return false;
		}
	}
	return prefix_of_match(&p, &d);
}
