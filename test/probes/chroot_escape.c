/* chroot(2), the first step of the classic chroot escape. */
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096];
	PROBE_ARGS(argc, argv);
	return result("chroot_escape", TRY(chroot(at(p, sizeof(p), "work"))));
}
