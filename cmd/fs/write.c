/* osl fs write, append, touch, mkdir, rmdir, ln, chmod, chown: the verbs
 * that make or change one name.  Each resolves the parent (or the file)
 * once, decides on the real path, and works relative to that descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs-int.h"

static mode_t
umasked(mode_t m)
{
	mode_t mask = umask(0);

	umask(mask);
	return m & ~mask;
}

/* The op of a name that may or may not exist yet. */
static void
name_action(struct osl_op *op, const struct osl_fs_dest *d, enum osl_action exists_action)
{
	op->action = d->dirfd >= 0 && !d->exists ? OSL_ACT_FS_CREATE : exists_action;
}

/* Only regular files are replaced or appended to: a device or a fifo under
 * a name must not be swapped for a plain file by accident. */
static const struct osl_error *
want_regular(const struct osl_fs_dest *d)
{
	if (!d->exists || S_ISREG(d->st.st_mode))
		return NULL;
	if (S_ISDIR(d->st.st_mode))
		return osl_error_sys(OSL_EFAIL, EISDIR, "'%s'", d->given);
	return osl_error_new(OSL_EFAIL, "'%s': not a regular file", d->given);
}

int
cmd_fs_write(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_fs_tmp tmp = { .fd = -1 };
	struct osl_fs_dest d;
	struct osl_op op;
	struct stat st;
	unsigned long long n = 0;
	int r, which, status = 0;
	bool begun;
	mode_t mode;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc != 1)
		return cli_usage("one path is needed (the data comes from standard input)");
	out_arr_open(NULL);
	osl_op_init(&op, OSL_ACT_FS_WRITE, argv[0]);
	/* decided on the access kind before the name is known to exist: both
	 * actions are writes */
	if (!(err = fs_begin_dest(ctx, &op, &d, argv[0], OSL_FS_FOLLOW_LAST, &begun)))
		name_action(&op, &d, OSL_ACT_FS_WRITE);
	if (err || (err = want_regular(&d)))
		goto done;
	/* the old file keeps its mode (and owner, when we may); the new one
	 * has -m or 0666 less the umask */
	mode = d.exists ? d.st.st_mode & 07777 : fs_opt.mode_set ? fs_opt.mode : umasked(0666);
	if ((err = osl_fs_tmp_open(&tmp, d.dirfd, d.name, 0600)))
		goto done;
	if (d.exists && fchown(tmp.fd, d.st.st_uid, d.st.st_gid) < 0 && errno != EPERM) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", argv[0]);
		goto done;
	}
	if (fchmod(tmp.fd, mode) < 0) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", argv[0]);
		goto done;
	}
	if ((err = osl_fs_copy_fd(STDIN_FILENO, tmp.fd, &n, &which))) {
		err = osl_error_sys(OSL_EFAIL, err->sys_errno, which ? "'%s'" : "'%s': reading standard input",
		    argv[0]);
		goto done;
	}
	if ((err = osl_fs_tmp_commit(&tmp, d.name, true, true)))
		goto done;
	if (fstat(tmp.fd, &st) == 0)
		fs_file_fields(op.fields, argv[0], d.real, &st);
	osl_log_add_count(osl_log_obj(op.fields, "osl"), "bytes", n);
	fs_print_result(argv[0], d.real, tmp.fd, "bytes", n);
done:
	osl_fs_tmp_abort(&tmp);
	fs_end(ctx, &op, err, begun, &status);
	osl_fs_dest_close(&d);
	out_arr_close();
	return status;
}

/* Open the existing regular file D names for writing in place, checking it
 * is still the inode that was decided on. */
static const struct osl_error *
open_existing(const struct osl_fs_dest *d, int flags, int *out)
{
	struct stat st;
	int fd;

	fd = openat(d->dirfd, d->name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", d->given);
	if (fstat(fd, &st) < 0 || st.st_dev != d->st.st_dev || st.st_ino != d->st.st_ino) {
		close(fd);
		return osl_error_sys(OSL_EFAIL, ESTALE, "'%s'", d->given);
	}
	*out = fd;
	return NULL;
}

int
cmd_fs_append(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_fs_dest d;
	struct osl_op op;
	struct stat st;
	unsigned long long n = 0;
	int r, fd = -1, which, status = 0;
	bool begun;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc != 1)
		return cli_usage("one path is needed (the data comes from standard input)");
	out_arr_open(NULL);
	osl_op_init(&op, OSL_ACT_FS_WRITE, argv[0]);
	if (!(err = fs_begin_dest(ctx, &op, &d, argv[0], OSL_FS_FOLLOW_LAST, &begun)))
		name_action(&op, &d, OSL_ACT_FS_WRITE);
	if (err || (err = want_regular(&d)))
		goto done;
	if (d.exists) {
		/* appending changes the inode every name shares */
		if ((err = fs_check_links(argv[0], &d.st)) ||
		    (err = open_existing(&d, O_WRONLY | O_APPEND, &fd)))
			goto done;
	} else if ((fd = openat(d.dirfd, d.name, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0666)) < 0) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", argv[0]);
		goto done;
	}
	if ((err = osl_fs_copy_fd(STDIN_FILENO, fd, &n, &which))) {
		err = osl_error_sys(OSL_EFAIL, err->sys_errno, which ? "'%s'" : "'%s': reading standard input",
		    argv[0]);
		goto done;
	}
	if (fdatasync(fd) < 0) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", argv[0]);
		goto done;
	}
	if (fstat(fd, &st) == 0)
		fs_file_fields(op.fields, argv[0], d.real, &st);
	osl_log_add_count(osl_log_obj(op.fields, "osl"), "bytes", n);
	fs_print_result(argv[0], d.real, fd, "bytes", n);
