/* Finding the supervisor's cgroup v2 folder from /proc/self/mountinfo and
 * /proc/self/cgroup (the pure part of lib/supervise/cgroup.c). */
#include "tap.h"
#include "supervise/cgroup.h"

/* This machine's kind of layout: v1 controllers, cgroup2 at .../unified. */
static const char hybrid[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char unified[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "29 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

/* A container that sees only its own subtree, bind-mounted, with a space. */
static const char bound[] =
    "600 500 0:26 /system.slice/my\\040app /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n";

static const char *
loc(const char *mi, const char *self)
{
	static char out[512];

	return osl_sv_cgroup_locate(mi, self, out, sizeof(out)) ? out : NULL;
}

int
main(void)
{
	char small[16];

	is_str(loc(hybrid, "4:memory:/x\n1:cpu:/\n0::/\n"), "/sys/fs/cgroup/unified",
	    "hybrid: the root of the cgroup2 mount");
	is_str(loc(hybrid, "0::/user.slice/s-1.scope\n"), "/sys/fs/cgroup/unified/user.slice/s-1.scope",
	    "hybrid: a folder under it");
	is_str(loc(unified, "0::/system.slice/osl.service\n"),
	    "/sys/fs/cgroup/system.slice/osl.service", "unified: optional fields are skipped");
	is_str(loc(bound, "0::/system.slice/my app/sub\n"), "/sys/fs/cgroup/sub",
	    "a bind mount of a subtree: the path under its root, \\040 unescaped");
	is_str(loc(bound, "0::/system.slice/my app\n"), "/sys/fs/cgroup", "the subtree's own root");
	ok(!loc(bound, "0::/system.slice/my appx\n"), "a sibling with the same prefix is not under it");
	ok(!loc(bound, "0::/other\n"), "a cgroup outside the mounted subtree: none");
	ok(!loc(hybrid, "4:memory:/x\n1:cpu:/\n"), "no 0:: line (v1 only): none");
	ok(!loc(hybrid, "0::\n"), "an empty 0:: path: none");
	ok(!loc("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "0::/\n"),
	    "no cgroup2 mount: none");
	ok(!loc("41 31 0:38 / /sys/fs/cgroup/unified rw\n", "0::/\n"), "a line cut short: none");
	ok(!osl_sv_cgroup_locate(hybrid, "0::/a/very/long/path/indeed\n", small, sizeof(small)),
	    "a result that does not fit: none");
	/* the leftovers a new supervisor may sweep: osl-supervise.PID only */
	pid_t pid = 0;
	ok(osl_sv_cgroup_owner("osl-supervise.4321", &pid) && pid == 4321, "osl-supervise.4321");
	ok(osl_sv_cgroup_owner("osl-supervise.2147483647", &pid) && pid == 2147483647, "the top pid");
	ok(!osl_sv_cgroup_owner("osl-supervise.2147483648", &pid), "past a pid: none");
	ok(!osl_sv_cgroup_owner("osl-supervise.99999999999999999999", &pid), "overflow: none");
	ok(!osl_sv_cgroup_owner("osl-supervise.", &pid), "no pid: none");
	ok(!osl_sv_cgroup_owner("osl-supervise.0", &pid), "pid 0: none");
	ok(!osl_sv_cgroup_owner("osl-supervise.12x", &pid), "a pid and more: none");
	ok(!osl_sv_cgroup_owner("osl-supervise.-1", &pid), "a sign: none");
	ok(!osl_sv_cgroup_owner("my-osl-supervise.12", &pid), "another name: none");
	ok(!osl_sv_cgroup_owner(".supervisor", &pid), ".supervisor: none");
	return done_testing();
}
