/* Capabilities of a sandboxed child (man osl-policy(5), proc.capabilities):
 * every set cleared but the policy's list, after osl's own set-up
 * (namespaces, mounts, the ids) and before no_new_privs, Landlock and
 * seccomp; securebits so that a root program gets nothing at exec. */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"	/* osl_cap_name: policy/policy.h */

size_t
osl_caps_format(uint64_t caps, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < 64 && size; i++) {
		if (!(caps & (1ULL << i)) || !osl_cap_name(i))
			continue;
		n += (size_t)snprintf(buf + (n < size ? n : size - 1), n < size ? size - n : 1,
		    "%s%s", n ? ", " : "", osl_cap_name(i));
	}
	return n;
}

static bool
caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return syscall(SYS_capget, &h, d) == 0;
}

/* The report's line: what the child keeps, and how. */
void
osl_caps_prepare(struct osl_sandbox *sb, uint64_t keep, bool audit)
{
	struct osl_sandbox_report *r = &sb->report;
	struct __user_cap_data_struct d[2] = { 0 };
	char names[512];
	bool any, setpcap;

	sb->caps_keep = keep;
	sb->caps_drop = !audit;
	r->caps = keep;
	if (audit) {
		osl_report_add(r, "caps", "proc.capabilities", NULL, OSL_ENF_NONE, "%s",
		    "audit mode: the child keeps osl's capabilities");
		return;
	}
	osl_caps_format(keep, names, sizeof(names));
	(void)caps_get(d);
	any = d[0].permitted || d[1].permitted;
	setpcap = (d[0].effective & (1u << CAP_SETPCAP)) || (sb->ns_flags & CLONE_NEWUSER);
	if (!any && !(sb->ns_flags & CLONE_NEWUSER))
		osl_report_add(r, "caps", "proc.capabilities", NULL, OSL_ENF_FULL,
		    "none: osl has none, and no_new_privs keeps exec from granting any%s%s",
		    keep ? " (not kept: " : "", keep ? names : "");
	else if (setpcap)
		osl_report_add(r, "caps", "proc.capabilities", NULL, OSL_ENF_FULL,
		    "every capability%s%s dropped from the bounding, permitted, effective, "
		    "inheritable and ambient sets; securebits: root gets none at exec",
		    keep ? " but " : "", keep ? names : "");
	else
		osl_report_add(r, "caps", "proc.capabilities", NULL, OSL_ENF_PARTIAL,
		    "every capability%s%s dropped from the permitted, effective, inheritable "
		    "and ambient sets; the bounding set stays (osl has no CAP_SETPCAP), "
		    "no_new_privs keeps exec from granting more", keep ? " but " : "",
		    keep ? names : "");
}

/* --- in the child: system calls only --- */

int
osl_ids_apply(const struct osl_ids *ids, bool keep_caps)
{
	/* a kept capability survives the change of uid (PR_SET_KEEPCAPS
	 * holds the permitted set; osl_caps_apply raises it again) */
	if (keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1)
		return errno;
	if (setgroups(ids->ngroups, ids->groups) == -1 || setgid(ids->gid) == -1 ||
	    setuid(ids->uid) == -1)
		return errno;
	return 0;
}

int
osl_caps_apply(const struct osl_sandbox *sb, const char **step)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	uint32_t keep[2] = { (uint32_t)sb->caps_keep, (uint32_t)(sb->caps_keep >> 32) };

	*step = "capget";
	if (!caps_get(d))
		return errno;
	/* the permitted set back in effect (after a change of ids) */
	d[0].effective = d[0].permitted;
	d[1].effective = d[1].permitted;
	*step = "capset";
	if (syscall(SYS_capset, &h, d) == -1)
		return errno;
	if (d[0].effective & (1u << CAP_SETPCAP)) {
		*step = "securebits";
		/* keep-caps stays free: what a setuid keeps is within the
		 * bounding set below (setpriv --reuid sets it) */
		if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		    SECBIT_NO_SETUID_FIXUP_LOCKED, 0, 0, 0) == -1)
			return errno;
		*step = "capability bounding set";
		/* one call each, not read first: dropping one that is not in
		 * the set succeeds too; EINVAL is past the kernel's last */
		for (int c = 0; c < 64; c++)
			if (!(sb->caps_keep & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1) {
				if (errno == EINVAL)
					break;
				return errno;
			}
	}
	*step = "ambient capabilities";
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
		return errno;
	for (int i = 0; i < 2; i++) {
		d[i].permitted &= keep[i];
		d[i].effective = d[i].inheritable = d[i].permitted;
	}
	*step = "capset";
	if (syscall(SYS_capset, &h, d) == -1)
		return errno;
	/* ambient: what a program that is not root keeps across exec */
	*step = "ambient capabilities";
	for (int c = 0; c < 64; c++)
		if ((d[c / 32].permitted & (1u << (c % 32))) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) == -1)
			return errno;
	return 0;
}
