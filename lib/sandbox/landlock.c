/* Landlock: policy fs and net rules -> a ruleset, built in the parent.
 *
 * Landlock grants rights beneath a directory, it does not match globs, so
 * each pattern becomes a rule on its longest glob-free prefix.  Rights are
 * masked to the ABI the running kernel reports: a kernel that knows fewer
 * rights simply does not restrict the newer ones, and the report says so. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/landlock-uapi.h"
#include "sandbox/sandbox-int.h"

int
osl_landlock_abi(void)
{
	long v = syscall(__NR_landlock_create_ruleset, NULL, 0, OSL_LL_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

uint64_t
osl_landlock_fs_all(int abi)
{
	uint64_t r = 0;

	if (abi >= 1)
		r = (OSL_LL_FS_MAKE_SYM << 1) - 1;
	if (abi >= 2)
		r |= OSL_LL_FS_REFER;
	if (abi >= 3)
		r |= OSL_LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= OSL_LL_FS_IOCTL_DEV;
	return r;
}

uint64_t
osl_landlock_rights(enum osl_rule_kind kind, int abi, const char *prefix)
{
	uint64_t r = 0;

	switch (kind) {
	case OSL_RULE_FS_READ:
		r = OSL_LL_FS_READ_FILE | OSL_LL_FS_READ_DIR;
		break;
	case OSL_RULE_FS_WRITE:
		r = OSL_LL_FS_WRITE_FILE | OSL_LL_FS_REMOVE_DIR | OSL_LL_FS_REMOVE_FILE |
		    OSL_LL_FS_MAKE_CHAR | OSL_LL_FS_MAKE_DIR | OSL_LL_FS_MAKE_REG |
		    OSL_LL_FS_MAKE_SOCK | OSL_LL_FS_MAKE_FIFO | OSL_LL_FS_MAKE_BLOCK |
		    OSL_LL_FS_MAKE_SYM | OSL_LL_FS_REFER | OSL_LL_FS_TRUNCATE;
		/* ioctls only make sense on devices a policy lets one write */
		if (prefix && (!strcmp(prefix, "/dev") || !strncmp(prefix, "/dev/", 5)))
			r |= OSL_LL_FS_IOCTL_DEV;
		break;
	case OSL_RULE_FS_EXEC:
		r = OSL_LL_FS_EXECUTE;
		break;
	default:
		break;
	}
	return r & osl_landlock_fs_all(abi);
}

static bool
is_glob(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return true;
	return false;
}

enum osl_enf_level
osl_landlock_prefix(const char *pattern, char *buf, size_t size)
{
	const char *p = pattern, *end = pattern;	/* end of the glob-free prefix */
	enum osl_enf_level lvl = OSL_ENF_FULL;
	size_t n;

	while (*p) {
		const char *c;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		while (*p && *p != '/')
			p++;
		if (is_glob(c, (size_t)(p - c))) {
			/* only a final "**" component keeps the rule exact */
			while (*p == '/')
				p++;
			if (p - c != 2 + (p[-1] == '/') || strncmp(c, "**", 2) || *p)
				lvl = OSL_ENF_PARTIAL;
			break;
		}
		end = p;
	}
	n = (size_t)(end - pattern);
	if (n == 0) {
		snprintf(buf, size, "/");
		return lvl;
	}
	if (n >= size) {
		snprintf(buf, size, "/");
		return OSL_ENF_PARTIAL;
	}
	memcpy(buf, pattern, n);
	buf[n] = '\0';
	return lvl;
}

/* A rule on PATH, a real path: a symlink on the way is not followed
 * (ELOOP), but for the kernel's own (/dev/stdout), which name descriptors. */
