/* `osl policy export`: a policy in other enforcers' formats.
 *
 * What osl enforces for a spawned program, said in the words of another
 * enforcer: the OCI runtime-spec / Docker seccomp profile (from the very
 * sets of calls osl's own filter is built from) and a systemd [Service]
 * drop-in.  What the other format cannot say is a comment (systemd) or is
 * listed in `notes` (the caller prints them on stderr for JSON formats).
 * Here, not in lib/policy: it reads the sandbox's own seccomp profiles and
 * Landlock prefixes, and lib/policy depends on nothing of lib/sandbox. */
#ifndef OSL_SANDBOX_EXPORT_H
#define OSL_SANDBOX_EXPORT_H

#include "error.h"
#include "policy/policy.h"
#include "util/strbuf.h"

enum osl_export_format { OSL_EXPORT_OCI_SECCOMP, OSL_EXPORT_SYSTEMD };

/* "oci-seccomp", "systemd"; false for anything else. */
bool osl_export_format_of(const char *name, enum osl_export_format *out);

/* Write P in format F to OUT.  NOTES (may be NULL) gets one line per thing
 * the format cannot hold.  OSL_EINPUT for a seccomp list osl cannot resolve. */
const struct osl_error *osl_policy_export(const struct osl_policy *p, enum osl_export_format f,
    struct strbuf *out, struct strbuf *notes);

#endif
