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

#include "fs/fs-int.h"
#include "util/strbuf.h"
#include "util/time.h"

static const struct osl_opt stat_opts[] = {
	{ 'L', "dereference", NULL, "follow a symlink in the last component", NULL },
	{ 0 }
};
static const struct osl_opt ls_opts[] = {
	{ 'l', "long", NULL, "long listing: mode, links, owner, size, time", NULL },
	{ 'a', "all", NULL, "list names starting with a dot too", NULL },
	{ 'R', "recursive", NULL, "list subdirectories (never through a symlink)", NULL },
	{ 0 }
};
static const struct osl_opt none_opts[] = { { 0 } };
static const struct osl_opt hash_opts[] = {
	{ 256, "algo", "ALGO", "hash algorithm (sha256)", "sha256" },
	{ 0 }
};
static const struct osl_opt du_opts[] = {
	{ 'b', "bytes", NULL, "apparent size in bytes instead of KiB used", NULL },
	{ 0 }
};
static const struct osl_opt write_opts[] = {
	{ 'm', "mode", "MODE", "mode of a new file (default 0666 less the umask)", NULL },
	{ 0 }
};
static const struct osl_opt touch_opts[] = {
	{ 'c', "no-create", NULL, "do not create a missing file", NULL },
	{ 0 }
};
static const struct osl_opt mkdir_opts[] = {
	{ 'p', "parents", NULL, "make missing parents; no error if it exists", NULL },
	{ 'm', "mode", "MODE", "mode of the new directory", NULL },
	{ 0 }
};
static const struct osl_opt ln_opts[] = {
	{ 's', "symbolic", NULL, "make a symbolic link", NULL },
	{ 'f', "force", NULL, "replace an existing link name (atomically)", NULL },
	{ 0 }
};
static const struct osl_opt rec_opts[] = {
	{ 'R', "recursive", NULL, "change a whole tree (never through a symlink)", NULL },
	{ 0 }
};
static const struct osl_opt cp_opts[] = {
	{ 'r', "recursive", NULL, "copy directories recursively", NULL },
	{ 'R', NULL, NULL, "same as -r", NULL },
	{ 'a', "archive", NULL, "-r keeping modes, owners, times, symlinks, xattrs", NULL },
	{ 'n', "no-clobber", NULL, "never replace an existing file", NULL },
	{ 0 }
};
static const struct osl_opt mv_opts[] = {
	{ 'n', "no-clobber", NULL, "never replace an existing file", NULL },
	{ 0 }
};
static const struct osl_opt rm_opts[] = {
	{ 'r', "recursive", NULL, "remove directories and what they hold", NULL },
	{ 'R', NULL, NULL, "same as -r", NULL },
	{ 'f', "force", NULL, "no error for a missing file", NULL },
	{ 256, "no-preserve-root", NULL, "allow removing /", NULL },
	{ 0 }
};

