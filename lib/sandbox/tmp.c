/* A private temporary folder per run (proc.tmp: private, man/osl-proc.1
 * "PRIVATE TMP"): a fresh tmpfs on /tmp, /var/tmp and /dev/shm in the
 * child's mount namespace, as systemd's PrivateTmp= and bwrap's --tmpfs.
 * What must stay visible below them (the working folder, a tree a rule
 * names) is cloned first (open_tree) and moved back on its own path inside
 * the new tmpfs (bwrap --bind).  ${TMPDIR} in a rule means the new /tmp. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/landlock-uapi.h"
#include "sandbox/sandbox-int.h"

const char *const osl_tmp_dirs[OSL_TMP_NDIRS] = { "/tmp", "/var/tmp", "/dev/shm" };

bool
osl_sandbox_private_path(const char *path)
{
	for (int i = 0; i < OSL_TMP_NDIRS; i++)
		if (osl_path_within(osl_tmp_dirs[i], path))
			return true;
	return false;
}

/* The private folder PATH (a real path) is below, or NULL. */
const char *
osl_tmp_below(const struct osl_sandbox *sb, const char *path)
{
	for (int i = 0; i < OSL_TMP_NDIRS; i++)
		if ((sb->tmp_dirs & (1u << i)) && osl_path_within(osl_tmp_dirs[i], path))
			return osl_tmp_dirs[i];
	return NULL;
}

bool
osl_tmp_gone(const struct osl_sandbox *sb, const char *path)
{
	if (!osl_tmp_below(sb, path))
		return false;
	for (size_t i = 0; i < sb->ntmp_keep; i++)
		if (osl_path_within(sb->tmp_keep[i], path))
			return false;
	return true;
}

bool
osl_tmp_rule(const struct osl_sandbox *sb, const struct osl_rule *ru, char *prefix, size_t size)
{
	char pat[4096];

	if (!sb->tmp_dirs || strncmp(ru->pattern, "${TMPDIR}", 9) != 0)
		return false;
	snprintf(pat, sizeof(pat), "/tmp%s", ru->pattern + 9);
	osl_landlock_prefix(pat, prefix, size);
	return true;
}

static const struct osl_error *
keep(struct osl_sandbox *sb, const char *path)
{
	char **v;

	if (!(v = reallocarray(sb->tmp_keep, sb->ntmp_keep + 1, sizeof(*v))))
		return osl_error_nomem();
	sb->tmp_keep = v;
	if (!(v[sb->ntmp_keep] = strdup(path)))
		return osl_error_nomem();
	sb->ntmp_keep++;
	return NULL;
}