done:
	if (fd >= 0)
		close(fd);
	fs_end(ctx, &op, err, begun, &status);
	osl_fs_dest_close(&d);
	out_arr_close();
	return status;
}

int
cmd_fs_touch(int argc, char **argv, struct osl_ctx *ctx)
{
	int r, status = 0;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc < 1)
		return cli_usage("a path is needed");
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_fs_dest d;
		struct osl_op op;
		bool begun;
		int fd = -1;

		osl_op_init(&op, OSL_ACT_FS_WRITE, argv[i]);
		if (!(err = fs_begin_dest(ctx, &op, &d, argv[i], OSL_FS_FOLLOW_LAST, &begun)))
			name_action(&op, &d, OSL_ACT_FS_WRITE);
		if (err)
			goto next;
		if (d.exists) {
			if ((err = fs_check_links(argv[i], &d.st)))
				goto next;
			if ((fd = openat(d.dirfd, d.name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
				err = osl_error_sys(OSL_EFAIL, errno, "'%s'", argv[i]);
			else
				err = osl_fs_touch(fd, argv[i]);
		} else if (fs_opt.nocreate) {
			goto next;
		} else if ((fd = openat(d.dirfd, d.name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC | O_NOCTTY, 0666)) < 0)
			err = osl_error_sys(OSL_EFAIL, errno, "'%s'", argv[i]);
		if (!err) {
			struct stat st;

			if (fd >= 0 && fstat(fd, &st) == 0)
				fs_file_fields(op.fields, argv[i], d.real, &st);
			fs_print_result(argv[i], d.real, fd, NULL, 0);
		}
next:
		if (fd >= 0)
			close(fd);
		fs_end(ctx, &op, err, begun, &status);
		osl_fs_dest_close(&d);
	}
	out_arr_close();
	return status;
}

/* Make one directory PATH (decided on its real parent + name).  EXIST_OK:
 * an existing directory is fine, and nothing is logged for it. */
static void
mkdir_one(struct osl_ctx *ctx, const char *path, mode_t mode, bool exist_ok, int *status)
{
	const struct osl_error *err;
	struct osl_fs_dest d;
	struct osl_op op;
	bool begun = false;
	struct stat st;
	int fd = -1;

	if (exist_ok && osl_fs_resolve_parent(&d, path, OSL_FS_FOLLOW_LAST) == NULL) {
		bool dir = d.exists && S_ISDIR(d.st.st_mode);

		osl_fs_dest_close(&d);
		if (dir)
			return;
	}
	osl_op_init(&op, OSL_ACT_FS_CREATE, path);
	if ((err = fs_begin_dest(ctx, &op, &d, path, 0, &begun)))
		goto done;
	/* the mode is exactly MODE: no umask, and no chmod after (which a
	 * name swapped in between could redirect) */
	{
		mode_t mask = umask(0);

		if (mkdirat(d.dirfd, d.name, mode) < 0) {
			int e = errno;

			umask(mask);
			if (e == EEXIST && exist_ok && fstatat(d.dirfd, d.name, &st, 0) == 0 &&
			    S_ISDIR(st.st_mode)) {
				osl_op_release(&op);
				osl_fs_dest_close(&d);
				return;
			}
			err = osl_error_sys(OSL_EFAIL, e, "'%s'", path);
			goto done;
		}
		umask(mask);
	}
	if ((fd = openat(d.dirfd, d.name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		if (fstat(fd, &st) == 0)
			fs_file_fields(op.fields, path, d.real, &st);
		fs_print_result(path, d.real, fd, NULL, 0);
		close(fd);
	}
done:
	fs_end(ctx, &op, err, begun, status);
	osl_fs_dest_close(&d);
}

int
cmd_fs_mkdir(int argc, char **argv, struct osl_ctx *ctx)
{
	int r, status = 0;
	mode_t mode;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc < 1)
		return cli_usage("a path is needed");
	mode = fs_opt.mode_set ? fs_opt.mode : umasked(0777);
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		char prefix[PATH_MAX];
		size_t len = strlen(argv[i]);
		int before = status;

		if (len >= sizeof(prefix)) {
			fs_fail(&status, argv[i], osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s'", argv[i]));
			continue;
		}
		/* -p: each missing parent is its own creation, decided and
		 * logged; parents get u+wx so that the next step can go in */
		for (size_t k = 1; fs_opt.parents && k < len && status == before; k++) {
			if (argv[i][k] != '/' || argv[i][k - 1] == '/')
				continue;
			memcpy(prefix, argv[i], k);
			prefix[k] = '\0';
			mkdir_one(ctx, prefix, umasked(0777) | 0300, true, &status);
		}
		if (status == before)
			mkdir_one(ctx, argv[i], mode, fs_opt.parents, &status);
	}
	out_arr_close();
	return status;
}

int
cmd_fs_rmdir(int argc, char **argv, struct osl_ctx *ctx)
{
	int r, status = 0;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc < 1)
		return cli_usage("a path is needed");
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_fs_dest d;
		struct osl_op op;
		bool begun;

		osl_op_init(&op, OSL_ACT_FS_DELETE, argv[i]);
		if (!(err = fs_begin_dest(ctx, &op, &d, argv[i], 0, &begun)) && !d.exists)
			err = osl_error_sys(OSL_EFAIL, ENOENT, "'%s'", argv[i]);
		if (!err && unlinkat(d.dirfd, d.name, AT_REMOVEDIR) < 0)
			err = osl_error_sys(OSL_EFAIL, errno, "'%s'", argv[i]);
		if (!err)
			fs_print_result(argv[i], d.real, -1, NULL, 0);
		fs_end(ctx, &op, err, begun, &status);
		osl_fs_dest_close(&d);
	}
	out_arr_close();
	return status;
}