#define W (OSL_CMD_JSON | OSL_CMD_POLICY)
/* The order is the FS_* enum in fs-int.h. */
const struct osl_cmd osl_fs_cmds[] = {
	{ "stat", cmd_fs_stat, "show file metadata", W, "[-L] PATH...", stat_opts, NULL, "file" },
	{ "ls", cmd_fs_ls, "list directories", W, "[-l] [-a] [-R] [PATH...]", ls_opts, NULL, "file" },
	{ "cat", cmd_fs_cat, "print files to standard output", W, "PATH...", none_opts, NULL, "file" },
	{ "hash", cmd_fs_hash, "print the SHA-256 of files", W, "[--algo sha256] PATH...", hash_opts, NULL, "file" },
	{ "du", cmd_fs_du, "disk usage of trees", W, "[-b] PATH...", du_opts, NULL, "file" },
	{ "write", cmd_fs_write, "replace a file with standard input, atomically", W, "[-m MODE] PATH", write_opts, NULL, "file" },
	{ "append", cmd_fs_append, "append standard input to a file", W, "PATH", none_opts, NULL, "file" },
	{ "touch", cmd_fs_touch, "create files or set their times to now", W, "[-c] PATH...", touch_opts, NULL, "file" },
	{ "mkdir", cmd_fs_mkdir, "make directories", W, "[-p] [-m MODE] PATH...", mkdir_opts, NULL, "dir" },
	{ "rmdir", cmd_fs_rmdir, "remove empty directories", W, "PATH...", none_opts, NULL, "dir" },
	{ "ln", cmd_fs_ln, "make hard or symbolic links", W, "[-s] [-f] TARGET LINK", ln_opts, NULL, "file" },
	{ "chmod", cmd_fs_chmod, "change file modes", W, "[-R] MODE PATH...", rec_opts, NULL, "file" },
	{ "chown", cmd_fs_chown, "change file owners", W, "[-R] OWNER[:GROUP] PATH...", rec_opts, NULL, "file" },
	{ "cp", cmd_fs_cp, "copy files and trees, atomically", W, "[-r] [-a] [-n] SRC... DST", cp_opts, NULL, "file" },
	{ "mv", cmd_fs_mv, "move or rename files", W, "[-n] SRC... DST", mv_opts, NULL, "file" },
	{ "rm", cmd_fs_rm, "remove files and trees", W, "[-r] [-f] [--no-preserve-root] PATH...", rm_opts, NULL, "file" },
	{ 0 }
};
#undef W

/* The exit status of a verb over several operands: a denial outranks a
 * failure, which outranks success. */
int
fs_worst(int a, int b)
{
	if (a == OSL_EDENIED || b == OSL_EDENIED)
		return OSL_EDENIED;
	return a ? a : b;
}

int
fs_getopt(int *argc, char ***argv, int (*opt)(int c, const char *arg, void *v), void *v)
{
	struct osl_getopt g;
	int c, r = -1;

	cli_getopt_init(&g, cli_verb, *argc, *argv);
	while (r < 0 && (c = cli_getopt(&g)) != -1) {
		if (c == 'h')
			r = 0;
		else if (c == '?' || c == ':' || !opt)
			r = OSL_EINPUT;
		else if ((r = opt(c, g.optarg, v)) == 0)
			r = -1;
	}
	*argc -= g.optind;
	*argv += g.optind;
	return r;
}

void
fs_file_fields(cJSON *rec, const char *path, const char *target, const struct stat *st)
{
	cJSON *file = osl_log_obj(rec, "file"), *o = osl_log_obj(rec, "osl");
	char mode[8], abs[PATH_MAX];

	/* file.path is absolute (ECS): the resolved path the policy decided
	 * on, else the lexical absolute one; the path as given is osl.path */
	if (!target)
		target = osl_fs_abspath(path, abs, sizeof(abs)) ? path : abs;
	cJSON_DeleteItemFromObject(file, "path");
	osl_log_add_text(file, "path", target);
	cJSON_DeleteItemFromObject(o, "path");
	if (strcmp(path, target) != 0)
		osl_log_add_text(o, "path", path);
	if (!st)
		return;
	cJSON_DeleteItemFromObject(file, "type");
	cJSON_DeleteItemFromObject(file, "inode");
	cJSON_DeleteItemFromObject(file, "mode");
	cJSON_DeleteItemFromObject(file, "size");
	cJSON_AddStringToObject(file, "type", osl_fs_type_word(st->st_mode));
	osl_log_add_u64(file, "inode", (uint64_t)st->st_ino);
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(st->st_mode & 07777));
	cJSON_AddStringToObject(file, "mode", mode);
	osl_log_add_count(file, "size", (uint64_t)st->st_size);
}

/* A path that did not resolve (RERR) is decided on its lexical absolute
 * form first, so a denied tree does not even say what exists in it; when
 * allowed, the op is begun and RERR is its result. */