const struct osl_error *
osl_tmp_prepare(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok)
{
	struct osl_sandbox_report *r = &sb->report;
	const struct osl_error *err;
	char pre[4096], cwd[PATH_MAX];

	if (p->tmp == OSL_TMP_SHARED) {
		osl_report_add(r, "fs.tmp", "proc.tmp", NULL, OSL_ENF_FULL, "%s",
		    "shared: /tmp, /var/tmp and /dev/shm are the machine's (proc.tmp: shared)");
		return NULL;
	}
	if (!ns_ok) {
		osl_report_add(r, "fs.tmp", "proc.tmp", NULL, OSL_ENF_PARTIAL, "%s",
		    "no mount namespace can be made here: /tmp, /var/tmp and /dev/shm are the "
		    "machine's, shared with every other process");
		return NULL;
	}
	for (int i = 0; i < OSL_TMP_NDIRS; i++) {
		struct stat st;
		int fd = osl_sb_open(osl_tmp_dirs[i], O_PATH);

		if (fd != -1 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			sb->tmp_dirs |= 1u << i;
		if (fd != -1)
			close(fd);
	}
	/* what stays: the working folder and the trees the rules name there */
	if (getcwd(cwd, sizeof(cwd)) && osl_tmp_below(sb, cwd) &&
	    strcmp(osl_tmp_below(sb, cwd), cwd) && (err = keep(sb, cwd)))
		return err;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *ru = &p->rules[i];
		const char *d;
		int fd;

		/* exec there when an exec rule covers a private folder itself
		 * (a tree kept below it keeps its own flags) */
		if (ru->kind == OSL_RULE_FS_EXEC && !sb->tmp_exec) {
			osl_landlock_prefix(ru->real, pre, sizeof(pre));
			for (int k = 0; k < OSL_TMP_NDIRS; k++)
				if (osl_path_within(pre, osl_tmp_dirs[k]))
					sb->tmp_exec = true;
			if (!strncmp(ru->pattern, "${TMPDIR}", 9))
				sb->tmp_exec = true;
		}
		if (ru->kind != OSL_RULE_FS_READ && ru->kind != OSL_RULE_FS_WRITE &&
		    ru->kind != OSL_RULE_FS_EXEC)
			continue;
		if (osl_tmp_rule(sb, ru, pre, sizeof(pre)))
			continue;	/* ${TMPDIR}: the private one */
		osl_landlock_prefix(ru->real, pre, sizeof(pre));
		if (!(d = osl_tmp_below(sb, pre)) || !strcmp(d, pre))
			continue;
		if ((fd = osl_sb_open(pre, O_PATH | O_DIRECTORY)) == -1)
			continue;	/* not there (or a file): nothing to keep */
		close(fd);
		if ((err = keep(sb, pre)))
			return err;
	}
	sb->ntmp_keep = osl_paths_outermost(sb->tmp_keep, sb->ntmp_keep);
	if (sb->ntmp_keep > OSL_SANDBOX_MAX_TMP_KEEP) {
		osl_report_add(r, "fs.tmp", "proc.tmp", NULL, OSL_ENF_PARTIAL,
		    "more than %d trees below /tmp to keep: /tmp is the machine's",
		    OSL_SANDBOX_MAX_TMP_KEEP);
		osl_tmp_release(sb);
		return NULL;
	}
	sb->ns_flags |= CLONE_NEWNS;
	return NULL;
}

void
osl_tmp_finish(struct osl_sandbox *sb, const struct osl_policy *p)
{
	char pre[4096], list[160];
	size_t at = 0;

	if (!sb->tmp_dirs)
		return;
	/* would the ${TMPDIR} rights on the new /tmp reach a kept tree (landlock
	 * walks up through mounts) that its own rules do not give them? */
	for (size_t i = 0; i < sb->ntmp_keep && sb->tmpdir_rights && !sb->tmp_sub; i++) {
		uint64_t own = 0;

		for (size_t j = 0; j < p->nrules; j++) {
			const struct osl_rule *ru = &p->rules[j];

			if (ru->kind > OSL_RULE_FS_EXEC || osl_tmp_rule(sb, ru, pre, sizeof(pre)))
				continue;
			osl_landlock_prefix(ru->real, pre, sizeof(pre));
			if (osl_path_within(pre, sb->tmp_keep[i]))
				own |= osl_landlock_rights(ru->kind, sb->abi, pre);
		}
		sb->tmp_sub = (sb->tmpdir_rights & ~own) != 0;
	}
	if (!sb->tmp_sub)
		sb->tmp_rights[0] |= sb->tmpdir_rights;
	list[0] = '\0';
	for (size_t i = 0; i < sb->ntmp_keep && at < sizeof(list); i++)
		at += (size_t)snprintf(list + at, sizeof(list) - at, "%s'%s'", i ? ", " : "",
		    sb->tmp_keep[i]);
	osl_report_add(&sb->report, "fs.tmp", "proc.tmp", NULL, OSL_ENF_FULL,
	    "a fresh tmpfs on /tmp, /var/tmp and /dev/shm (nosuid, nodev%s), gone at exit; "
	    "TMPDIR=%s%s%s", sb->tmp_exec ? "" : ", noexec", sb->tmp_sub ? OSL_TMP_SUB
	    " (${TMPDIR} rules there: on /tmp they would reach the kept trees)" : "/tmp",
	    sb->ntmp_keep ? "; kept: " : "", list);
}

void
osl_tmp_release(struct osl_sandbox *sb)
{
	for (size_t i = 0; i < sb->ntmp_keep; i++)
		free(sb->tmp_keep[i]);
	free(sb->tmp_keep);
	sb->tmp_keep = NULL;
	sb->ntmp_keep = 0;
	sb->tmp_dirs = 0;
}

