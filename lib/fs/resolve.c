#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

static long
sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

const struct osl_error *
osl_fs_resolve(struct osl_fs_file *f, const char *given, unsigned flags)
{
	struct open_how how = { 0 };
	char proc[64];
	ssize_t n;
	long fd;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->given = given;
	if (!*given)
		return osl_error_sys(OSL_EFAIL, ENOENT, "'%s'", given);
	how.flags = O_PATH | O_CLOEXEC | ((flags & OSL_FS_NOFOLLOW) ? O_NOFOLLOW : 0);
	how.resolve = RESOLVE_NO_MAGICLINKS;
	fd = sys_openat2(AT_FDCWD, given, &how);
	if (fd < 0 && errno == ENOSYS) {
		/* before Linux 5.6: O_PATH, then the real path is checked below */
		fd = open(given, (int)how.flags);
	}
	if (fd < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
	f->fd = (int)fd;
	if (fstat(f->fd, &f->st) < 0)
		goto fail;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
	n = readlink(proc, f->real, sizeof(f->real) - 1);
	if (n < 0 || (size_t)n >= sizeof(f->real) - 1)
		goto fail;
	f->real[n] = '\0';
	if (f->real[0] != '/') {
		/* an fd that has no path in this namespace ("anon_inode:", a
		 * file outside our root): nothing a policy could name */
		errno = EXDEV;
		goto fail;
	}
	return NULL;
fail:
	{
		int err = errno ? errno : EIO;

		osl_fs_close(f);
		return osl_error_sys(OSL_EFAIL, err, "'%s'", given);
	}
}

const struct osl_error *
osl_fs_reopen(const struct osl_fs_file *f, int oflags, int *out)
{
	char proc[64];
	struct stat st;
	int fd;

	/* Reopening an O_PATH fd through /proc/self/fd reaches the same inode
	 * whatever happened to the name since; check it all the same. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
	fd = open(proc, oflags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", f->given);
	if (fstat(fd, &st) < 0 || st.st_dev != f->st.st_dev || st.st_ino != f->st.st_ino) {
		close(fd);
		return osl_error_sys(OSL_EFAIL, ESTALE, "'%s'", f->given);
	}
	*out = fd;
	return NULL;
}

const struct osl_error *
osl_fs_abspath(const char *path, char *buf, size_t size)
{
	char cwd[PATH_MAX];
	size_t n = 0;
	const char *p, *e;

	if (size < 2)
		return osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s'", path);
	buf[n++] = '/';
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0) {
			if (path[0] == '/')
				continue;
			if (!getcwd(cwd, sizeof(cwd)))
				return osl_error_sys(OSL_EFAIL, errno, "'%s'", path);
			p = cwd;
		} else
			p = path;
		for (; *p; p = e) {
			while (*p == '/')
				p++;
			if (!*p)
				break;
			for (e = p; *e && *e != '/'; e++)
				;
			if (e - p == 1 && p[0] == '.')
				continue;
			if (e - p == 2 && p[0] == '.' && p[1] == '.') {
				while (n > 1 && buf[n - 1] != '/')
					n--;
				if (n > 1)
					n--;
				continue;
			}
			if (n + (size_t)(e - p) + 2 > size)
				return osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s'", path);
			if (n > 1)
				buf[n++] = '/';
			memcpy(buf + n, p, (size_t)(e - p));
			n += (size_t)(e - p);
		}
	}
	buf[n] = '\0';
	return NULL;
}

void
osl_fs_close(struct osl_fs_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

const struct osl_error *
osl_fs_copy_fd(int in, int out, unsigned long long *copied, int *which)
{
	enum { BUFSZ = 128 * 1024 };
	char *buf = NULL;
	const struct osl_error *err = NULL;
	ssize_t n, w;
	bool try_sendfile = true;

	*copied = 0;
	*which = 0;
	for (;;) {
		if (try_sendfile) {
			n = sendfile(out, in, NULL, 1 << 30);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EPIPE || errno == ENOSPC || errno == EFBIG ||
			    errno == EDQUOT || errno == EAGAIN)) {
				*which = 1;
				return osl_error_sys(OSL_EFAIL, errno, "copy");
			}
			if (n < 0) {
				/* EINVAL or ENOSYS (not for these files), or an error
				 * such as EIO that sendfile cannot place on a side:
				 * read and write go on and tell which one it is */
				try_sendfile = false;
				continue;
			}
			if (n == 0)
				return NULL;
			*copied += (unsigned long long)n;
			continue;
		}
		if (!buf && !(buf = malloc(BUFSZ)))
			return osl_error_nomem();
		n = read(in, buf, BUFSZ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*which = 0;
			err = osl_error_sys(OSL_EFAIL, errno, "read");
			goto done;
		}
		if (n == 0)
			goto done;
		for (ssize_t off = 0; off < n; off += w) {
			w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w < 0) {
				*which = 1;
				err = osl_error_sys(OSL_EFAIL, errno, "write");
				goto done;
			}
		}
		*copied += (unsigned long long)n;
	}
