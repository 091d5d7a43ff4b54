/* Truncate a read-only file with O_TRUNC. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "outside/f"), O_WRONLY | O_TRUNC);
	if (fd != -1 && write(fd, "f\n", 2) != 2)
		fd = -1;
	return result("fs_truncate", fd == -1 ? errno : 0);
}
