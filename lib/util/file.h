/* Reading the small files of /proc and /sys, for lib/proc, lib/sandbox and
 * lib/supervise alike (here so that none of them includes another for it). */
#ifndef OSL_UTIL_FILE_H
#define OSL_UTIL_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* A small file (/proc, /sys) into BUF, NUL-terminated: its length, or -1
 * and errno when it cannot be opened. */
ssize_t osl_read_small(const char *path, char *buf, size_t size);

#endif
