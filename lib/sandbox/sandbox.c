/* osl_sandbox_prepare() / osl_sandbox_apply(): the policy's kernel side for
 * a spawned program.  See sandbox.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/landlock-uapi.h"
#include "sandbox/sandbox-int.h"
#include "sandbox/unixconn.h"
#include "util/file.h"
#include "util/parse.h"

static bool
read_long(const char *path, long *v)
{
	char buf[32];

	if (osl_read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	*v = strtol(buf, NULL, 10);
	return true;
}

/* Is CAP in the effective set? */
static bool
has_cap(unsigned cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	return syscall(SYS_capget, &h, d) == 0 && (d[cap / 32].effective & (1u << (cap % 32)));
}

/* Can the child make namespaces: with CAP_SYS_ADMIN, or in a user namespace
 * of its own when the system lets unprivileged users have one.  Root
 * without CAP_SYS_ADMIN (a container's, setpriv's) is such a user, but
 * mapping uid 0 into a user namespace takes CAP_SETFCAP (Linux 5.12). */
bool
osl_sandbox_can_unshare(bool *need_user)
{
	long v;

	*need_user = !has_cap(CAP_SYS_ADMIN);
	if (!*need_user)
		return true;
	if (geteuid() == 0 && !has_cap(CAP_SETFCAP))
		return false;
	if (read_long("/proc/sys/user/max_user_namespaces", &v) && v == 0)
		return false;
	if (read_long("/proc/sys/kernel/unprivileged_userns_clone", &v) && v == 0)
		return false;
	if (read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) && v != 0)
		return false;
	return true;
}

static const struct osl_error *
add_mask(struct osl_sandbox_mask **v, size_t *n, const char *path, const struct stat *st)
{
	struct osl_sandbox_mask *m;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].path, path))
			return NULL;
	if (!(m = reallocarray(*v, *n + 1, sizeof(*m))))
		return osl_error_nomem();
	*v = m;
	if (!(m[*n].path = strdup(path)))
		return osl_error_nomem();
	m[*n].dir = S_ISDIR(st->st_mode);
	m[*n].dev = st->st_dev;
	m[*n].ino = st->st_ino;
	m[*n].in_tmp = m[*n].sock = false;
	(*n)++;
	return NULL;
}

bool
osl_sandbox_writable(const struct osl_sandbox *sb, const struct osl_policy *p, const char *dir)
{
	char wp[4096];

	if (!sb->ll_fs)
		return true;
	for (size_t j = 0; j < p->nrules; j++) {
		if (p->rules[j].kind != OSL_RULE_FS_WRITE)
			continue;
		osl_landlock_prefix(p->rules[j].real, wp, sizeof(wp));
		if (osl_path_within(wp, dir))
			return true;
	}
	return false;
}

const struct osl_error *
osl_sandbox_pin_ancestors(struct osl_sandbox *sb, const struct osl_policy *p, const char *path)
{
	const struct osl_error *err;
	char a[4096], parent[4096];
	struct stat st;
	char *slash;

	snprintf(a, sizeof(a), "%s", path);
	while ((slash = strrchr(a, '/')) && slash != a) {
		*slash = '\0';
		if ((slash = strrchr(a, '/')) == a)
			snprintf(parent, sizeof(parent), "/");
		else
			snprintf(parent, sizeof(parent), "%.*s", (int)(slash - a), a);
		if (!osl_sandbox_writable(sb, p, parent))
			continue;
		{
			int fd = osl_sb_open(a, O_PATH);

			if (fd == -1 || fstat(fd, &st) == -1) {
				if (fd != -1)
					close(fd);
				continue;
			}
			close(fd);
		}
		if ((err = add_mask(&sb->pins, &sb->npins, a, &st)))
			return err;
		sb->pins[sb->npins - 1].in_tmp = osl_tmp_below(sb, a) != NULL;
	}
	return NULL;
}

bool
osl_sandbox_has_net_rules(const struct osl_policy *p)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == OSL_RULE_NET_CONNECT || p->rules[i].kind == OSL_RULE_NET_BIND)
			return true;
	return false;
}

/* The report's lines for the IPC and UTS namespaces. */
static void
ns_report(struct osl_sandbox *sb)
{
	struct osl_sandbox_report *r = &sb->report;
	const char *why = "no namespace can be made here (needs CAP_SYS_ADMIN or user namespaces)";

	osl_report_add(r, "ns", "ipc", NULL, r->ns_ipc ? OSL_ENF_FULL : OSL_ENF_NONE, "%s",
	    r->ns_ipc ? "an IPC namespace of its own: no SysV shared memory, semaphore or "
	    "message queue of the host" : why);
	osl_report_add(r, "ns", "uts", NULL, r->ns_uts ? OSL_ENF_FULL : OSL_ENF_NONE, "%s",
	    r->ns_uts ? "a UTS namespace of its own: the host name is not the host's to set" :
	    why);
}