/* --- in the child: system calls only --- */

/* mkdir -p PATH (absolute) in the new tmpfs: nobody else sees it yet. */
static int
mkdirs(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return errno;
		buf[i] = path[i];
	}
	return 0;
}

/* OSL_TMP_SUB in the new /tmp, with the ${TMPDIR} rules' rights */
static int
private_sub(const struct osl_sandbox *sb)
{
	struct osl_landlock_path_beneath_attr pb = { .allowed_access = sb->tmpdir_rights };
	int e = 0;

	if (mkdir(OSL_TMP_SUB, 01777) == -1 || chmod(OSL_TMP_SUB, 01777) == -1)
		return errno;
	if (sb->ruleset_fd == -1)
		return 0;
	if ((pb.parent_fd = osl_sb_open(OSL_TMP_SUB, O_PATH)) == -1)
		return errno;
	if (syscall(__NR_landlock_add_rule, sb->ruleset_fd, OSL_LL_RULE_PATH_BENEATH, &pb, 0) == -1)
		e = errno;
	close(pb.parent_fd);
	return e;
}

int
osl_tmp_mounts(const struct osl_sandbox *sb, const char *cwd, const char **step)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | (sb->tmp_exec ? 0 : MS_NOEXEC);
	int fd[OSL_SANDBOX_MAX_TMP_KEEP + 1];
	const char *path[OSL_SANDBOX_MAX_TMP_KEEP + 1];
	size_t n = 0;
	int e = 0;

	/* the child's own folder too (--cwd, a supervised child's) */
	for (size_t i = 0; i < sb->ntmp_keep; i++)
		path[n++] = sb->tmp_keep[i];
	if (cwd[0] == '/' && osl_tmp_below(sb, cwd) && strcmp(osl_tmp_below(sb, cwd), cwd)) {
		bool in = false;

		for (size_t i = 0; i < n && !in; i++)
			in = osl_path_within(path[i], cwd);
		if (!in)
			path[n++] = cwd;
	}
	*step = "open_tree of a tree kept below /tmp";
	for (size_t i = 0; i < n; i++) {
		int at = osl_sb_open(path[i], O_PATH);

		if (at == -1) {
			e = errno;
			n = i;
			goto done;
		}
		fd[i] = open_tree(at, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
		    AT_EMPTY_PATH);
		e = errno;
		close(at);
		if (fd[i] == -1) {
			n = i;
			goto done;
		}
	}
	e = 0;
	for (int i = 0; i < OSL_TMP_NDIRS; i++) {
		struct osl_landlock_path_beneath_attr pb = { .allowed_access = sb->tmp_rights[i] };

		if (!(sb->tmp_dirs & (1u << i)))
			continue;
		*step = "tmpfs on /tmp";
		if (mount("osl-tmp", osl_tmp_dirs[i], "tmpfs", flags, "mode=1777") == -1) {
			e = errno;
			goto done;
		}
		if (i == 0 && sb->tmp_sub && (e = private_sub(sb)))
			goto done;
		if (!pb.allowed_access || sb->ruleset_fd == -1)
			continue;
		/* the rules on the folder, on the new tmpfs's root (sandbox.h) */
		*step = "landlock rule on the private /tmp";
		if ((pb.parent_fd = osl_sb_open(osl_tmp_dirs[i], O_PATH)) == -1) {
			e = errno;
			goto done;
		}
		if (syscall(__NR_landlock_add_rule, sb->ruleset_fd, OSL_LL_RULE_PATH_BENEATH,
		    &pb, 0) == -1)
			e = errno;
		close(pb.parent_fd);
		if (e)
			goto done;
	}
	*step = "move_mount of a tree kept below /tmp";
	for (size_t i = 0; i < n && !e; i++)
		if ((e = mkdirs(path[i])) == 0 &&
		    move_mount(fd[i], "", AT_FDCWD, path[i], MOVE_MOUNT_F_EMPTY_PATH) == -1)
			e = errno;
done:
	while (n > 0)
		close(fd[--n]);
	return e;
}
