/* Run a program from memory: copy this probe into a memfd and execveat it
 * (AT_EMPTY_PATH), past every exec rule.  The copy says it ran. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct stat st;
	int in, fd;
	PROBE_ARGS(argc, argv);
	if (argc > 4)
		return result("memfd_execveat", 0);
	if ((in = open("/proc/self/exe", O_RDONLY)) == -1 || fstat(in, &st) == -1)
		return skip("memfd_execveat", "cannot read /proc/self/exe");
	if ((fd = memfd_create("probe", MFD_CLOEXEC)) == -1)
		return result("memfd_execveat", errno);
	if (sendfile(fd, in, NULL, (size_t)st.st_size) != st.st_size)
		return skip("memfd_execveat", "cannot copy the program");
	char *av[] = { argv[0], argv[1], "0", "0", "inner", NULL };
	syscall(SYS_execveat, fd, "", av, (char *[]){ NULL }, AT_EMPTY_PATH);
	return result("memfd_execveat", errno);
}
