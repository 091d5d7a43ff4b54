/* Hard-link a file from a read-only folder into the writable one (REFER). */
#include "probe.h"
int main(int argc, char **argv) {
	char s[4096], d[4096]; int e;
	PROBE_ARGS(argc, argv);
	e = TRY(link(at(s, sizeof(s), "outside/f"), at(d, sizeof(d), "work/f-link")));
	if (!e) unlink(d);
	return result("fs_link_across", e);
}
