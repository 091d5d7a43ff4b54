/* `osl policy learn`: reading the traced process (learn-int.h) — its
 * memory, its /proc entries, and the paths it names, made absolute. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "policy/policy.h"
#include "proc/learn-int.h"

bool
learn_read_mem(pid_t pid, unsigned long addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

/* A NUL-terminated string, read page by page (a string may end just
 * before an unmapped page). */
bool
learn_read_str(pid_t pid, unsigned long addr, char *buf, size_t size)
{
	size_t got = 0;

	while (got < size - 1) {
		size_t chunk = 4096 - ((addr + got) & 4095);

		if (chunk > size - 1 - got)
			chunk = size - 1 - got;
		if (!learn_read_mem(pid, addr + got, buf + got, chunk))
			return false;
		if (memchr(buf + got, '\0', chunk))
			return true;
		got += chunk;
	}
	buf[size - 1] = '\0';
	return false;		/* too long */
}

bool
learn_proc_link(pid_t pid, const char *what, char *buf, size_t size)
{
	char p[64];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, what);
	if ((n = readlink(p, buf, size - 1)) <= 0)
		return false;
	buf[n] = '\0';
	return buf[0] == '/';
}

void
learn_comm_of(pid_t pid, char *buf, size_t size)
{
	char p[64];
	FILE *f;

	buf[0] = '\0';
	snprintf(p, sizeof(p), "/proc/%d/comm", (int)pid);
	if ((f = fopen(p, "re"))) {
		if (fgets(buf, (int)size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/* Remove ".", "..", "//" from an absolute path, in place. */
static void
normalise(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		if (in[0] == '.' && (in[1] == '/' || !in[1])) {
			in++;
			continue;
		}
		if (in[0] == '.' && in[1] == '.' && (in[2] == '/' || !in[2])) {
			in += 2;
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		while (*in && *in != '/')
			*out++ = *in++;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* PATH as the tracee named it, relative to DIRFD, made absolute and
 * resolved as far as it exists (the last component may be gone: an
 * unlink, the source of a rename). */
bool
learn_resolve_at(pid_t pid, long dirfd, const char *path, char *out, size_t size)
{
	char base[PATH_MAX], joined[2 * PATH_MAX], real[PATH_MAX], *slash;

	if (path[0] == '/')
		snprintf(joined, sizeof(joined), "%s", path);
	else {
		char what[32];

		if ((int)dirfd == AT_FDCWD)
			snprintf(what, sizeof(what), "cwd");
		else
			snprintf(what, sizeof(what), "fd/%d", (int)dirfd);
		if (!learn_proc_link(pid, what, base, sizeof(base)))
			return false;
		snprintf(joined, sizeof(joined), "%s/%s", base, path);
	}
	normalise(joined);
	/* the tracee's own /proc entries: realpath here would give ours */
	if (osl_path_proc_self(joined)) {
		snprintf(out, size, "%s", joined);
		return true;
	}
	if (realpath(joined, real)) {
		snprintf(out, size, "%s", real);
		return true;
	}
	if ((slash = strrchr(joined, '/')) && slash != joined) {
		*slash = '\0';
		if (realpath(joined, real)) {
			snprintf(out, size, "%s/%s", strcmp(real, "/") ? real : "", slash + 1);
			return true;
		}
		*slash = '/';
	}
	snprintf(out, size, "%s", joined);
	return true;
}

/* The ids of thread PID as its own /proc shows them: its process (Tgid)
 * and itself, in the innermost PID namespace (NStgid, NSpid: the last). */
static void
ids_of(pid_t pid, long *tgid, long *tid)
{
	char p[64], line[256];
	FILE *f;

	*tgid = *tid = pid;
	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	if (!(f = fopen(p, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char *last = strrchr(line, '\t');

		if (!last)
			continue;
		if (!strncmp(line, "NStgid:", 7))
			*tgid = strtol(last + 1, NULL, 10);
		else if (!strncmp(line, "NSpid:", 6))
			*tid = strtol(last + 1, NULL, 10);
	}
	fclose(f);
}

pid_t
learn_maker_of(pid_t pid)
{
	char p[64], line[256];
	long tgid = 0, ppid = 0;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	if (!(f = fopen(p, "re")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Tgid:", 5))
			tgid = strtol(line + 5, NULL, 10);
		else if (!strncmp(line, "PPid:", 5))
			ppid = strtol(line + 5, NULL, 10);
	}
	fclose(f);
	return (pid_t)(tgid && tgid != pid ? tgid : ppid);
}

/* /proc/N/... of the process itself as /proc/self/..., of the thread
 * itself as /proc/thread-self/... (in place): a rule that holds on the next
 * run, whatever the process ids are then. */
void
learn_proc_self(pid_t pid, char *path, size_t size)
{
	char rest[PATH_MAX];
	const char *self = NULL;
	long n, tgid, tid;
	char *end;

	if (strncmp(path, "/proc/", 6) || path[6] < '1' || path[6] > '9')
		return;
	n = strtol(path + 6, &end, 10);
	if (*end != '/' && *end)
		return;
	ids_of(pid, &tgid, &tid);
	if (n == tgid && !strncmp(end, "/task/", 6)) {
		char *e2;
		long t = strtol(end + 6, &e2, 10);

		if (t == tid && (*e2 == '/' || !*e2)) {
			end = e2;
			self = "thread-self";
		}
	}
	if (!self && n == tgid)
		self = "self";
	if (!self && n == tid)
		self = "thread-self";
	if (!self)
		return;
	snprintf(rest, sizeof(rest), "%s", end);
	snprintf(path, size, "/proc/%s%s", self, rest);
}
