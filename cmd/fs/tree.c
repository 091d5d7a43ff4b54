/* osl fs cp, mv, rm: the verbs that work on trees.  Every file of a tree is
 * decided on its own (a deny rule inside an allowed tree holds), reached
 * through descriptors opened O_NOFOLLOW from the operand down, and logged at
 * debug; the operand gets one record at info with the counts. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs-int.h"

/* cp -a keeps hard links inside a tree: the first copy of an inode with
 * several links is remembered (an O_PATH descriptor, at most LINKS_MAX of
 * them, so a tree of many cannot exhaust descriptors: beyond that they are
 * copied as separate files) and its later names are links to that copy. */
enum { LINKS_MAX = 256 };
struct cp_link {
	dev_t dev;
	ino_t ino;
	int fd;
};

struct cp {
	struct osl_ctx *ctx;
	bool rec, archive, noclobber, sync;
	enum osl_action verb_action;	/* fs.copy or fs.move */
	uint64_t files, bytes, errors;
	int status;
	mode_t mask;			/* umask, for copies without -a */
	struct cp_link *links;		/* owned; LINKS_MAX slots */
	size_t nlinks;
};

static int
link_find(const struct cp *cp, const struct stat *st)
{
	if (!cp->archive || !S_ISREG(st->st_mode) || st->st_nlink < 2)
		return -1;
	for (size_t i = 0; i < cp->nlinks; i++)
		if (cp->links[i].dev == st->st_dev && cp->links[i].ino == st->st_ino)
			return cp->links[i].fd;
	return -1;
}

