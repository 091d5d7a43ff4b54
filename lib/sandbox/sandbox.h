/* Kernel enforcement of a policy for a program osl starts (man/osl-proc.1.scd,
 * HOW RULES MAP TO THE KERNEL).
 *
 * osl_sandbox_prepare() runs in the parent before fork: it probes the kernel,
 * builds everything that allocates (the Landlock ruleset, the seccomp BPF
 * program, the paths to over-mount) and fills the enforcement report.
 * osl_sandbox_apply() runs in the child between fork and exec and only makes
 * system calls, so it is safe after fork in a threaded program. */
#ifndef OSL_SANDBOX_H
#define OSL_SANDBOX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "policy/policy.h"

enum osl_enf_level { OSL_ENF_FULL, OSL_ENF_PARTIAL, OSL_ENF_NONE };

/* One line of the enforcement report: a policy rule, or a piece of the
 * sandbox that is not a rule (seccomp, the env allowlist). */
struct osl_enf_entry {
	char kind[16];		/* "fs.read", ..., "net.connect", "seccomp", "limits" */
	char *name;		/* rule id or FILE:LINE:COL, or a word */
	char *pattern;		/* as written, or NULL */
	enum osl_enf_level level;
	bool by_policy;		/* not full because of what the policy says (a path
				 * missing at the start, an address rule), not a
				 * limit of this kernel */
	char reason[256];	/* why not full, or how it is held */
};

struct osl_sandbox_report {
	int landlock_abi;	/* 0: no Landlock */
	const char *seccomp;	/* "default", "strict", "none" */
	bool ns_user, ns_mount, ns_net, ns_ipc, ns_uts, ns_pid;
	uint64_t caps;		/* the capabilities the child keeps (bit N: CAP N) */
	struct osl_enf_entry *entries;
	size_t n, cap;
	bool lost;		/* an entry could not be added (out of memory) */
	bool terse;		/* reasons are left empty (osl_sandbox_opts.terse) */
};

struct osl_sandbox_opts {
	struct osl_limits limits;	/* the policy's, lowered by --limit */
	bool audit;			/* mode audit: allow-lists are not enforced */
	/* osl's egress proxy for host-name rules (lib/net egress.c), or 0 */
	uint16_t proxy_port;		/* landlock lets the child connect to it */
	int proxy_netns;		/* > 0: the child joins this network namespace */
	int proxy_userns;		/* > 0: ... after joining this user namespace (its owner) */
	const char *proxy_reason;	/* why there is no namespace */
	bool serves;			/* a service (osl supervise): its binds on the
					 * loopback serve the host, so no private one */
	const char *log_sink;		/* the log osl writes when not the policy's
					 * log.sink (-l): hidden from the child */
	bool terse;			/* the report's levels without their reasons (a
					 * run that shows none does not format 40 of them) */
	bool unix_decide;		/* osl answers the child's connect() (osl proc
					 * run, osl supervise: lib/sandbox/unixconn.c),
					 * else the over-mounts of sockets.c alone */
	bool unix_dgram;		/* ... but unix datagram sockets stay (sd_notify:
					 * osl supervise's ready: {notify}): partial */
};

/* TMPDIR in a private /tmp where a kept tree must not get its rights */
#define OSL_TMP_SUB "/tmp/private"

struct osl_sandbox_mask {
	char *path;		/* real (no symlink), opened at prepare: */
	bool dir;
	dev_t dev;		/* the child mounts on this very file or fails */
	ino_t ino;
	bool in_tmp;		/* below a private tmp folder: gone there is fine */
	bool sock;		/* a host's unix socket (sockets.c): gone, or out of
				 * the child's reach (its ids), is fine */
};

#define OSL_SANDBOX_MAX_RLIMITS 8
/* entries of denied folders looked at for files with other names, all
 * rules together (~2.5 us each, at every start: a denied home of 4096 files
 * took 10 ms; beyond: partial) */
#define OSL_SANDBOX_MAX_SCAN 64
/* named unix sockets of the host over-mounted (sockets.c; more: partial) */
#define OSL_SANDBOX_MAX_SOCKETS 256
/* trees below /tmp, /var/tmp and /dev/shm kept visible in a private one */
#define OSL_SANDBOX_MAX_TMP_KEEP 16
/* exec trees given back over a noexec mount namespace (more: not done) */
#define OSL_SANDBOX_MAX_EXEC_TREES 32

