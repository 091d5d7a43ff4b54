/* osl fs ls, hash, du: the verbs that read trees and contents. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "fs-int.h"
#include "util/time.h"

struct ls_opts {
	bool lng, all, rec;	/* -l -a -R (fs_opt) */
	int status;
	struct osl_ctx *ctx;
};

/* A listed entry the policy would not let be read: the deciding rule's
 * name ("default" for the policy's default) and where it is declared. */
struct ls_denial {
	const char *rule;
	const char *where;
};

/* Is reading REAL/NAME refused?  Then *DN says by what: a listing names such
 * an entry but shows none of its metadata, as `osl fs stat` of it would be
 * refused.  Quiet: a listing is one operation. */
static const struct ls_denial *
ls_denied(const struct ls_opts *o, const char *real, const char *name, char *buf, size_t size,
    struct ls_denial *dn)
{
	struct osl_request rq = { .access = OSL_ACCESS_READ, .path = buf };
	const struct osl_policy *p = o->ctx->policy;
	struct osl_decision d;

	if (!real || !p || osl_fs_join(buf, size, real, name))
		return NULL;
	osl_policy_decide(p, &rq, &d);
	if (d.verdict == OSL_ALLOW)
		return NULL;
	dn->rule = d.rule ? osl_rule_name(d.rule) : "default";
	dn->where = d.rule ? d.rule->where : p->dflt_where ? p->dflt_where : p->source;
	return dn;
}

/* One entry: a line of text, or an object of the array.  DENIED hides
 * everything but the name and the type. */
static void
ls_entry(const struct ls_opts *o, int dirfd, const char *dir, const char *name,
    const struct stat *st, const struct ls_denial *denied)
{
	char q[PATH_MAX * 4 + 8], path[PATH_MAX], pm[11], link[PATH_MAX];
	struct passwd *pw;
	struct group *gr;
	ssize_t n = -1;

	if (!denied && S_ISLNK(st->st_mode) && (o->lng || out_is_json()) &&
	    (n = readlinkat(dirfd, name, link, sizeof(link) - 1)) >= 0)
		link[n] = '\0';
	if (!out_is_json()) {
		if (o->lng && denied) {
			fs_perms(st->st_mode & S_IFMT, pm);
			memset(pm + 1, '?', 9);
			printf("%s   ? %-8s %-8s %10s %-16s ", pm, "?", "?", "?", "?");
		} else if (o->lng) {
			char tb[32];
			struct tm tm;

			fs_perms(st->st_mode, pm);
			pw = getpwuid(st->st_uid);
			gr = getgrgid(st->st_gid);
			localtime_r(&st->st_mtim.tv_sec, &tm);
			strftime(tb, sizeof(tb), "%Y-%m-%d %H:%M", &tm);
			printf("%s %3llu ", pm, (unsigned long long)st->st_nlink);
			if (pw)
				printf("%-8s ", pw->pw_name);
			else
				printf("%-8llu ", (unsigned long long)st->st_uid);
			if (gr)
				printf("%-8s ", gr->gr_name);
			else
				printf("%-8llu ", (unsigned long long)st->st_gid);
			printf("%10llu %s ", (unsigned long long)st->st_size, tb);
		}
		fputs(out_quote(name, q, sizeof(q)), stdout);
		if (n >= 0)
			printf(" -> %s", out_quote(link, q, sizeof(q)));
		putchar('\n');
		return;
	}
	out_obj_open(NULL);
	out_str("name", NULL, name);
	if (dir && osl_fs_join(path, sizeof(path), dir, name) == NULL)
		out_str("path", NULL, path);
	else
		out_str("path", NULL, name);
	if (denied) {
		out_str("type", NULL, osl_fs_type_word(st->st_mode));
		out_str("denied", NULL, denied->rule);
		out_obj_open("rule");
		out_str("id", NULL, denied->rule);
		out_str("where", NULL, denied->where);
		out_obj_close();
		out_obj_close();
		return;
	}
	fs_stat_json(st);
	if (n >= 0)
		out_str("target", NULL, link);
	out_obj_close();
}

/* List the directory FD (given as GIVEN, really REAL).  With -R its
 * subdirectories follow, each decided on its own (a denied one is named and
 * skipped) and opened O_NOFOLLOW relative to FD. */