/* No connect or bind rule: no network at all. */
static void
no_network(struct osl_sandbox *sb, bool ns_ok)
{
	struct osl_sandbox_report *r = &sb->report;

	if (ns_ok)
		sb->ns_flags |= CLONE_NEWNET;
	if (sb->ll_net == (OSL_LL_NET_CONNECT_TCP | OSL_LL_NET_BIND_TCP))
		osl_report_add(r, "net", "no-network", NULL, ns_ok ? OSL_ENF_FULL : OSL_ENF_PARTIAL,
		    "no tcp (landlock), only unix sockets (seccomp)%s", ns_ok ?
		    ", an empty network namespace" : "; no network namespace: udp to "
		    "the host's network stays possible for a filter-less profile");
	else
		osl_report_add(r, "net", "no-network", NULL, ns_ok ? OSL_ENF_FULL : OSL_ENF_NONE,
		    "%s", ns_ok ? "an empty network namespace" :
		    "landlock has no tcp rules here and no network namespace can be made");
}

/* Host-name rules go through osl's egress proxy: in its network namespace
 * when there is one, else by port (*TCP_ONLY). */
static const struct osl_error *
egress_proxy(struct osl_sandbox *sb, const struct osl_sandbox_opts *o, bool *tcp_only)
{
	struct osl_sandbox_report *r = &sb->report;

	if (o->proxy_netns > 0) {
		sb->netns_fd = o->proxy_netns;
		sb->userns_fd = o->proxy_userns;
		/* the names and addresses are held by the proxy, not by port */
		for (size_t i = 0; i < r->n; i++)
			if (strcmp(r->entries[i].kind, "net.connect") == 0) {
				r->entries[i].level = OSL_ENF_FULL;
				snprintf(r->entries[i].reason, sizeof(r->entries[i].reason),
				    "%s", "only through the egress proxy, which decides "
				    "each request's name and addresses");
			}
		osl_report_add(r, "net", "egress-proxy", NULL, OSL_ENF_FULL,
		    "a network namespace with only loopback; the proxy on 127.0.0.1:%u "
		    "is the only way out", o->proxy_port);
	} else {
		bool ll = sb->ruleset_fd != -1 && (sb->ll_net & OSL_LL_NET_CONNECT_TCP);

		*tcp_only = true;
		osl_report_add(r, "net", "egress-proxy", NULL, ll ? OSL_ENF_PARTIAL : OSL_ENF_NONE,
		    "%s (the proxy's: %u) and seccomp refuses udp, raw and packet sockets%s; "
		    "no network namespace: %s", ll ? "landlock allows tcp by port only" :
		    "landlock cannot restrict tcp here", o->proxy_port, ll ? ", but a remote "
		    "host on an allowed port stays reachable" : "", o->proxy_reason ?
		    o->proxy_reason : "none can be made here");
	}
	if (sb->ruleset_fd != -1 && (sb->ll_net & OSL_LL_NET_CONNECT_TCP))
		return osl_landlock_allow_connect(sb, o->proxy_port);
	return NULL;
}