struct osl_sandbox {
	int abi;
	int ruleset_fd;			/* -1: no Landlock */
	bool ll_fs, ll_scoped;		/* what the ruleset restricts */
	uint64_t ll_net;
	unsigned restrict_flags;
	void *bpf;			/* struct sock_filter[] */
	unsigned short bpf_len;
	void *bpf_args;			/* strict: its argument checks (osl_seccomp_args) */
	unsigned short bpf_args_len;
	unsigned ns_flags;		/* CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWNET */
	char uid_map[48], gid_map[48];
	struct osl_sandbox_mask *masks;
	size_t nmasks;
	/* folders above masks the program could rename: bound on themselves */
	struct osl_sandbox_mask *pins;
	size_t npins;
	/* proc.tmp: private (tmp.c): bits of osl_tmp_dirs made fresh, whether
	 * they allow exec, the trees below them kept visible (real paths) */
	unsigned tmp_dirs;
	bool tmp_exec;
	/* landlock skips a mount point on its way up (the rule on /tmp's own
	 * inode does not cover what is mounted there): the child adds these
	 * rights on the new tmpfs's root, for the rules on exactly that folder */
	uint64_t tmp_rights[3];
	/* the ${TMPDIR} rules': on the new /tmp too, or, when that would give
	 * a tree kept below it more than its own rules do, on a folder of
	 * their own, OSL_TMP_SUB (TMPDIR then names it) */
	uint64_t tmpdir_rights;
	bool tmp_sub;
	char **tmp_keep;
	size_t ntmp_keep;
	/* > 0: every mount noexec in the mount namespace but these trees */
	char **exec_trees;
	size_t nexec_trees;
	bool lo_up;			/* CLONE_NEWNET: bring its loopback up (netns.c) */
	int netns_fd;			/* > 0: setns into it (the egress proxy's namespace) */
	int userns_fd;			/* > 0: setns into it first (it owns netns_fd) */
	/* > 0: the child installs unixconn.c's filter and sends its listener
	 * over unix_sock; osl receives it on unix_peer (osl_unixconn_start).
	 * unix_decide: osl decides connect() (the report says so), each spawn
	 * with a pair of its own (osl_sandbox_unix_pair) */
	int unix_sock, unix_peer;
	bool unix_decide;
	bool unix_dgram;		/* its filter lets unix datagram sockets be made */
	struct { int res; struct rlimit rl; } rlim[OSL_SANDBOX_MAX_RLIMITS];
	size_t nrlim;
	bool pidns;			/* the child is PID 1 of a new namespace */
	unsigned clone_flags;		/* made with the child: CLONE_NEWPID, CLONE_NEWUSER */
	bool memfd_noexec;		/* the kernel has vm.memfd_noexec */
	/* the policy's Landlock rules below /proc, added again on the
	 * PID namespace's own /proc in the child; without one, only those
	 * on /proc/self, on the program's own (pidns.c) */
	struct osl_sandbox_proc_rule { char *path; uint64_t rights; } *proc_rules;
	size_t nproc_rules;
	bool proc_subset;		/* the new /proc has only the pid folders */
	bool proc_ro;			/* ... or all, writable beneath: its settings read-only */
	uint64_t caps_keep;		/* proc.capabilities */
	bool caps_drop;			/* false in audit mode */
	struct osl_sandbox_report report;
};

/* Who a child runs as (osl supervise's `user:`). */
struct osl_ids {
	uid_t uid;
	gid_t gid;
	size_t ngroups;
	gid_t groups[];			/* supplementary groups */
};

const struct osl_error *osl_sandbox_prepare(struct osl_sandbox *sb, const struct osl_policy *p,
    const struct osl_sandbox_opts *o);
void osl_sandbox_release(struct osl_sandbox *sb);

/* In the child: rlimits, namespaces and over-mounts, IDS (or NULL) when
 * given, capabilities, no_new_privs, Landlock, seccomp.  The ids change
 * before a user namespace is made (its maps are then of the new ids), else
 * after the mounts (which need osl's privileges).  Returns 0, or an errno
 * with *STEP naming what failed. */
int osl_sandbox_apply(const struct osl_sandbox *sb, const struct osl_ids *ids,
    const char **step);
/* After unshare(CLONE_NEWUSER): deny setgroups, write UID_MAP and GID_MAP
 * ("ID ID 1\n").  System calls only (safe after fork); 0 or an errno. */
int osl_userns_map(const char *uid_map, const char *gid_map);

