/* osl fs: file operations under policy.  Each verb resolves a path once,
 * asks the pipeline (lib/op.c) about the resolved path, and operates on the
 * descriptor it resolved. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fs/fs.h"
#include "op.h"
#include "util/strbuf.h"
#include "util/time.h"

static int cmd_fs_stat(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_fs_cat(int argc, char **argv, struct osl_ctx *ctx);

static const struct osl_opt stat_opts[] = {
	{ 'L', "dereference", NULL, "follow a symlink in the last component", NULL },
	{ 0 }
};
static const struct osl_opt cat_opts[] = { { 0 } };

const struct osl_cmd osl_fs_cmds[] = {
	{ "stat", cmd_fs_stat, "show file metadata", OSL_CMD_JSON | OSL_CMD_POLICY,
	  "[-L] PATH...", stat_opts, NULL, "file" },
	{ "cat", cmd_fs_cat, "print files to standard output", OSL_CMD_JSON | OSL_CMD_POLICY,
	  "PATH...", cat_opts, NULL, "file" },
	{ NULL }
};

/* The exit status of a verb over several operands: a denial outranks a
 * failure, which outranks success. */
static int
worst(int a, int b)
{
	if (a == OSL_EDENIED || b == OSL_EDENIED)
		return OSL_EDENIED;
	return a ? a : b;
}

/* Parse a verb's options when it has none but -h: returns -1 to go on. */
static int
no_options(const struct osl_cmd *cmd, int *argc, char ***argv)
{
	struct osl_getopt g;
	int c;

	cli_getopt_init(&g, cmd, *argc, *argv);
	c = cli_getopt(&g);
	cli_getopt_release(&g);
	if (c == 'h')
		return 0;
	if (c != -1)
		return OSL_EINPUT;
	*argc -= g.optind;
	*argv += g.optind;
	return -1;
}

/* ECS file.* fields of a resolved file. */
static void
file_fields(cJSON *rec, const struct osl_fs_file *f)
{
	cJSON *file = osl_log_obj(rec, "file");
	char mode[8];

	osl_log_add_text(file, "path", f->given);
	osl_log_add_text(file, "target_path", f->real);
	cJSON_AddStringToObject(file, "type", osl_fs_type_word(f->st.st_mode));
	osl_log_add_u64(file, "inode", (uint64_t)f->st.st_ino);
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(f->st.st_mode & 07777));
	cJSON_AddStringToObject(file, "mode", mode);
	osl_log_add_u64(file, "size", (uint64_t)f->st.st_size);
}

/* Resolve PATH and run it through the decision.  *BEGUN says whether the
 * op was begun (the caller must then osl_op_end it with its result).  A path
 * that does not resolve is decided on its lexical absolute form first, so a
 * denied tree does not even say what exists in it. */
static const struct osl_error *
begin_path(struct osl_ctx *ctx, struct osl_op *op, struct osl_fs_file *f,
    const char *path, unsigned flags, bool *begun)
{
	const struct osl_error *err, *rerr;
	char abs[PATH_MAX];

	*begun = false;
	if ((rerr = osl_fs_resolve(f, path, flags))) {
		struct osl_error keep;

		osl_error_keep(&keep, rerr);
		if ((err = osl_fs_abspath(path, abs, sizeof(abs))))
			return err;
		op->req.path = abs;
		osl_log_add_text(osl_log_obj(op->fields, "file"), "path", path);
		if ((err = osl_op_begin(ctx, op)))
			return err;
		*begun = true;
		return osl_error_sys(keep.status, keep.sys_errno, "'%s'", path);
	}
	op->req.path = f->real;
	file_fields(op->fields, f);
	if ((err = osl_op_begin(ctx, op)))
		return err;
	*begun = true;
	return NULL;
}

