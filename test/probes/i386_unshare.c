/* unshare(2) through the i386 entry point (int 0x80) from a 64-bit process. */
#include <sched.h>
#include "probe.h"
static long int80(long nr, long a) {
	long r;
	__asm__ volatile ("int $0x80" : "=a"(r) : "a"(nr), "b"(a) : "memory");
	return r;
}
int main(int argc, char **argv) {
	long r;
	PROBE_ARGS(argc, argv);
	if (int80(20 /* getpid */, 0) == -ENOSYS)
		return skip("i386_unshare", "the kernel has no i386 entry point");
	r = int80(310 /* unshare */, CLONE_NEWUTS);
	return result("i386_unshare", r < 0 && r > -4096 ? (int)-r : 0);
}
