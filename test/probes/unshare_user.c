/* Make a user namespace (and with it, capabilities). */
#include <sched.h>
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return result("unshare_user", TRY(unshare(CLONE_NEWUSER)));
}
