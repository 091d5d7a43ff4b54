/* Drop or change the supplementary groups (CAP_SETGID). */
#include <grp.h>
#include "probe.h"
int main(int argc, char **argv) {
	gid_t g = 0;
	PROBE_ARGS(argc, argv);
	return result("setgroups", TRY(setgroups(1, &g)));
}
