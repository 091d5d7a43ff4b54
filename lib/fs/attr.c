/* Changing a resolved file's attributes through its O_PATH descriptor. */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

const struct osl_error *
osl_fs_chmod(int fd, const char *given, mode_t mode)
{
	char proc[64];

	/* fchmod() refuses O_PATH descriptors; the /proc link reaches the
	 * same inode without looking the name up again */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chmod(proc, mode) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
	return NULL;
}

const struct osl_error *
osl_fs_chown(int fd, const char *given, uid_t uid, gid_t gid)
{
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
	return NULL;
}

const struct osl_error *
osl_fs_touch(int fd, const char *given)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (utimensat(AT_FDCWD, proc, NULL, 0) < 0)
		return osl_error_sys(OSL_EFAIL, errno, "'%s'", given);
	return NULL;
}
