/* What a rule's path names (man/osl-proc.1, "RULE PATHS"): the literal
 * prefix of a rule resolved once, component by component, following only
 * the symlinks nobody but root can change (systemd's chase() with its
 * "unsafe transition" check, the kernel's fs.protected_symlinks).  The
 * decision engine (the compiled patterns), the report and the kernel's
 * rules all start from this one answer. */
#include "fs/fs.h"
#include "policy/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/* Can anyone but root replace the name at the end of REAL (a resolved
 * absolute path)?  Every directory from "/" down to its parent must be
 * root's and writable by root only (or sticky: then only an entry's owner
 * renames it).  *DIR gets the first folder that is not. */
static bool
replaceable(const char *real, char *dir, size_t size)
{
	char buf[PATH_MAX];
	struct stat st;
	size_t n = strlen(real);

	if (n >= sizeof(buf))
		return true;
	memcpy(buf, real, n + 1);
	while (n > 1) {
		while (n > 1 && buf[n - 1] != '/')
			n--;
		buf[n > 1 ? n - 1 : 1] = '\0';
		if (lstat(buf, &st) == -1)
			return true;
		if (st.st_uid != 0 || ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))) {
			snprintf(dir, size, "%s", buf);
			return true;
		}
		if (n > 1)
			n--;
	}
	return false;
}

/* Append component C (LEN bytes) to the resolved path R (length *N). */
static bool
push(char *r, size_t *n, const char *c, size_t len)
{
	if (*n + 1 + len >= PATH_MAX)
		return false;
	if (*n > 1)
		r[(*n)++] = '/';
	memcpy(r + *n, c, len);
	*n += len;
	r[*n] = '\0';
	return true;
}

static void
pop(char *r, size_t *n)
{
	while (*n > 1 && r[*n - 1] != '/')
		(*n)--;
	if (*n > 1)
		(*n)--;
	r[*n] = '\0';
}

/* The folder of LIST that PATH is below, or NULL. */
static const char *
below(const char *const *list, const char *path)
{
	for (; list && *list; list++) {
		size_t n = strlen(*list);

		while (n > 1 && (*list)[n - 1] == '/')
			n--;
		if ((*list)[0] == '/' && !strncmp(*list, path, n) &&
		    (path[n] == '/' || (n == 1 && path[1])))
			return *list;
	}
	return NULL;
}

/* The folders found clean (existing, no symlink) by this thread within a
 * batch of rules (osl_fs_rule_resolve with a NULL prefix begins and ends
 * one: a policy's rules; outside one nothing is kept), NUL-separated.  The
 * rules of a policy share their leading folders (twenty below ${HOME}):
 * each is opened once. */
static __thread char memo[4096];
static __thread size_t memo_len;
static __thread bool memo_on;

/* Is PATH (LEN bytes) a clean folder already seen, or one above one? */
static bool
memo_has(const char *path, size_t len)
{
	for (size_t i = 0; memo_on && i < memo_len; i += strlen(memo + i) + 1) {
		size_t n = strlen(memo + i);

		if (n >= len && !memcmp(memo + i, path, len) && (n == len || memo[i + len] == '/'))
			return true;
	}
	return false;
}

static void
memo_add(const char *path, size_t len)
{
	if (memo_on && len + 1 <= sizeof(memo) - memo_len && !memo_has(path, len)) {
		memcpy(memo + memo_len, path, len);
		memo[memo_len + len] = '\0';
		memo_len += len + 1;
	}
}

/* The length of the longest leading part of PATH (whole components) that
 * exists and has no symlink: one openat2(RESOLVE_NO_SYMLINKS) each, from the
 * whole path up, so that a path without links costs one call, not one per
 * component (a policy has dozens of rules, resolved at every start), and
 * none for a folder seen clean before (memo).  *LEAF_MISSING: PATH's last
 * component does not exist below a clean folder (the kernel said ENOENT
 * for PATH itself): nothing more to look at. */
static size_t
clean_prefix(const char *path, bool *leaf_missing)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	char buf[PATH_MAX];
	size_t len = strlen(path), full = len;
	int first = 0;
	long fd;

	*leaf_missing = false;
	if (len >= sizeof(buf))
		return 0;
	for (const char *d = strstr(path, "/."); d; d = strstr(d + 1, "/."))
		if (d[2] == '/' || d[2] == '\0' || (d[2] == '.' && (d[3] == '/' || d[3] == '\0')))
			return 0;	/* "." and "..": the walk folds them */
	memcpy(buf, path, len + 1);
	while (len > 1) {
		buf[len] = '\0';
		if (memo_has(buf, len))
			break;
		if ((fd = syscall(SYS_openat2, AT_FDCWD, buf, &how, sizeof(how))) >= 0) {
			close((int)fd);
			memo_add(buf, len);
			break;
		}
		if (errno != ENOENT && errno != ELOOP && errno != ENOTDIR)
			return 0;	/* ENOSYS, EACCES...: the walk looks at each */
		if (!first)
			first = errno;
		while (len > 1 && buf[len - 1] != '/')
			len--;
		if (len > 1)
			len--;
	}
	if (len <= 1)
		return 0;
	/* PATH is FOLDER/LEAF, FOLDER clean, and PATH itself ENOENT */
	*leaf_missing = first == ENOENT && len < full && path[len] == '/' &&
	    path[len + 1] && !strchr(path + len + 1, '/');
	return len;
}

