/* Map a readable file outside every exec tree as code (mmap PROT_EXEC):
 * what the dynamic loader does with "ld.so FILE", and dlopen. */
#include <fcntl.h>
#include <sys/mman.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd; void *m;
	PROBE_ARGS(argc, argv);
	if ((fd = open(at(p, sizeof(p), "outside/prog"), O_RDONLY)) == -1)
		return skip("mmap_exec", "cannot read outside/prog");
	m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	return result("mmap_exec", m == MAP_FAILED ? errno : 0);
}