static void
perms(mode_t m, char out[11])
{
	static const char t[] = "?pc?d?b?-?l?s???";

	out[0] = t[(m & S_IFMT) >> 12];
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (1u << (8 - i))) ? "rwxrwxrwx"[i] : '-';
	if (m & S_ISUID)
		out[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = (m & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

static void
print_stat(const struct osl_fs_file *f)
{
	const struct stat *st = &f->st;
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	char q[PATH_MAX * 4 + 8], t[40], mode[8], pm[11];

	snprintf(mode, sizeof(mode), "%04o", (unsigned)(st->st_mode & 07777));
	perms(st->st_mode, pm);
	out_obj_open(NULL);
	out_str("path", "  File: %s", out_quote(f->given, q, sizeof(q)));
	if (strcmp(f->given, f->real))
		out_str("target_path", " -> %s", out_quote(f->real, q, sizeof(q)));
	else
		out_str("target_path", NULL, f->real);
	out_text("\n");
	out_str("type", NULL, osl_fs_type_word(st->st_mode));
	out_u64("size", "  Size: %-12llu", (unsigned long long)st->st_size);
	out_u64("blocks", "Blocks: %-10llu", (unsigned long long)st->st_blocks);
	out_u64("blksize", "IO Block: %-6llu ", (unsigned long long)st->st_blksize);
	out_text("%s\n", osl_fs_type_name(st->st_mode));
	out_u64("dev", "Device: %llu", (unsigned long long)st->st_dev);
	out_u64("inode", "  Inode: %-12llu", (unsigned long long)st->st_ino);
	out_u64("nlink", "Links: %llu\n", (unsigned long long)st->st_nlink);
	out_str("mode", "Access: (%s/", mode);
	out_str("perms", "%s)", pm);
	out_u64("uid", "  Uid: (%llu/", (unsigned long long)st->st_uid);
	out_str("user", "%s)", pw ? pw->pw_name : NULL);
	out_u64("gid", "  Gid: (%llu/", (unsigned long long)st->st_gid);
	out_str("group", "%s)\n", gr ? gr->gr_name : NULL);
	out_str("atime", "Access: %s\n", osl_time_rfc3339(st->st_atim.tv_sec, st->st_atim.tv_nsec, t, sizeof(t)));
	out_str("mtime", "Modify: %s\n", osl_time_rfc3339(st->st_mtim.tv_sec, st->st_mtim.tv_nsec, t, sizeof(t)));
	out_str("ctime", "Change: %s\n", osl_time_rfc3339(st->st_ctim.tv_sec, st->st_ctim.tv_nsec, t, sizeof(t)));
	out_obj_close();
}

static int
cmd_fs_stat(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_cmd *cmd = &osl_fs_cmds[0];
	unsigned flags = OSL_FS_NOFOLLOW;
	struct osl_getopt g;
	int c, status = 0;

	cli_getopt_init(&g, cmd, argc, argv);
	while ((c = cli_getopt(&g)) != -1) {
		switch (c) {
		case 'L': flags &= ~OSL_FS_NOFOLLOW; break;
		case 'h': cli_getopt_release(&g); return 0;
		default: cli_getopt_release(&g); return OSL_EINPUT;
		}
	}
	cli_getopt_release(&g);
	argc -= g.optind;
	argv += g.optind;
	if (argc < 1)
		return cli_usage("a path is needed");
	if (argc > 1 || out_is_json())
		out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_fs_file f;
		struct osl_op op;

		bool begun;

		osl_op_init(&op, "fs.read", "file", "info", argv[i]);
		err = begin_path(ctx, &op, &f, argv[i], flags, &begun);
		if (!err)
			print_stat(&f);
		if (begun)
			err = osl_op_end(ctx, &op, err);
		osl_fs_close(&f);
		osl_op_release(&op);
		if (err)
			status = worst(status, cli_error(err));
	}
	if (argc > 1 || out_is_json())
		out_arr_close();
	return status;
}

/* -j: the content goes into the document, as text when it is UTF-8 text. */
static const struct osl_error *
cat_json(int fd, const struct osl_fs_file *f, unsigned long long *n)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536], *t;
	ssize_t r;

	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sb_release(&sb);
			return osl_error_sys(OSL_EFAIL, errno, "'%s'", f->given);
		}
		if (r == 0)
			break;
		sb_add(&sb, buf, (size_t)r);
	}
	if (sb.oom)
		return osl_error_nomem();
	*n = sb.len;
	t = osl_log_text(sb_str(&sb), sb.len);
	out_obj_open(NULL);
	out_str("path", NULL, f->given);
	out_str("target_path", NULL, f->real);
	out_u64("size", NULL, sb.len);
	out_str("content", NULL, t);
	out_obj_close();
	free(t);
	sb_release(&sb);
	return NULL;
}

static int
cmd_fs_cat(int argc, char **argv, struct osl_ctx *ctx)
{
	int status = 0, r;

	if ((r = no_options(&osl_fs_cmds[1], &argc, &argv)) >= 0)
		return r;
	if (argc < 1)
		return cli_usage("a path is needed (use - for standard input)");
	out_arr_open(NULL);
	fflush(stdout);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		unsigned long long n = 0;
		struct osl_fs_file f;
		struct osl_op op;
		int fd = -1, which;
		bool begun;

		osl_op_init(&op, "fs.read", "file", "access", argv[i]);
		err = begin_path(ctx, &op, &f, argv[i], 0, &begun);
		if (!err && S_ISDIR(f.st.st_mode))
			err = osl_error_sys(OSL_EFAIL, EISDIR, "'%s'", argv[i]);
		if (!err)
			err = osl_fs_reopen(&f, O_RDONLY, &fd);
		if (!err) {
			if (out_is_json())
				err = cat_json(fd, &f, &n);
			else if ((err = osl_fs_copy_fd(fd, STDOUT_FILENO, &n, &which)))
				err = which ? osl_error_sys(OSL_EFAIL, err->sys_errno,
				    "cannot write to standard output") :
				    osl_error_sys(OSL_EFAIL, err->sys_errno, "'%s'", argv[i]);
			osl_log_add_u64(osl_log_obj(op.fields, "osl"), "bytes", n);
		}
		if (fd >= 0)
			close(fd);
		if (begun)
			err = osl_op_end(ctx, &op, err);
		osl_fs_close(&f);
		osl_op_release(&op);
		if (err)
			status = worst(status, cli_error(err));
	}
	out_arr_close();
	return status;
}
