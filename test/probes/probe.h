/* Shared by the escape probes.  Each probe tries ONE escape and prints
 * {"probe":"NAME","errno":N}: errno 0 means the escape worked.  A probe that
 * cannot run here prints {"probe":"NAME","skip":"why"}.
 * Arguments: BASE (the fixture folder: work/ writable, outside/ read-only,
 * secret/ denied), PORT (a TCP port a helper listens on), HELPER (its pid). */
#ifndef OSL_PROBE_H
#define OSL_PROBE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *B __attribute__((unused));		/* BASE */
static int PORT __attribute__((unused));
static int HELPER __attribute__((unused));

static inline int
result(const char *name, int err)
{
	printf("{\"probe\":\"%s\",\"errno\":%d}\n", name, err);
	return 0;
}

static inline int
skip(const char *name, const char *why)
{
	printf("{\"probe\":\"%s\",\"skip\":\"%s\"}\n", name, why);
	return 0;
}

/* BASE/REL into BUF */
static inline const char *
at(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", B, rel);
	return buf;
}

#define PROBE_ARGS(argc, argv) do { \
	if ((argc) < 2) { fprintf(stderr, "usage: %s BASE [PORT HELPER]\n", (argv)[0]); return 2; } \
	B = (argv)[1]; PORT = (argc) > 2 ? atoi((argv)[2]) : 0; HELPER = (argc) > 3 ? atoi((argv)[3]) : 0; \
} while (0)

/* errno of a call that returns -1 on failure (0 when it worked) */
#define TRY(expr) ((expr) == -1 ? errno : 0)

/* Rename TOP (below BASE) aside, make the folders DIRS (NULL-terminated,
 * outermost first) again and the file FILE in the last: the errno of the
 * first step that failed (0: planted).  Everything is put back after. */
#include <fcntl.h>
#include <sys/stat.h>
static inline int
plant_after_rename(const char *top, const char *const *dirs, const char *file)
{
	char a[4096], aside[4096], d[8][4096], f[4096];
	int e, fd, n = 0;

	at(a, sizeof(a), top);
	snprintf(aside, sizeof(aside), "%s.aside", a);
	at(f, sizeof(f), file);
	if ((e = TRY(rename(a, aside))))
		return e;
	for (; dirs[n] && n < 8 && !e; n++)
		e = TRY(mkdir(at(d[n], sizeof(d[n]), dirs[n]), 0755));
	if (!e) {
		e = TRY(fd = open(f, O_WRONLY | O_CREAT, 0644));
		if (!e)
			close(fd);
	}
	unlink(f);
	while (n > 0)
		rmdir(d[--n]);
	rename(aside, a);
	return e;
}

#endif