static const struct osl_error *
begin_unresolved(struct osl_ctx *ctx, struct osl_op *op, const char *path,
    const struct osl_error *rerr, bool *begun)
{
	const struct osl_error *err;
	struct osl_error keep;
	char abs[PATH_MAX];

	osl_error_keep(&keep, rerr);
	if ((err = osl_fs_abspath(path, abs, sizeof(abs))))
		return err;
	op->req.path = abs;
	fs_file_fields(op->fields, path, NULL, NULL);
	if ((err = osl_op_begin(ctx, op)))
		return err;
	*begun = true;
	return osl_error_sys(keep.status, keep.sys_errno, "'%s'", path);
}

/* Begin OP, a read of the file ST: when the file has other names and a
 * deny rule denies one of them, the read is decided on that name (man
 * osl-fs(1), Hard links).  Denied folders too big to search for them do not
 * refuse the read: the record's osl.hard_links_unsearched names their rules
 * (and -v says so on stderr). */
static const struct osl_error *
begin_linked(struct osl_ctx *ctx, struct osl_op *op, const struct stat *st, bool *begun)
{
	const struct osl_error *err;
	struct osl_fs_link_found lf;
	struct osl_policy *p;
	struct strbuf names = STRBUF_INIT;
	int found = 0;

	lf.nunsearched = 0;
	if (op->req.access == OSL_ACCESS_READ && S_ISREG(st->st_mode) && st->st_nlink > 1) {
		if ((err = osl_ctx_policy(ctx, &p)))
			return err;
		/* each denied folder is walked once per command */
		static struct osl_fs_links links;

		if ((found = osl_fs_link_denied(&links, p, st, &lf)) == -2)
			return osl_error_nomem();
	}
	if (found == 1) {
		op->req.path = lf.other;
		osl_log_add_text(osl_log_obj(op->fields, "osl"), "hard_link_of", lf.other);
	} else if (lf.nunsearched) {
		cJSON *a = cJSON_AddArrayToObject(osl_log_obj(op->fields, "osl"),
		    "hard_links_unsearched");

		for (size_t i = 0; i < lf.nunsearched && i < OSL_FS_LINK_UNSEARCHED; i++) {
			const char *name = osl_rule_name(lf.unsearched[i]);

			if (a)
				cJSON_AddItemToArray(a, cJSON_CreateString(name));
			sb_addf(&names, "%s%s", i ? ", " : "", name);
		}
		if (cli_verbosity > 0 && names.buf)
			cli_warn("'%s' has %llu hard links; the folder%s of rule%s %s (more than %d "
			    "entries) %s not searched for its other names", op->target,
			    (unsigned long long)st->st_nlink, lf.nunsearched > 1 ? "s" : "",
			    lf.nunsearched > 1 ? "s" : "", names.buf, OSL_FS_LINK_SCAN,
			    lf.nunsearched > 1 ? "were" : "was");
		sb_release(&names);
	}
	if ((err = osl_op_begin(ctx, op)))
		return found == 1 ? osl_error_new(err->status, "%s: a hard link to '%s'", err->msg,
		    lf.other) : err;
	*begun = true;
	return NULL;
}

/* Resolve PATH and run it through the decision.  *BEGUN says whether the
 * op was begun (the caller must then osl_op_end it with its result).  A path
 * that does not resolve is decided on its lexical absolute form first, so a
 * denied tree does not even say what exists in it. */
const struct osl_error *
fs_begin_path(struct osl_ctx *ctx, struct osl_op *op, struct osl_fs_file *f,
    const char *path, unsigned flags, bool *begun)
{
	const struct osl_error *rerr;

	*begun = false;
	f->fd = -1;
	if (!*path)
		return osl_error_sys(OSL_EFAIL, ENOENT, "'%s'", path);
	if ((rerr = osl_fs_resolve(f, path, flags)))
		return begin_unresolved(ctx, op, path, rerr, begun);
	op->req.path = f->real;
	fs_file_fields(op->fields, path, f->real, &f->st);
	return begin_linked(ctx, op, &f->st, begun);
}

