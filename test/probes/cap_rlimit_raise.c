/* Raise a hard limit again (CAP_SYS_RESOURCE): lower RLIMIT_NOFILE's by
 * one, then put it back. */
#include <sys/resource.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct rlimit rl;
	PROBE_ARGS(argc, argv);
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_max < 2)
		return skip("cap_rlimit_raise", "no nofile limit");
	rl.rlim_max--;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		return skip("cap_rlimit_raise", "cannot lower the limit");
	rl.rlim_max++;
	return result("cap_rlimit_raise", TRY(setrlimit(RLIMIT_NOFILE, &rl)));
}
