/* Run a program from memory through its /proc/self/fd link: execve of a
 * memfd that holds a copy of this probe.  The copy says it ran. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include "probe.h"
int main(int argc, char **argv) {
	char path[64];
	struct stat st;
	int in, fd;
	PROBE_ARGS(argc, argv);
	if (argc > 4)
		return result("memfd_procfd", 0);
	if ((in = open("/proc/self/exe", O_RDONLY)) == -1 || fstat(in, &st) == -1)
		return skip("memfd_procfd", "cannot read /proc/self/exe");
	if ((fd = memfd_create("probe", 0)) == -1)
		return result("memfd_procfd", errno);
	if (sendfile(fd, in, NULL, (size_t)st.st_size) != st.st_size)
		return skip("memfd_procfd", "cannot copy the program");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	char *av[] = { argv[0], argv[1], "0", "0", "inner", NULL };
	execve(path, av, (char *[]){ NULL });
	return result("memfd_procfd", errno);
}
