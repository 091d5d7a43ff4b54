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

struct fs_opts fs_opt = { .algo = "sha256" };

/* -m MODE: as chmod(1) has it, from 0666 */
static int
mode_opt(const struct osl_opt *o, const char *arg)
{
	(void)o;
	if (!fs_parse_mode(arg, 0666, false, &fs_opt.mode))
		return cli_usage("invalid mode '%s'", arg);
	fs_opt.mode_set = true;
	return -1;
}

static const struct osl_opt stat_opts[] = {
	OPT_BOOL('L', "dereference", &fs_opt.dereference, "follow a symlink in the last component"),
	OPT_END
};
static const struct osl_opt ls_opts[] = {
	OPT_BOOL('l', "long", &fs_opt.lng, "long listing: mode, links, owner, size, time"),
	OPT_BOOL('a', "all", &fs_opt.all, "list names starting with a dot too"),
	OPT_BOOL('R', "recursive", &fs_opt.recursive, "list subdirectories (never through a symlink)"),
	OPT_END
};
static const struct osl_opt none_opts[] = { OPT_END };
static const struct osl_opt hash_opts[] = {
	OPT_STRING(0, "algo", &fs_opt.algo, "ALGO", "hash algorithm (sha256)", "sha256"),
	OPT_END
};
static const struct osl_opt du_opts[] = {
	OPT_BOOL('b', "bytes", &fs_opt.bytes, "apparent size in bytes instead of KiB used"),
	OPT_END
};
static const struct osl_opt write_opts[] = {
	OPT_CALLBACK('m', "mode", NULL, "MODE", "mode of a new file (default 0666 less the umask)",
	    NULL, mode_opt),
	OPT_END
};
static const struct osl_opt touch_opts[] = {
	OPT_BOOL('c', "no-create", &fs_opt.nocreate, "do not create a missing file"),
	OPT_END
};
static const struct osl_opt mkdir_opts[] = {
	OPT_BOOL('p', "parents", &fs_opt.parents, "make missing parents; no error if it exists"),
	OPT_CALLBACK('m', "mode", NULL, "MODE", "mode of the new directory", NULL, mode_opt),
	OPT_END
};
static const struct osl_opt ln_opts[] = {
	OPT_BOOL('s', "symbolic", &fs_opt.symbolic, "make a symbolic link"),
	OPT_BOOL('f', "force", &fs_opt.force, "replace an existing link name (atomically)"),
	OPT_END
};
static const struct osl_opt rec_opts[] = {
	OPT_BOOL('R', "recursive", &fs_opt.recursive, "change a whole tree (never through a symlink)"),
	OPT_END
};
static const struct osl_opt cp_opts[] = {
	OPT_BOOL('r', "recursive", &fs_opt.recursive, "copy directories recursively"),
	OPT_BOOL('R', NULL, &fs_opt.recursive, "same as -r"),
	OPT_BOOL('a', "archive", &fs_opt.archive, "-r keeping modes, owners, times, symlinks, xattrs"),
	OPT_BOOL('n', "no-clobber", &fs_opt.noclobber, "never replace an existing file"),
	OPT_END
};
static const struct osl_opt mv_opts[] = {
	OPT_BOOL('n', "no-clobber", &fs_opt.noclobber, "never replace an existing file"),
	OPT_END
};
static const struct osl_opt rm_opts[] = {
	OPT_BOOL('r', "recursive", &fs_opt.recursive, "remove directories and what they hold"),
	OPT_BOOL('R', NULL, &fs_opt.recursive, "same as -r"),
	OPT_BOOL('f', "force", &fs_opt.force, "no error for a missing file"),
	OPT_BOOL(0, "no-preserve-root", &fs_opt.root_ok, "allow removing /"),
	OPT_END
};

const struct osl_cmd osl_fs_cmds[] = {
	{ "stat", cmd_fs_stat, "show file metadata", 0, "[-L] PATH...", stat_opts, NULL, "file" },
	{ "ls", cmd_fs_ls, "list directories", 0, "[-l] [-a] [-R] [PATH...]", ls_opts, NULL, "file" },
	{ "cat", cmd_fs_cat, "print files to standard output", 0, "PATH...", none_opts, NULL, "file" },
	{ "hash", cmd_fs_hash, "print the SHA-256 of files", 0, "[--algo sha256] PATH...", hash_opts, NULL, "file" },
	{ "du", cmd_fs_du, "disk usage of trees", 0, "[-b] PATH...", du_opts, NULL, "file" },
	{ "write", cmd_fs_write, "replace a file with standard input, atomically", 0, "[-m MODE] PATH", write_opts, NULL, "file" },
	{ "append", cmd_fs_append, "append standard input to a file", 0, "PATH", none_opts, NULL, "file" },
	{ "touch", cmd_fs_touch, "create files or set their times to now", 0, "[-c] PATH...", touch_opts, NULL, "file" },
	{ "mkdir", cmd_fs_mkdir, "make directories", 0, "[-p] [-m MODE] PATH...", mkdir_opts, NULL, "dir" },
	{ "rmdir", cmd_fs_rmdir, "remove empty directories", 0, "PATH...", none_opts, NULL, "dir" },
	{ "ln", cmd_fs_ln, "make hard or symbolic links", 0, "[-s] [-f] TARGET LINK", ln_opts, NULL, "file" },
	{ "chmod", cmd_fs_chmod, "change file modes", 0, "[-R] MODE PATH...", rec_opts, NULL, "file" },
	{ "chown", cmd_fs_chown, "change file owners", 0, "[-R] OWNER[:GROUP] PATH...", rec_opts, NULL, "file" },
	{ "cp", cmd_fs_cp, "copy files and trees, atomically", 0, "[-r] [-a] [-n] SRC... DST", cp_opts, NULL, "file" },
	{ "mv", cmd_fs_mv, "move or rename files", 0, "[-n] SRC... DST", mv_opts, NULL, "file" },
	{ "rm", cmd_fs_rm, "remove files and trees", 0, "[-r] [-f] [--no-preserve-root] PATH...", rm_opts, NULL, "file" },
	{ 0 }
};