static int
ll_add_path(int rfd, const char *path, uint64_t rights, int *err, struct osl_sb_link *l)
{
	struct osl_landlock_path_beneath_attr pb = { 0 };
	struct stat st;
	int fd;

	l->path[0] = '\0';
	if ((fd = osl_sb_open(path, O_PATH)) == -1 && errno == ELOOP &&
	    osl_sb_first_link(path, l) && l->kernel)
		fd = open(path, O_PATH | O_CLOEXEC);
	if (fd == -1) {
		*err = errno;
		return -1;
	}
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		rights &= OSL_LL_FS_FILE_RIGHTS;
	pb.allowed_access = rights;
	pb.parent_fd = fd;
	if (rights && syscall(__NR_landlock_add_rule, rfd, OSL_LL_RULE_PATH_BENEATH, &pb, 0) == -1) {
		*err = errno;
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static const char *
fs_word(enum osl_rule_kind k)
{
	return k == OSL_RULE_FS_READ ? "read" : k == OSL_RULE_FS_WRITE ? "write" : "exec";
}

/* The fs allow rules. */
static const struct osl_error *
fs_rules(struct osl_sandbox *sb, const struct osl_policy *p, bool enforce)
{
	struct osl_sandbox_report *r = &sb->report;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *ru = &p->rules[i];
		const char *kind = osl_rule_kind_name(ru->kind);
		const char *name = osl_rule_name(ru);
		enum osl_enf_level lvl;
		struct osl_sb_link link;
		struct osl_enf_entry *ent;
		char prefix[4096];
		bool tmpdir;
		int e = 0;

		if (ru->kind != OSL_RULE_FS_READ && ru->kind != OSL_RULE_FS_WRITE &&
		    ru->kind != OSL_RULE_FS_EXEC)
			continue;
		if (sb->abi == 0) {
			osl_report_add(r, kind, name, ru->pattern, OSL_ENF_NONE,
			    "this kernel has no Landlock: %s is not restricted", fs_word(ru->kind));
			continue;
		}
		if (!enforce) {
			osl_report_add(r, kind, name, ru->pattern,
			    p->dflt == OSL_ALLOW ? OSL_ENF_FULL : OSL_ENF_NONE, "%s",
			    p->dflt == OSL_ALLOW ? "default allow: nothing to restrict" :
			    "audit mode: would-be denials are allowed");
			continue;
		}
		/* a process's own /proc entries: added in the child (pidns.c) */
		if (osl_path_proc_self(ru->expanded))
			continue;
		lvl = osl_landlock_prefix(ru->real, prefix, sizeof(prefix));
		tmpdir = osl_tmp_rule(sb, ru, prefix, sizeof(prefix));	/* ${TMPDIR}: the new /tmp */
		if (ll_add_path(sb->ruleset_fd, prefix, osl_landlock_rights(ru->kind, sb->abi, prefix),
		    &e, &link) == -1) {
			if (e == ELOOP && link.path[0]) {
				osl_report_add(r, kind, name, ru->pattern, OSL_ENF_FULL,
				    "'%s' is a symlink to '%s' (owner uid %u) that the policy does not "
				    "follow: the rule allows nothing through it", link.path, link.target,
				    (unsigned)link.owner);
				continue;
			}
			if (e == EBADFD) {
				/* /dev/stdout on a pipe: not a path landlock can hold */
				osl_report_add(r, kind, name, ru->pattern, OSL_ENF_FULL,
				    "'%s' is a pipe or socket here: not restricted by paths", prefix);
				continue;
			}
			if (e != ENOENT && e != ENOTDIR && e != EACCES)
				return osl_error_sys(OSL_ESETUP, e, "landlock: cannot add a rule for '%s'",
				    prefix);
			/* never "full": the rule does not do what it says */
			if ((ent = osl_report_add(r, kind, name, ru->pattern, OSL_ENF_PARTIAL,
			    "'%s' does not exist when the sandbox is made: the rule allows nothing "
			    "(allow the folder that will hold it)", prefix)))
				ent->by_policy = true;
			continue;
		}
		for (int k = 0; k < OSL_TMP_NDIRS; k++)
			if ((sb->tmp_dirs & (1u << k)) && !strcmp(prefix, osl_tmp_dirs[k]))
				*(tmpdir ? &sb->tmpdir_rights : &sb->tmp_rights[k]) |=
				    osl_landlock_rights(ru->kind, sb->abi, prefix);
		if (lvl == OSL_ENF_FULL)
			osl_report_add(r, kind, name, ru->pattern, OSL_ENF_FULL,
			    "landlock %s beneath '%s'", fs_word(ru->kind), prefix);
		else
			osl_report_add(r, kind, name, ru->pattern, OSL_ENF_PARTIAL,
			    "glob below '%s' is widened to the whole tree", prefix);
	}
	/* not in p->rules: they allow nothing, and the program may need them */
	for (size_t i = 0; i < p->ninert; i++)
		osl_report_add(r, osl_rule_kind_name(p->inert[i].kind), osl_rule_name(&p->inert[i]),
		    p->inert[i].pattern, OSL_ENF_NONE, "inert (%s): %s: the rule allows nothing",
		    p->inert[i].where, p->inert[i].inert);
	return NULL;
}

static bool
port_wide(const struct osl_netpat *np)
{
	return (unsigned)np->port_hi - np->port_lo + 1 > OSL_LL_MAX_PORTS;
}

/* A connect rule by host name: reached through osl's egress proxy only,
 * never by a Landlock port rule (that would open the port to any host). */
static bool
by_name(const struct osl_rule *ru)
{
	return ru->kind == OSL_RULE_NET_CONNECT &&
	    (ru->net.host == OSL_NH_NAME || ru->net.host == OSL_NH_SUFFIX);
}

/* A connect rule by address: Landlock then opens its ports to every host,
 * a denied one too. */
static bool
connect_by_address(const struct osl_policy *p)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == OSL_RULE_NET_CONNECT && !by_name(&p->rules[i]))
			return true;
	return false;
}

