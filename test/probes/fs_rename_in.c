/* Move a read-only file into the writable folder (to then change it). */
#include "probe.h"
int main(int argc, char **argv) {
	char s[4096], d[4096]; int e;
	PROBE_ARGS(argc, argv);
	e = TRY(rename(at(s, sizeof(s), "outside/g"), at(d, sizeof(d), "work/g")));
	if (!e) rename(d, s);
	return result("fs_rename_in", e);
}
