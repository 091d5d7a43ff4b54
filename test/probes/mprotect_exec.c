/* Map a readable file outside every exec tree, then make the mapping
 * code with mprotect(PROT_EXEC) (mmap_exec asks at mmap). */
#include <fcntl.h>
#include <sys/mman.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096]; int fd; void *m;
	PROBE_ARGS(argc, argv);
	if ((fd = open(at(p, sizeof(p), "outside/prog"), O_RDONLY)) == -1)
		return skip("mprotect_exec", "cannot read outside/prog");
	if ((m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		return skip("mprotect_exec", "cannot map outside/prog");
	return result("mprotect_exec", TRY(mprotect(m, 4096, PROT_READ | PROT_EXEC)));
}
