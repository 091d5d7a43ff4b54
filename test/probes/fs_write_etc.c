/* Create a file in /etc. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	int fd, e;
	PROBE_ARGS(argc, argv);
	fd = open("/etc/osl-probe-escape", O_CREAT | O_WRONLY, 0600);
	e = fd == -1 ? errno : 0;
	if (fd != -1) { close(fd); unlink("/etc/osl-probe-escape"); }
	return result("fs_write_etc", e);
}
