/* Push characters into a terminal's input queue (TIOCSTI) on a real pty.
 * tiocsti_strict.c runs it again under the strict seccomp profile. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include "probe.h"
#ifndef NAME
#define NAME "tiocsti"
#endif
int main(int argc, char **argv) {
	int m, s; char c = 'x';
	PROBE_ARGS(argc, argv);
	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) || unlockpt(m))
		return skip(NAME, "no pty");
	if ((s = open(ptsname(m), O_RDWR | O_NOCTTY)) == -1)
		return skip(NAME, "cannot open the pty's other end");
	return result(NAME, TRY(ioctl(s, TIOCSTI, &c)));
}