const struct osl_error *
osl_sandbox_prepare(struct osl_sandbox *sb, const struct osl_policy *p,
    const struct osl_sandbox_opts *o)
{
	struct osl_sandbox_report *r = &sb->report;
	const struct osl_error *err;
	bool need_user, ns_ok, net_any = osl_sandbox_has_net_rules(p), tcp_only = false;
	bool enforce = !o->audit && p->dflt == OSL_DENY;

	memset(sb, 0, sizeof(*sb));
	sb->report.terse = o->terse;
	sb->ruleset_fd = -1;
	osl_sandbox_limits_prepare(sb, &o->limits);
	ns_ok = osl_sandbox_can_unshare(&need_user);
	/* the private /tmp first: ${TMPDIR} rules and masks below it depend on it */
	if ((err = osl_tmp_prepare(sb, p, ns_ok)))
		goto done;
	if ((err = osl_landlock_prepare(sb, p, o->audit)))
		goto done;
	osl_tmp_finish(sb, p);
	if (enforce && (err = osl_sandbox_hide_log(sb, p, o->log_sink)))
		goto done;
	if ((err = osl_sandbox_deny_rules(sb, p, ns_ok)))
		goto done;
	if ((err = osl_exec_prepare(sb, p, ns_ok)))
		goto done;
	if (enforce && (err = osl_sockets_prepare(sb, p, ns_ok, o)))
		goto done;
	if (sb->nmasks)
		sb->ns_flags |= CLONE_NEWNS;

	if (!net_any && enforce)
		no_network(sb, ns_ok);
	/* IPC and UTS namespaces for every child (each costs microseconds):
	 * no SysV segment, semaphore or message queue of the host, and a host
	 * name of its own; with the user namespace below for those without
	 * CAP_SYS_ADMIN */
	if (ns_ok)
		sb->ns_flags |= CLONE_NEWIPC | CLONE_NEWUTS;
	if (net_any && enforce && !o->proxy_port)
		osl_sandbox_net_sockets(sb, p, ns_ok, o->serves, &tcp_only);
	if ((err = osl_pidns_prepare(sb, p, ns_ok, need_user, o->proxy_port && o->proxy_userns > 0)))
		goto done;
	if (sb->ns_flags && need_user)
		osl_sandbox_userns(sb);
	if (o->proxy_port && enforce && (err = egress_proxy(sb, o, &tcp_only)))
		goto done;
	osl_caps_prepare(sb, p->capabilities, o->audit);
	r->ns_user = (sb->ns_flags & CLONE_NEWUSER) || sb->userns_fd > 0;
	r->ns_mount = sb->ns_flags & CLONE_NEWNS;
	r->ns_net = (sb->ns_flags & CLONE_NEWNET) || sb->netns_fd > 0;
	r->ns_ipc = sb->ns_flags & CLONE_NEWIPC;
	r->ns_uts = sb->ns_flags & CLONE_NEWUTS;
	ns_report(sb);

	if ((err = osl_seccomp_build(&p->seccomp, net_any || !enforce, tcp_only, &sb->bpf,
	    &sb->bpf_len, &r->seccomp)) ||
	    (err = osl_seccomp_args(&p->seccomp, net_any || !enforce, true, &sb->bpf_args,
	    &sb->bpf_args_len)))
		goto done;
	if (enforce)
		osl_sandbox_vsock_report(sb, p);
	osl_report_add(r, "seccomp", "proc.seccomp", NULL,
	    sb->bpf ? OSL_ENF_FULL : OSL_ENF_NONE, "%s", sb->bpf ?
	    "profile loaded for x86_64, x32 and i386; other architectures are killed" :
	    "seccomp: none (no system call filter)");
	if (sb->ll_scoped)
		osl_report_add(r, "scope", "landlock.scope", NULL, OSL_ENF_FULL, "%s",
		    "abstract unix sockets and signals scoped to the sandbox");
	else if (enforce)	/* said, not left out: osl(7); namespaces hold it, or not */
		osl_report_add(r, "scope", "landlock.scope", NULL, sb->pidns && r->ns_net ?
		    OSL_ENF_FULL : sb->pidns || r->ns_net ? OSL_ENF_PARTIAL : OSL_ENF_NONE,
		    "landlock ABI %d (< 6) scopes nothing: signals %s; abstract unix sockets %s",
		    sb->abi, sb->pidns ? "stay in a PID namespace of its own" : "reach the "
		    "user's processes outside", r->ns_net ? "stay in a network namespace of its "
		    "own" : "reach listeners outside");
	osl_pidns_report(sb, p, ns_ok);
done:
	if (err)
		osl_sandbox_release(sb);
	return err;
}

void
osl_sandbox_userns(struct osl_sandbox *sb)
{
	sb->ns_flags |= CLONE_NEWUSER;
	snprintf(sb->uid_map, sizeof(sb->uid_map), "%u %u 1\n", geteuid(), geteuid());
	snprintf(sb->gid_map, sizeof(sb->gid_map), "%u %u 1\n", getegid(), getegid());
}

const struct osl_error *
osl_sandbox_add_mask(struct osl_sandbox *sb, const char *path, const struct stat *st)
{
	size_t n = sb->nmasks;
	const struct osl_error *err = add_mask(&sb->masks, &sb->nmasks, path, st);

	/* below a private /tmp and not kept there: nothing to hide */
	if (!err && sb->nmasks > n)
		sb->masks[n].in_tmp = osl_tmp_below(sb, path) != NULL;
	return err;
}

