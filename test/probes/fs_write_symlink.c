/* Write a read-only file through a symlink in the writable folder. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "work/sym_outside"), O_WRONLY | O_APPEND);
	return result("fs_write_symlink", fd == -1 ? errno : 0);
}
