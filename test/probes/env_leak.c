/* Read a secret from the environment osl was started with. */
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return result("env_leak", getenv("OSL_PROBE_SECRET") ? 0 : ENOENT);
}