const struct osl_error *
fs_begin_dest(struct osl_ctx *ctx, struct osl_op *op, struct osl_fs_dest *d,
    const char *path, unsigned flags, bool *begun)
{
	const struct osl_error *err, *rerr;

	*begun = false;
	d->dirfd = -1;
	if (!*path)
		return osl_error_sys(OSL_EFAIL, ENOENT, "'%s'", path);
	if ((rerr = osl_fs_resolve_parent(d, path, flags & ~FS_TREE_IF_DIR)))
		return begin_unresolved(ctx, op, path, rerr, begun);
	op->req.path = d->real;
	if ((flags & FS_TREE_IF_DIR) && d->exists && S_ISDIR(d->st.st_mode))
		op->req.tree = true;
	if (!d->exists && op->action == OSL_ACT_FS_WRITE)
		op->action = OSL_ACT_FS_CREATE;	/* the same access; the record says what happens */
	fs_file_fields(op->fields, path, d->real, d->exists ? &d->st : NULL);
	if ((err = osl_op_begin(ctx, op)))
		return err;
	*begun = true;
	return NULL;
}

const struct osl_error *
fs_begin_real(struct osl_ctx *ctx, struct osl_op *op, const char *given,
    const char *real, const struct stat *st)
{
	const struct osl_error *err;
	bool begun = false;

	op->req.path = real;
	fs_file_fields(op->fields, given, real, st);
	/* refused after it was begun: its record is written here */
	if ((err = begin_linked(ctx, op, st, &begun)) && begun)
		return osl_op_end(ctx, op, err);
	return err;
}

void
fs_end(struct osl_ctx *ctx, struct osl_op *op, const struct osl_error *err,
    bool begun, int *status)
{
	if (begun)
		err = osl_op_end(ctx, op, err);
	osl_op_release(op);
	if (err)
		*status = fs_worst(*status, cli_error(err));
}

const struct osl_error *
fs_check_links(const char *given, const struct stat *st)
{
	if (S_ISDIR(st->st_mode) || st->st_nlink <= 1)
		return NULL;
	return osl_error_new(OSL_EDENIED,
	    "'%s': refused: the file has %llu hard links and another name may be protected",
	    given, (unsigned long long)st->st_nlink);
}

void
fs_print_result(const char *given, const char *real, int fd, const char *extra_key, uint64_t extra)
{
	struct stat st;
	char mode[8];

	if (!out_is_json())
		return;
	out_obj_open(NULL);
	out_str("path", NULL, given);
	out_str("target_path", NULL, real);
	if (fd >= 0 && fstat(fd, &st) == 0) {
		out_str("type", NULL, osl_fs_type_word(st.st_mode));
		out_u64("size", NULL, (uint64_t)st.st_size);
		out_u64("inode", NULL, (uint64_t)st.st_ino);
		snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.st_mode & 07777));
		out_str("mode", NULL, mode);
	}
	if (extra_key)
		out_u64(extra_key, NULL, extra);
	out_obj_close();
}

bool
fs_is_root(const char *real)
{
	return real[0] == '/' && real[1] == '\0';
}

void
fs_summary(cJSON *fields, uint64_t files, uint64_t bytes, uint64_t errors)
{
	cJSON *o = osl_log_obj(fields, "osl");

	osl_log_add_count(o, "files", files);
	osl_log_add_count(o, "bytes", bytes);
	osl_log_add_count(o, "errors", errors);
}

