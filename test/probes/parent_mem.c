/* Write into the memory of the process that started this one
 * (/proc/PPID/mem): osl, which decides and logs. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[64];
	PROBE_ARGS(argc, argv);
	snprintf(p, sizeof(p), "/proc/%d/mem", (int)getppid());
	return result("parent_mem", TRY(open(p, O_RDWR)));
}