/* The net rules: Landlock holds TCP connect/bind by port only.  HANDLED is
 * what the ruleset restricts (a range too wide for per-port rules leaves
 * that access unrestricted). */
static const struct osl_error *
net_rules(struct osl_sandbox *sb, const struct osl_policy *p, bool enforce, uint64_t handled)
{
	struct osl_sandbox_report *r = &sb->report;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *ru = &p->rules[i];
		const char *kind = osl_rule_kind_name(ru->kind);
		const char *name = osl_rule_name(ru);
		struct osl_enf_entry *ent;
		uint64_t acc;

		if (ru->kind == OSL_RULE_NET_DENY) {
			if (enforce && sb->abi >= 4 && !connect_by_address(p))
				osl_report_add(r, kind, name, ru->pattern, OSL_ENF_FULL, "%s",
				    "no connect rule by address: landlock refuses every TCP connect, "
				    "names go through the proxy, which refuses it");
			else if ((ent = osl_report_add(r, kind, name, ru->pattern, OSL_ENF_PARTIAL, "%s",
			    "landlock cannot refuse a port it allows elsewhere; osl net verbs hold it")))
				ent->by_policy = sb->abi >= 4;	/* a connect rule by address opened it */
			continue;
		}
		if (ru->kind != OSL_RULE_NET_CONNECT && ru->kind != OSL_RULE_NET_BIND)
			continue;
		acc = ru->kind == OSL_RULE_NET_CONNECT ? OSL_LL_NET_CONNECT_TCP : OSL_LL_NET_BIND_TCP;
		if (!enforce) {
			osl_report_add(r, kind, name, ru->pattern,
			    p->dflt == OSL_ALLOW ? OSL_ENF_FULL : OSL_ENF_NONE, "%s",
			    p->dflt == OSL_ALLOW ? "default allow: nothing to restrict" :
			    "audit mode: would-be denials are allowed");
			continue;
		}
		if (sb->abi < 4) {
			osl_report_add(r, kind, name, ru->pattern, OSL_ENF_NONE,
			    "landlock ABI %d has no TCP rules (needs 4)", sb->abi);
			continue;
		}
		if (!(handled & acc)) {
			bool all = ru->net.port_lo == 0 && ru->net.port_hi == 65535 &&
			    ru->net.host == OSL_NH_ANY;
			const char *what = ru->kind == OSL_RULE_NET_CONNECT ? "connect" : "bind";

			if (all)
				osl_report_add(r, kind, name, ru->pattern, OSL_ENF_FULL, "%s",
				    "every TCP port");
			else if (port_wide(&ru->net))
				osl_report_add(r, kind, name, ru->pattern, OSL_ENF_PARTIAL,
				    "%u ports: landlock takes one rule per port, and more than %u "
				    "cost too much at every start (64512: ~0.1 s), so tcp %s is "
				    "not restricted by landlock", (unsigned)ru->net.port_hi -
				    ru->net.port_lo + 1, OSL_LL_MAX_PORTS, what);
			else
				osl_report_add(r, kind, name, ru->pattern, OSL_ENF_PARTIAL,
				    "another %s rule's port range is too wide for landlock, so tcp "
				    "%s is not restricted by landlock", what, what);
			continue;
		}
		if (by_name(ru)) {
			osl_report_add(r, kind, name, ru->pattern, OSL_ENF_PARTIAL, "%s",
			    "only through the egress proxy; landlock opens no port for a name");
			continue;
		}
		for (unsigned port = ru->net.port_lo; port <= ru->net.port_hi; port++) {
			struct osl_landlock_net_port_attr na = { .allowed_access = acc, .port = port };

			if (syscall(__NR_landlock_add_rule, sb->ruleset_fd, OSL_LL_RULE_NET_PORT, &na, 0) == -1)
				return osl_error_sys(OSL_ESETUP, errno, "landlock: cannot add a rule for port %u",
				    port);
		}
		if (ru->net.host == OSL_NH_ANY)
			osl_report_add(r, kind, name, ru->pattern, OSL_ENF_FULL, "landlock tcp %s by port",
			    ru->kind == OSL_RULE_NET_CONNECT ? "connect" : "bind");
		else if ((ent = osl_report_add(r, kind, name, ru->pattern, OSL_ENF_PARTIAL, "%s",
			    "landlock holds the port only: any host on that port is reachable "
			    "(addresses and names need the egress proxy)")))
			ent->by_policy = true;	/* a rule by name would go through the proxy */
	}
	return NULL;
}