static void
ls_dir(struct ls_opts *o, int fd, const char *given, const char *real, bool header)
{
	const struct osl_error *err;
	char q[PATH_MAX * 4 + 8], sub[PATH_MAX], subreal[PATH_MAX], path[PATH_MAX];
	struct ls_denial dn;
	struct stat *sts = NULL;
	char **names = NULL;
	size_t n = 0;

	if ((err = osl_fs_names(fd, &names, &n))) {
		fs_fail(&o->status, given, osl_error_sys(OSL_EFAIL, err->sys_errno, "'%s'", given));
		return;
	}
	if (n && !(sts = calloc(n, sizeof(*sts)))) {
		fs_fail(&o->status, given, osl_error_nomem());
		goto done;
	}
	if (header && !out_is_json())
		printf("%s:\n", out_quote(given, q, sizeof(q)));
	for (size_t i = 0; i < n; i++) {
		if (!o->all && names[i][0] == '.')
			continue;
		if (fstatat(fd, names[i], &sts[i], AT_SYMLINK_NOFOLLOW) < 0) {
			sts[i].st_mode = 0;
			continue;	/* gone since it was listed */
		}
		ls_entry(o, fd, given, names[i], &sts[i], o->lng || out_is_json() ?
		    ls_denied(o, real, names[i], path, sizeof(path), &dn) : NULL);
	}
	if (!o->rec)
		goto done;
	for (size_t i = 0; i < n; i++) {
		struct osl_op op;
		struct stat st;
		bool begun = false;
		int sfd = -1;

		if ((!o->all && names[i][0] == '.') || !S_ISDIR(sts[i].st_mode))
			continue;
		if (osl_fs_join(sub, sizeof(sub), given, names[i]) ||
		    osl_fs_join(subreal, sizeof(subreal), real, names[i]))
			continue;
		if (!out_is_json())
			putchar('\n');
		osl_op_init(&op, OSL_ACT_FS_READ, sub);
		op.level = OSL_LEVEL_DEBUG;
		if (!(err = fs_begin_real(o->ctx, &op, sub, subreal, &sts[i]))) {
			begun = true;
			sfd = openat(fd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sfd < 0 || fstat(sfd, &st) < 0 || st.st_ino != sts[i].st_ino ||
			    st.st_dev != sts[i].st_dev)
				err = osl_error_sys(OSL_EFAIL, sfd < 0 ? errno : ESTALE, "'%s'", sub);
		}
		fs_end(o->ctx, &op, err, begun, &o->status);
		if (sfd >= 0) {
			if (!err)
				ls_dir(o, sfd, sub, subreal, true);
			close(sfd);
		}
	}
done:
	free(sts);
	osl_fs_names_free(names, n);
}

int
cmd_fs_ls(int argc, char **argv, struct osl_ctx *ctx)
{
	struct ls_opts o = { .ctx = ctx };
	static char dot[] = ".";
	char *one[] = { dot };
	int r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	o.lng = fs_opt.lng;
	o.all = fs_opt.all;
	o.rec = fs_opt.recursive;
	if (argc == 0) {
		argc = 1;
		argv = one;
	}
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_fs_file f;
		struct osl_op op;
		bool begun;
		int fd = -1;

		osl_op_init(&op, OSL_ACT_FS_READ, argv[i]);
		err = fs_begin_path(ctx, &op, &f, argv[i], 0, &begun);
		if (!err && S_ISDIR(f.st.st_mode))
			err = osl_fs_reopen(&f, O_RDONLY | O_DIRECTORY, &fd);
		if (!err && fd < 0)
			ls_entry(&o, AT_FDCWD, NULL, argv[i], &f.st, NULL);
		fs_end(ctx, &op, err, begun, &o.status);
		if (fd >= 0) {
			if (i > 0 && !out_is_json())
				putchar('\n');
			ls_dir(&o, fd, argv[i], f.real, argc > 1 || o.rec);
			close(fd);
		}
		osl_fs_close(&f);
	}
	out_arr_close();
	return o.status;
}

static const struct osl_error *
sha256_fd(int fd, const char *given, char hex[65], uint64_t *n)
{
	enum { BUFSZ = 256 * 1024 };
	struct sha256_ctx h;
	uint8_t dig[SHA256_DIGEST_SIZE];
	char *buf;
	ssize_t r;

	if (!(buf = malloc(BUFSZ)))
		return osl_error_nomem();
	sha256_init(&h);
	*n = 0;
	for (;;) {
		r = read(fd, buf, BUFSZ);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			return osl_error_sys(OSL_EFAIL, e, "'%s'", given);
		}
		if (r == 0)
			break;
		sha256_update(&h, (size_t)r, (const uint8_t *)buf);
		*n += (uint64_t)r;
	}
	free(buf);
	sha256_digest(&h, sizeof(dig), dig);
	for (size_t i = 0; i < sizeof(dig); i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	return NULL;
}

