/* Change a resource limit of the process that started this one
 * (prlimit(2) on osl: RLIMIT_FSIZE 0 would cut its records short,
 * RLIMIT_CPU kill it).  Set to what it was: harmless when it works. */
#include <sys/resource.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct rlimit old;
	PROBE_ARGS(argc, argv);
	if (prlimit(getppid(), RLIMIT_CORE, NULL, &old) == -1)
		return result("parent_prlimit", errno);
	return result("parent_prlimit", TRY(prlimit(getppid(), RLIMIT_CORE, &old, NULL)));
}
