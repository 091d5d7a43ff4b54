/* Set up an io_uring (a way around per-syscall filters). */
#include <string.h>
#include <sys/syscall.h>
#include "probe.h"
int main(int argc, char **argv) {
	char params[120]; long fd;
	PROBE_ARGS(argc, argv);
	memset(params, 0, sizeof(params));
	fd = syscall(425 /* io_uring_setup */, 1, params);
	if (fd == -1 && errno == EPERM) {
		/* kernel.io_uring_disabled or a filter: tell them apart in the runner */
	}
	return result("io_uring", fd == -1 ? errno : 0);
}
