/* truncate(2) a read-only file by path. */
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int e;
	PROBE_ARGS(argc, argv);
	e = TRY(truncate(at(p, sizeof(p), "outside/f"), 2));
	return result("fs_truncate_call", e);
}
