/* Write through a rule with a symlink in the middle of its path
 * (via/inner/..., via -> outside). */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	fd = open(at(p, sizeof(p), "via/inner/planted"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd != -1) { close(fd); unlink(p); }
	return result("fs_symlink_rule_mid", fd == -1 ? errno : 0);
}
