/* Shared by the files of lib/sandbox only. */
#ifndef OSL_SANDBOX_INT_H
#define OSL_SANDBOX_INT_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sandbox/sandbox.h"

/* A TCP rule over more ports than this is not turned into per-port rules:
 * Landlock takes one rule per port, ~1.2 us each to add and about as much
 * again when the child applies the ruleset (1024-65535: ~120 ms a start). */
#define OSL_LL_MAX_PORTS 1024

const struct osl_error *osl_landlock_prepare(struct osl_sandbox *sb, const struct osl_policy *p,
    bool audit);

/* Let the child connect to PORT over TCP (the egress proxy's). */
const struct osl_error *osl_landlock_allow_connect(struct osl_sandbox *sb, uint16_t port);

/* Is B A or below it (paths, "/" above all)? */
bool osl_path_within(const char *a, const char *b);

/* exec.c: fs.exec rules against the dynamic loader.  Prepare (after
 * landlock) fills sb->exec_trees and the exec-via-loader entry when
 * something readable is outside every exec tree; in the child, after the
 * mount namespace is private and before the deny over-mounts,
 * osl_exec_mounts makes every mount noexec but those trees. */
const struct osl_error *osl_exec_prepare(struct osl_sandbox *sb, const struct osl_policy *p,
    bool ns_ok);
void osl_exec_trees_release(struct osl_sandbox *sb);
int osl_exec_mounts(const struct osl_sandbox *sb, const char **step);

/* caps.c: the report's line and the child's drop (after the ids, before
 * no_new_privs). */
void osl_caps_prepare(struct osl_sandbox *sb, uint64_t keep, bool audit);
int osl_caps_apply(const struct osl_sandbox *sb, const char **step);

/* tmp.c: the private /tmp.  Prepare (after the deny rules) decides and
 * reports; in the child, after the mount namespace is private and before
 * the exec mounts, osl_tmp_mounts makes it (CWD: the child's folder, kept
 * too when below /tmp). */
#define OSL_TMP_NDIRS 3
extern const char *const osl_tmp_dirs[OSL_TMP_NDIRS];
const struct osl_error *osl_tmp_prepare(struct osl_sandbox *sb, const struct osl_policy *p,
    bool ns_ok);
void osl_tmp_release(struct osl_sandbox *sb);
/* After landlock: where the ${TMPDIR} rules' rights go; the report line. */
void osl_tmp_finish(struct osl_sandbox *sb, const struct osl_policy *p);
int osl_tmp_mounts(const struct osl_sandbox *sb, const char *cwd, const char **step);
/* The private folder a real PATH is below (or is), or NULL. */
const char *osl_tmp_below(const struct osl_sandbox *sb, const char *path);
/* Gone in the child: below a private folder and no tree kept there. */
bool osl_tmp_gone(const struct osl_sandbox *sb, const char *path);
/* A ${TMPDIR} rule with a private /tmp: PREFIX is its prefix in the new
 * /tmp (true), whatever TMPDIR was. */
bool osl_tmp_rule(const struct osl_sandbox *sb, const struct osl_rule *ru, char *prefix,
    size_t size);

/* paths.c: a rule's real path opened with openat2(RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS): an fd, or -1 with errno (ELOOP: a symlink). */
int osl_sb_open(const char *path, int flags);
/* The first symlink along PATH, for the report. */
struct osl_sb_link {
	char path[4096], target[4096];
	uid_t owner;
	bool kernel;	/* /dev/stdout, /proc/self...: a descriptor, not a path */
};
bool osl_sb_first_link(const char *path, struct osl_sb_link *l);
/* In the child: open PATH again as above and check it is still DEV:INO;
 * PROC gets "/proc/self/fd/N" to mount on, *FD the descriptor (close it
 * after).  0 or an errno (ESTALE: another file). */
int osl_sb_verified(const char *path, dev_t dev, ino_t ino, char proc[32], int *fd);

/* netns.c: a policy with connect or bind rules and no egress proxy.  True
 * when every connect and bind rule stays on the loopback, each connect to
 * ports a bind rule opens (the child's own servers). */
bool osl_sandbox_own_loopback(const struct osl_policy *p);
/* The report's udp-raw-packet line: a private network namespace with its
 * own loopback (NS_OK, not SERVES, and the rules stay on it), else seccomp
 * refuses them (*TCP_ONLY), else partial (net.resolve needs udp). */
