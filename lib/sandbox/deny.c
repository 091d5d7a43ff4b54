/* fs deny rules in osl proc run's sandbox (man/osl-proc.1, ENFORCEMENT
 * REPORT): refused by Landlock when outside every allowed tree, else
 * over-mounted in a private mount namespace; and the hard links that
 * reach a denied file by another name, which neither holds. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"

/* Regular files below the masked PATH (FD, a folder, closed here; PATH a
 * buffer of PATH_MAX that names it, extended and cut back on the way
 * down) with other names: a hard link elsewhere reaches the same inode,
 * which the mount does not hide.  Up to *LEFT entries; the first such
 * file into FOUND.  getdents64 into the stack, not readdir: no allocation
 * and no fcntl/fstat per folder (a denied home of many small folders was
 * a third of the sandbox's preparation). */
static int
other_names(int fd, char *path, size_t *left, char *found, size_t size, nlink_t *links)
{
	char buf[2048] __attribute__((aligned(8)));
	size_t plen = strlen(path);
	long n;
	int r = 0;

	while (!r && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; !r && off < n; ) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			struct stat st;

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (*left == 0) {
				r = -1;
				break;
			}
			(*left)--;
			/* only files and folders matter: no stat for the rest */
			if (d->d_type != DT_REG && d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)
				continue;
			if (fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
				continue;
			if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
				snprintf(found, size, "%s/%s", path, d->d_name);
				*links = st.st_nlink;
				r = 1;
			} else if (S_ISDIR(st.st_mode)) {
				int cfd = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				    O_CLOEXEC);

				if (cfd == -1)
					continue;
				if ((size_t)snprintf(path + plen, PATH_MAX - plen, "/%s", d->d_name) >=
				    PATH_MAX - plen) {
					close(cfd);
					continue;
				}
				r = other_names(cfd, path, left, found, size, links);
				path[plen] = '\0';
			}
		}
	}
	close(fd);
	return r;
}

static int
shorter_first(const void *a, const void *b)
{
	size_t x = strlen(((const struct osl_sandbox_mask *)a)->path);
	size_t y = strlen(((const struct osl_sandbox_mask *)b)->path);

	return x < y ? -1 : x > y;
}

/* except: (man/osl-policy.5, RULES): one that covers all of the deny's
 * folder DP leaves it nothing to refuse (reported: true); one within it is
 * hidden too when the folder is (*WITHIN says so for the report: stricter
 * than the policy, never wider). */
static bool
deny_excepted(struct osl_sandbox_report *r, const struct osl_rule *ru, const char *dp,
    const char **within)
{
	*within = osl_rule_except_within(ru, dp) ? ", and its except within it with it" : "";
	if (!osl_rule_excepts(ru, dp, true))
		return false;
	osl_report_add(r, "fs.deny", osl_rule_name(ru), ru->pattern, OSL_ENF_FULL,
	    "'%s' is within its except: the deny covers nothing here", dp);
	return true;
}

/* A file of the denied DP (FD, an O_PATH descriptor of it, with ST) with
 * another name: 1 (OTHER names it, *LINKS its count), -1 when the folder
 * holds more files than *LEFT to look at, 0 when none has one. */
static int
deny_links(int fd, const struct stat *st, const char *dp, size_t *left, char *other,
    size_t size, nlink_t *links)
{
	char walk[PATH_MAX];
	int dfd, many = 0;

	if (S_ISREG(st->st_mode) && st->st_nlink > 1) {
		snprintf(other, size, "%s", dp);
		*links = st->st_nlink;
		return 1;
	}
	if (!S_ISDIR(st->st_mode))
		return 0;
	snprintf(walk, sizeof(walk), "%s", dp);
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		many = other_names(dfd, walk, left, other, size, links);
	return many;
}

/* A deny of DP outside every allowed tree (Landlock refuses it): full,
 * unless a file of it has another name, which may lie in an allowed tree
 * (a hard link in the workspace reaches the same inode). */
static void
deny_outside(struct osl_sandbox *sb, const struct osl_rule *ru, const char *dp, size_t *left,
    const char *within)
{
	struct osl_sandbox_report *r = &sb->report;
	const char *name = osl_rule_name(ru);
	char other[4096];
	nlink_t links = 0;
	struct stat st;
	int fd, many = 0;

	if ((fd = osl_sb_open(dp, O_PATH)) != -1) {
		if (fstat(fd, &st) == 0)
			many = deny_links(fd, &st, dp, left, other, sizeof(other), &links);
		close(fd);
	}
	if (many > 0)
		osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_PARTIAL,
		    "outside every allowed tree, but '%s' has %lu names: a hard link in an "
		    "allowed tree is not refused", other, (unsigned long)links);
	else if (many < 0)
		osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_PARTIAL,
		    "outside every allowed tree, but the denied folders hold more than %d files "
		    "to check for hard links elsewhere", OSL_SANDBOX_MAX_SCAN);
	else
		osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_FULL,
		    "outside every allowed tree: landlock refuses it%s", within);
}

