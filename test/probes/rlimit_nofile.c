/* Open more files than the policy's nofile limit (256) allows. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	int e = 0;
	PROBE_ARGS(argc, argv);
	for (int i = 0; i < 300 && !e; i++)
		e = TRY(open("/dev/null", O_RDONLY));
	return result("rlimit_nofile", e);
}
