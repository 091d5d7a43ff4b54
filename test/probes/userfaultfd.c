/* Make a userfaultfd (a tool for winning kernel races), user-mode only,
 * which any user may. */
#include <fcntl.h>
#include <sys/syscall.h>
#include "probe.h"
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
int main(int argc, char **argv) {
	long fd;
	PROBE_ARGS(argc, argv);
	fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd == -1 && errno == ENOSYS)
		return skip("userfaultfd", "the kernel has no userfaultfd");
	return result("userfaultfd", fd == -1 ? errno : 0);
}
