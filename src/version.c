/* osl --version: what was built, and what this kernel offers now
 * (man osl(1), --version). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cli.h"
#include "util/sanitizer.h"
#include "commit.h"
#include "sandbox/sandbox.h"


/* "v2" when /sys/fs/cgroup is cgroup2, "hybrid" when only its unified
 * part is, "v1" or "none" otherwise */
static const char *
cgroup_kind(void)
{
	struct statfs f;

	if (statfs("/sys/fs/cgroup", &f) == 0 && f.f_type == CGROUP2_SUPER_MAGIC)
		return "v2";
	if (statfs("/sys/fs/cgroup/unified", &f) == 0 && f.f_type == CGROUP2_SUPER_MAGIC)
		return "hybrid";
	return access("/sys/fs/cgroup", F_OK) == 0 ? "v1" : "none";
}

void
cli_version(void)
{
	bool need_user;
	/* a static program has no interpreter: the kernel gives no AT_BASE */
	bool is_static = getauxval(AT_BASE) == 0;
	/* PR_GET_SECCOMP answers EINVAL when the kernel has no seccomp */
	bool seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
	bool userns = osl_sandbox_can_unshare(&need_user);
	int abi = osl_landlock_abi();
	const char *cg = cgroup_kind();
	char build[96];

	snprintf(build, sizeof(build), "%s%s", is_static ? "static" : "dynamic",
	    OSL_SANITIZED ? ", sanitizers address,undefined" : "");
	out_obj_open(NULL);
	out_str("version", "osl %s", OSL_VERSION);
	out_str("commit", " (%s", OSL_COMMIT);
	out_str("build", ", %s)\n", build);
	out_obj_open("kernel");
	out_i64("landlock_abi", "landlock:        ABI %" PRId64, abi);
	out_text("%s\n", abi ? "" : " (not available: paths and ports are not held)");
	out_bool("seccomp", NULL, seccomp);
	out_text("seccomp:         %s\n", seccomp ? "yes" : "no");
	out_bool("namespaces", NULL, userns);
	out_text("namespaces:      %s%s\n", userns ? "yes" : "no",
	    userns && need_user ? " (through a user namespace)" : "");
	out_str("cgroup", "cgroup:          %s\n", cg);
	out_obj_close();
	out_obj_close();
}
