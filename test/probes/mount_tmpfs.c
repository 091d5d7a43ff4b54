/* Mount a filesystem. */
#include <sys/mount.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int e;
	PROBE_ARGS(argc, argv);
	e = TRY(mount("probe", at(p, sizeof(p), "work"), "tmpfs", 0, NULL));
	if (!e) umount(p);
	return result("mount_tmpfs", e);
}
