/* A folder that is no rule's but that the child must not see: osl's own
 * (the supervisor's control socket, osl-supervise(8); the activity log,
 * osl(7)), over-mounted by an empty read-only tmpfs in the child's mount
 * namespace. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log/config.h"
#include "sandbox/sandbox-int.h"

const struct osl_error *
osl_sandbox_hide(struct osl_sandbox *sb, const char *dir, const char *name)
{
	const struct osl_error *err;
	char real[PATH_MAX];
	struct stat st;
	bool need_user;
	int fd, e;

	/* the child mounts on the very folder seen here (sandbox.c) */
	if (!realpath(dir, real))
		return osl_error_sys(OSL_ESETUP, errno, "'%s': cannot hide it", dir);
	dir = real;
	for (size_t i = 0; i < sb->nmasks; i++)
		if (strcmp(sb->masks[i].path, dir) == 0)
			return NULL;
	if ((fd = osl_sb_open(dir, O_PATH | O_DIRECTORY)) == -1 || fstat(fd, &st) == -1) {
		e = errno;
		if (fd != -1)
			close(fd);
		return osl_error_sys(OSL_ESETUP, e, "'%s': cannot hide it", dir);
	}
	close(fd);
	if (!osl_sandbox_can_unshare(&need_user)) {
		osl_report_add(&sb->report, "fs.deny", name, dir, OSL_ENF_NONE, "%s",
		    "no mount namespace can be made here to over-mount it");
		return NULL;
	}
	if ((err = osl_sandbox_add_mask(sb, dir, &st)))
		return err;
	sb->ns_flags |= CLONE_NEWNS;
	if (need_user && !(sb->ns_flags & CLONE_NEWUSER))
		osl_sandbox_userns(sb);
	sb->report.ns_mount = true;
	sb->report.ns_user = sb->report.ns_user || (sb->ns_flags & CLONE_NEWUSER);
	osl_report_add(&sb->report, "fs.deny", name, dir, OSL_ENF_FULL,
	    "'%s' over-mounted by an empty read-only tmpfs in a private mount namespace", dir);
	return NULL;
}

const struct osl_error *
osl_sandbox_hide_log(struct osl_sandbox *sb, const struct osl_policy *p, const char *sink)
{
	const char *sinks[2] = { sink ? sink : p->log.sink, p->log.checkpoint_sink };
	const struct osl_error *err;

	for (size_t i = 0; i < 2; i++) {
		char dir[PATH_MAX], real[PATH_MAX], file[PATH_MAX + 2];
		enum osl_log_sink kind;
		const char *path;
		char *slash;

		if (!sinks[i] || !osl_log_sink_parse(sinks[i], &kind, &path) ||
		    kind != OSL_SINK_FILE || !path || path[0] != '/')
			continue;
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		*slash = '\0';
		/* not there yet: nothing to rewrite (osl makes it when it logs) */
		if (!realpath(dir[0] ? dir : "/", real))
			continue;
		snprintf(file, sizeof(file), "%s/%s", strcmp(real, "/") ? real : "", slash + 1);
		if (!strcmp(real, "/") || osl_tmp_gone(sb, real) ||
		    (!osl_sandbox_writable(sb, p, real) && !osl_sandbox_writable(sb, p, file)))
			continue;	/* (below a fresh /tmp: the child does not see it) */
		if ((err = osl_sandbox_hide(sb, real, "log")) ||
		    (err = osl_sandbox_pin_ancestors(sb, p, real)))
			return err;
	}
	return NULL;
}