/* Hide folder DIR from the child (osl's own, no rule's): over-mounted by
 * an empty tmpfs in its mount namespace; the report's fs.deny NAME line
 * says so, or that no namespace can be made (then nothing is done).  Once
 * per folder.  After osl_sandbox_prepare, before the spawn (hide.c). */
const struct osl_error *osl_sandbox_hide(struct osl_sandbox *sb, const char *dir,
    const char *name);

/* SB's pair for unixconn.c (unix_sock, unix_peer) closed and, with MAKE
 * and when osl decides connect() (unix_decide), made anew: a prepared
 * sandbox that starts many children (osl supervise) gives each spawn a
 * copy with a pair of its own, closed after osl_unixconn_start.  0 or an
 * errno (sockets.c). */
int osl_sandbox_unix_pair(struct osl_sandbox *sb, bool make);

/* Can a child make namespaces here (NEED_USER: only in a user namespace of
 * its own)?  osl --version says it too. */
bool osl_sandbox_can_unshare(bool *need_user);

/* Bring up the loopback of the network namespace the caller is in (an
 * ioctl: safe after fork).  0 or an errno. */
int osl_lo_up(void);

/* --- the report (report.c) --- */
struct osl_enf_entry *osl_report_add(struct osl_sandbox_report *r, const char *kind,
    const char *name, const char *pattern, enum osl_enf_level level, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void osl_report_release(struct osl_sandbox_report *r);
const char *osl_enf_level_name(enum osl_enf_level l);
/* True when every entry is full. */
bool osl_report_full(const struct osl_sandbox_report *r);
/* The report as a JSON array of entries (one per rule), then a summary entry
 * {"kind":"sandbox",...}.  NULL when out of memory. */
cJSON *osl_report_json(const struct osl_sandbox_report *r);
/* The report in one line of the log, osl.enforcement of a program's start
 * record (proc.exec, supervise.start): landlock_abi, seccomp and the count
 * of full, partial and none entries, added to O (NULL: nothing). */
void osl_report_summary(const struct osl_sandbox_report *r, cJSON *o);

/* --- pure helpers (landlock.c), exposed for the tests --- */

/* The longest glob-free prefix of an absolute PATTERN (for "/srv/a/x*.c"
 * it is "/srv/a"; "/" when the first component has a glob).  Returns the
 * level a Landlock rule on that prefix gives: FULL when nothing or only a
 * trailing "**" component follows it, PARTIAL when a glob below it is
 * widened to the whole tree. */
enum osl_enf_level osl_landlock_prefix(const char *pattern, char *buf, size_t size);
/* Landlock rights of a rule kind, masked to ABI. */
uint64_t osl_landlock_rights(enum osl_rule_kind kind, int abi, const char *prefix);
uint64_t osl_landlock_fs_all(int abi);
/* The running kernel's Landlock ABI (0 when it has none). */
int osl_landlock_abi(void);

/* --- exec trees (exec.c) --- */
/* Of PATHS (N of them, absolute and resolved, malloc'd), keep those below
 * no other (the first of equal ones), in order: the fewest mounts that
 * cover them all.  Frees the others; returns how many are kept. */
size_t osl_paths_outermost(char **paths, size_t n);

/* --- PID namespace (pidns.c) --- */
/* In PID 1 of the child's namespace, after the sandbox: fork the program.
 * Returns 0 in the program (which goes on to exec) or an errno; in the
 * init never returns: it reaps, forwards signals (not when GROUP: a signal
 * for the process group reaches the program itself), and exits with the
 * program's status.  ERRFD (the program's error pipe) is closed there.
 * STATUSFD (or -1) gets the program's wait status first, so that osl
 * reports a death by a signal as it does without the namespace (an init
 * cannot die of a signal of its own: its exit status is 128+N). */
int osl_pidns_init(bool group, int errfd, int statusfd);
/* The same in two steps, for a caller that starts the program itself
 * (vfork: the init waits for its exec, with nothing to copy): every
 * signal blocked (*OLD: the mask before, the program's), then the init's
 * loop for PROG, which never returns. */
int osl_pidns_block(sigset_t *old);
void osl_pidns_serve(pid_t prog, bool group, int errfd, int statusfd) __attribute__((noreturn));

/* --- capabilities (caps.c; their names: osl_cap_name, policy/policy.h) --- */
/* "a, b" of CAPS into BUF (truncated); the length it wanted. */
size_t osl_caps_format(uint64_t caps, char *buf, size_t size);
/* setgroups, setgid, setuid; KEEP_CAPS: the permitted set survives them.
 * System calls only; 0 or an errno. */
int osl_ids_apply(const struct osl_ids *ids, bool keep_caps);

/* --- the private temporary folders (tmp.c) --- */
/* Is PATH (real) in a folder that proc.tmp: private makes fresh for the
 * child (/tmp, /var/tmp, /dev/shm)?  There it names another file than the
 * same path outside. */
bool osl_sandbox_private_path(const char *path);

/* --- limits (sandbox.c) --- */
/* "K=V" with K one of cpu, memory, nofile, nproc, fsize, core (also wall):
 * lowers the limit in L.  OSL_EINPUT with a one-line message on bad input. */
const struct osl_error *osl_limit_parse(const char *kv, struct osl_limits *l);
/* Lower every limit of DST to SRC's where SRC's is set and lower. */
void osl_limits_lower(struct osl_limits *dst, const struct osl_limits *src);
void osl_limits_unset(struct osl_limits *l);

/* --- seccomp (seccomp.c) --- */
/* An argument check of the default profile: NAME fails with ERR when
 * argument ARG compares: MASKED_EQ: (arg & A) == B; NE: arg != A; GT: arg > A. */
enum osl_scmp_op { OSL_SCMP_MASKED_EQ, OSL_SCMP_NE, OSL_SCMP_GT };
struct osl_seccomp_argrule {
	const char *name;
	const char *also;	/* left out, too, when the policy names this call */
	int err;
	unsigned arg;
	enum osl_scmp_op op;
	uint64_t a, b;
	bool no_net_only;	/* only when the policy has no connect or bind rule */
};
/* A policy's seccomp setting resolved: what osl enforces, for the filter
 * and for `osl policy export`. */
struct osl_seccomp_profile {
	const char *base;		/* "default", "strict", "none" */
	bool empty;			/* no filter at all */
	bool default_allow;		/* else the default is EPERM (strict) */
	const char *const *arches;	/* libseccomp names, NULL terminated; others are killed */
	char **allow; size_t nallow;	/* strict: allowed calls */
	char **eperm; size_t neperm;	/* refused with EPERM */
	char **enosys; size_t nenosys;	/* refused with ENOSYS (libc falls back) */
	const struct osl_seccomp_argrule **args; size_t nargs;
};
const struct osl_error *osl_seccomp_profile(const struct osl_seccomp *s, bool net_any,
    struct osl_seccomp_profile *pr);
void osl_seccomp_profile_release(struct osl_seccomp_profile *pr);
/* A filter that allows every call and returns SECCOMP_RET_TRACE for NAMES
 * (NULL terminated; "mmap" only with PROT_EXEC), for a tracer (`osl policy
 * learn`). */
const struct osl_error *osl_seccomp_trace_build(const char *const *names, void **bpf,
    unsigned short *len);
/* Build the BPF program for the policy's seccomp setting; NET_ANY: the
 * policy has connect or bind rules (else only AF_UNIX sockets); TCP_ONLY:
 * egress through the proxy without a network namespace (sockets: TCP,
 * unix and netlink only; a filter even for seccomp: none).  The filters of
 * the shipped profiles are compiled at build time and copied. */
/* Does the filter of S refuse the socket families no ordinary program uses
 * (vsock, ...)?  Not with seccomp: none, nor when its allow list names
 * socket. */
bool osl_seccomp_refuses_families(const struct osl_seccomp *s);
const struct osl_error *osl_seccomp_build(const struct osl_seccomp *s, bool net_any,
    bool tcp_only, void **bpf, unsigned short *len, const char **profile);
/* The filter from libseccomp now, never the build-time copy; TREE as the
 * copies are made, else as osl_seccomp_build compiles the others (the
 * tests compare them); TCP_ONLY as osl_seccomp_build's. */
const struct osl_error *osl_seccomp_compile(const struct osl_seccomp *s, bool net_any,
    bool tcp_only, bool tree, void **bpf, unsigned short *len);
/* The second filter of a strict profile: its argument checks (ioctl
 * requests, clone flags, socket families, memfd flags...), in a filter
 * that allows every other call; *BPF is NULL for other profiles.  USE_PRE:
 * as osl_seccomp_build, else as osl_seccomp_compile with TREE. */
const struct osl_error *osl_seccomp_args(const struct osl_seccomp *s, bool net_any,
    bool use_pre, void **bpf, unsigned short *len);
/* How many profiles have a filter compiled at build time. */
size_t osl_seccomp_nprecompiled(void);

#endif
