/* Attach a SysV shared memory segment made outside the sandbox (the runner
 * makes one, mode 0600, and writes its id to outside/shmid). */
#include <fcntl.h>
#include <sys/shm.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096], id[32] = "";
	int fd;
	ssize_t n;
	void *m;
	PROBE_ARGS(argc, argv);
	if ((fd = open(at(p, sizeof(p), "outside/shmid"), O_RDONLY)) == -1 ||
	    (n = read(fd, id, sizeof(id) - 1)) <= 0)
		return skip("ipc_shmat", "no segment (ipcmk is needed)");
	m = shmat(atoi(id), NULL, SHM_RDONLY);
	return result("ipc_shmat", m == (void *)-1 ? errno : 0);
}
