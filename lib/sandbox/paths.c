/* Opening a rule's path for the kernel without following a symlink the
 * policy did not follow (man/osl-proc.1, "RULE PATHS").  A rule's real path
 * (osl_rule.real) has every symlink the policy trusts resolved already, so
 * any symlink met now is one it did not trust, or one put there since. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"

int
osl_sb_open(const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)	/* before Linux 5.6 */
		fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW);
	return (int)fd;
}

bool
osl_sb_first_link(const char *path, struct osl_sb_link *l)
{
	char buf[4096];
	struct stat st;
	size_t n = strlen(path);
	ssize_t tl;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (lstat(buf, &st) == 0 && S_ISLNK(st.st_mode)) {
			snprintf(l->path, sizeof(l->path), "%s", buf);
			tl = readlink(buf, l->target, sizeof(l->target) - 1);
			l->target[tl < 0 ? 0 : tl] = '\0';
			l->owner = st.st_uid;
			/* the kernel's own (/dev/stdout, /proc/self): a descriptor,
			 * not a path a policy names */
			l->kernel = !strncmp(buf, "/proc/", 6) ||
			    !strncmp(l->target, "/proc/", 6);
			return true;
		}
		buf[i] = path[i];
	}
	return false;
}

/* --- in the child: system calls only --- */

int
osl_sb_verified(const char *path, dev_t dev, ino_t ino, char proc[32], int *fdp)
{
	struct stat st;
	char num[16];
	int fd, i = 0, e;

	if ((fd = osl_sb_open(path, O_PATH)) == -1)
		return errno;
	if (fstat(fd, &st) == -1 || st.st_dev != dev || st.st_ino != ino) {
		/* not the file prepare saw: a rename or a new link since */
		e = fstat(fd, &st) == -1 ? errno : ESTALE;
		close(fd);
		return e;
	}
	for (unsigned v = (unsigned)fd; i == 0 || v; v /= 10)
		num[i++] = (char)('0' + v % 10);
	memcpy(proc, "/proc/self/fd/", 14);
	for (int j = 0; j < i; j++)
		proc[14 + j] = num[i - 1 - j];
	proc[14 + i] = '\0';
	*fdp = fd;
	return 0;
}
