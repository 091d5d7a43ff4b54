/* Open a descriptor of the process that started this one (osl under
 * osl): /proc/PPID/fd/N, its log, its sockets, its policy. */
#include <dirent.h>
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[64]; DIR *d; struct dirent *e; int err = ENOENT, fd;
	PROBE_ARGS(argc, argv);
	snprintf(p, sizeof(p), "/proc/%d/fd", (int)getppid());
	if (!(d = opendir(p)))
		return result("parent_fd", errno);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/%d/fd/%s", (int)getppid(), e->d_name);
		if ((fd = open(p, O_RDONLY | O_NONBLOCK)) != -1) {
			close(fd);
			err = 0;
			break;
		}
		err = errno;
	}
	closedir(d);
	return result("parent_fd", err);
}