/* The exit status of a verb over several operands: a denial outranks a
 * failure, which outranks success. */
int
fs_worst(int a, int b)
{
	if (a == OSL_EDENIED || b == OSL_EDENIED)
		return OSL_EDENIED;
	return a ? a : b;
}

void
fs_file_fields(cJSON *rec, const char *path, const char *target, const struct stat *st)
{
	cJSON *file = osl_log_obj(rec, "file"), *o = osl_log_obj(rec, "osl");
	char mode[8], abs[PATH_MAX];

	/* file.path is absolute (ECS): the resolved path the policy decided
	 * on, else the lexical absolute one; the path as given is osl.path.
	 * Standard input that is no file ("-", a pipe) has no file.path. */
	cJSON_DeleteItemFromObject(file, "path");
	cJSON_DeleteItemFromObject(o, "path");
	if (!target && !strcmp(path, "-"))
		osl_log_add_text(o, "path", path);
	else {
		if (!target)
			target = osl_fs_abspath(path, abs, sizeof(abs)) ? path : abs;
		osl_log_add_text(file, "path", target);
		if (strcmp(path, target) != 0)
			osl_log_add_text(o, "path", path);
	}
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
		return found == 1 ? osl_error_wrap(err, "%s: a hard link to '%s'", err->msg,
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
fs_fail(int *status, const char *path, const struct osl_error *err)
{
	*status = fs_worst(*status, out_fail("path", path, err));
}

void
fs_end(struct osl_ctx *ctx, struct osl_op *op, const struct osl_error *err,
    bool begun, int *status)
{
	if (begun)
		err = osl_op_end(ctx, op, err);
	osl_op_release(op);
	if (err)
		fs_fail(status, op->target, err);
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
fs_stat_json(const struct stat *st)
{
	struct passwd *pw;
	struct group *gr;
	char t[40], mode[8], pm[11];

	if (!out_is_json())
		return;
	pw = getpwuid(st->st_uid);
	gr = getgrgid(st->st_gid);
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(st->st_mode & 07777));
	fs_perms(st->st_mode, pm);
	out_str("type", NULL, osl_fs_type_word(st->st_mode));
	out_u64("size", NULL, (uint64_t)st->st_size);
	out_u64("blocks", NULL, (uint64_t)st->st_blocks);
	out_u64("blksize", NULL, (uint64_t)st->st_blksize);
	out_u64("dev", NULL, (uint64_t)st->st_dev);
	out_u64("inode", NULL, (uint64_t)st->st_ino);
	out_u64("nlink", NULL, (uint64_t)st->st_nlink);
	out_str("mode", NULL, mode);
	out_str("perms", NULL, pm);
	out_u64("uid", NULL, (uint64_t)st->st_uid);
	out_str("user", NULL, pw ? pw->pw_name : NULL);
	out_u64("gid", NULL, (uint64_t)st->st_gid);
	out_str("group", NULL, gr ? gr->gr_name : NULL);
	out_str("atime", NULL, osl_time_rfc3339(st->st_atim.tv_sec, st->st_atim.tv_nsec, t, sizeof(t)));
	out_str("mtime", NULL, osl_time_rfc3339(st->st_mtim.tv_sec, st->st_mtim.tv_nsec, t, sizeof(t)));
	out_str("ctime", NULL, osl_time_rfc3339(st->st_ctim.tv_sec, st->st_ctim.tv_nsec, t, sizeof(t)));
}

void
fs_print_result(const char *given, const char *real, int fd, const char *extra_key, uint64_t extra)
{
	struct stat st;

	if (!out_is_json())
		return;
	out_obj_open(NULL);
	out_str("path", NULL, given);
	out_str("target_path", NULL, real);
	if (fd >= 0 && fstat(fd, &st) == 0)
		fs_stat_json(&st);
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

	if (out_is_json()) {
		out_obj_open(NULL);
		out_str("path", NULL, f->given);
		out_str("target_path", NULL, f->real);
		fs_stat_json(st);
		out_obj_close();
		return;
	}
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(st->st_mode & 07777));
	fs_perms(st->st_mode, pm);
	/* as stat(1): " -> TARGET" only for a symlink; the resolved path
	 * (what the policy decided on) on a line of its own */
	printf("  File: %s", out_quote(f->given, q, sizeof(q)));
	if (S_ISLNK(st->st_mode)) {
		char link[PATH_MAX];
		ssize_t n = f->fd >= 0 ? readlinkat(f->fd, "", link, sizeof(link) - 1) : -1;

		if (n >= 0) {
			link[n] = '\0';
			printf(" -> %s", out_quote(link, q, sizeof(q)));
		}
	}
	if (strcmp(f->given, f->real))
		printf("\n  Path: %s", out_quote(f->real, q, sizeof(q)));
	printf("\n  Size: %-12llu", (unsigned long long)st->st_size);
	printf("Blocks: %-10llu", (unsigned long long)st->st_blocks);
	printf("IO Block: %-6llu ", (unsigned long long)st->st_blksize);
	printf("%s\n", osl_fs_type_name(st->st_mode));
	printf("Device: %llu", (unsigned long long)st->st_dev);
	printf("  Inode: %-12llu", (unsigned long long)st->st_ino);
	printf("Links: %llu\n", (unsigned long long)st->st_nlink);
	printf("Access: (%s/%s)", mode, pm);
	printf("  Uid: (%llu/%s)", (unsigned long long)st->st_uid, pw ? pw->pw_name : "-");
	printf("  Gid: (%llu/%s)\n", (unsigned long long)st->st_gid, gr ? gr->gr_name : "-");
	printf("Access: %s\n", osl_time_rfc3339(st->st_atim.tv_sec, st->st_atim.tv_nsec, t, sizeof(t)));
	printf("Modify: %s\n", osl_time_rfc3339(st->st_mtim.tv_sec, st->st_mtim.tv_nsec, t, sizeof(t)));
	printf("Change: %s\n", osl_time_rfc3339(st->st_ctim.tv_sec, st->st_ctim.tv_nsec, t, sizeof(t)));
}

int
cmd_fs_stat(int argc, char **argv, struct osl_ctx *ctx)
{
	unsigned flags;
	int r, status = 0;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	flags = fs_opt.dereference ? 0 : OSL_FS_NOFOLLOW;
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
			fs_fail(&status, argv[i], err);
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

/* `-`: standard input, the caller's own open descriptor, through the same
 * pipeline.  A file in the tree (the shell's `< FILE`: a regular file, a
 * folder, a block device) is decided on by the path the kernel gives for it,
 * as `cat FILE` would be, hard links included: a policy that denies reading
 * a key denies copying it from standard input too.  A pipe, a socket or a
 * character device (a terminal, /dev/null) names no file a rule could name:
 * the read is allowed as the caller's own, and recorded. */
static const struct osl_error *
begin_stdin(struct osl_ctx *ctx, struct osl_op *op, struct osl_fs_file *f, bool *begun)
{
	const struct osl_error *err;
	ssize_t n;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->given = "-";
	*begun = false;
	if (fstat(STDIN_FILENO, &f->st) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "standard input");
	if (S_ISREG(f->st.st_mode) || S_ISDIR(f->st.st_mode) || S_ISBLK(f->st.st_mode)) {
		n = readlink("/proc/self/fd/0", f->real, sizeof(f->real) - 1);
		if (n <= 0 || (size_t)n >= sizeof(f->real) - 1 || f->real[0] != '/')
			return osl_error_sys(OSL_EFAIL, n < 0 ? errno : ENAMETOOLONG,
			    "standard input: cannot tell which file it is");
		f->real[n] = 0;
		op->req.path = f->real;
		fs_file_fields(op->fields, "-", f->real, &f->st);
		return begin_linked(ctx, op, &f->st, begun);
	}
	f->real[0] = '-';	/* the rest is zero */
	op->unnamed = "the caller's standard input";
	fs_file_fields(op->fields, "-", NULL, &f->st);
	if ((err = osl_op_begin(ctx, op)))
		return err;
	*begun = true;
	return NULL;
}

int
cmd_fs_cat(int argc, char **argv, struct osl_ctx *ctx)
{
	int status = 0, r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
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
		bool begun, in = !strcmp(argv[i], "-");

		osl_op_init(&op, OSL_ACT_FS_READ, argv[i]);
		if (in)
			err = begin_stdin(ctx, &op, &f, &begun);
		else
			err = fs_begin_path(ctx, &op, &f, argv[i], 0, &begun);
		if (!err && S_ISDIR(f.st.st_mode))
			err = osl_error_sys(OSL_EFAIL, EISDIR, "'%s'", argv[i]);
		if (!err && in)
			fd = STDIN_FILENO;
		else if (!err)
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
		if (fd >= 0 && !in)
			close(fd);
		if (begun)
			err = osl_op_end(ctx, &op, err);
		osl_fs_close(&f);
		osl_op_release(&op);
		if (err)
			fs_fail(&status, argv[i], err);
	}
	out_arr_close();
	return status;
}