static void
link_remember(struct cp *cp, const struct stat *st, int dfd, const char *name)
{
	int fd;

	if (!cp->archive || !S_ISREG(st->st_mode) || st->st_nlink < 2 || cp->nlinks == LINKS_MAX)
		return;
	if (!cp->links && !(cp->links = calloc(LINKS_MAX, sizeof(*cp->links))))
		return;
	if ((fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return;
	cp->links[cp->nlinks].dev = st->st_dev;
	cp->links[cp->nlinks].ino = st->st_ino;
	cp->links[cp->nlinks++].fd = fd;
}

static void
links_free(struct cp *cp)
{
	for (size_t i = 0; i < cp->nlinks; i++)
		close(cp->links[i].fd);
	free(cp->links);
	cp->links = NULL;
	cp->nlinks = 0;
}

/* Give the copy FD one more name: directly in a fresh tree, else made
 * aside and renamed over. */
static const struct osl_error *
link_to(const struct cp *cp, int fd, int dfd, const char *name, bool replace, const char *dpath)
{
	char proc[64], tmp[NAME_MAX + 1];
	const char *n = name;
	int e;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (replace) {
		osl_fs_tmp_name(tmp, sizeof(tmp), name);
		n = tmp;
	}
	if (linkat(AT_FDCWD, proc, dfd, n, AT_SYMLINK_FOLLOW) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", dpath);
	if (n != name && (cp->noclobber ? renameat2(dfd, n, dfd, name, RENAME_NOREPLACE) :
	    renameat(dfd, n, dfd, name)) < 0) {
		e = errno;
		unlinkat(dfd, n, 0);
		return osl_error_sys(OSL_EFAIL, e, "'%s'", dpath);
	}
	return NULL;
}

/* TARGET, or TARGET/basename(SRC) when TARGET is a directory. */
static const struct osl_error *
dest_name(const char *src, const char *target, bool into, char *buf, size_t size)
{
	char t[PATH_MAX];
	size_t len = strlen(src);

	if (!into) {
		snprintf(buf, size, "%s", target);
		return NULL;
	}
	if (len >= sizeof(t))
		return osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s'", src);
	memcpy(t, src, len + 1);
	while (len > 1 && t[len - 1] == '/')
		t[--len] = '\0';
	return osl_fs_join(buf, size, target, basename(t));
}

/* The two decisions of one file inside a tree: read on the source (its
 * record now), write (ACTION) on the destination: DOP is left begun, and
 * entry_end logs how the copy went.  Debug records; a denial at warn. */
static const struct osl_error *
entry_decide(struct cp *cp, const char *spath, const char *dpath, const struct stat *st,
    struct osl_op *dop)
{
	const struct osl_error *err;
	struct osl_op op;

	osl_op_init(&op, OSL_ACT_FS_READ, spath);
	op.level = OSL_LEVEL_DEBUG;
	if (!(err = fs_begin_real(cp->ctx, &op, spath, spath, st)))
		err = osl_op_end(cp->ctx, &op, NULL);
	osl_op_release(&op);
	if (err)
		return err;
	osl_op_init(dop, cp->verb_action, dpath);
	dop->level = OSL_LEVEL_DEBUG;
	if ((err = fs_begin_real(cp->ctx, dop, dpath, dpath, st)))
		osl_op_release(dop);
	return err;
}

/* The result record of one file; the caller prints the error, if any. */
static const struct osl_error *
entry_end(struct cp *cp, struct osl_op *dop, const struct osl_error *err)
{
	err = osl_op_end(cp->ctx, dop, err);
	osl_op_release(dop);
	return err;
}

static mode_t
plain_mode(const struct cp *cp, const struct stat *st)
{
	return st->st_mode & 07777 & ~cp->mask;
}

static void
cp_fail(struct cp *cp, const char *path, const struct osl_error *err)
{
	cp->errors++;
	fs_fail(&cp->status, path, err);
}

static const struct osl_error *copy_dir_fresh(struct cp *cp, int sdir, const char *sname,
    const char *spath, const struct stat *st, int ddir, const char *dname, const char *dpath);

/* Copy the children of directory SFD into directory DFD.  FRESH: DFD was
 * made by us under a temporary name, nobody sees it, files go straight in;
 * else (merging into an existing directory) each file is made aside and
 * renamed.  In a fresh tree a failure stops the copy (it is thrown away). */
static const struct osl_error *
copy_children(struct cp *cp, int sfd, const char *spath, int dfd, const char *dpath, bool fresh)
{
	const struct osl_error *err = NULL;
	char sp[PATH_MAX], dp[PATH_MAX];
	char **names = NULL;
	size_t n = 0;

	if ((err = osl_fs_names(sfd, &names, &n)))
		return osl_error_sys(OSL_EFAIL, err->sys_errno, "'%s'", spath);
	for (size_t i = 0; i < n; i++) {
		struct osl_op dop;
		struct stat st, dst;
		uint64_t b = 0;
		bool exists = false;
		int lfd;

		if ((err = osl_fs_join(sp, sizeof(sp), spath, names[i])) ||
		    (err = osl_fs_join(dp, sizeof(dp), dpath, names[i])))
			goto fail;
		if (fstatat(sfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;	/* gone since it was listed */
			err = osl_error_sys(OSL_EFAIL, errno, "'%s'", sp);
			goto fail;
		}
		if (S_ISSOCK(st.st_mode))
			continue;	/* a socket is not data (as cp(1)) */
		if ((err = entry_decide(cp, sp, dp, &st, &dop)))
			goto fail;
		if (!fresh && fstatat(dfd, names[i], &dst, AT_SYMLINK_NOFOLLOW) == 0)
			exists = true;
		if (S_ISDIR(st.st_mode)) {
			int s2 = -1, d2 = -1;

			if (exists && !S_ISDIR(dst.st_mode)) {
				err = osl_error_sys(OSL_EFAIL, EEXIST, "'%s'", dp);
				goto end;
			}
			if (!exists && !fresh) {
				/* a new subtree in a merge is built aside too */
				err = copy_dir_fresh(cp, sfd, names[i], sp, &st, dfd, names[i], dp);
				goto end;
			}
			if (!exists && mkdirat(dfd, names[i], 0700) < 0) {
				err = osl_error_sys(OSL_EFAIL, errno, "'%s'", dp);
				goto end;
			}
			s2 = openat(sfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			d2 = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0 || d2 < 0) {
				err = osl_error_sys(OSL_EFAIL, errno, "'%s'", s2 < 0 ? sp : dp);
			} else if (!(err = copy_children(cp, s2, sp, d2, dp, fresh)) && !exists) {
				err = cp->archive ? osl_fs_copy_meta(s2, d2, &st) :
				    fchmod(d2, plain_mode(cp, &st)) < 0 ? osl_error_sys(OSL_EFAIL, errno, "chmod") : NULL;
				if (err)
					err = osl_error_sys(OSL_EFAIL, err->sys_errno, "'%s'", dp);
			}
			if (s2 >= 0)
				close(s2);
			if (d2 >= 0)
				close(d2);
			cp->files++;
			goto end;
		}
		if (exists && cp->noclobber)
			goto end;
		if (exists && S_ISDIR(dst.st_mode)) {
			err = osl_error_sys(OSL_EFAIL, EISDIR, "'%s'", dp);
			goto end;
		}
		if ((lfd = link_find(cp, &st)) >= 0) {
			err = link_to(cp, lfd, dfd, names[i], !fresh, dp);
			cp->files++;
			goto end;
		}
		err = osl_fs_copy_at(sfd, names[i], &st, dfd, names[i],
		    (cp->archive ? OSL_FS_CP_META : 0) | (fresh ? 0 : OSL_FS_CP_REPLACE) |
		    (cp->noclobber ? OSL_FS_CP_NOCLOBBER : 0) | (cp->sync ? OSL_FS_CP_SYNC : 0),
		    plain_mode(cp, &st), sp, dp, &b);
		if (!err)
			link_remember(cp, &st, dfd, names[i]);
		cp->bytes += b;
		cp->files++;
end:
		err = entry_end(cp, &dop, err);
		if (!err)
			continue;
fail:
		if (fresh)
			break;
		cp_fail(cp, dp, err);
		err = NULL;
	}
	osl_fs_names_free(names, n);
	return err;
}

/* Copy directory SNAME to a new DNAME: made under a temporary name, filled,
 * given its metadata, then renamed into place (RENAME_NOREPLACE).  On any
 * failure the temporary tree is removed and nothing appears. */
static const struct osl_error *
copy_dir_fresh(struct cp *cp, int sdir, const char *sname, const char *spath,
    const struct stat *st, int ddir, const char *dname, const char *dpath)
{
	const struct osl_error *err = NULL;
	char tmp[NAME_MAX + 1];
	int sfd = -1, dfd = -1;
	struct stat st2;

	for (int tries = 0;; tries++) {
		osl_fs_tmp_name(tmp, sizeof(tmp), dname);
		if (mkdirat(ddir, tmp, 0700) == 0)
			break;
		if (errno != EEXIST || tries == 8)
			return osl_error_sys(OSL_EFAIL, errno, "'%s'", dpath);
	}
	sfd = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0 || fstat(sfd, &st2) < 0 || st2.st_ino != st->st_ino || st2.st_dev != st->st_dev) {
		err = osl_error_sys(OSL_EFAIL, sfd < 0 ? errno : ESTALE, "'%s'", spath);
		goto done;
	}
	if ((dfd = openat(ddir, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", dpath);
		goto done;
	}
	if ((err = copy_children(cp, sfd, spath, dfd, dpath, true)))
		goto done;
	err = cp->archive ? osl_fs_copy_meta(sfd, dfd, st) :
	    fchmod(dfd, plain_mode(cp, st)) < 0 ? osl_error_sys(OSL_EFAIL, errno, "chmod") : NULL;
	if (err) {
		err = osl_error_sys(OSL_EFAIL, err->sys_errno, "'%s'", dpath);
		goto done;
	}
	if (cp->sync && syncfs(dfd) < 0) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", dpath);
		goto done;
	}
	if (renameat2(ddir, tmp, ddir, dname, RENAME_NOREPLACE) < 0)
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", dpath);
	else
		tmp[0] = '\0';
done:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	if (tmp[0])
		osl_fs_remove_tree(ddir, tmp);
	return err;
}

/* Copy the resolved SRC to D (already decided).  Returns the error of the
 * operand; per-file errors of a merge are printed and counted. */
static const struct osl_error *
copy_one(struct cp *cp, const struct osl_fs_file *src, const struct osl_fs_dest *d)
{
	const struct osl_error *err;
	size_t slen = strlen(src->real);
	uint64_t b = 0;
	int sdir, dfd, in;

	if (S_ISDIR(src->st.st_mode)) {
		if (!cp->rec)
			return osl_error_new(OSL_EFAIL, "'%s': is a directory (use -r)", src->given);
		if (!strncmp(d->real, src->real, slen) && (d->real[slen] == '/' || !d->real[slen]))
			return osl_error_new(OSL_EFAIL, "'%s': cannot copy a directory into itself ('%s')",
			    src->given, d->given);
		if (!d->exists)
			return copy_dir_fresh(cp, src->fd, ".", src->real, &src->st, d->dirfd, d->name, d->real);
		if (!S_ISDIR(d->st.st_mode))
			return osl_error_sys(OSL_EFAIL, ENOTDIR, "'%s'", d->given);
		/* merge into an existing directory */
		if ((sdir = openat(src->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			return osl_error_sys(OSL_EFAIL, errno, "'%s'", src->given);
		if ((dfd = openat(d->dirfd, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			close(sdir);
			return osl_error_sys(OSL_EFAIL, errno, "'%s'", d->given);
		}
		err = copy_children(cp, sdir, src->real, dfd, d->real, false);
		close(sdir);
		close(dfd);
		return err;
	}
	if (d->exists && S_ISDIR(d->st.st_mode))
		return osl_error_sys(OSL_EFAIL, EISDIR, "'%s'", d->given);
	if (d->exists && d->st.st_dev == src->st.st_dev && d->st.st_ino == src->st.st_ino)
		return osl_error_new(OSL_EFAIL, "'%s': the same file as '%s'", d->given, src->given);
	if (d->exists && cp->noclobber)
		return NULL;
	if (S_ISSOCK(src->st.st_mode))
		return osl_error_new(OSL_EFAIL, "'%s': cannot copy a socket", src->given);
	if (!S_ISREG(src->st.st_mode) && !S_ISLNK(src->st.st_mode) && !cp->rec)
		return osl_error_new(OSL_EFAIL, "'%s': not a regular file (use -r or -a)", src->given);
	/* the data comes from the very inode resolved and decided on */
	if (S_ISLNK(src->st.st_mode)) {
		/* readlinkat(fd, "") reads an O_PATH|O_NOFOLLOW symlink itself */
		err = osl_fs_copy_at(src->fd, "", &src->st, d->dirfd, d->name,
		    OSL_FS_CP_REPLACE | (cp->archive ? OSL_FS_CP_META : 0) |
		    (cp->noclobber ? OSL_FS_CP_NOCLOBBER : 0), 0, src->given, d->given, &b);
	} else if (!(err = osl_fs_reopen(src, O_RDONLY, &in))) {
		err = osl_fs_copy_at(in, NULL, &src->st, d->dirfd, d->name,
		    OSL_FS_CP_REPLACE | (cp->archive ? OSL_FS_CP_META : 0) |
		    (cp->noclobber ? OSL_FS_CP_NOCLOBBER : 0) | (cp->sync ? OSL_FS_CP_SYNC : 0),
		    d->exists && !cp->archive ? d->st.st_mode & 07777 : plain_mode(cp, &src->st),
		    src->given, d->given, &b);
		close(in);
	}
	cp->bytes += b;
	cp->files++;
	return err;
}

/* For each SRC: decide read on it, decide write on the destination, copy. */
static int
cp_run(struct cp *cp, int argc, char **argv, bool move);

int
cmd_fs_cp(int argc, char **argv, struct osl_ctx *ctx)
{
	struct cp cp = { .ctx = ctx, .verb_action = OSL_ACT_FS_COPY };
	int r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	cp.rec = fs_opt.recursive || fs_opt.archive;
	cp.archive = fs_opt.archive;
	cp.noclobber = fs_opt.noclobber;
	if (argc < 2)
		return cli_usage("a source and a destination are needed");
	return cp_run(&cp, argc, argv, false);
}

int
cmd_fs_mv(int argc, char **argv, struct osl_ctx *ctx)
{
	struct cp cp = { .ctx = ctx, .verb_action = OSL_ACT_FS_MOVE };
	int r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	cp.noclobber = fs_opt.noclobber;
	if (argc < 2)
		return cli_usage("a source and a destination are needed");
	/* across filesystems a move is an exact copy, synced, then a removal */
	cp.rec = cp.archive = cp.sync = true;
	return cp_run(&cp, argc, argv, true);
}

static void
source_fields(cJSON *fields, const char *given, const char *real)
{
	cJSON *s = osl_log_obj(osl_log_obj(fields, "osl"), "source");

	osl_log_add_text(s, "path", given);
	if (real)
		osl_log_add_text(s, "target_path", real);
}

static const struct osl_error *rm_tree(struct osl_ctx *ctx, int dirfd, const char *name,
    const char *real, uint64_t *files, uint64_t *errors, int *status);

/* mv of one resolved name: rename, or across filesystems copy + remove. */
static const struct osl_error *
move_one(struct cp *cp, const struct osl_fs_dest *s, const struct osl_fs_dest *d)
{
	const struct osl_error *err;
	struct osl_fs_file src;
	size_t slen = strlen(s->real);

	if (d->exists && d->st.st_dev == s->st.st_dev && d->st.st_ino == s->st.st_ino)
		return osl_error_new(OSL_EFAIL, "'%s': the same file as '%s'", d->given, s->given);
	if (S_ISDIR(s->st.st_mode) && !strncmp(d->real, s->real, slen) && d->real[slen] == '/')
		return osl_error_new(OSL_EFAIL, "'%s': cannot move a directory into itself ('%s')",
		    s->given, d->given);
	if (d->exists && cp->noclobber)
		return NULL;
	if (renameat2(s->dirfd, s->name, d->dirfd, d->name, cp->noclobber ? RENAME_NOREPLACE : 0) == 0) {
		cp->files++;
		return NULL;
	}
	if (errno != EXDEV)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", s->given);
	/* the copy is checked against the name we decided on */
	memset(&src, 0, sizeof(src));
	src.given = s->given;
	src.st = s->st;
	memcpy(src.real, s->real, strlen(s->real) + 1);
	if ((src.fd = openat(s->dirfd, s->name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", s->given);
	{
		struct stat st;

		if (fstat(src.fd, &st) < 0 || st.st_ino != s->st.st_ino || st.st_dev != s->st.st_dev) {
			osl_fs_close(&src);
			return osl_error_sys(OSL_EFAIL, ESTALE, "'%s'", s->given);
		}
	}
	if (d->exists && S_ISDIR(s->st.st_mode)) {
		osl_fs_close(&src);
		return osl_error_sys(OSL_EFAIL, EEXIST, "'%s'", d->given);
	}
	err = copy_one(cp, &src, d);
	osl_fs_close(&src);
	if (err || cp->errors)
		return err ? err : osl_error_new(OSL_EFAIL, "'%s': not removed after errors", s->given);
	/* only a complete, synced copy lets the source go */
	if (S_ISDIR(s->st.st_mode)) {
		uint64_t files = 0, errors = 0;
		int status = 0;

		err = rm_tree(cp->ctx, s->dirfd, s->name, s->real, &files, &errors, &status);
		cp->status = fs_worst(cp->status, status);
		return err;
	}
	if (unlinkat(s->dirfd, s->name, 0) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", s->given);
	return NULL;
}

static int
cp_run(struct cp *cp, int argc, char **argv, bool move)
{
	const char *target = argv[argc - 1];
	struct stat tst;
	bool into;
	int r;

	cp->mask = umask(0);
	umask(cp->mask);
	into = stat(target, &tst) == 0 && S_ISDIR(tst.st_mode);
	if (argc > 2 && !into)
		return cli_usage("'%s': not a directory (several sources need one)", target);
	if ((r = fs_progress_setting()) >= 0)
		return r;
	out_arr_open(NULL);
	for (int i = 0; i < argc - 1; i++) {
		const struct osl_error *err;
		struct osl_fs_file src = { .fd = -1 };
		struct osl_fs_dest s = { .dirfd = -1 }, d = { .dirfd = -1 };
		struct osl_op sop, op;
		char dname[PATH_MAX];
		bool sbegun = false, begun = false;
		int fd = -1;

		cp->files = cp->bytes = cp->errors = 0;
		/* decision 1: the source (read for cp, a write for mv: the name
		 * goes away), at debug: the operation's record is the next one */
		osl_op_init(&sop, move ? OSL_ACT_FS_MOVE : OSL_ACT_FS_READ, argv[i]);
		sop.level = OSL_LEVEL_DEBUG;
		if (move)
			err = fs_begin_dest(cp->ctx, &sop, &s, argv[i], FS_TREE_IF_DIR, &sbegun);
		else
			err = fs_begin_path(cp->ctx, &sop, &src, argv[i], cp->rec ? OSL_FS_NOFOLLOW : 0, &sbegun);
		if (!err && move && !s.exists)
			err = osl_error_sys(OSL_EFAIL, ENOENT, "'%s'", argv[i]);
		fs_end(cp->ctx, &sop, err, sbegun, &cp->status);
		if (err)
			goto next;
		/* decision 2: the destination */
		if ((err = dest_name(argv[i], target, into, dname, sizeof(dname)))) {
			fs_fail(&cp->status, argv[i], err);
			goto next;
		}
		osl_op_init(&op, cp->verb_action, dname);
		/* a folder's new name gets all that may lie beneath it */
		op.req.tree = move && S_ISDIR(s.st.st_mode);
		err = fs_begin_dest(cp->ctx, &op, &d, dname, move ? 0 : OSL_FS_FOLLOW_LAST, &begun);
		source_fields(op.fields, argv[i], move ? s.real : src.real);
		if (!err) {
			/* the size is known to the copy of a file; a tree's is not
			 * looked up (its files are decided one by one) */
			const struct stat *sst = move ? &s.st : &src.st;

			fs_progress_start(S_ISREG(sst->st_mode) ? (uint64_t)sst->st_size : 0);
			err = move ? move_one(cp, &s, &d) : copy_one(cp, &src, &d);
			fs_progress_end();
		}
		if (!err) {
			fs_summary(op.fields, cp->files, cp->bytes, cp->errors);
			if ((fd = openat(d.dirfd, d.name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
				struct stat st;

				if (fstat(fd, &st) == 0)
					fs_file_fields(op.fields, dname, d.real, &st);
			}
			fs_print_result(dname, d.real, fd, "bytes", cp->bytes);
			if (fd >= 0)
				close(fd);
		}
		fs_end(cp->ctx, &op, err, begun, &cp->status);
next:
		osl_fs_close(&src);
		osl_fs_dest_close(&s);
		osl_fs_dest_close(&d);
	}
	out_arr_close();
	links_free(cp);
	return cp->status;
}

struct rm {
	struct osl_ctx *ctx;
	uint64_t files, errors;
	int status;
};

static const struct osl_error *
rm_visit(void *arg, struct osl_fs_ent *e, enum osl_fs_visit v, bool *skip)
{
	const struct osl_error *err = NULL;
	struct rm *rm = arg;
	struct osl_op op;

	if (v == OSL_FS_PRE) {
		if (e->depth == 0)
			return NULL;
		/* a denied directory is not entered: nothing in it goes */
		osl_op_init(&op, OSL_ACT_FS_DELETE, e->path);
		op.level = OSL_LEVEL_DEBUG;
		if ((err = fs_begin_real(rm->ctx, &op, e->path, e->path, &e->st))) {
			*skip = true;
			rm->errors++;
			fs_end(rm->ctx, &op, err, false, &rm->status);
			return NULL;
		}
		osl_op_release(&op);
		return NULL;
	}
	osl_op_init(&op, OSL_ACT_FS_DELETE, e->path);
	op.level = OSL_LEVEL_DEBUG;
	if (v == OSL_FS_LEAF && (err = fs_begin_real(rm->ctx, &op, e->path, e->path, &e->st))) {
		rm->errors++;
		fs_end(rm->ctx, &op, err, false, &rm->status);
		return NULL;
	}
	if (v == OSL_FS_POST && e->depth > 0) {
		/* decided in PRE; this is its record */
		op.req.path = e->path;
		fs_file_fields(op.fields, e->path, e->path, &e->st);
		if ((err = osl_op_begin(rm->ctx, &op))) {
			rm->errors++;
			fs_end(rm->ctx, &op, err, false, &rm->status);
			return NULL;
		}
	} else if (v == OSL_FS_POST) {
		osl_op_release(&op);
		if (unlinkat(e->dirfd, e->name, AT_REMOVEDIR) < 0 && !(errno == ENOTEMPTY && rm->errors))
			return osl_error_sys(OSL_EFAIL, errno, "'%s'", e->path);
		rm->files++;
		return NULL;
	}
	if (unlinkat(e->dirfd, e->name, v == OSL_FS_POST ? AT_REMOVEDIR : 0) < 0) {
		/* a directory left non-empty by a refused child: that one was named */
		if (!(errno == ENOTEMPTY && rm->errors)) {
			err = osl_error_sys(OSL_EFAIL, errno, "'%s'", e->path);
			rm->errors++;
		}
	} else
		rm->files++;
	fs_end(rm->ctx, &op, err, true, &rm->status);
	return NULL;
}

static const struct osl_error *
rm_error(void *arg, struct osl_fs_ent *e, enum osl_fs_visit v, bool *skip)
{
	struct rm *rm = arg;

	(void)v;
	(void)skip;
	rm->errors++;
	fs_fail(&rm->status, e->path, osl_error_sys(OSL_EFAIL, e->error, "'%s'", e->path));
	return NULL;
}

static const struct osl_error *
rm_tree(struct osl_ctx *ctx, int dirfd, const char *name, const char *real,
    uint64_t *files, uint64_t *errors, int *status)
{
	struct rm rm = { .ctx = ctx };
	const struct osl_error *err;

	err = osl_fs_walk(dirfd, name, real, rm_visit, rm_error, &rm);
	*files = rm.files;
	*errors = rm.errors;
	*status = fs_worst(*status, rm.status);
	return err;
}

int
cmd_fs_rm(int argc, char **argv, struct osl_ctx *ctx)
{
	int r, status = 0;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc < 1 && !fs_opt.force)
		return cli_usage("a path is needed");
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_fs_dest d = { .dirfd = -1 };
		struct osl_op op;
		char abs[PATH_MAX];
		uint64_t files = 0, errors = 0;
		bool begun = false;

		if (!fs_opt.root_ok && osl_fs_abspath(argv[i], abs, sizeof(abs)) == NULL && fs_is_root(abs)) {
			fs_fail(&status, argv[i], osl_error_new(OSL_EFAIL,
			    "'%s': refusing to remove / (use --no-preserve-root)", argv[i]));
			continue;
		}
		osl_op_init(&op, OSL_ACT_FS_DELETE, argv[i]);
		err = fs_begin_dest(ctx, &op, &d, argv[i], 0, &begun);
		if (!err && !d.exists && !fs_opt.force)
			err = osl_error_sys(OSL_EFAIL, ENOENT, "'%s'", argv[i]);
		if (err && fs_opt.force && err->sys_errno == ENOENT && err->status == OSL_EFAIL)
			err = NULL;
		if (err || !d.exists)
			goto next;
		if (S_ISDIR(d.st.st_mode) && !fs_opt.recursive)
			err = osl_error_sys(OSL_EFAIL, EISDIR, "'%s'", argv[i]);
		else if (S_ISDIR(d.st.st_mode)) {
			if (!(err = rm_tree(ctx, d.dirfd, d.name, d.real, &files, &errors, &status)) && errors)
				err = NULL;	/* each was named; the status says it */
			fs_summary(op.fields, files, 0, errors);
		} else if (unlinkat(d.dirfd, d.name, 0) < 0)
			err = osl_error_sys(OSL_EFAIL, errno, "'%s'", argv[i]);
		if (!err)
			fs_print_result(argv[i], d.real, -1, "files", files ? files : 1);
next:
		fs_end(ctx, &op, err, begun, &status);
		osl_fs_dest_close(&d);
	}
	out_arr_close();
	return status;
}
