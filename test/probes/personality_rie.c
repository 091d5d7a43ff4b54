/* personality(READ_IMPLIES_EXEC): a readable mapping of a file outside
 * every exec tree becomes code without PROT_EXEC being asked for.
 * Escape: /proc/self/maps shows it executable. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096], line[4096], perm[8]; int fd, err = EACCES; void *m; FILE *f;
	unsigned long lo;
	PROBE_ARGS(argc, argv);
	if (personality(READ_IMPLIES_EXEC) == -1)
		return result("personality_rie", errno);
	if (!(personality(0xffffffff) & READ_IMPLIES_EXEC))
		return result("personality_rie", EPERM);
	if ((fd = open(at(p, sizeof(p), "outside/prog"), O_RDONLY)) == -1)
		return skip("personality_rie", "cannot read outside/prog");
	if ((m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		return result("personality_rie", errno);
	if (!(f = fopen("/proc/self/maps", "r")))
		return skip("personality_rie", "no /proc/self/maps");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%*x %7s", &lo, perm) == 2 && lo == (unsigned long)m)
			err = perm[2] == 'x' ? 0 : EACCES;
	fclose(f);
	return result("personality_rie", err);
}
