/* Read through a read rule whose path is a symlink (docs -> BASE/outside). */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "docs/f"), O_RDONLY);
	return result("fs_symlink_rule_read", fd == -1 ? errno : 0);
}
