/* unshare(2) through the i386 entry point (int 0x80) from a 64-bit process. */
#include <sched.h>
#include "probe.h"
int main(int argc, char **argv) {
	long r;
	PROBE_ARGS(argc, argv);
	if (int80(20 /* getpid */, 0, 0) == -ENOSYS)
		return skip("i386_unshare", "the kernel has no i386 entry point");
	r = int80(310 /* unshare */, CLONE_NEWUTS, 0);
	return result("i386_unshare", r < 0 && r > -4096 ? (int)-r : 0);
}
