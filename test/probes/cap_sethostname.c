/* Set the host name (CAP_SYS_ADMIN over the UTS namespace): to the name it
 * has, so that the probe changes nothing where it works. */
#include "probe.h"
int main(int argc, char **argv) {
	char h[256];
	PROBE_ARGS(argc, argv);
	if (gethostname(h, sizeof(h)) == -1)
		return skip("cap_sethostname", "no host name");
	return result("cap_sethostname", TRY(sethostname(h, strlen(h))));
}
