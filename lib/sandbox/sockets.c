/* Named unix sockets (osl(7), "a host service's socket").  connect() to a
 * named unix socket looks its path up without asking Landlock (up to ABI 7
 * no access right covers it), so a program that may read nothing but /usr
 * still reaches every socket its uid may write: a supervisor's control
 * socket, the system bus, systemd's private socket, docker.sock.  Every
 * named socket bound in osl's network namespace when the program starts
 * (/proc/net/unix) that no write rule covers (or that hands out power,
 * see power) is over-mounted by /dev/null in the child's mount namespace:
 * connect() then finds a device, not a socket (ECONNREFUSED).  A socket
 * bound after the start (a service restarted: a new inode, the old
 * over-mount goes with the unlinked name) or in another network namespace
 * (a container's, reachable by its path: not in osl's /proc/net/unix) is
 * not, so the line is partial (probes unix_later, unix_netns). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"
#include "sandbox/unixconn.h"

/* Below a folder already over-mounted (the child could not find it). */
static bool
below_dir_mask(const struct osl_sandbox *sb, const char *path)
{
	for (size_t i = 0; i < sb->nmasks; i++)
		if (sb->masks[i].dir && osl_path_within(sb->masks[i].path, path))
			return true;
	return false;
}

/* Sockets that hand a program power outside any sandbox: a bus (through
 * the session bus, systemd --user starts anything), a service manager, a
 * container engine, a key agent (it signs and decrypts with the keys the
 * deny rules hide: OpenSSH's own, at $TMPDIR/ssh-XXXXXXXXXX/agent.PID,
 * forwarded ones too; 1Password's, Bitwarden's in the home).  Over-mounted
 * under a write rule too, unless a rule names the socket itself (no glob). */
static const char *const power[] = {
	"*/bus", "*/dbus/system_bus_socket", "*/systemd/private", "*/systemd/io.systemd.*",
	"*/docker.sock", "*/podman/podman.sock", "*/containerd/containerd.sock",
	"*/libvirt/libvirt-sock", "*/snapd.socket", "*/S.gpg-agent*", "*/S.scdaemon",
	"*/ssh-agent.socket", "*/keyring/ssh", "*/gcr/ssh", "*/ssh-*/agent.*",
	"*/.1password/agent.sock", "*/.bitwarden-ssh-agent.sock", "*/supervise.sock", NULL
};

bool
osl_sockets_power(const char *path)
{
	for (size_t i = 0; power[i]; i++)
		if (!fnmatch(power[i], path, 0))
			return true;
	return false;
}

static bool
named_exactly(const struct osl_policy *p, const char *path)
{
	for (size_t j = 0; j < p->nrules; j++)
		if (p->rules[j].kind == OSL_RULE_FS_WRITE && p->rules[j].real &&
		    !strpbrk(p->rules[j].real, "*?[") && !strcmp(p->rules[j].real, path))
			return true;
	return false;
}

/* The program may connect to the socket at PATH: a write rule covers it
 * (it may make and remove sockets there), and it is not one of power
 * unless a rule names it. */
static bool
allowed(const struct osl_sandbox *sb, const struct osl_policy *p, const char *path)
{
	if (!osl_sandbox_writable(sb, p, path))
		return false;
	return !osl_sockets_power(path) || named_exactly(p, path);
}

/* The path of one line of /proc/net/unix ("Num RefCount Protocol Flags
 * Type St Inode Path"), or NULL: unbound, abstract ('@'). */
static char *
line_path(char *line)
{
	char *s = line;

	for (int field = 0; field < 7; field++) {
		while (*s == ' ')
			s++;
		while (*s && *s != ' ')
			s++;
	}
	while (*s == ' ')
		s++;
	s[strcspn(s, "\n")] = '\0';
	return *s ? s : NULL;
}

/* One socket at PATH (as bound): 1 over-mounted (2: but it has another
 * name, a hard link, which stays), 0 nothing to do (gone,
 * out of reach for this user: the child is the same, or one osl, root,
 * makes less), -1 not resolvable here (relative, a loop).  A few microseconds each, at
 * every start: the name as bound is opened as it is when no symlink, "."
 * or ".." is on its way (most), else its real path. */
static int
one(struct osl_sandbox *sb, const struct osl_policy *p, const char *path,
    const struct osl_error **err)
{
	char real[PATH_MAX];
	struct stat st;
	size_t n;
	int fd;

	if (path[0] != '/')
		return -1;
	for (size_t i = 0; i < sb->nmasks; i++)
		if (!strcmp(sb->masks[i].path, path))
			return 0;	/* listed again: an accepted connection */
	fd = -1;
	if (!strstr(path, "/.") && !strstr(path, "//") && strlen(path) < sizeof(real)) {
		if ((fd = osl_sb_open(path, O_PATH)) == -1 && (errno == ENOENT || errno == EACCES))
			return 0;	/* unlinked, or out of this user's reach */
		if (fd != -1)
			memcpy(real, path, strlen(path) + 1);
	}
	if (fd == -1 && (!realpath(path, real) || (fd = osl_sb_open(real, O_PATH)) == -1))
		return errno == ENOENT || errno == EACCES ? 0 : -1;
	if (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode) || allowed(sb, p, real) ||
	    below_dir_mask(sb, real) || osl_tmp_gone(sb, real)) {
		close(fd);
		return 0;	/* another file there now, or nothing to hide */
	}
	close(fd);
	n = sb->nmasks;
	if (!(*err = osl_sandbox_add_mask(sb, real, &st)) && sb->nmasks > n)
		sb->masks[n].sock = true;	/* (none new: a path masked already) */
	return st.st_nlink > 1 ? 2 : 1;	/* 2: another name (a hard link) stays */
}

