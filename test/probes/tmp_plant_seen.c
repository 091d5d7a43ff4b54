/* Find what another process planted in /tmp (a file the run script left
 * there, named after the helper's pid): /tmp is shared unless private. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd;
	PROBE_ARGS(argc, argv);
	snprintf(p, sizeof(p), "/tmp/osl-probe-plant-%d", HELPER);
	fd = open(p, O_RDONLY);
	return result("tmp_plant_seen", fd == -1 ? errno : 0);
}