const struct osl_error *
osl_landlock_allow_connect(struct osl_sandbox *sb, uint16_t port)
{
	struct osl_landlock_net_port_attr na = { .allowed_access = OSL_LL_NET_CONNECT_TCP,
	    .port = port };

	if (syscall(__NR_landlock_add_rule, sb->ruleset_fd, OSL_LL_RULE_NET_PORT, &na, 0) == -1)
		return osl_error_sys(OSL_ESETUP, errno, "landlock: cannot add a rule for port %u", port);
	return NULL;
}

const struct osl_error *
osl_landlock_prepare(struct osl_sandbox *sb, const struct osl_policy *p, bool audit)
{
	struct osl_landlock_ruleset_attr ra = { 0 };
	bool enforce = !audit && p->dflt == OSL_DENY;
	const struct osl_error *err;
	size_t size;

	sb->abi = osl_landlock_abi();
	sb->ruleset_fd = -1;
	sb->report.landlock_abi = sb->abi;
	if (sb->abi > 0) {
		ra.handled_access_fs = enforce ? osl_landlock_fs_all(sb->abi) : 0;
		if (sb->abi >= 4 && enforce) {
			ra.handled_access_net = OSL_LL_NET_CONNECT_TCP | OSL_LL_NET_BIND_TCP;
			for (size_t i = 0; i < p->nrules; i++) {
				const struct osl_rule *ru = &p->rules[i];

				if (ru->kind == OSL_RULE_NET_CONNECT && port_wide(&ru->net) &&
				    !by_name(ru))
					ra.handled_access_net &= ~OSL_LL_NET_CONNECT_TCP;
				if (ru->kind == OSL_RULE_NET_BIND && port_wide(&ru->net))
					ra.handled_access_net &= ~OSL_LL_NET_BIND_TCP;
			}
		}
		if (sb->abi >= 6)
			ra.scoped = OSL_LL_SCOPE_ABSTRACT_UNIX_SOCKET | OSL_LL_SCOPE_SIGNAL;
		if (sb->abi >= 7)
			sb->restrict_flags = OSL_LL_RESTRICT_SELF_LOG_NEW_EXEC_ON;
	}
	if (ra.handled_access_fs || ra.handled_access_net || ra.scoped) {
		size = sb->abi >= 6 ? sizeof(ra) : sb->abi >= 4 ? 2 * sizeof(uint64_t) :
		    sizeof(uint64_t);
		sb->ruleset_fd = (int)syscall(__NR_landlock_create_ruleset, &ra, size, 0);
		if (sb->ruleset_fd == -1)
			return osl_error_sys(OSL_ESETUP, errno, "landlock: cannot create a ruleset");
	}
	sb->ll_fs = ra.handled_access_fs != 0;
	sb->ll_net = ra.handled_access_net;
	sb->ll_scoped = ra.scoped != 0;
	if ((err = fs_rules(sb, p, enforce)))
		return err;
	return net_rules(sb, p, enforce, ra.handled_access_net);
}
