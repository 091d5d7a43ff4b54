/* Any descriptor beyond 0-2 left open at exec: osl's own (log, control
 * socket, policy) or the caller's.  Escape: one is there. */
#include <dirent.h>
#include "probe.h"
int main(int argc, char **argv) {
	DIR *d; struct dirent *e; int err = EBADF;
	PROBE_ARGS(argc, argv);
	if (!(d = opendir("/proc/self/fd")))
		return result("fd_scan", errno);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) > 2 && atoi(e->d_name) != dirfd(d))
			err = 0;
	closedir(d);
	return result("fd_scan", err);
}
