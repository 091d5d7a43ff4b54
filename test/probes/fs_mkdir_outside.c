/* Make a folder where writing is not allowed. */
#include <sys/stat.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int e;
	PROBE_ARGS(argc, argv);
	e = TRY(mkdir(at(p, sizeof(p), "outside/d"), 0700));
	if (!e) rmdir(p);
	return result("fs_mkdir_outside", e);
}
