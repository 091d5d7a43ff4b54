/* TIOCLINUX with the request's high 32 bits set, to slip past a filter
 * that compares all 64 bits (the kernel uses the low 32). */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "probe.h"
int main(int argc, char **argv) {
	int m, s; char c = 'x';
	PROBE_ARGS(argc, argv);
	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) || unlockpt(m))
		return skip("tiocsti_high_bits", "no pty");
	if ((s = open(ptsname(m), O_RDWR | O_NOCTTY)) == -1)
		return skip("tiocsti_high_bits", "cannot open the pty's other end");
	return result("tiocsti_high_bits", TRY(syscall(SYS_ioctl, s, 0xdead00000000UL | TIOCSTI, &c)));
}
