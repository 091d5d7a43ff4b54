/* The filter of a traced program for `osl policy learn` (lib/proc), built
 * with libseccomp as the sandbox's are (seccomp.c). */
#include <errno.h>
#include <linux/filter.h>
#include <sys/mman.h>

#include <seccomp.h>

#include "sandbox/sandbox-int.h"

/* For `osl policy learn`: a filter that allows everything and asks the
 * tracer (SECCOMP_RET_TRACE) about NAMES, so the tracee stops only on the
 * calls that matter; "mmap" only when it maps code (PROT_EXEC): every
 * malloc maps memory.  Native architecture only: a call of another one is
 * not seen (the learner says so). */
const struct osl_error *
osl_seccomp_trace_build(const char *const *names, void **bpf, unsigned short *len)
{
	const struct osl_error *err = NULL;
	scmp_filter_ctx f;
	int rc;

	*bpf = NULL;
	*len = 0;
	if (!(f = seccomp_init(SCMP_ACT_ALLOW)))
		return osl_error_new(OSL_ESETUP, "seccomp: cannot initialise libseccomp");
	if ((rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0)) < 0) {
		err = osl_error_sys(OSL_ESETUP, -rc, "seccomp: cannot set attributes");
		goto done;
	}
	for (size_t i = 0; names[i]; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		if (nr < 0)
			continue;
		if (nr == SCMP_SYS(mmap))
			rc = seccomp_rule_add(f, SCMP_ACT_TRACE(0), nr, 1,
			    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
		else
			rc = seccomp_rule_add(f, SCMP_ACT_TRACE(0), nr, 0);
		if (rc < 0 && rc != -EEXIST) {
			err = osl_error_sys(OSL_ESETUP, -rc, "seccomp: cannot trace '%s'", names[i]);
			goto done;
		}
	}
	err = osl_seccomp_export(f, bpf, len);
done:
	seccomp_release(f);
	return err;
}