/* The rest of the walk, S ("/c/d" or ""), after REAL as written. */
static int
take_rest(char *real, size_t *n, const char *s)
{
	if (*s && !push(real, n, s + 1, strlen(s + 1)))
		return ENAMETOOLONG;
	return 0;
}

/* The symlink C->real (ST, target TGT) is one a user other than root could
 * change: it is not followed, and C says where the walk stopped. */
static bool
untrusted_link(struct osl_fs_chase *c, const struct stat *st, const char *tgt,
    const char *const *untrusted)
{
	const char *u = below(untrusted, c->real);

	snprintf(c->link_dir, sizeof(c->link_dir), "%s", u ? u : "");
	if (st->st_uid == 0 && !u && !replaceable(c->real, c->link_dir, sizeof(c->link_dir)))
		return false;
	c->stopped = true;
	c->owner = st->st_uid;
	snprintf(c->link, sizeof(c->link), "%s", c->real);
	snprintf(c->target, sizeof(c->target), "%s", tgt);
	return true;
}

int
osl_fs_chase(const char *path, unsigned flags, const char *const *untrusted,
    struct osl_fs_chase *c)
{
	char todo[PATH_MAX], tgt[PATH_MAX], *s;
	size_t n;
	int links = 0;
	bool leaf_missing;

	/* the strings empty (not all 16 KiB cleared: a policy's every rule) */
	c->real[0] = c->link[0] = c->target[0] = c->link_dir[0] = '\0';
	c->followed = c->proc = c->stopped = false;
	c->owner = 0;
	if (path[0] != '/' || strlen(path) >= sizeof(todo))
		return ENAMETOOLONG;
	snprintf(todo, sizeof(todo), "%s", path);
	c->real[0] = '/';
	c->real[1] = '\0';
	s = todo;
	if ((n = clean_prefix(path, &leaf_missing)) > 1) {
		/* the last component is not there: taken as written, as the
		 * walk below would after its lstat */
		if (leaf_missing) {
			memcpy(c->real, path, strlen(path) + 1);
			return 0;
		}
		memcpy(c->real, path, n);
		c->real[n] = '\0';
		s = todo + n;
	} else
		n = 1;
	for (;;) {
		struct stat st;
		struct statfs fs;
		size_t len;
		ssize_t tl;
		char *e;

		while (*s == '/')
			s++;
		if (!*s)
			return 0;
		for (e = s; *e && *e != '/'; e++)
			;
		len = (size_t)(e - s);
		if (len == 1 && s[0] == '.') {
			s = e;
			continue;
		}
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			pop(c->real, &n);
			s = e;
			continue;
		}
		if (!push(c->real, &n, s, len))
			return ENAMETOOLONG;
		s = e;
		/* the rest does not exist (yet): taken as written */
		if (lstat(c->real, &st) == -1 || (!S_ISLNK(st.st_mode) && !S_ISDIR(st.st_mode) && *s))
			return take_rest(c->real, &n, s);
		if (!S_ISLNK(st.st_mode))
			continue;
		/* a symlink: procfs's own (/proc/self) are the kernel's, kept */
		if (statfs(c->real, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC) {
			if (take_rest(c->real, &n, s))
				return ENAMETOOLONG;
			c->proc = true;
			return 0;
		}
		if ((tl = readlink(c->real, tgt, sizeof(tgt) - 1)) < 0)
			return errno;
		tgt[tl] = '\0';
		/* not followed: the rest is taken as written */
		if (!(flags & OSL_FS_CHASE_ALL) && !c->stopped && untrusted_link(c, &st, tgt, untrusted))
			return take_rest(c->real, &n, s);
		if (++links > 40)
			return ELOOP;
		/* the target, then what was left, replaces the rest */
		if ((size_t)tl + strlen(s) + 1 >= sizeof(tgt))
			return ENAMETOOLONG;
		memcpy(tgt + tl, s, strlen(s) + 1);
		pop(c->real, &n);
		if (tgt[0] == '/')
			n = 1, c->real[1] = '\0';
		snprintf(todo, sizeof(todo), "%s", tgt);
		s = todo;
		c->followed = true;
	}
}

bool
osl_fs_rule_resolve(const struct osl_policy_env *env, const char *prefix, bool all,
    char *out, size_t size)
{
	const char *vars[] = { env->pwd, env->home, env->tmpdir }, *untrusted[7] = {
		"/tmp", "/var/tmp", "/dev/shm" };
	struct osl_fs_chase c;
	size_t n = 3;

	if (!prefix) {
		memo_len = 0;	/* a batch of rules begins (ALL) or ends */
		memo_on = all;
		return false;
	}
	/* a variable that is "/" (a container's or cron's working folder) makes
	 * its rules inert, not every link of the system untrusted */
	for (size_t i = 0; i < 3; i++)
		if (vars[i] && vars[i][0] == '/' && vars[i][strspn(vars[i], "/")])
			untrusted[n++] = vars[i];
	if (osl_fs_chase(prefix, all ? OSL_FS_CHASE_ALL : 0, untrusted, &c) || !c.followed ||
	    strlen(c.real) >= size)
		return false;
	memcpy(out, c.real, strlen(c.real) + 1);
	return true;
}