int
cmd_fs_hash(int argc, char **argv, struct osl_ctx *ctx)
{
	char hex[65], q[PATH_MAX * 4 + 8];
	int r, status = 0;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (strcmp(fs_opt.algo, "sha256"))
		return cli_usage("unknown hash algorithm '%s' (sha256 is known)", fs_opt.algo);
	if (argc < 1)
		return cli_usage("a path is needed");
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_fs_file f;
		struct osl_op op;
		uint64_t n = 0;
		bool begun;
		int fd = -1;

		osl_op_init(&op, OSL_ACT_FS_READ, argv[i]);
		err = fs_begin_path(ctx, &op, &f, argv[i], 0, &begun);
		if (!err && S_ISDIR(f.st.st_mode))
			err = osl_error_sys(OSL_EFAIL, EISDIR, "'%s'", argv[i]);
		if (!err)
			err = osl_fs_reopen(&f, O_RDONLY, &fd);
		if (!err && !(err = sha256_fd(fd, argv[i], hex, &n))) {
			osl_log_add_count(osl_log_obj(op.fields, "osl"), "bytes", n);
			cJSON_AddStringToObject(osl_log_obj(osl_log_obj(op.fields, "file"), "hash"),
			    "sha256", hex);
			out_obj_open(NULL);
			out_str("sha256", "%s  ", hex);
			out_str("path", NULL, argv[i]);
			out_text("%s\n", out_quote(argv[i], q, sizeof(q)));
			out_obj_close();
		}
		if (fd >= 0)
			close(fd);
		fs_end(ctx, &op, err, begun, &status);
		osl_fs_close(&f);
	}
	out_arr_close();
	return status;
}

struct du {
	struct osl_ctx *ctx;
	uint64_t blocks, bytes, files;
	int status;
};

static const struct osl_error *
du_visit(void *arg, struct osl_fs_ent *e, enum osl_fs_visit v, bool *skip)
{
	const struct osl_error *err;
	struct du *d = arg;
	struct osl_op op;

	if (v == OSL_FS_POST)
		return NULL;
	if (v == OSL_FS_PRE && e->depth > 0) {
		/* a denied subtree is named and not counted */
		osl_op_init(&op, OSL_ACT_FS_READ, e->path);
		op.level = OSL_LEVEL_DEBUG;
		err = fs_begin_real(d->ctx, &op, e->path, e->path, &e->st);
		if (err)
			*skip = true;
		fs_end(d->ctx, &op, err, !err, &d->status);
		if (*skip)
			return NULL;
	}
	d->blocks += (uint64_t)e->st.st_blocks * 512;
	d->bytes += (uint64_t)e->st.st_size;
	d->files++;
	return NULL;
}

static const struct osl_error *
du_error(void *arg, struct osl_fs_ent *e, enum osl_fs_visit v, bool *skip)
{
	struct du *d = arg;

	(void)v;
	(void)skip;
	fs_fail(&d->status, e->path, osl_error_sys(OSL_EFAIL, e->error, "'%s'", e->path));
	return NULL;
}

int
cmd_fs_du(int argc, char **argv, struct osl_ctx *ctx)
{
	char q[PATH_MAX * 4 + 8];
	int r, status = 0;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc < 1)
		return cli_usage("a path is needed");
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_fs_dest dst;
		struct osl_op op;
		struct du d = { .ctx = ctx };
		bool begun;

		osl_op_init(&op, OSL_ACT_FS_READ, argv[i]);
		err = fs_begin_dest(ctx, &op, &dst, argv[i], OSL_FS_FOLLOW_LAST, &begun);
		if (!err && !dst.exists)
			err = osl_error_sys(OSL_EFAIL, ENOENT, "'%s'", argv[i]);
		if (!err)
			err = osl_fs_walk(dst.dirfd, dst.name, dst.real, du_visit, du_error, &d);
		if (!err) {
			fs_summary(op.fields, d.files, d.bytes, 0);
			/* JSON: both sizes in bytes; text: one column as du(1) */
			if (!out_is_json())
				printf("%llu\t", fs_opt.bytes ? (unsigned long long)d.bytes :
				    (unsigned long long)(d.blocks + 1023) / 1024);
			out_obj_open(NULL);
			out_u64("bytes", NULL, d.bytes);
			out_u64("disk", NULL, d.blocks);
			out_u64("files", NULL, d.files);
			out_str("path", NULL, argv[i]);
			out_text("%s\n", out_quote(argv[i], q, sizeof(q)));
			out_obj_close();
		}
		status = fs_worst(status, d.status);
		fs_end(ctx, &op, err, begun, &status);
		osl_fs_dest_close(&dst);
	}
	out_arr_close();
	return status;
}
