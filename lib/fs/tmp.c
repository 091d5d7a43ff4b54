/* New file contents put in place in one step (osl_fs_tmp_*): nobody ever
 * sees a half-written file under the final name. */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

void
osl_fs_tmp_name(char *buf, size_t size, const char *name)
{
	uint64_t r = 0;
	int keep;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r ^= (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)buf;
	/* ".", "name", ".osl-", 16 hex: keep the name short enough for NAME_MAX */
	keep = (int)strlen(name);
	if (keep > NAME_MAX - 22)
		keep = NAME_MAX - 22;
	snprintf(buf, size, ".%.*s.osl-%016llx", keep, name, (unsigned long long)r);
}

const struct osl_error *
osl_fs_tmp_open(struct osl_fs_tmp *t, int dirfd, const char *name, mode_t mode)
{
	memset(t, 0, sizeof(*t));
	t->dirfd = dirfd;
	t->fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
	if (t->fd >= 0)
		return NULL;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", name);
	/* no O_TMPFILE here (an old kernel, a FUSE or network filesystem) */
	for (int tries = 0; tries < 8; tries++) {
		osl_fs_tmp_name(t->tmpname, sizeof(t->tmpname), name);
		t->fd = openat(dirfd, t->tmpname,
		    O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, mode);
		if (t->fd >= 0) {
			t->named = true;
			return NULL;
		}
		if (errno != EEXIST)
			break;
	}
	return osl_error_sys(OSL_EFAIL, errno, "'%s'", name);
}

const struct osl_error *
osl_fs_tmp_commit(struct osl_fs_tmp *t, const char *name, bool replace, bool sync)
{
	char proc[64], tmp[NAME_MAX + 1];
	int e;

	if (sync && fsync(t->fd) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", name);
	if (t->named) {
		if (replace ? renameat(t->dirfd, t->tmpname, t->dirfd, name) :
		    renameat2(t->dirfd, t->tmpname, t->dirfd, name, RENAME_NOREPLACE))
			return osl_error_sys(OSL_EFAIL, errno, "'%s'", name);
		t->named = false;
		goto done;
	}
	/* linkat through /proc gives the unnamed file its name without
	 * CAP_DAC_READ_SEARCH (which AT_EMPTY_PATH needs) */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t->fd);
	if (linkat(AT_FDCWD, proc, t->dirfd, name, AT_SYMLINK_FOLLOW) == 0)
		goto done;
	if (errno != EEXIST || !replace)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", name);
	for (int tries = 0;; tries++) {
		osl_fs_tmp_name(tmp, sizeof(tmp), name);
		if (linkat(AT_FDCWD, proc, t->dirfd, tmp, AT_SYMLINK_FOLLOW) == 0)
			break;
		if (errno != EEXIST || tries == 8)
			return osl_error_sys(OSL_EFAIL, errno, "'%s'", name);
	}
	if (renameat(t->dirfd, tmp, t->dirfd, name) < 0) {
		e = errno;
		unlinkat(t->dirfd, tmp, 0);
		return osl_error_sys(OSL_EFAIL, e, "'%s'", name);
	}
done:
	if (sync) {
		/* the new name itself must survive a crash too */
		int dfd = openat(t->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return NULL;
}

void
osl_fs_tmp_abort(struct osl_fs_tmp *t)
{
	if (t->named)
		unlinkat(t->dirfd, t->tmpname, 0);
	t->named = false;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
