/* Not a probe: a named unix socket's listener outside the sandbox, for the
 * sockets osl cannot over-mount at the program's start (unix_later,
 * unix_netns) and a datagram one (unix_dgram).
 *   _listen SOCK            listen on SOCK (run under unshare -n: a socket
 *                           of another network namespace, reachable by path)
 *   _listen -d SOCK         a datagram socket bound at SOCK
 *   _listen -t TRIGGER SOCK bind SOCK only once TRIGGER is made (inotify on
 *                           its folder): a service that starts, or restarts,
 *                           after the program; after one connection SOCK is
 *                           unlinked again, for the next run
 * Sockets are mode 0666 (the probes also run as nobody).  Until killed. */
#include <libgen.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "probe.h"

static int
bound(const char *path, int type)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(a.sun_path);
	if ((s = socket(AF_UNIX, type, 0)) == -1 || bind(s, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    chmod(a.sun_path, 0666) == -1 || (type == SOCK_STREAM && listen(s, 16) == -1))
		exit(1);
	return s;
}

int main(int argc, char **argv) {
	char dir[4096], buf[4096];
	const char *trigger, *name;
	int in, s, c;

	if (argc == 2) {
		s = bound(argv[1], SOCK_STREAM);
		printf("ready\n");
		fflush(stdout);
		for (;;)
			if ((c = accept(s, NULL, NULL)) != -1)
				close(c);
	}
	if (argc == 3 && !strcmp(argv[1], "-d")) {
		s = bound(argv[2], SOCK_DGRAM);
		printf("ready\n");
		fflush(stdout);
		for (;;)
			(void)recv(s, buf, sizeof(buf), 0);
	}
	if (argc != 4 || strcmp(argv[1], "-t"))
		return 2;
	trigger = argv[2];
	snprintf(dir, sizeof(dir), "%s", trigger);
	name = strrchr(trigger, '/') ? strrchr(trigger, '/') + 1 : trigger;
	if ((in = inotify_init1(IN_CLOEXEC)) == -1 || inotify_add_watch(in, dirname(dir), IN_CREATE) == -1)
		return 1;
	unlink(argv[3]);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		for (char *p = buf; n > 0 && p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->len && !strcmp(ev->name, name)) {
				s = bound(argv[3], SOCK_STREAM);
				if ((c = accept(s, NULL, NULL)) != -1)
					close(c);
				unlink(argv[3]);
				close(s);
			}
			p += sizeof(*ev) + ev->len;
		}
	}
}
