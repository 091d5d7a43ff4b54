/* Remove a file where writing is not allowed. */
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int e;
	PROBE_ARGS(argc, argv);
	e = TRY(unlink(at(p, sizeof(p), "outside/victim")));
	if (!e) { FILE *f = fopen(p, "w"); if (f) fclose(f); }
	return result("fs_unlink_outside", e);
}
