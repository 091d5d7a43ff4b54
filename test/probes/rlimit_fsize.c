/* Write a file bigger than the policy's fsize limit (1M). */
#include <fcntl.h>
#include <signal.h>
#include "probe.h"
int main(int argc, char **argv) {
	static char buf[1 << 16];
	char p[4096]; int fd, e = 0;
	PROBE_ARGS(argc, argv);
	signal(SIGXFSZ, SIG_IGN);
	if ((fd = open(at(p, sizeof(p), "work/big"), O_CREAT | O_WRONLY | O_TRUNC, 0600)) == -1)
		return skip("rlimit_fsize", "cannot create work/big");
	for (int i = 0; i < 32 && !e; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			e = errno ? errno : EFBIG;
	unlink(p);
	return result("rlimit_fsize", e);
}
