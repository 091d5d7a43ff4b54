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
#include <sys/socket.h>
#include <sys/un.h>

/* NAME: reach the named unix socket at BASE/REL (a stream connect, or one
 * datagram sent to it for SOCK_DGRAM); skipped with MISSING when no socket
 * is there. */
static inline int
unix_reach(const char *name, const char *rel, int type, const char *missing)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", B, rel);
	if (access(a.sun_path, F_OK) == -1)
		return skip(name, missing);
	if ((s = socket(AF_UNIX, type, 0)) == -1)
		return result(name, errno);
	if (type == SOCK_DGRAM)
		return result(name, sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) == -1 ?
		    errno : 0);
	return result(name, connect(s, (struct sockaddr *)&a, sizeof(a)) == -1 ? errno : 0);
}

#if defined(__x86_64__)
#include <sys/mman.h>

static inline long
int80(long nr, long a, long b)
{
	long r;

	__asm__ volatile ("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
	return r;
}

/* NAME: socket(FAMILY, TYPE) through the i386 socketcall(2) multiplexer,
 * whose arguments live in memory a filter cannot read. */
static inline int
i386_socket(const char *name, unsigned family, unsigned type)
{
	unsigned int *args;
	long r;

	if (int80(20 /* getpid */, 0, 0) == -ENOSYS)
		return skip(name, "the kernel has no i386 entry point");
	args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (args == MAP_FAILED)
		return skip(name, "no memory below 4G");
	args[0] = family;
	args[1] = type;
	args[2] = 0;
	r = int80(102 /* socketcall */, 1 /* SYS_SOCKET */, (long)args);
	return result(name, r < 0 && r > -4096 ? (int)-r : 0);
}
#endif

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
