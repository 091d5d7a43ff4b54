/* Walking a tree by descriptors: never a symlink followed, never a name
 * looked up twice from the top. */
#include "fs/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
osl_fs_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

const struct osl_error *
osl_fs_names(int fd, char ***out, size_t *nout)
{
	const struct osl_error *err = NULL;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int dfd;

	*out = NULL;
	*nout = 0;
	/* fdopendir takes the descriptor: give it a copy of its own */
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "opendir");
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return osl_error_sys(OSL_EFAIL, errno, "opendir");
	}
	for (;;) {
		errno = 0;
		if (!(de = readdir(d))) {
			if (errno)
				err = osl_error_sys(OSL_EFAIL, errno, "readdir");
			break;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if (!(nn = realloc(names, cap * sizeof(*names)))) {
				err = osl_error_nomem();
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			err = osl_error_nomem();
			break;
		}
		n++;
	}
	closedir(d);
	if (err) {
		osl_fs_names_free(names, n);
		return err;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*nout = n;
	return NULL;
}

struct walk {
	osl_fs_walk_fn *fn, *errfn;
	void *arg;
	char path[PATH_MAX];
};

static const struct osl_error *
walk_err(struct walk *w, struct osl_fs_ent *e, const struct osl_error *err)
{
	bool skip = false;

	if (!w->errfn)
		return err;
	e->error = err->sys_errno ? err->sys_errno : EIO;
	return w->errfn(w->arg, e, OSL_FS_LEAF, &skip);
}

static const struct osl_error *
walk1(struct walk *w, int dirfd, const char *name, size_t plen, int depth)
{
	const struct osl_error *err = NULL;
	struct osl_fs_ent e = { .dirfd = dirfd, .fd = -1, .name = name, .path = w->path, .depth = depth };
	char **names = NULL;
	size_t n = 0, nlen = strlen(name);
	struct stat st;
	bool skip = false;

	if (depth > 0) {
		if (plen + nlen + 2 > sizeof(w->path))
			return walk_err(w, &e, osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "path"));
		if (plen > 1)
			w->path[plen++] = '/';
		memcpy(w->path + plen, name, nlen + 1);
		plen += nlen;
	}
	if (fstatat(dirfd, name, &e.st, AT_SYMLINK_NOFOLLOW) < 0) {
		err = walk_err(w, &e, osl_error_sys(OSL_EFAIL, errno, "stat"));
		goto done;
	}
	if (!S_ISDIR(e.st.st_mode)) {
		err = w->fn(w->arg, &e, OSL_FS_LEAF, &skip);
		goto done;
	}
	e.fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (e.fd < 0 || fstat(e.fd, &st) < 0 || st.st_dev != e.st.st_dev || st.st_ino != e.st.st_ino) {
		/* replaced by a symlink or another directory since it was listed */
		err = walk_err(w, &e, osl_error_sys(OSL_EFAIL, e.fd < 0 ? errno : ESTALE, "open"));
		goto done;
	}
	if ((err = w->fn(w->arg, &e, OSL_FS_PRE, &skip)) || skip)
		goto done;
	if ((err = osl_fs_names(e.fd, &names, &n))) {
		if ((err = walk_err(w, &e, err)))
			goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if ((err = walk1(w, e.fd, names[i], plen, depth + 1)))
			goto done;
	}
	w->path[plen] = '\0';
	err = w->fn(w->arg, &e, OSL_FS_POST, &skip);
done:
	osl_fs_names_free(names, n);
	if (e.fd >= 0)
		close(e.fd);
	return err;
}

const struct osl_error *
osl_fs_walk(int dirfd, const char *name, const char *real, osl_fs_walk_fn *fn,
    osl_fs_walk_fn *errfn, void *arg)
{
	struct walk *w;
	const struct osl_error *err;
	size_t len = strlen(real);

	if (len >= PATH_MAX)
		return osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s'", real);
	if (!(w = malloc(sizeof(*w))))
		return osl_error_nomem();
	w->fn = fn;
	w->errfn = errfn;
	w->arg = arg;
	memcpy(w->path, real, len + 1);
	err = walk1(w, dirfd, name, len, 0);
	free(w);
	return err;
}

static const struct osl_error *
remove_visit(void *arg, struct osl_fs_ent *e, enum osl_fs_visit v, bool *skip)
{
	(void)arg;
	(void)skip;
	if (v == OSL_FS_PRE)
		return NULL;
	if (unlinkat(e->dirfd, e->name, v == OSL_FS_POST ? AT_REMOVEDIR : 0) < 0 && errno != ENOENT)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", e->path);
	return NULL;
}

const struct osl_error *
osl_fs_remove_tree(int dirfd, const char *name)
{
	return osl_fs_walk(dirfd, name, name, remove_visit, NULL, NULL);
}
