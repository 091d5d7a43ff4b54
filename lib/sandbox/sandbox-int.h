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

/* caps.c: the report's line and the child's drop (after the ids, before
 * no_new_privs). */
void osl_caps_prepare(struct osl_sandbox *sb, uint64_t keep, bool audit);
int osl_caps_apply(const struct osl_sandbox *sb, const char **step);

/* pidns.c: proc.namespaces: [pid].  Prepare before the user namespace is
 * decided; the report after seccomp; in the child, the /proc mount right
 * after the mount namespace is private, the memfd setting before the
 * capabilities go. */
const struct osl_error *osl_pidns_prepare(struct osl_sandbox *sb, const struct osl_policy *p,
    bool ns_ok, bool need_user, bool proxy_userns);
void osl_pidns_release(struct osl_sandbox *sb);
void osl_pidns_report(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok);
int osl_pidns_proc(const struct osl_sandbox *sb, const char **step);
int osl_pidns_memfd(const struct osl_sandbox *sb, const char **step);

#endif
