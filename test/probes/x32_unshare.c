/* unshare(2) through the x32 entry point. */
#include <sched.h>
#include <sys/syscall.h>
#include "probe.h"
#define X32 0x40000000L
int main(int argc, char **argv) {
	long r;
	PROBE_ARGS(argc, argv);
	if (syscall(X32 | 39 /* getpid */) == -1 && errno == ENOSYS)
		return skip("x32_unshare", "the kernel has no x32 ABI");
	r = syscall(X32 | 272 /* unshare */, CLONE_NEWUTS);
	return result("x32_unshare", r == -1 ? errno : 0);
}
