/* Read a denied file relative to a directory fd opened on its parent. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	int d, fd;
	PROBE_ARGS(argc, argv);
	d = open(B, O_RDONLY | O_DIRECTORY);
	fd = openat(d, "secret/key", O_RDONLY);
	return result("fs_read_openat", d == -1 || fd == -1 ? errno : 0);
}
