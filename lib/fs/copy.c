/* Copying a file's data and metadata: as fast as the kernel allows, exact
 * (holes, modes, owners, times, extended attributes). */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <linux/fs.h>
#include <sys/xattr.h>

enum { CHUNK = 1 << 30, PROGRESS_CHUNK = 8 << 20, BUFSZ = 256 * 1024 };

static void (*progress_fn)(void *, uint64_t);
static void *progress_arg;

void
osl_fs_copy_progress(void (*fn)(void *arg, uint64_t bytes), void *arg)
{
	progress_fn = fn;
	progress_arg = arg;
}

/* Copy LEN bytes from IN at *OFF to OUT at the same offset.  Returns 0 or
 * an errno value; *MODE steps down 0 copy_file_range -> 1 sendfile -> 2
 * read/write as a method is found missing. */
static int
copy_range(int in, int out, off_t off, uint64_t len, int *mode, char **buf, uint64_t *copied,
    bool *reading)
{
	ssize_t n, w;

	while (len > 0) {
		size_t chunk = progress_fn ? PROGRESS_CHUNK : CHUNK;
		size_t want = len > chunk ? chunk : (size_t)len;

		if (*mode == 0) {
			loff_t ioff = off, ooff = off;

			n = copy_file_range(in, &ioff, out, &ooff, want, 0);
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
			    errno == EOPNOTSUPP || errno == EBADF || errno == EPERM)) {
				*mode = 1;
				continue;
			}
		} else if (*mode == 1) {
			off_t ioff = off;

			if (lseek(out, off, SEEK_SET) < 0)
				return errno;
			n = sendfile(out, in, &ioff, want);
			if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
				*mode = 2;
				continue;
			}
		} else {
			if (!*buf && !(*buf = malloc(BUFSZ)))
				return ENOMEM;
			n = pread(in, *buf, want > BUFSZ ? BUFSZ : want, off);
			*reading = n < 0;
			for (ssize_t o = 0; n > 0 && o < n; o += w) {
				w = pwrite(out, *buf + o, (size_t)(n - o), off + o);
				if (w < 0 && errno == EINTR)
					w = 0;
				else if (w < 0)
					return errno;
			}
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && *mode < 2 && errno != ENOSPC && errno != EDQUOT && errno != EFBIG) {
			/* an error such as EIO that copy_file_range or sendfile
			 * cannot place on a side: pread and pwrite tell which */
			*mode = 2;
			continue;
		}
		if (n < 0)
			return errno;
		if (n == 0)
			break;		/* the file shrank while we copied */
		off += n;
		len -= (uint64_t)n;
		*copied += (uint64_t)n;
		if (progress_fn)
			progress_fn(progress_arg, (uint64_t)n);
	}
	return 0;
}

const struct osl_error *
osl_fs_copy_data(int in, int out, const struct stat *st, uint64_t *copied, bool *reading)
{
	const struct osl_error *err = NULL;
	char *buf = NULL;
	int mode = 0, e = 0;
	off_t data, hole, end = st->st_size;

	*copied = 0;
	*reading = false;
	/* Fewer blocks than the size needs: there are holes to keep. */
	if ((uint64_t)st->st_blocks * 512 < (uint64_t)st->st_size) {
		for (off_t pos = 0; pos < end; pos = hole) {
			if ((data = lseek(in, pos, SEEK_DATA)) < 0) {
				if (errno == ENXIO)
					break;		/* only a hole is left */
				if (errno == EINVAL)
					goto dense;	/* no SEEK_DATA here */
				e = errno;
				goto done;
			}
			if ((hole = lseek(in, data, SEEK_HOLE)) < 0) {
				e = errno;
				goto done;
			}
			if (hole > end)
				hole = end;
			if ((e = copy_range(in, out, data, (uint64_t)(hole - data), &mode, &buf, copied,
			    reading)))
				goto done;
		}
		if (ftruncate(out, end) < 0)
			e = errno;
		goto done;
	}
dense:
	/* a reflink shares the blocks (btrfs, xfs): no data moves at all */
	if (ioctl(out, FICLONE, in) == 0) {
		*copied = (uint64_t)st->st_size;
		if (progress_fn)
			progress_fn(progress_arg, *copied);
		goto done;
	}
	posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
	/* copy to the end, whatever size it has now (a file may grow) */
	e = copy_range(in, out, 0, UINT64_MAX, &mode, &buf, copied, reading);
done:
	free(buf);
	if (e)
		err = osl_error_sys(OSL_EFAIL, e, "copy");
	return err;
}

/* Extended attributes, where both filesystems have them.  security.* and
 * trusted.* may be refused to a non-root user: that is not a failure. */
static int
copy_xattrs(int in, int out)
{
	char *list = NULL, *val = NULL;
	ssize_t n, vn;
	size_t vsize = 0;
	int e = 0;

	n = flistxattr(in, NULL, 0);
	if (n <= 0)
		return (n < 0 && errno != ENOTSUP && errno != ENODATA) ? errno : 0;
	if (!(list = malloc((size_t)n)))
		return ENOMEM;
	if ((n = flistxattr(in, list, (size_t)n)) < 0) {
		e = errno == ERANGE ? 0 : errno;
		goto done;
	}
	for (char *k = list; k < list + n; k += strlen(k) + 1) {
		if ((vn = fgetxattr(in, k, NULL, 0)) < 0)
			continue;
		if ((size_t)vn + 1 > vsize) {
			char *nv = realloc(val, (size_t)vn + 1);

			if (!nv) {
				e = ENOMEM;
				goto done;
			}
			val = nv;
			vsize = (size_t)vn + 1;
		}
		if ((vn = fgetxattr(in, k, val, vsize)) < 0)
			continue;
		if (fsetxattr(out, k, val, (size_t)vn, 0) < 0 &&
		    errno != ENOTSUP && errno != EPERM && errno != EACCES) {
			e = errno;
			goto done;
		}
	}
done:
	free(list);
	free(val);
	return e;
}

