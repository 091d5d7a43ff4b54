/* Write through a write rule whose path is a symlink (out -> outside): the
 * rule is on the link's name, which the policy does not follow. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "out/planted"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd != -1) { close(fd); unlink(p); }
	return result("fs_symlink_rule_write", fd == -1 ? errno : 0);
}
