/* Hard-link a denied file into the writable folder, then read it. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char s[4096], d[4096]; int e;
	PROBE_ARGS(argc, argv);
	e = TRY(link(at(s, sizeof(s), "secret/key"), at(d, sizeof(d), "work/hl")));
	if (!e) { e = TRY(open(d, O_RDONLY)); unlink(d); }
	return result("fs_hardlink_denied", e);
}
