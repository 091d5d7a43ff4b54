/* fs.exec rules against the dynamic loader.
 *
 * Landlock holds execve(2) but not mmap(PROT_EXEC): once a rule lets the
 * loader run, "ld.so FILE" (or dlopen) runs any file the program can read.
 * Where a private mount namespace can be made, the child makes every mount
 * noexec but the policy's exec trees (systemd's NoExecPaths=/ with
 * ExecPaths=), and the kernel refuses to map any other file as code. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"

bool
osl_path_within(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (!strcmp(a, "/"))
		return true;
	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/');
}

size_t
osl_paths_outermost(char **paths, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		bool below = false;

		for (size_t j = 0; j < n && !below; j++)
			if (j != i && paths[j] && osl_path_within(paths[j], paths[i]))
				below = strcmp(paths[j], paths[i]) || j < i;
		if (below) {
			free(paths[i]);
			paths[i] = NULL;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (paths[i])
			paths[kept++] = paths[i];
	return kept;
}

static int
interp_of_program(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_INTERP)
			*(const char **)data = (const char *)(info->dlpi_addr +
			    info->dlpi_phdr[i].p_vaddr);
	return 1;	/* the program comes first: the libraries have none */
}

/* The dynamic loader of the system's programs: osl's own (PT_INTERP), or
 * the x86-64 ABI's path when osl is static. */
static const char *
dynamic_loader(void)
{
	const char *interp = NULL;

	dl_iterate_phdr(interp_of_program, &interp);
	return interp ? interp : "/lib64/ld-linux-x86-64.so.2";
}

/* The trees of the exec rules: their real paths (osl_rule.real, what
 * landlock holds too); a rule whose path does not exist, or goes through a
 * symlink the policy does not follow, allows nothing and is left out. */
struct exec_tree {
	const struct osl_rule *rule;
	bool widened;		/* a glob, widened to its tree */
	char *path;
};
struct exec_set {
	struct exec_tree *t;
	size_t n;
};

static void
exec_set_release(struct exec_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->t[i].path);
	free(s->t);
}

static bool
opens(const char *path)
{
	int fd = osl_sb_open(path, O_PATH);

	if (fd == -1)
		return false;
	close(fd);
	return true;
}

static bool
kept(const struct osl_sandbox *sb, const char *path)
{
	for (size_t i = 0; i < sb->ntmp_keep; i++)
		if (osl_path_within(sb->tmp_keep[i], path))
			return true;
	return false;
}

static const struct osl_error *
exec_set_build(struct exec_set *s, const struct osl_sandbox *sb, const struct osl_policy *p)
{
	char pre[4096];

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *ru = &p->rules[i];
		enum osl_enf_level lvl;
		struct exec_tree *t;

		if (ru->kind != OSL_RULE_FS_EXEC)
			continue;
		lvl = osl_landlock_prefix(ru->real, pre, sizeof(pre));
		/* a private /tmp: ${TMPDIR} is the new one (or its folder of
		 * its own, made in the child before these mounts); what is below
		 * it and not kept is not there in the child */
		if (osl_tmp_rule(sb, ru, pre, sizeof(pre))) {
			if (sb->tmp_sub && !strcmp(pre, "/tmp"))
				snprintf(pre, sizeof(pre), "%s", OSL_TMP_SUB);
		} else if ((osl_tmp_below(sb, pre) && !kept(sb, pre)) || !opens(pre))
			continue;
		if (!(t = reallocarray(s->t, s->n + 1, sizeof(*t))))
			return osl_error_nomem();
		s->t = t;
		t[s->n] = (struct exec_tree){ ru, lvl != OSL_ENF_FULL, strdup(pre) };
		if (!t[s->n].path)
			return osl_error_nomem();
		s->n++;
	}
	return NULL;
}

/* The name of an exec rule whose tree holds PATH (resolved), or NULL. */
static const char *
exec_covering(const struct exec_set *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (osl_path_within(s->t[i].path, path))
			return osl_rule_name(s->t[i].rule);
	return NULL;
}

/* A read tree outside every exec tree, into OUT: what the loader could run. */
static bool
read_outside_exec(const struct osl_policy *p, const struct exec_set *s, char *out)
{
	for (size_t i = 0; i < p->nrules; i++) {
		if (p->rules[i].kind != OSL_RULE_FS_READ)
			continue;
		osl_landlock_prefix(p->rules[i].real, out, PATH_MAX);
		if (opens(out) && !exec_covering(s, out))
			return true;
	}
	return false;
}

/* Does the kernel have mount_setattr (Linux 5.12; open_tree and move_mount
 * came in 5.2)?  A bad fd is refused by a call that exists. */
static bool
has_mount_setattr(void)
{
	struct mount_attr a = { 0 };

	return mount_setattr(-1, "", AT_EMPTY_PATH, &a, sizeof(a)) == 0 || errno != ENOSYS;
}

/* The exec trees into SB, the outermost only; *GLOB: the first rule whose
 * glob is widened to its tree, *WIDE that tree. */