void
osl_sandbox_release(struct osl_sandbox *sb)
{
	if (sb->ruleset_fd != -1)
		close(sb->ruleset_fd);
	sb->ruleset_fd = -1;
	(void)osl_sandbox_unix_pair(sb, false);
	free(sb->bpf);
	sb->bpf = NULL;
	free(sb->bpf_args);
	sb->bpf_args = NULL;
	for (size_t i = 0; i < sb->nmasks; i++)
		free(sb->masks[i].path);
	free(sb->masks);
	sb->masks = NULL;
	sb->nmasks = 0;
	for (size_t i = 0; i < sb->npins; i++)
		free(sb->pins[i].path);
	free(sb->pins);
	sb->pins = NULL;
	sb->npins = 0;
	osl_exec_trees_release(sb);
	osl_tmp_release(sb);
	osl_pidns_release(sb);
	osl_report_release(&sb->report);
}

/* --- in the child: system calls only, no allocation --- */

static int
write_file(const char *path, const char *s)
{
	size_t n = strlen(s);
	int fd, e = 0;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return errno;
	if (write(fd, s, n) != (ssize_t)n)
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

int
osl_userns_map(const char *uid_map, const char *gid_map)
{
	int e;

	if ((e = write_file("/proc/self/setgroups", "deny")) ||
	    (e = write_file("/proc/self/uid_map", uid_map)) ||
	    (e = write_file("/proc/self/gid_map", gid_map)))
		return e;
	return 0;
}

/* /dev/null, read-only, on the file FD (FDP: its /proc/self/fd name): a
 * clone made read-only before it is moved there (a remount would look the
 * path up again); a plain bind before Linux 5.12. */
static int
mask_file(int fd, const char *fdp)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	int t, e = 0;

	if ((t = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) == -1)
		return errno != ENOSYS ? errno :
		    mount("/dev/null", fdp, NULL, MS_BIND, NULL) == -1 ? errno : 0;
	if ((mount_setattr(t, "", AT_EMPTY_PATH, &ro, sizeof(ro)) == -1 && errno != ENOSYS) ||
	    move_mount(t, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == -1)
		e = errno;
	close(t);
	return e;
}

/* "ID ID 1\n" into BUF (48 bytes): no stdio in the child */
static const char *
id_map(char *buf, unsigned id)
{
	char d[12];
	size_t n = 0, k = 0;

	do
		d[k++] = (char)('0' + id % 10);
	while ((id /= 10));
	for (int rep = 0; rep < 2; rep++) {
		for (size_t i = k; i > 0; i--)
			buf[n++] = d[i - 1];
		buf[n++] = ' ';
	}
	buf[n++] = '1';
	buf[n++] = '\n';
	buf[n] = '\0';
	return buf;
}

/* IDS: already changed (a user namespace maps the new ones) */
static int
namespaces(const struct osl_sandbox *sb, const struct osl_ids *ids, const char **step)
{
	char cwd[PATH_MAX], um[48], gm[48];
	int e;

	*step = "unshare";
	if (unshare((int)(sb->ns_flags & ~sb->clone_flags)) == -1)
		return errno;
	if (sb->ns_flags & CLONE_NEWUSER) {
		*step = "user namespace maps";
		if ((e = osl_userns_map(ids ? id_map(um, ids->uid) : sb->uid_map,
		    ids ? id_map(gm, ids->gid) : sb->gid_map)))
			return e;
	}
	if (!(sb->ns_flags & CLONE_NEWNS))
		return 0;
	*step = "mount namespace";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return errno;
	if (sb->pidns && (e = osl_pidns_proc(sb, step)))
		return e;
	/* the working directory stays below the mounts to come (a denied
	 * folder's content, noexec): it is entered again by path after them;
	 * a deleted one (ENOENT) holds nothing */
	*step = "getcwd";
	if (!getcwd(cwd, sizeof(cwd))) {
		if (errno != ENOENT)
			return errno;
		cwd[0] = '\0';
	}
	/* a fresh /tmp, then exec back to the exec trees only, then the deny
	 * over-mounts on top */
	if (sb->tmp_dirs && (e = osl_tmp_mounts(sb, cwd, step)))
		return e;
	if (sb->nexec_trees && (e = osl_exec_mounts(sb, step)))
		return e;
	/* the folders above the masks first (on themselves, with what is
	 * mounted below them), then the masks; each on the very file prepare
	 * saw, opened again without following a symlink */
	for (size_t i = 0; i < sb->npins; i++) {
		const struct osl_sandbox_mask *m = &sb->pins[i];
		char fdp[32];
		int fd;

		*step = "a folder above a denied path changed since prepare";
		if ((e = osl_sb_verified(m->path, m->dev, m->ino, fdp, &fd))) {
			/* below a fresh /tmp: not there, or a new folder, nothing to pin */
			if (m->in_tmp && (e == ENOENT || e == ESTALE))
				continue;
			return e;
		}
		*step = "bind mount of a folder above a denied path";
		e = mount(fdp, fdp, NULL, MS_BIND | MS_REC, NULL) == -1 ? errno : 0;
		close(fd);
		if (e)
			return e;
	}
	for (size_t i = 0; i < sb->nmasks; i++) {
		const struct osl_sandbox_mask *m = &sb->masks[i];
		char fdp[32];
		int fd;

		*step = "a denied path changed since prepare";
		if ((e = osl_sb_verified(m->path, m->dev, m->ino, fdp, &fd))) {
			/* below a fresh /tmp and not kept: nothing there to hide;
			 * a socket gone, or that the child's ids cannot reach */
			if ((m->in_tmp || m->sock) && e == ENOENT)
				continue;
			if (m->sock && e == EACCES)
				continue;
			return e;
		}
		*step = "over-mount of a denied path";
		if (m->dir)
			e = mount("osl-deny", fdp, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			    "size=4k,nr_inodes=2,mode=000") == -1 ? errno : 0;
		else if (m->sock)	/* one call: connect() finds a device, not a socket */
			e = mount("/dev/null", fdp, NULL, MS_BIND, NULL) == -1 ? errno : 0;
		else
			e = mask_file(fd, fdp);
		close(fd);
		if (e)
			return e;
	}
	*step = "chdir into the working directory after the mounts";
	if (cwd[0] == '/' && chdir(cwd) == -1)
		return errno;
	return 0;
}

int
osl_sandbox_apply(const struct osl_sandbox *sb, const struct osl_ids *ids, const char **step)
{
	/* in a user namespace of its own the child has only the ids it maps */
	bool ids_first = ids && (sb->ns_flags & CLONE_NEWUSER);
	int e;

	for (size_t i = 0; i < sb->nrlim; i++) {
		*step = "setrlimit";
		if (setrlimit(sb->rlim[i].res, &sb->rlim[i].rl) == -1)
			return errno;
	}
	/* the egress proxy's namespace first, while osl's privileges hold */
	*step = "setns to the egress proxy's user namespace";
	if (sb->userns_fd > 0 && setns(sb->userns_fd, CLONE_NEWUSER) == -1)
		return errno;
	*step = "setns to the egress proxy's network namespace";
	if (sb->netns_fd > 0 && setns(sb->netns_fd, CLONE_NEWNET) == -1)
		return errno;
	*step = "setuid";
	if (ids_first && (e = osl_ids_apply(ids, false)))
		return e;
	/* a change of uid made the process undumpable: its /proc/self files
	 * root's, and its own maps could not be written (exec resets it) */
	*step = "prctl dumpable";
	if (ids_first && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == -1)
		return errno;
	if (sb->ns_flags && (e = namespaces(sb, ids_first ? ids : NULL, step)))
		return e;
	/* while the capabilities hold (CAP_NET_ADMIN in the new namespace) */
	*step = "loopback up in the network namespace";
	if (sb->lo_up && (e = osl_lo_up()))
		return e;
	*step = "setuid";
	if (ids && !ids_first && (e = osl_ids_apply(ids, sb->caps_drop && sb->caps_keep)))
		return e;
	if (sb->caps_drop && (e = osl_caps_apply(sb, step)))
		return e;
	/* no_new_privs comes before Landlock, which needs it without CAP_SYS_ADMIN */
	*step = "no_new_privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return errno;
	/* no PID namespace: /proc/self rules on the program's own (pidns.c) */
	if (!sb->pidns && sb->ruleset_fd != -1 && (e = osl_pidns_rules(sb, step)))
		return e;
	if (sb->ruleset_fd != -1) {
		*step = "landlock_restrict_self";
		if (syscall(__NR_landlock_restrict_self, sb->ruleset_fd, sb->restrict_flags) == -1)
			return errno;
	}
	/* in the program's domain, before its filters (unixconn.c) */
	if (osl_unixconn_abstract_wanted(sb))
		osl_unixconn_abstract(sb->unix_sock);
	/* connect() answered by osl (unixconn.c): before the filters below,
	 * which may not let sendmsg through */
	*step = "seccomp user notification for connect()";
	if (sb->unix_decide && (e = sb->unix_sock > 0 ? osl_unixconn_install(sb->unix_sock, sb->unix_dgram) : EBADF))
		return e;	/* the report says osl decides: no run without it */
	if (sb->bpf) {
		struct sock_fprog prog = { .len = sb->bpf_len, .filter = sb->bpf };

		*step = "seccomp";
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == -1)
			return errno;
	}
	if (sb->bpf_args) {
		struct sock_fprog prog = { .len = sb->bpf_args_len, .filter = sb->bpf_args };

		*step = "seccomp";
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == -1)
			return errno;
	}
	return 0;
}
