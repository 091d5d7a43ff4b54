/* Take a descriptor of the process that started this one with
 * pidfd_getfd(2) (Linux 5.6). */
#include <sys/syscall.h>
#include "probe.h"
int main(int argc, char **argv) {
	long pfd;
	PROBE_ARGS(argc, argv);
	if ((pfd = syscall(SYS_pidfd_open, getppid(), 0)) == -1)
		return result("parent_getfd", errno);
	if (syscall(SYS_pidfd_getfd, (int)pfd, 0, 0) == -1)
		return errno == ENOSYS ? skip("parent_getfd", "no pidfd_getfd") : result("parent_getfd", errno);
	return result("parent_getfd", 0);
}