/* chmod(1) modes: octal, or [ugoa]*[+-=][rwxXst]* clauses joined by ",". */
bool
fs_parse_mode(const char *s, mode_t old, bool isdir, mode_t *out)
{
	mode_t m = old & 07777;
	char *end;

	if (*s >= '0' && *s <= '7') {
		unsigned long v = strtoul(s, &end, 8);

		if (*end || v > 07777)
			return false;
		*out = (mode_t)v;
		return true;
	}
	while (*s) {
		mode_t who = 0, bits = 0;
		char op;

		for (; *s && strchr("ugoa", *s); s++)
			who |= *s == 'u' ? 04700 : *s == 'g' ? 02070 : *s == 'o' ? 01007 : 07777;
		if (!who) {
			/* no class: as chmod(1), all but what the umask hides */
			mode_t mask = umask(0);

			umask(mask);
			who = 07777 & ~mask;
		}
		if (*s != '+' && *s != '-' && *s != '=')
			return false;
		op = *s++;
		for (; *s && strchr("rwxXst", *s); s++) {
			switch (*s) {
			case 'r': bits |= 0444; break;
			case 'w': bits |= 0222; break;
			case 'x': bits |= 0111; break;
			case 'X': if (isdir || (old & 0111)) bits |= 0111; break;
			case 's': bits |= 06000; break;
			case 't': bits |= 01000; break;
			}
		}
		bits &= who;
		if (op == '+')
			m |= bits;
		else if (op == '-')
			m &= ~bits;
		else
			m = (m & ~who) | bits;
		if (*s == ',')
			s++;
		else if (*s)
			return false;
	}
	*out = m;
	return true;
}

void
fs_perms(mode_t m, char out[11])
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
	fs_perms(st->st_mode, pm);
	out_obj_open(NULL);
	/* JSON escapes names itself; text quotes them */
	out_str("path", "  File: %s", out_is_json() ? f->given : out_quote(f->given, q, sizeof(q)));
	if (strcmp(f->given, f->real))
		out_str("target_path", " -> %s", out_is_json() ? f->real : out_quote(f->real, q, sizeof(q)));
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

int
cmd_fs_stat(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_cmd *cmd = cli_verb;
	unsigned flags = OSL_FS_NOFOLLOW;
	struct osl_getopt g;
	int c, status = 0;

	cli_getopt_init(&g, cmd, argc, argv);
	while ((c = cli_getopt(&g)) != -1) {
		switch (c) {
		case 'L': flags &= ~OSL_FS_NOFOLLOW; break;
		case 'h': return 0;
		default: return OSL_EINPUT;
		}
	}
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

		osl_op_init(&op, OSL_ACT_FS_READ, argv[i]);
		err = fs_begin_path(ctx, &op, &f, argv[i], flags, &begun);
		if (!err)
			print_stat(&f);
		if (begun)
			err = osl_op_end(ctx, &op, err);
		osl_fs_close(&f);
		osl_op_release(&op);
		if (err)
			status = fs_worst(status, cli_error(err));
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

int
cmd_fs_cat(int argc, char **argv, struct osl_ctx *ctx)
{
	int status = 0, r;

	if ((r = fs_getopt(&argc, &argv, NULL, NULL)) >= 0)
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

		if (!strcmp(argv[i], "-")) {
			/* standard input is the caller's, already open: no file to decide on */
			memset(&f, 0, sizeof(f));
			f.given = "-";
			f.real[0] = '-';
			if (out_is_json())
				err = cat_json(STDIN_FILENO, &f, &n);
			else if ((err = osl_fs_copy_fd(STDIN_FILENO, STDOUT_FILENO, &n, &which)))
				err = osl_error_sys(OSL_EFAIL, err->sys_errno, which ?
				    "cannot write to standard output" : "standard input");
			if (err)
				status = fs_worst(status, cli_error(err));
			continue;
		}
		osl_op_init(&op, OSL_ACT_FS_READ, argv[i]);
		err = fs_begin_path(ctx, &op, &f, argv[i], 0, &begun);
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
			osl_log_add_count(osl_log_obj(op.fields, "osl"), "bytes", n);
		}
		if (fd >= 0)
			close(fd);
		if (begun)
			err = osl_op_end(ctx, &op, err);
		osl_fs_close(&f);
		osl_op_release(&op);
		if (err)
			status = fs_worst(status, cli_error(err));
	}
	out_arr_close();
	return status;
}
