/* Shared by the files of lib/sandbox only. */
#ifndef OSL_SANDBOX_INT_H
#define OSL_SANDBOX_INT_H

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

/* netns.c: a policy with connect or bind rules and no egress proxy.  True
 * when every connect and bind rule stays on the loopback, each connect to
 * ports a bind rule opens (the child's own servers). */
bool osl_sandbox_own_loopback(const struct osl_policy *p);
/* The report's udp-raw-packet line: a private network namespace with its
 * own loopback (NS_OK, not SERVES, and the rules stay on it), else seccomp
 * refuses them (*TCP_ONLY), else partial (net.resolve needs udp). */
void osl_sandbox_net_sockets(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok,
    bool serves, bool *tcp_only);

/* sandbox.c, for hide.c: can the child make namespaces (NEED_USER: only in
 * a user namespace of its own); another over-mount; the user namespace
 * (its maps) that the others need when NEED_USER. */
bool osl_sandbox_can_unshare(bool *need_user);
const struct osl_error *osl_sandbox_add_mask(struct osl_sandbox *sb, const char *path, bool dir);
void osl_sandbox_userns(struct osl_sandbox *sb);

#endif
