/* Read a denied file by climbing out of an allowed folder with "..". */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "work/../work/../secret/key"), O_RDONLY);
	return result("fs_read_dotdot", fd == -1 ? errno : 0);
}
