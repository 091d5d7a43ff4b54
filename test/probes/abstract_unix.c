/* Connect to an abstract unix socket a process outside listens on. */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s; socklen_t len;
	PROBE_ARGS(argc, argv);
	if (!HELPER)
		return skip("abstract_unix", "no helper");
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    (size_t)snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "osl-probe-%d", HELPER));
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return result("abstract_unix", errno);
	return result("abstract_unix", TRY(connect(s, (struct sockaddr *)&a, len)));
}
