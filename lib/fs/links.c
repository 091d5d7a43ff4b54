/* Another name of an inode that a deny rule denies (man/osl-fs.1, Hard
 * links): a file with several links may be a second name for a protected
 * file (~/.netrc linked as ~/notes before the command).  The kernel cannot
 * list an inode's names, so each deny rule's existing paths are looked at:
 * a literal file always, by (dev, ino); the folder before the first glob of
 * a pattern by a bounded walk, only when it is on the file's own filesystem.
 * A folder too big to walk is not a refusal: the caller is told which
 * rules' folders were not searched. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/fs.h"
#include "policy/policy.h"

#define MAX_DEPTH 64

/* What one deny rule's folder holds: its files with several links,
 * walked once per cache (per command) and only when a file on the same
 * filesystem asks. */
enum { LR_NEW, LR_NONE, LR_OPEN, LR_SCANNED, LR_CUT };
struct links_rule {
	int state;
	dev_t dev;		/* LR_OPEN and after: the folder's filesystem */
	struct links_file { ino_t ino; char *path; } *files;
	size_t nfiles;
};

struct scan {
	struct links_rule *lr;
	const struct osl_rule *rule;	/* a file its except: covers is not denied */
	const char *pattern;
	size_t left;		/* entries still allowed */
	bool oom;
	char path[PATH_MAX];
};

/* The pattern's literal folder, unescaped into BUF: its components before
 * the first that holds a glob character.  *GLOB says there is one. */
static bool
literal_prefix(const char *pat, char *buf, size_t size, bool *glob)
{
	size_t n = 0, comp = 0;

	*glob = false;
	for (const char *s = pat; *s; s++) {
		if (*s == '/')
			comp = n;
		if (*s == '*' || *s == '?' || *s == '[') {
			*glob = true;
			n = comp;
			break;
		}
		if (*s == '\\' && s[1])
			s++;
		if (n + 1 >= size)
			return false;
		buf[n++] = *s;
	}
	if (n == 0)
		buf[n++] = '/';
	buf[n] = '\0';
	return true;
}

static void
add_file(struct scan *s, ino_t ino)
{
	struct links_rule *lr = s->lr;
	struct links_file *f;

	if ((f = realloc(lr->files, (lr->nfiles + 1) * sizeof(*f))) == NULL) {
		s->oom = true;
		return;
	}
	lr->files = f;
	if ((f[lr->nfiles].path = strdup(s->path)) == NULL) {
		s->oom = true;
		return;
	}
	f[lr->nfiles++].ino = ino;
}

/* Every file with several links beneath S->path that the pattern matches,
 * on the folder's filesystem.  0: done, -1: the bound was reached. */
static int
scan_dir(struct scan *s, int dfd, size_t plen, int depth)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int r = 0, fd;

	if (depth > MAX_DEPTH) {
		close(dfd);
		return -1;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while (r == 0 && !s->oom && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (s->left == 0) {
			r = -1;
			break;
		}
		s->left--;
		if (plen + 1 + n >= sizeof(s->path))
			continue;
		s->path[plen] = '/';
		memcpy(s->path + plen + 1, e->d_name, n + 1);
		if (e->d_type != DT_DIR && e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_dev != s->lr->dev)
			continue;	/* a hard link stays on its filesystem */
		if (S_ISREG(st.st_mode) && st.st_nlink > 1 && osl_path_match(s->pattern, s->path) &&
		    !osl_rule_excepts(s->rule, s->path, false))
			add_file(s, st.st_ino);
		if (!S_ISDIR(st.st_mode))
			continue;
		if ((fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0)
			continue;
		r = scan_dir(s, fd, plen + 1 + n, depth + 1);
	}
	s->path[plen] = '\0';
	closedir(d);
	return r;
}

int
osl_fs_link_denied(struct osl_fs_links *c, const struct osl_policy *p, const struct stat *st,
    struct osl_fs_link_found *out)
{
	struct scan s;
	struct stat ds;
	bool glob;
	int fd;

	out->rule = NULL;
	out->other[0] = '\0';
	out->nunsearched = 0;
	if (c->p != p) {
		osl_fs_links_release(c);
		if ((c->rules = calloc(p->nrules ? p->nrules : 1, sizeof(*c->rules))) == NULL)
			return -2;
		c->p = p;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *ru = &p->rules[i];
		struct links_rule *lr = &c->rules[i];

		if (ru->kind != OSL_RULE_FS_DENY || lr->state == LR_NONE)
			continue;
		if (!literal_prefix(ru->expanded, s.path, sizeof(s.path), &glob) ||
		    osl_rule_excepts(ru, s.path, glob)) {
			lr->state = LR_NONE;	/* nothing, or all, of it is excepted */
			continue;
		}
		if (!glob) {
			if (fstatat(AT_FDCWD, s.path, &ds, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(ds.st_mode) && ds.st_dev == st->st_dev && ds.st_ino == st->st_ino) {
				out->rule = ru;
				snprintf(out->other, sizeof(out->other), "%s", s.path);
				return 1;
			}
			continue;
		}
		if (lr->state == LR_NEW) {
			/* "**" first: anywhere, which no bounded walk can search */
			lr->state = LR_NONE;
			if (strcmp(s.path, "/") == 0 || stat(s.path, &ds) < 0 || !S_ISDIR(ds.st_mode))
				continue;
			lr->state = LR_OPEN;
			lr->dev = ds.st_dev;
		}
		if (lr->dev != st->st_dev)
			continue;
		if (lr->state == LR_OPEN) {
			s.lr = lr;
			s.rule = ru;
			s.pattern = ru->expanded;
			s.left = OSL_FS_LINK_SCAN;
			s.oom = false;
			if ((fd = open(s.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
				lr->state = LR_NONE;
				continue;
			}
			lr->state = scan_dir(&s, fd, strlen(s.path), 0) < 0 ? LR_CUT : LR_SCANNED;
			if (s.oom)
				return -2;
		}
		if (lr->state == LR_CUT) {
			/* the names it holds beyond the bound are not known */
			if (out->nunsearched < OSL_FS_LINK_UNSEARCHED)
				out->unsearched[out->nunsearched] = ru;
			out->nunsearched++;
			continue;
		}
		for (size_t j = 0; j < lr->nfiles; j++)
			if (lr->files[j].ino == st->st_ino) {
				out->rule = ru;
				snprintf(out->other, sizeof(out->other), "%s", lr->files[j].path);
				return 1;
			}
	}
	return 0;
}

void
osl_fs_links_release(struct osl_fs_links *c)
{
	for (size_t i = 0; c->p && i < c->p->nrules; i++) {
		for (size_t j = 0; j < c->rules[i].nfiles; j++)
			free(c->rules[i].files[j].path);
		free(c->rules[i].files);
	}
	free(c->rules);
	c->rules = NULL;
	c->p = NULL;
}
