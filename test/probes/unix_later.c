/* Connect to a named unix socket that a service outside binds after the
 * program started (a service restarted: a new socket, not in
 * /proc/net/unix when osl over-mounted the others), in a folder the policy
 * lets the program read but not write (outside/later.sock).  The program
 * makes work/bind-later; the listener (_listen -t) binds the socket then.
 * Landlock (ABI 7) does not check connect(2): osl decides it
 * (lib/sandbox/unixconn.c); where it cannot, unix-connect is partial. */
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char trig[4096];
	int fd;
	PROBE_ARGS(argc, argv);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/outside/later.sock", B);
	if (access(a.sun_path, F_OK) == 0)
		return skip("unix_later", "outside/later.sock is there before the start");
	at(trig, sizeof(trig), "work/bind-later");
	unlink(trig);
	if ((fd = open(trig, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) == -1)
		return result("unix_later", errno);
	close(fd);
	/* bounded: up to 10 s for the listener to bind */
	for (int i = 0; i < 1000 && access(a.sun_path, F_OK) == -1; i++)
		nanosleep(&ts, NULL);
	return unix_reach("unix_later", "outside/later.sock", SOCK_STREAM,
	    "no listener binds outside/later.sock");
}
