/* Write through a rule on a symlink that points back up the tree
 * (work/up -> ..), out into the read-only folder. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "work/up/outside/planted"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd != -1) { close(fd); unlink(p); }
	return result("fs_symlink_rule_back", fd == -1 ? errno : 0);
}
