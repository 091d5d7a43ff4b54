/* Create a file in a folder the policy does not let us write. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd, e;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "outside/new"), O_CREAT | O_WRONLY | O_EXCL, 0600);
	e = fd == -1 ? errno : 0;
	if (fd != -1) { close(fd); unlink(p); }
	return result("fs_write_outside", e);
}
