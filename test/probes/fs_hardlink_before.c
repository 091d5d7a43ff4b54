/* Read a denied file through a hard link made before the run
 * (work/notes and the denied work/netrc are one inode).  Not hidden: the
 * report says partial (test/probes/run checks it). */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "work/notes"), O_RDONLY);
	return result("fs_hardlink_before", fd == -1 ? errno : 0);
}
