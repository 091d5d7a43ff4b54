/* File operations' OS layer: resolve a path once, decide on what it really
 * names, then operate on that very descriptor (no check-then-use race). */
#ifndef OSL_FS_H
#define OSL_FS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "error.h"

enum {
	OSL_FS_NOFOLLOW = 1u << 0,	/* do not follow a symlink in the last component */
};

struct osl_fs_file {
	int fd;			/* O_PATH descriptor of the resolved file, -1 when closed */
	const char *given;	/* the path as the user gave it */
	char real[PATH_MAX];	/* the resolved absolute path (what the policy decides on) */
	struct stat st;
};

/* Resolve GIVEN (relative to the current directory) with openat2(O_PATH,
 * RESOLVE_NO_MAGICLINKS): /proc/self/fd/N, /proc/PID/root and the like are
 * refused, symlinks elsewhere are followed (the last one too unless
 * OSL_FS_NOFOLLOW), and `real` is the kernel's name for the file it reached. */
const struct osl_error *osl_fs_resolve(struct osl_fs_file *f, const char *given, unsigned flags);
/* Open the resolved file for I/O (O_RDONLY etc.): the same inode, never a
 * fresh lookup of the name. */
const struct osl_error *osl_fs_reopen(const struct osl_fs_file *f, int oflags, int *fd);
void osl_fs_close(struct osl_fs_file *f);

/* The lexical absolute form of PATH: the current directory prepended, "."
 * and ".." and "//" folded, no symlink followed.  For deciding about a path
 * that does not (yet) exist. */
const struct osl_error *osl_fs_abspath(const char *path, char *buf, size_t size);

/* Copy all of IN to OUT (sendfile/splice where the kernel can, else
 * read/write with one buffer); *copied gets the byte count. */
const struct osl_error *osl_fs_copy_fd(int in, int out, unsigned long long *copied, int *which_failed);

/* "regular file", "directory", ... and the short names for JSON ("file", "dir"). */
const char *osl_fs_type_name(mode_t m);
const char *osl_fs_type_word(mode_t m);

#endif
