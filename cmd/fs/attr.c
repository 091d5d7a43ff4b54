/* osl fs ln, chmod, chown. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs-int.h"

/* LINK, or LINK/basename(TARGET) when LINK is a directory. */
static const struct osl_error *
link_name(const char *target, const char *link, char *buf, size_t size)
{
	char t[PATH_MAX];
	struct stat st;
	size_t len = strlen(target);

	if (stat(link, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(buf, size, "%s", link);
		return NULL;
	}
	if (len >= sizeof(t))
		return osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s'", target);
	memcpy(t, target, len + 1);
	while (len > 1 && t[len - 1] == '/')
		t[--len] = '\0';
	return osl_fs_join(buf, size, link, basename(t));
}

/* Put a new name in place: directly, or with -f under a temporary name
 * renamed over the old one (never a moment without the name). */
static int
make_link(const char *target, int srcfd, const struct osl_fs_dest *d)
{
	char proc[64], tmp[NAME_MAX + 1];
	const char *name = d->name;
	int r;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", srcfd);
	for (int tries = 0; tries < 8; tries++) {
		if (fs_opt.force && d->exists) {
			osl_fs_tmp_name(tmp, sizeof(tmp), d->name);
			name = tmp;
		}
		/* a hard link is made to the very inode resolved and decided on */
		r = fs_opt.symbolic ? symlinkat(target, d->dirfd, name) :
		    linkat(AT_FDCWD, proc, d->dirfd, name, AT_SYMLINK_FOLLOW);
		if (r == 0 || errno != EEXIST || name == d->name)
			break;
	}
	if (r < 0)
		return errno;
	if (name != d->name && renameat(d->dirfd, name, d->dirfd, d->name) < 0) {
		int e = errno;

		unlinkat(d->dirfd, name, 0);
		return e;
	}
	return 0;
}

int
cmd_fs_ln(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err = NULL;
	struct osl_fs_file src = { .fd = -1 };
	struct osl_fs_dest d = { .dirfd = -1 };
	struct osl_op sop, op;
	char lname[PATH_MAX];
	int r, e, status = 0;
	bool sbegun = false, begun = false;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc != 2)
		return cli_usage("a target and a link name are needed");
	if ((err = link_name(argv[0], argv[1], lname, sizeof(lname))))
		return cli_error(err);
	out_arr_open(NULL);
	osl_op_init(&op, OSL_ACT_FS_LINK, lname);
	if (!fs_opt.symbolic) {
		/* a hard link gives the file one more name: that is a change to
		 * the file, so it is decided as a write on the file itself */
		osl_op_init(&sop, OSL_ACT_FS_LINK, argv[0]);
		sop.level = OSL_LEVEL_DEBUG;
		err = fs_begin_path(ctx, &sop, &src, argv[0], 0, &sbegun);
		if (!err && S_ISDIR(src.st.st_mode))
			err = osl_error_sys(OSL_EFAIL, EPERM, "'%s': hard link to a directory", argv[0]);
		fs_end(ctx, &sop, err, sbegun, &status);
		if (err) {
			/* named already; the link itself was never begun */
			err = NULL;
			goto done;
		}
	}
	if ((err = fs_begin_dest(ctx, &op, &d, lname, 0, &begun)))
		goto done;
	/* ECS: a symlink's target is file.target_path; a hard link's, osl's */
	if (fs_opt.symbolic)
		osl_log_add_text(osl_log_obj(op.fields, "file"), "target_path", argv[0]);
	else
		osl_log_add_text(osl_log_obj(op.fields, "osl"), "link_target", src.real);
	if (d.exists && !fs_opt.force) {
		err = osl_error_sys(OSL_EFAIL, EEXIST, "'%s'", lname);
		goto done;
	}
	if (d.exists && S_ISDIR(d.st.st_mode)) {
		err = osl_error_sys(OSL_EFAIL, EISDIR, "'%s'", lname);
		goto done;
	}
	if ((e = make_link(argv[0], src.fd, &d))) {
		err = osl_error_sys(OSL_EFAIL, e, "'%s'", lname);
		goto done;
	}
	{
		int fd = openat(d.dirfd, d.name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;

		if (fd >= 0 && fstat(fd, &st) == 0)
			fs_file_fields(op.fields, lname, d.real, &st);
		fs_print_result(lname, d.real, fd, NULL, 0);
		if (fd >= 0)
			close(fd);
	}
done:
	fs_end(ctx, &op, err, begun, &status);
	osl_fs_close(&src);
	osl_fs_dest_close(&d);
	out_arr_close();
	return status;
}

/* chmod and chown share everything but the change itself. */
struct attr {
	struct osl_ctx *ctx;
	enum osl_action action;
	const char *modestr;
	uid_t uid;
	gid_t gid;
	uint64_t files, errors;
	int status;
};

/* Change the file FD (an O_PATH descriptor, or -1 with DIRFD/NAME). */
static const struct osl_error *
attr_apply(struct attr *a, int fd, int dirfd, const char *name, const char *given,
    const struct stat *st)
{
	mode_t m;

	if (a->modestr) {
		if (!fs_parse_mode(a->modestr, st->st_mode, S_ISDIR(st->st_mode), &m))
			return osl_error_new(OSL_EINPUT, "invalid mode '%s'", a->modestr);
		if (fd >= 0)
			return osl_fs_chmod(fd, given, m);
		if (fchmodat(dirfd, name, m, AT_SYMLINK_NOFOLLOW) < 0)
			return osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
		return NULL;
	}
	if (fd >= 0)
		return osl_fs_chown(fd, given, a->uid, a->gid);
	if (fchownat(dirfd, name, a->uid, a->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
	return NULL;
}

static const struct osl_error *
attr_visit(void *arg, struct osl_fs_ent *e, enum osl_fs_visit v, bool *skip)
{
	struct attr *a = arg;
	const struct osl_error *err;
	struct osl_op op;

	/* the root was done by the caller; symlinks are never followed, and
	 * chmod cannot change one (chown changes the link itself) */
	if (e->depth == 0 || v == OSL_FS_POST || (S_ISLNK(e->st.st_mode) && a->modestr))
		return NULL;
	osl_op_init(&op, a->action, e->path);
	op.level = OSL_LEVEL_DEBUG;
	err = fs_begin_real(a->ctx, &op, e->path, e->path, &e->st);
	if (err && v == OSL_FS_PRE)
		*skip = true;
	if (!err)
		err = fs_check_links(e->path, &e->st);
	if (!err)
		err = attr_apply(a, -1, e->dirfd, e->name, e->path, &e->st);
	a->files++;
	if (err)
		a->errors++;
	fs_end(a->ctx, &op, err, true, &a->status);
	return NULL;
}

static const struct osl_error *
attr_error(void *arg, struct osl_fs_ent *e, enum osl_fs_visit v, bool *skip)
{
	struct attr *a = arg;

	(void)v;
	(void)skip;
	a->errors++;
	fs_fail(&a->status, e->path, osl_error_sys(OSL_EFAIL, e->error, "'%s'", e->path));
	return NULL;
}

static int
attr_run(struct attr *a, int argc, char **argv)
{
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_fs_file f;
		struct osl_op op;
		bool begun;
		int fd;

		a->files = a->errors = 0;
		osl_op_init(&op, a->action, argv[i]);
		err = fs_begin_path(a->ctx, &op, &f, argv[i], 0, &begun);
		if (!err)
			err = fs_check_links(argv[i], &f.st);
		if (!err)
			err = attr_apply(a, f.fd, -1, NULL, argv[i], &f.st);
		if (!err && fs_opt.recursive && S_ISDIR(f.st.st_mode) &&
		    !(err = osl_fs_reopen(&f, O_RDONLY | O_DIRECTORY, &fd))) {
			err = osl_fs_walk(fd, ".", f.real, attr_visit, attr_error, a);
			close(fd);
			fs_summary(op.fields, a->files + 1, 0, a->errors);
		}
		if (!err) {
			struct stat st;

			if (fstat(f.fd, &st) == 0)
				fs_file_fields(op.fields, argv[i], f.real, &st);
			fs_print_result(argv[i], f.real, f.fd, NULL, 0);
		}
		fs_end(a->ctx, &op, err, begun, &a->status);
		osl_fs_close(&f);
	}
	out_arr_close();
	return a->status;
}

int
cmd_fs_chmod(int argc, char **argv, struct osl_ctx *ctx)
{
	struct attr a = { .ctx = ctx, .action = OSL_ACT_FS_CHMOD };
	mode_t m;
	int r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc < 2)
		return cli_usage("a mode and a path are needed");
	if (!fs_parse_mode(argv[0], 0, false, &m))
		return cli_usage("invalid mode '%s'", argv[0]);
	a.modestr = argv[0];
	return attr_run(&a, argc - 1, argv + 1);
}

/* "user", "user:group", ":group", "uid:gid"; -1 leaves a part unchanged. */
static bool
parse_owner(const char *s, uid_t *uid, gid_t *gid)
{
	char u[256];
	const char *colon = strchr(s, ':');
	size_t ulen = colon ? (size_t)(colon - s) : strlen(s);
	char *end;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (ulen >= sizeof(u))
		return false;
	memcpy(u, s, ulen);
	u[ulen] = '\0';
	if (ulen) {
		struct passwd *pw = getpwnam(u);
		unsigned long v;

		if (pw)
			*uid = pw->pw_uid;
		else if (errno = 0, v = strtoul(u, &end, 10), !*end && !errno && v < (uid_t)-1)
			*uid = (uid_t)v;
		else
			return false;
	}
	if (colon && colon[1]) {
		struct group *gr = getgrnam(colon + 1);
		unsigned long v;

		if (gr)
			*gid = gr->gr_gid;
		else if (errno = 0, v = strtoul(colon + 1, &end, 10), !*end && !errno && v < (gid_t)-1)
			*gid = (gid_t)v;
		else
			return false;
	}
	return ulen || (colon && colon[1]);
}

int
cmd_fs_chown(int argc, char **argv, struct osl_ctx *ctx)
{
	struct attr a = { .ctx = ctx, .action = OSL_ACT_FS_CHOWN };
	int r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc < 2)
		return cli_usage("an owner and a path are needed");
	if (!parse_owner(argv[0], &a.uid, &a.gid))
		return cli_usage("invalid owner '%s' (USER[:GROUP], numbers or names)", argv[0]);
	return attr_run(&a, argc - 1, argv + 1);
}
