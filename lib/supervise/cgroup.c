/* cgroup v2 containment of supervised children (see cgroup.h).  Only the
 * cgroup v2 hierarchy is written to; v1 hierarchies are left alone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervise/cgroup.h"
#include "util/parse.h"

/* ------------------------------------------------------------- locate --- */

/* Copy mountinfo field F (LEN bytes) to OUT, undoing its octal escapes
 * (\040 for a space). */
static bool
unescape(const char *f, size_t len, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = f[i];

		if (c == '\\' && i + 3 < len &&
		    f[i + 1] >= '0' && f[i + 1] <= '3' && f[i + 2] >= '0' && f[i + 2] <= '7' &&
		    f[i + 3] >= '0' && f[i + 3] <= '7') {
			c = (char)((f[i + 1] - '0') * 64 + (f[i + 2] - '0') * 8 + (f[i + 3] - '0'));
			i += 3;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

/* The cgroup2 mount of mountinfo line L (up to E) that holds CG: OUT is
 * where CG is under it. */
static bool
locate_line(const char *l, const char *e, const char *cg, size_t cglen, char *out, size_t size)
{
	const char *f[5], *sep, *p = l;
	size_t flen[5];
	char root[512], mp[512];
	size_t rl;

	for (int i = 0; i < 5; i++) {
		const char *s = memchr(p, ' ', (size_t)(e - p));

		if (!s)
			return false;
		f[i] = p;
		flen[i] = (size_t)(s - p);
		p = s + 1;
	}
	/* optional fields end at " - ", then the filesystem type */
	if (!(sep = memmem(p - 1, (size_t)(e - p + 1), " - ", 3)) || (size_t)(e - sep) < 11 ||
	    memcmp(sep + 3, "cgroup2 ", 8))
		return false;
	if (!unescape(f[3], flen[3], root, sizeof(root)) || !unescape(f[4], flen[4], mp, sizeof(mp)))
		return false;
	rl = strcmp(root, "/") ? strlen(root) : 0;
	/* the mount shows the hierarchy from ROOT down: CG must be under it */
	if (rl && (cglen < rl || memcmp(cg, root, rl) || (cglen > rl && cg[rl] != '/')))
		return false;
	cg += rl;
	cglen -= rl;
	if (cglen == 1 && *cg == '/')
		cglen = 0;
	return snprintf(out, size, "%s%.*s", mp, (int)cglen, cg) < (int)size;
}

bool
osl_sv_cgroup_locate(const char *mountinfo, const char *self, char *out, size_t size)
{
	const char *cg = NULL, *p, *e;
	size_t cglen = 0;

	for (p = self; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		if (!strncmp(p, "0::", 3)) {
			cg = p + 3;
			cglen = (size_t)(e - cg);
			break;
		}
	}
	if (!cg || !cglen || *cg != '/')
		return false;
	for (p = mountinfo; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		if (locate_line(p, e, cg, cglen, out, size))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------- the files --- */

/* A whole small file (NUL-terminated), or -1 with errno. */
static ssize_t
slurp(int dirfd, const char *file, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t k;
	int fd;

	if ((fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (n + 1 < size && (k = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)k;
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

static bool
put(int dirfd, const char *file, const char *s)
{
	ssize_t n;
	int fd, e;

	if ((fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC)) == -1)
		return false;
	n = write(fd, s, strlen(s));
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(s);
}

static bool
has_word(const char *list, const char *w)
{
	size_t wl = strlen(w);

	for (const char *p = list; (p = strstr(p, w)); p += wl)
		if ((p == list || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\n' || !p[wl]))
			return true;
	return false;
}

/* True when osl is the only process of folder FD. */
static bool
alone(int fd)
{
	char buf[64], self[24];

	snprintf(self, sizeof(self), "%d\n", (int)getpid());
	return slurp(fd, "cgroup.procs", buf, sizeof(buf)) > 0 && !strcmp(buf, self);
}

/* Give the children's folders controller C: BASE (osl's own cgroup) must
 * pass it down, which it cannot while it holds a process (the kernel's "no
 * internal processes" rule); if osl is alone there, it moves itself into a
 * folder of its own first (as a delegated service does). */
static bool
enable(struct osl_sv_cgroup *cg, int base, const char *c)
{
	char buf[256], plus[24];

	if (slurp(base, "cgroup.controllers", buf, sizeof(buf)) < 0 || !has_word(buf, c))
		return false;
	snprintf(plus, sizeof(plus), "+%s", c);
	if (slurp(base, "cgroup.subtree_control", buf, sizeof(buf)) < 0)
		return false;
	if (!has_word(buf, c) && !put(base, "cgroup.subtree_control", plus)) {
		if (errno != EBUSY || cg->moved || !alone(base))
			return false;
		if ((mkdirat(cg->fd, ".supervisor", 0755) == -1 && errno != EEXIST) ||
		    !(cg->moved = put(cg->fd, ".supervisor/cgroup.procs", "0")) ||
		    !put(base, "cgroup.subtree_control", plus))
			return false;
	}
	return put(cg->fd, "cgroup.subtree_control", plus);
}

/* ------------------------------------------------------------ leftovers --- */

bool
osl_sv_cgroup_owner(const char *name, pid_t *pid)
{
	static const char pre[] = "osl-supervise.";
	uint64_t v;

	if (strncmp(name, pre, sizeof(pre) - 1) ||
	    !osl_parse_uint(name + sizeof(pre) - 1, INT32_MAX, &v) || v == 0)
		return false;
	*pid = (pid_t)v;
	return true;
}

/* Folder NAME of DIRFD and the folders below it, deepest first: rmdir only,
 * so a folder that holds a process or a folder stays (cgroup v2 refuses
 * it), and nothing else is ever removed. */
static void
rmdir_tree(int at, const char *name, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (depth > 0 && (fd = openat(at, name, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) != -1) {
		if ((d = fdopendir(fd)) == NULL) {
			close(fd);
		} else {
			while ((de = readdir(d)) != NULL)
				if (de->d_type == DT_DIR && strcmp(de->d_name, ".") &&
				    strcmp(de->d_name, ".."))
					rmdir_tree(dirfd(d), de->d_name, depth - 1);
			closedir(d);
		}
	}
	unlinkat(at, name, AT_REMOVEDIR);
}

/* The folders osl-supervise.PID of BASE that supervisors killed with
 * SIGKILL left (osl-supervise(8), CONTAINMENT): those whose PID is gone,
 * whose lock no supervisor holds (a PID of another PID namespace may look
 * gone from here), and that hold no process anywhere below
 * (cgroup.events: populated 0). */
static void
sweep(int base)
{
	char ev[256];
	struct dirent *de;
	pid_t pid;
	DIR *d;
	int fd;

	if ((fd = dup(base)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!osl_sv_cgroup_owner(de->d_name, &pid) || pid == getpid() ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		if ((fd = openat(base, de->d_name, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    slurp(fd, "cgroup.events", ev, sizeof(ev)) > 0 && strstr(ev, "populated 0\n"))
			rmdir_tree(base, de->d_name, 8);
		close(fd);
	}
	closedir(d);
}

void
osl_sv_cgroup_open(struct osl_sv_cgroup *cg)
{
	char base[512], self[4096], name[40];
	char *mi = NULL;
	size_t cap = 0, n = 0;
	FILE *f;
	int bfd;

	memset(cg, 0, sizeof(*cg));
	cg->fd = -1;
	if (slurp(AT_FDCWD, "/proc/self/cgroup", self, sizeof(self)) < 0 ||
	    !(f = fopen("/proc/self/mountinfo", "re"))) {
		snprintf(cg->why, sizeof(cg->why), "/proc is not readable");
		return;
	}
	n = getdelim(&mi, &cap, '\0', f) > 0 ? 1 : 0;
	fclose(f);
	if (!n || !osl_sv_cgroup_locate(mi, self, base, sizeof(base))) {
		free(mi);
		snprintf(cg->why, sizeof(cg->why), "no cgroup v2 hierarchy holds osl");
		return;
	}
	free(mi);
	snprintf(name, sizeof(name), "osl-supervise.%d", (int)getpid());
	if ((bfd = open(base, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) != -1)
		sweep(bfd);
	if (bfd == -1 || mkdirat(bfd, name, 0755) == -1 ||
	    (cg->fd = openat(bfd, name, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(cg->why, sizeof(cg->why), "'%s' is not writable: %s", base, strerror(errno));
		if (bfd != -1)
			close(bfd);
		return;
	}
	snprintf(cg->path, sizeof(cg->path), "%s/%s", base, name);
	/* held until osl ends: the folder is a live supervisor's (sweep) */
	flock(cg->fd, LOCK_EX | LOCK_NB);
	cg->memory = enable(cg, bfd, "memory");
	cg->pids = enable(cg, bfd, "pids");
	close(bfd);
	if (!cg->memory || !cg->pids)
		snprintf(cg->why, sizeof(cg->why), "no %s%s%s controller for the children of '%s'",
		    cg->memory ? "" : "memory", !cg->memory && !cg->pids ? " or " : "",
		    cg->pids ? "" : "pids", base);
}

/* One limit into NOTE: applied, or why not. */
static void
limit(int fd, bool have, const char *file, uint64_t v, char *note, size_t size)
{
	size_t n = strlen(note);
	char num[24];

	if (v == UINT64_MAX || n >= size)
		return;
	snprintf(num, sizeof(num), "%" PRIu64, v);
	if (!have)
		snprintf(note + n, size - n, "%s%s not applied", n ? "; " : "", file);
	else if (!put(fd, file, num))
		snprintf(note + n, size - n, "%s%s not applied: %s", n ? "; " : "", file,
		    strerror(errno));
	else
		snprintf(note + n, size - n, "%s%s=%s", n ? "; " : "", file, num);
}

int
osl_sv_cgroup_child(struct osl_sv_cgroup *cg, const char *name, uint64_t memory,
    uint64_t nproc, char *note, size_t size)
{
	int fd;

	*note = '\0';
	if (cg->fd == -1) {
		snprintf(note, size, "%s", cg->why);
		return -1;
	}
	/* ".supervisor" is osl's own, "." and ".." are not folders to make */
	if (name[0] == '.') {
		snprintf(note, size, "a name that starts with '.' gets no cgroup");
		return -1;
	}
	if ((mkdirat(cg->fd, name, 0755) == -1 && errno != EEXIST) ||
	    (fd = openat(cg->fd, name, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(note, size, "'%s/%s': %s", cg->path, name, strerror(errno));
		return -1;
	}
	limit(fd, cg->memory, "memory.max", memory, note, size);
	limit(fd, cg->pids, "pids.max", nproc, note, size);
	return fd;
}

bool
osl_sv_cgroup_kill(int fd)
{
	return put(fd, "cgroup.kill", "1");
}

bool
osl_sv_cgroup_signal(int fd, int sig, bool (*skip)(pid_t pid, const void *arg), const void *arg)
{
	char buf[8192], *p, *e;
	bool any = false;

	if (slurp(fd, "cgroup.procs", buf, sizeof(buf)) <= 0)
		return false;
	for (p = buf; *p; p = e) {
		long pid = strtol(p, &e, 10);

		if (e == p)
			break;
		if (pid <= 0)
			continue;
		if (skip && skip((pid_t)pid, arg))
			any = true;
		else if (kill((pid_t)pid, sig) == 0)
			any = true;
	}
	return any;
}

int64_t
osl_sv_cgroup_read(int fd, const char *file)
{
	char buf[32], *e;
	long long v;

	if (fd < 0 || slurp(fd, file, buf, sizeof(buf)) <= 0)
		return -1;
	v = strtoll(buf, &e, 10);
	return e == buf || v < 0 ? -1 : (int64_t)v;
}

void
osl_sv_cgroup_remove(struct osl_sv_cgroup *cg, const char *name)
{
	if (cg->fd != -1)
		unlinkat(cg->fd, name, AT_REMOVEDIR);
}

void
osl_sv_cgroup_close(struct osl_sv_cgroup *cg)
{
	if (cg->fd == -1)
		return;
	close(cg->fd);
	cg->fd = -1;
	/* osl itself is in .supervisor when it moved: both stay */
	if (!cg->moved)
		rmdir(cg->path);
}