const struct osl_error *
osl_fs_copy_meta(int in, int out, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	int e;

	/* owner first: chown clears set-id bits, so the mode comes after */
	if (fchown(out, st->st_uid, st->st_gid) < 0 && errno != EPERM)
		return osl_error_sys(OSL_EFAIL, errno, "chown");
	if ((e = copy_xattrs(in, out)))
		return osl_error_sys(OSL_EFAIL, e, "xattr");
	if (fchmod(out, st->st_mode & 07777) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "chmod");
	if (futimens(out, ts) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "utimens");
	return NULL;
}

const struct osl_error *
osl_fs_copy_meta_at(int dirfd, const char *name, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EPERM)
		return osl_error_sys(OSL_EFAIL, errno, "chown");
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "utimens");
	return NULL;
}

/* A symlink, fifo or device under NAME, made aside and renamed when
 * REPLACE. */
static const struct osl_error *
copy_special(int sdir, const char *sname, const struct stat *st, int ddir,
    const char *dname, unsigned flags, const char *spath, const char *dpath)
{
	char target[PATH_MAX], tmp[NAME_MAX + 1];
	const char *name = dname;
	const struct osl_error *err = NULL;
	ssize_t n = 0;
	int r;

	if (S_ISLNK(st->st_mode)) {
		if ((n = readlinkat(sdir, sname, target, sizeof(target) - 1)) < 0)
			return osl_error_sys(OSL_EFAIL, errno, "'%s'", spath);
		target[n] = '\0';
	}
	for (int tries = 0; tries < 8; tries++) {
		if (flags & OSL_FS_CP_REPLACE) {
			osl_fs_tmp_name(tmp, sizeof(tmp), dname);
			name = tmp;
		}
		r = S_ISLNK(st->st_mode) ? symlinkat(target, ddir, name) :
		    mknodat(ddir, name, st->st_mode & (S_IFMT | 07777), st->st_rdev);
		if (r == 0 || errno != EEXIST || name == dname)
			break;
	}
	if (r < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", dpath);
	if ((flags & OSL_FS_CP_META) && (err = osl_fs_copy_meta_at(ddir, name, st)))
		goto done;
	if (name != dname) {
		if ((flags & OSL_FS_CP_NOCLOBBER) ?
		    renameat2(ddir, name, ddir, dname, RENAME_NOREPLACE) :
		    renameat(ddir, name, ddir, dname))
			err = osl_error_sys(OSL_EFAIL, errno, "'%s'", dpath);
	}
done:
	if (err && name != dname)
		unlinkat(ddir, name, 0);
	return err;
}

const struct osl_error *
osl_fs_copy_at(int sdir, const char *sname, const struct stat *st, int ddir,
    const char *dname, unsigned flags, mode_t mode, const char *spath,
    const char *dpath, uint64_t *bytes)
{
	const struct osl_error *err = NULL;
	struct osl_fs_tmp tmp = { .fd = -1 };
	struct stat st2;
	int in = -1, out = -1;
	bool reading = false;

	*bytes = 0;
	if (!S_ISREG(st->st_mode))
		return copy_special(sdir, sname, st, ddir, dname, flags, spath, dpath);
	in = sname ? openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY) : sdir;
	if (in < 0 || fstat(in, &st2) < 0 || st2.st_ino != st->st_ino || st2.st_dev != st->st_dev) {
		err = osl_error_sys(OSL_EFAIL, in < 0 ? errno : ESTALE, "'%s'", spath);
		goto done;
	}
	if (flags & OSL_FS_CP_REPLACE) {
		if ((err = osl_fs_tmp_open(&tmp, ddir, dname, 0600)))
			goto done;
		out = tmp.fd;
	} else if ((out = openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", dpath);
		goto done;
	}
	if ((err = osl_fs_copy_data(in, out, &st2, bytes, &reading)) ||
	    (err = (flags & OSL_FS_CP_META) ? osl_fs_copy_meta(in, out, &st2) :
	    fchmod(out, mode) < 0 ? osl_error_sys(OSL_EFAIL, errno, "chmod") : NULL)) {
		err = osl_error_sys(OSL_EFAIL, err->sys_errno, "'%s'", reading ? spath : dpath);
		goto done;
	}
	if (flags & OSL_FS_CP_REPLACE) {
		err = osl_fs_tmp_commit(&tmp, dname, !(flags & OSL_FS_CP_NOCLOBBER),
		    flags & OSL_FS_CP_SYNC);
		if (err)
			err = osl_error_sys(OSL_EFAIL, err->sys_errno, "'%s'", dpath);
	} else if ((flags & OSL_FS_CP_SYNC) && fsync(out) < 0)
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", dpath);
done:
	if (tmp.fd >= 0)
		osl_fs_tmp_abort(&tmp);
	else if (out >= 0) {
		close(out);
		if (err)
			unlinkat(ddir, dname, 0);
	}
	if (in >= 0 && sname)
		close(in);
	return err;
}
