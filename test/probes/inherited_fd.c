/* Use a descriptor the caller left open (fd 9: a read-only file). */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return result("inherited_fd", TRY(fcntl(9, F_GETFD)));
}
