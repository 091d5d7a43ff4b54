/* Set the system clock (CAP_SYS_TIME): to the time it has, so the probe
 * moves it by microseconds at most where it works. */
#include <sys/time.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct timeval tv;
	PROBE_ARGS(argc, argv);
	if (gettimeofday(&tv, NULL) == -1)
		return skip("cap_settimeofday", "no clock");
	return result("cap_settimeofday", TRY(settimeofday(&tv, NULL)));
}