void osl_sandbox_net_sockets(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok,
    bool serves, bool *tcp_only);

/* sandbox.c, for hide.c: another over-mount; the user namespace (its
 * maps) that the others need when NEED_USER (osl_sandbox_can_unshare). */
/* PATH real, ST its stat (opened without following a symlink: osl_sb_open) */
const struct osl_error *osl_sandbox_add_mask(struct osl_sandbox *sb, const char *path,
    const struct stat *st);
void osl_sandbox_userns(struct osl_sandbox *sb);

/* seccomp.c, for seccomp-trace.c: the raw BPF of the libseccomp filter F
 * (a struct scmp_filter_ctx), through a memfd (libseccomp 2.5 exports only
 * to an fd). */
const struct osl_error *osl_seccomp_export(void *f, void **bpf, unsigned short *len);

/* The report's closed-network lines partial where vsock passes them (no
 * seccomp family check and the kernel has AF_VSOCK); after seccomp. */
void osl_sandbox_vsock_report(struct osl_sandbox *sb, const struct osl_policy *p);

/* pidns.c: proc.namespaces: [pid].  Prepare before the user namespace is
 * decided; the report after seccomp; in the child, the /proc mount right
 * after the mount namespace is private, the memfd setting before the
 * capabilities go. */
const struct osl_error *osl_pidns_prepare(struct osl_sandbox *sb, const struct osl_policy *p,
    bool ns_ok, bool need_user, bool proxy_userns);
void osl_pidns_release(struct osl_sandbox *sb);
void osl_pidns_report(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok);
int osl_pidns_proc(const struct osl_sandbox *sb, const char **step);
int osl_pidns_rules(const struct osl_sandbox *sb, const char **step);

/* Can the program make or rename names in the folder DIR (a real path)?
 * (Yes, too, when Landlock restricts no file access.) */
bool osl_sandbox_writable(const struct osl_sandbox *sb, const struct osl_policy *p,
    const char *dir);

/* deny.c: the policy's fs deny rules, each refused by Landlock or
 * over-mounted, with its report line. */
const struct osl_error *osl_sandbox_deny_rules(struct osl_sandbox *sb,
    const struct osl_policy *p, bool ns_ok);
/* Every folder above the masked PATH that the program could rename (its
 * parent is writable) is bind-mounted on itself: a mount point cannot be
 * renamed (EBUSY), so the masked path cannot be moved aside and made again
 * unmasked. */
const struct osl_error *osl_sandbox_pin_ancestors(struct osl_sandbox *sb,
    const struct osl_policy *p, const char *path);

/* hide.c: the folder of each file osl's log writes (SINK, else the
 * policy's log.sink; log.checkpoint.sink) that the program could write,
 * over-mounted, its folders pinned: no run rewrites the records. */
const struct osl_error *osl_sandbox_hide_log(struct osl_sandbox *sb, const struct osl_policy *p,
    const char *sink);

/* sockets.c: after the deny rules, the named unix sockets of the host
 * that no write rule covers become masks; the report's unix-connect line. */
const struct osl_error *osl_sockets_prepare(struct osl_sandbox *sb, const struct osl_policy *p,
    bool ns_ok, const struct osl_sandbox_opts *o);
/* PATH (real) is a socket that hands out power (a bus, a service manager,
 * a container engine, a key agent): allowed only by a rule naming it. */
bool osl_sockets_power(const char *path);

/* Does P have a net.connect or net.bind rule (sandbox.c; export.c asks as
 * osl_sandbox_prepare does)? */
bool osl_sandbox_has_net_rules(const struct osl_policy *p);

/* unixconn-child.c and unixconn.c: the x32 bit of a system call's number,
 * and the job osl sends the abstract connector, with the socket
 * (SCM_RIGHTS); its answer is the errno, an int. */
#define OSL_X32 0x40000000u
struct osl_abs_msg {
	uint32_t len;
	struct sockaddr_storage a;
};

/* limits.c: the rlimits of limits L into SB, and the report's line. */
void osl_sandbox_limits_prepare(struct osl_sandbox *sb, const struct osl_limits *l);

#endif
