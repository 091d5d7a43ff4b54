/* Another name of an inode that a deny rule denies (man/osl-fs.1, Hard
 * links): a file with several links may be a second name for a protected
 * file (~/.netrc linked as ~/notes before the command).  The kernel cannot
 * list an inode's names, so each deny rule's existing paths are looked at:
 * a literal file directly, the folder before the first glob of a pattern by
 * a bounded walk on the file's own filesystem. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs/fs.h"
#include "policy/policy.h"

#define MAX_DEPTH 64

struct scan {
	dev_t dev;
	ino_t ino;
	const char *pattern;
	size_t left;		/* entries still allowed */
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

/* 1: found (s->path), 0: not here, -1: the bound was reached. */
static int
scan_dir(struct scan *s, int dfd, size_t plen, int depth)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int r = 0, fd;

	if (depth > MAX_DEPTH)
		return -1;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while (r == 0 && (e = readdir(d)) != NULL) {
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
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode) && st.st_dev == s->dev && st.st_ino == s->ino &&
		    osl_path_match(s->pattern, s->path)) {
			r = 1;
			break;
		}
		/* a hard link stays on its filesystem */
		if (!S_ISDIR(st.st_mode) || st.st_dev != s->dev)
			continue;
		if ((fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0)
			continue;
		r = scan_dir(s, fd, plen + 1 + n, depth + 1);
	}
	if (r != 1)
		s->path[plen] = '\0';
	closedir(d);
	return r;
}

int
osl_fs_link_denied(const struct osl_policy *p, const struct stat *st,
    const struct osl_rule **rule, char *other, size_t size)
{
	struct scan s;
	struct stat ds;
	bool glob;
	int fd, r;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *ru = &p->rules[i];

		if (ru->kind != OSL_RULE_FS_DENY ||
		    !literal_prefix(ru->expanded, s.path, sizeof(s.path), &glob))
			continue;
		if (!glob) {
			if (fstatat(AT_FDCWD, s.path, &ds, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(ds.st_mode) && ds.st_dev == st->st_dev && ds.st_ino == st->st_ino)
				goto found;
			continue;
		}
		/* "**" first: anywhere, which no bounded walk can search */
		if (strcmp(s.path, "/") == 0)
			continue;
		if ((fd = open(s.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		if (fstat(fd, &ds) < 0 || ds.st_dev != st->st_dev) {
			close(fd);
			continue;
		}
		s.dev = st->st_dev;
		s.ino = st->st_ino;
		s.pattern = ru->expanded;
		s.left = OSL_FS_LINK_SCAN;
		if ((r = scan_dir(&s, fd, strlen(s.path), 0)) == 0)
			continue;
		if (r < 0) {
			*rule = ru;
			snprintf(other, size, "%s", s.path);
			return -1;
		}
found:
		*rule = ru;
		snprintf(other, size, "%s", s.path);
		return 1;
	}
	return 0;
}