static const struct osl_error *
exec_trees(struct osl_sandbox *sb, struct exec_set *s, const char **glob, char *wide)
{
	if (!(sb->exec_trees = calloc(s->n ? s->n : 1, sizeof(*sb->exec_trees))))
		return osl_error_nomem();
	for (size_t i = 0; i < s->n; i++) {
		if (s->t[i].widened && !*glob) {
			*glob = osl_rule_name(s->t[i].rule);
			snprintf(wide, PATH_MAX, "%s", s->t[i].path);
		}
		sb->exec_trees[sb->nexec_trees++] = s->t[i].path;
		s->t[i].path = NULL;
	}
	sb->nexec_trees = osl_paths_outermost(sb->exec_trees, sb->nexec_trees);
	return NULL;
}

void
osl_exec_trees_release(struct osl_sandbox *sb)
{
	for (size_t i = 0; i < sb->nexec_trees; i++)
		free(sb->exec_trees[i]);
	free(sb->exec_trees);
	sb->exec_trees = NULL;
	sb->nexec_trees = 0;
}

const struct osl_error *
osl_exec_prepare(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok)
{
	char loader[PATH_MAX], outside[PATH_MAX], wide[PATH_MAX];
	struct osl_sandbox_report *r = &sb->report;
	const char *exec_by, *glob = NULL, *why = NULL;
	const struct osl_error *err = NULL;
	struct exec_set s;
	char many[64];

	if (!sb->ll_fs || !realpath(dynamic_loader(), loader))
		return NULL;
	if ((err = exec_set_build(&s, sb, p)) || !(exec_by = exec_covering(&s, loader)) ||
	    !read_outside_exec(p, &s, outside))
		goto done;	/* nothing readable that exec does not cover */
	if (!ns_ok)
		why = "no mount namespace can be made here (needs root or user namespaces)";
	else if (!has_mount_setattr())
		why = "this kernel has no mount_setattr (Linux 5.12) to make the rest noexec";
	else if ((err = exec_trees(sb, &s, &glob, wide)))
		goto done;
	else if (sb->nexec_trees > OSL_SANDBOX_MAX_EXEC_TREES) {
		snprintf(many, sizeof(many), "more than %d exec trees to give back",
		    OSL_SANDBOX_MAX_EXEC_TREES);
		why = many;
	}
	if (why) {
		osl_exec_trees_release(sb);
		osl_report_add(r, "fs.exec", "exec-via-loader", NULL, OSL_ENF_PARTIAL,
		    "%s; landlock checks execve, not mmap(PROT_EXEC): the loader '%s' runs any "
		    "file it can read, e.g. below '%s' (exec allowed by %s)", why, loader, outside,
		    exec_by);
		goto done;
	}
	sb->ns_flags |= CLONE_NEWNS;
	if (glob)
		osl_report_add(r, "fs.exec", "exec-via-loader", NULL, OSL_ENF_PARTIAL,
		    "every mount is noexec but the exec trees, but %s's glob is widened to '%s': "
		    "any file readable there can be mapped as code (mmap PROT_EXEC)", glob, wide);
	else
		osl_report_add(r, "fs.exec", "exec-via-loader", NULL, OSL_ENF_FULL,
		    "every mount but the %zu exec tree%s is noexec in a private mount namespace: "
		    "the kernel refuses to map other files as code (mmap PROT_EXEC), so the loader "
		    "cannot run them", sb->nexec_trees, sb->nexec_trees == 1 ? "" : "s");
done:
	exec_set_release(&s);
	return err;
}

/* --- in the child: system calls only --- */

int
osl_exec_mounts(const struct osl_sandbox *sb, const char **step)
{
	struct mount_attr noexec = { .attr_set = MOUNT_ATTR_NOEXEC };
	int fd[OSL_SANDBOX_MAX_EXEC_TREES], at[OSL_SANDBOX_MAX_EXEC_TREES];
	size_t n;
	int e = 0;

	/* clones first: they keep their own flags (noexec on the host stays);
	 * each tree by its real path, no symlink followed (one put there since
	 * prepare fails the setup), and put back on the same folder */
	*step = "open_tree of an exec tree";
	for (n = 0; n < sb->nexec_trees; n++) {
		if ((at[n] = osl_sb_open(sb->exec_trees[n], O_PATH)) == -1) {
			e = errno;
			goto done;
		}
		if ((fd[n] = open_tree(at[n], "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
		    AT_RECURSIVE | AT_EMPTY_PATH)) == -1) {
			e = errno;
			close(at[n]);
			goto done;
		}
	}
	*step = "mount_setattr noexec";
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &noexec, sizeof(noexec)) == -1) {
		e = errno;
		goto done;
	}
	*step = "move_mount of an exec tree";
	for (size_t i = 0; i < n && !e; i++)
		if (move_mount(fd[i], "", at[i], "", MOVE_MOUNT_F_EMPTY_PATH |
		    MOVE_MOUNT_T_EMPTY_PATH) == -1)
			e = errno;
done:
	while (n > 0) {
		n--;
		close(fd[n]);
		close(at[n]);
	}
	return e;
}