done:
	free(buf);
	return err;
}

const char *
osl_fs_type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symbolic link";
	case S_IFCHR: return "character special file";
	case S_IFBLK: return "block special file";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "unknown";
	}
}

const char *
osl_fs_type_word(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char";
	case S_IFBLK: return "block";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "unknown";
	}
}

const struct osl_error *
osl_fs_join(char *buf, size_t size, const char *dir, const char *name)
{
	size_t len = strlen(dir);
	int n;

	/* one slash between them: "a/" and "x" is "a/x", not "a//x" */
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len > (size_t)INT_MAX)
		return osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s/%s'", dir, name);
	if (len == 1 && dir[0] == '/')
		n = snprintf(buf, size, "/%s", name);
	else
		n = snprintf(buf, size, "%.*s/%s", (int)len, dir, name);
	if (n < 0 || (size_t)n >= size)
		return osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s/%s'", dir, name);
	return NULL;
}

/* The real path of an O_PATH descriptor, as the kernel names it. */
static int
fd_real(int fd, char *buf, size_t size)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, size - 1);
	if (n < 0)
		return -1;
	if ((size_t)n >= size - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	if (buf[0] != '/') {
		errno = EXDEV;
		return -1;
	}
	return 0;
}

const struct osl_error *
osl_fs_resolve_parent(struct osl_fs_dest *d, const char *given, unsigned flags)
{
	const struct osl_error *err = NULL;
	char path[PATH_MAX], dir[PATH_MAX], link[PATH_MAX], rp[PATH_MAX];
	struct open_how how = { 0 };
	const char *name, *slash;
	size_t len;
	ssize_t n;
	long fd;

	memset(d, 0, sizeof(*d));
	d->dirfd = -1;
	d->given = given;
	if (!*given)
		return osl_error_sys(OSL_EFAIL, ENOENT, "'%s'", given);
	if (strlen(given) >= sizeof(path))
		return osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s'", given);
	memcpy(path, given, strlen(given) + 1);
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_NO_MAGICLINKS;
	for (int hops = 0;; hops++) {
		len = strlen(path);
		while (len > 1 && path[len - 1] == '/')
			path[--len] = '\0';
		if ((slash = strrchr(path, '/'))) {
			name = slash + 1;
			if (slash == path)
				memcpy(dir, "/", 2);
			else {
				memcpy(dir, path, (size_t)(slash - path));
				dir[slash - path] = '\0';
			}
		} else {
			name = path;
			memcpy(dir, ".", 2);
		}
		if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
			err = osl_error_sys(OSL_EFAIL, EINVAL, "'%s'", given);
			goto done;
		}
		if (strlen(name) > NAME_MAX) {
			err = osl_error_sys(OSL_EFAIL, ENAMETOOLONG, "'%s'", given);
			goto done;
		}
		if (d->dirfd >= 0)
			close(d->dirfd);
		fd = sys_openat2(AT_FDCWD, dir, &how);
		if (fd < 0 && errno == ENOSYS)
			fd = open(dir, (int)how.flags);
		d->dirfd = (int)fd;
		if (fd < 0) {
			err = osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
			goto done;
		}
		memcpy(d->name, name, strlen(name) + 1);
		if (fstatat(d->dirfd, d->name, &d->st, AT_SYMLINK_NOFOLLOW) == 0)
			d->exists = true;
		else if (errno != ENOENT) {
			err = osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
			goto done;
		}
		if (!d->exists || !S_ISLNK(d->st.st_mode) || !(flags & OSL_FS_FOLLOW_LAST))
			break;
		if (hops >= 40) {
			err = osl_error_sys(OSL_EFAIL, ELOOP, "'%s'", given);
			goto done;
		}
		if ((n = readlinkat(d->dirfd, d->name, link, sizeof(link) - 1)) < 0) {
			err = osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
			goto done;
		}
		link[n] = '\0';
		/* a relative target is relative to the link's directory */
		if (link[0] == '/')
			memcpy(path, link, (size_t)n + 1);
		else if ((err = osl_fs_join(path, sizeof(path), dir, link)))
			goto done;
		d->exists = false;
	}
	if (fd_real(d->dirfd, rp, sizeof(rp)) < 0) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
		goto done;
	}
	err = osl_fs_join(d->real, sizeof(d->real), rp, d->name);
done:
	if (err)
		osl_fs_dest_close(d);
	return err;
}

void
osl_fs_dest_close(struct osl_fs_dest *d)
{
	if (d->dirfd >= 0)
		close(d->dirfd);
	d->dirfd = -1;
}