/* /proc/net/unix whole, NUL-terminated (read(2) into one buffer: stdio
 * took twice as long), or NULL with errno. */
static char *
read_table(void)
{
	size_t size = 64 * 1024, len = 0;
	char *buf = malloc(size), *nb;
	ssize_t n;
	int fd = -1, e;

	if (!buf)
		return NULL;
	if ((fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	while ((n = read(fd, buf + len, size - 1 - len)) > 0) {
		len += (size_t)n;
		if (len == size - 1) {
			if (!(nb = realloc(buf, size * 2)))
				goto fail;
			buf = nb;
			size *= 2;
		}
	}
	if (n == -1)
		goto fail;
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	e = errno;
	if (fd != -1)
		close(fd);
	free(buf);
	errno = e;
	return NULL;
}

int
osl_sandbox_unix_pair(struct osl_sandbox *sb, bool make)
{
	int sv[2];

	if (sb->unix_sock > 0)
		close(sb->unix_sock);
	if (sb->unix_peer > 0)
		close(sb->unix_peer);
	sb->unix_sock = sb->unix_peer = 0;
	if (!make || !sb->unix_decide)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return errno;
	sb->unix_sock = sv[0];
	sb->unix_peer = sv[1];
	return 0;
}

/* What no over-mount holds, said on every line but none's. */
static const char later[] = "landlock does not check connect() or sendto() to one: one bound "
    "after the start (a restarted service) or in another network namespace (a container's) "
    "is reachable";

const struct osl_error *
osl_sockets_prepare(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok,
    const struct osl_sandbox_opts *o)
{
	const struct osl_error *err = NULL;
	size_t masked = 0, left = OSL_SANDBOX_MAX_SOCKETS, n0 = sb->nmasks;
	char first[256] = "", linked[256] = "", *table, *line, *next;
	int skipped = 0;

	if (!sb->ll_fs)
		return NULL;	/* no file rules enforced: nothing the socket could pass */
	if (o->unix_decide && osl_unixconn_supported()) {
		int e;

		sb->unix_decide = true;
		sb->unix_dgram = o->unix_dgram;
		if ((e = osl_sandbox_unix_pair(sb, true)))
			return osl_error_sys(OSL_ESETUP, e, "socketpair");
		if (o->unix_dgram) {
			osl_report_add(&sb->report, "net", "unix-connect", NULL, OSL_ENF_PARTIAL,
			    "%s", "connect() decided by osl (seccomp user notification), but unix "
			    "datagram sockets are kept for sd_notify (ready: {notify: true}): "
			    "sendto() reaches any datagram socket the uid may write");
			return NULL;
		}
		osl_report_add(&sb->report, "net", "unix-connect", NULL, OSL_ENF_FULL, "%s",
		    "connect() decided by osl (seccomp user notification): a named unix socket "
		    "only under a write rule, one that hands out power only if a rule names it; "
		    "unix datagram sockets refused (sendto names an address seccomp cannot see)");
		return NULL;
	}
	if (!ns_ok) {
		osl_report_add(&sb->report, "net", "unix-connect", NULL, OSL_ENF_NONE, "%s",
		    "landlock does not check connect() to a named unix socket and no mount "
		    "namespace can be made to over-mount them: every socket the uid may "
		    "write is reachable");
		return NULL;
	}
	if (!(table = read_table())) {
		osl_report_add(&sb->report, "net", "unix-connect", NULL, OSL_ENF_PARTIAL,
		    "/proc/net/unix cannot be read (%s): the named unix sockets of the host "
		    "are not known, and landlock does not check connect() to them",
		    strerror(errno));
		return NULL;
	}
	line = strchr(table, '\n');	/* after the header, a line each */
	while (!err && line && *++line) {
		char *path;
		int r;

		if ((next = strchr(line, '\n')))
			*next = '\0';
		if ((path = line_path(line)) && path[0] != '@') {
			if (left == 0 || (r = one(sb, p, path, &err)) < 0) {
				if (!skipped++)
					snprintf(first, sizeof(first), "%s", path);
			} else if (r > 0 && sb->nmasks > n0 + masked) {
				masked++;
				left--;
				if (r == 2 && !linked[0])
					snprintf(linked, sizeof(linked), "%s", path);
			}
		}
		line = next;
	}
	free(table);
	if (err)
		return err;
	if (masked)
		sb->ns_flags |= CLONE_NEWNS;
	if (linked[0] && !skipped)
		osl_report_add(&sb->report, "net", "unix-connect", NULL, OSL_ENF_PARTIAL,
		    "%zu named unix sockets over-mounted, but '%s' has another name (a hard "
		    "link); %s", masked, linked, later);
	else if (skipped)
		osl_report_add(&sb->report, "net", "unix-connect", NULL, OSL_ENF_PARTIAL,
		    "%zu named unix sockets over-mounted, %d not (e.g. '%s': relative, "
		    "gone, or over %d); %s", masked, skipped, first, OSL_SANDBOX_MAX_SOCKETS,
		    later);
	else
		osl_report_add(&sb->report, "net", "unix-connect", NULL, OSL_ENF_PARTIAL,
		    "the %zu named unix sockets at the start no rule allows over-mounted; %s",
		    masked, later);
	return NULL;
}
