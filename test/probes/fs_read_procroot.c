/* Read a denied file through /proc/self/root. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	snprintf(p, sizeof(p), "/proc/self/root%s/secret/key", B);
	fd = open(p, O_RDONLY);
	return result("fs_read_procroot", fd == -1 ? errno : 0);
}
