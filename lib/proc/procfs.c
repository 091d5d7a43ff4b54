/* Reading processes from /proc for `osl proc ps/info/tree/kill`. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc/proc.h"
#include "util/file.h"

/* Seconds since boot when the system started: btime of /proc/stat. */
static uint64_t
boot_time(void)
{
	static uint64_t bt;
	char buf[8192], *p;

	if (bt)
		return bt;
	if (osl_read_small("/proc/stat", buf, sizeof(buf)) > 0 && (p = strstr(buf, "\nbtime ")))
		bt = strtoull(p + 7, NULL, 10);
	return bt;
}

const struct osl_error *
osl_proc_read(pid_t pid, struct osl_procinfo *pi)
{
	char path[64], buf[4096], *p, *q;
	unsigned long long start = 0;
	long rss = 0;
	ssize_t n;
	int ppid = 0, pgid = 0, sid = 0;

	memset(pi, 0, sizeof(*pi));
	pi->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (osl_read_small(path, buf, sizeof(buf)) <= 0)
		return osl_error_new(OSL_EFAIL, "'%d': no such process", (int)pid);
	/* comm may hold spaces and parentheses: it ends at the last ')' */
	if (!(p = strchr(buf, '(')) || !(q = strrchr(buf, ')')))
		return osl_error_new(OSL_EFAIL, "'%d': cannot parse %s", (int)pid, path);
	snprintf(pi->comm, sizeof(pi->comm), "%.*s", (int)(q - p - 1), p + 1);
	if (sscanf(q + 2, "%c %d %d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
	    "%*d %llu %*u %ld", &pi->state, &ppid, &pgid, &sid, &start, &rss) < 6)
		return osl_error_new(OSL_EFAIL, "'%d': cannot parse %s", (int)pid, path);
	pi->ppid = ppid;
	pi->pgid = pgid;
	pi->sid = sid;
	pi->start_sec = boot_time() + start / (unsigned long long)sysconf(_SC_CLK_TCK);
	pi->rss_kb = (uint64_t)rss * ((uint64_t)sysconf(_SC_PAGESIZE) / 1024);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (osl_read_small(path, buf, sizeof(buf)) > 0 && (p = strstr(buf, "\nUid:")))
		pi->uid = (uid_t)strtoul(p + 5, NULL, 10);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = osl_read_small(path, pi->cmd, sizeof(pi->cmd));
	if (n <= 0) {
		snprintf(pi->cmd, sizeof(pi->cmd), "[%s]", pi->comm);
	} else {
		for (ssize_t i = 0; i < n - 1; i++)
			if (pi->cmd[i] == '\0')
				pi->cmd[i] = ' ';
	}
	return NULL;
}

int
osl_proc_descends(pid_t pid, pid_t ancestor)
{
	struct osl_procinfo pi;

	/* a process of the chain that exits meanwhile has its children
	 * reparented: the walk starts again from PID (a few times) */
	for (int tries = 0; tries < 8; tries++) {
		pid_t p = pid;
		int depth;

		/* a chain is at most pid_max long; 4096 steps is deeper than any tree */
		for (depth = 0; depth < 4096 && p > 0; depth++) {
			if (p == ancestor)
				return 1;
			if (p == 1 || osl_proc_read(p, &pi))
				break;
			p = pi.ppid;
		}
		if (p == ancestor)
			return 1;
		if (p <= 1 || depth == 4096)
			return 0;
		if (depth == 0)
			return -1;	/* PID itself is gone */
	}
	return -1;
}

static int
by_pid(const void *a, const void *b)
{
	const struct osl_procinfo *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

const struct osl_error *
osl_proc_list(struct osl_procinfo **out, size_t *n)
{
	struct osl_procinfo *v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	if (!(d = opendir("/proc")))
		return osl_error_errno("cannot read '/proc'");
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct osl_procinfo *nv = reallocarray(v, nc, sizeof(*nv));

			if (!nv) {
				free(v);
				closedir(d);
				return osl_error_nomem();
			}
			v = nv;
			cap = nc;
		}
		/* a process that exits while we read is simply not listed */
		if (osl_proc_read((pid_t)pid, &v[cnt]) == NULL)
			cnt++;
	}
	closedir(d);
	qsort(v, cnt, sizeof(*v), by_pid);
	*out = v;
	*n = cnt;
	return NULL;
}

static const struct osl_procinfo *
find(const struct osl_procinfo *list, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].pid == pid)
			return &list[i];
	return NULL;
}

unsigned
osl_proc_signal_scope(pid_t self, uid_t uid, const struct osl_procinfo *list, size_t n,
    const struct osl_procinfo *target)
{
	unsigned s = OSL_SIGNAL_ANY;
	const struct osl_procinfo *p = target;

	if (target->pid == self)
		s |= OSL_SIGNAL_SELF;
	if (target->uid == uid)
		s |= OSL_SIGNAL_SAME_USER;
	/* a descendant: walk up the parents (bounded: the list may be torn) */
	for (size_t hops = 0; p && p->ppid > 0 && hops < n; hops++) {
		if (p->ppid == self) {
			s |= OSL_SIGNAL_CHILDREN;
			break;
		}
		p = find(list, n, p->ppid);
	}
	return s;
}
