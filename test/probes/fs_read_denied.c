/* Read a file under a deny rule. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "secret/key"), O_RDONLY);
	return result("fs_read_denied", fd == -1 ? errno : 0);
}