/* One fs deny rule RU; LEFT counts the files all rules may still scan for
 * hard links. */
static const struct osl_error *
deny_one(struct osl_sandbox *sb, const struct osl_policy *p, const struct osl_rule *ru,
    bool ns_ok, size_t *left)
{
	struct osl_sandbox_report *r = &sb->report;
	const struct osl_error *err;
	const char *name = osl_rule_name(ru);
	char dp[4096], ap[4096], other[4096];
	const char *within;
	enum osl_enf_level lvl;
	bool overlap = false;
	nlink_t links = 0;
	struct stat st;
	int fd, many;

	lvl = osl_landlock_prefix(ru->real, dp, sizeof(dp));
	if (deny_excepted(r, ru, dp, &within))
		return NULL;
	for (size_t j = 0; j < p->nrules && sb->ll_fs; j++) {
		const struct osl_rule *a = &p->rules[j];

		if (a->kind != OSL_RULE_FS_READ && a->kind != OSL_RULE_FS_WRITE &&
		    a->kind != OSL_RULE_FS_EXEC)
			continue;
		osl_landlock_prefix(a->real, ap, sizeof(ap));
		if (osl_path_within(ap, dp) || osl_path_within(dp, ap))
			overlap = true;
	}
	if (sb->ll_fs && !overlap) {
		deny_outside(sb, ru, dp, left, within);
		return NULL;
	}
	if (lvl != OSL_ENF_FULL || !strcmp(dp, "/")) {
		osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_PARTIAL,
		    "a glob below '%s' cannot be over-mounted", dp);
		return NULL;
	}
	if (!ns_ok) {
		osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_PARTIAL, "%s",
		    "no mount namespace can be made here (needs root or user namespaces)");
		return NULL;
	}
	if ((fd = osl_sb_open(dp, O_PATH)) == -1 && errno == ELOOP) {
		osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_PARTIAL,
		    "a symlink is on the way to '%s' since the policy was loaded", dp);
		return NULL;
	}
	if (fd == -1 || fstat(fd, &st) == -1) {
		char parent[4096], *sl;

		if (fd != -1)
			close(fd);
		snprintf(parent, sizeof(parent), "%s", dp);
		if ((sl = strrchr(parent, '/')))
			sl[sl == parent] = '\0';
		if (osl_sandbox_writable(sb, p, parent) || !sb->ll_fs) {
			struct osl_enf_entry *ent = osl_report_add(r, "fs.deny", name,
			    ru->pattern, OSL_ENF_PARTIAL, "'%s' does not exist: a file made "
			    "there later is not hidden", dp);

			if (ent)	/* a write rule of the policy lets it be made */
				ent->by_policy = true;
		} else
			osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_FULL,
			    "'%s' does not exist and no write rule lets it be made", dp);
		return NULL;
	}
	many = deny_links(fd, &st, dp, left, other, sizeof(other), &links);
	close(fd);
	if ((err = osl_sandbox_add_mask(sb, dp, &st)))
		return err;
	if ((err = osl_sandbox_pin_ancestors(sb, p, dp)))
		return err;
	if (many > 0)
		osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_PARTIAL,
		    "'%s' over-mounted, but '%s' has %lu names: a hard link elsewhere is not "
		    "hidden", dp, other, (unsigned long)links);
	else if (many < 0)
		osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_PARTIAL,
		    "'%s' over-mounted, but the denied folders hold more than %d files to "
		    "check for hard links elsewhere", dp, OSL_SANDBOX_MAX_SCAN);
	else
		osl_report_add(r, "fs.deny", name, ru->pattern, OSL_ENF_FULL,
		    "'%s' over-mounted by an empty %s in a private mount namespace%s", dp,
		    S_ISDIR(st.st_mode) ? "read-only tmpfs" : "/dev/null", within);
	return NULL;
}

/* fs deny rules: refused by Landlock when outside every allowed tree, else
 * over-mounted in a private mount namespace.  Paths are the rules' real
 * ones (osl_rule.real: a deny rule follows every symlink). */
const struct osl_error *
osl_sandbox_deny_rules(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok)
{
	size_t left = OSL_SANDBOX_MAX_SCAN;	/* for all the rules together */
	const struct osl_error *err;

	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == OSL_RULE_FS_DENY &&
		    (err = deny_one(sb, p, &p->rules[i], ns_ok, &left)))
			return err;
	/* outer folders first: each bind takes what is below it along */
	if (sb->npins)
		qsort(sb->pins, sb->npins, sizeof(*sb->pins), shorter_first);
	return NULL;
}
