/* Open a kernel crypto API socket (AF_ALG), a family that ordinary
 * programs never use and that has been a kernel attack surface (and
 * families like it autoload modules); under a policy with net rules. */
#include <sys/socket.h>
#include "probe.h"
#ifndef AF_ALG
#define AF_ALG 38
#endif
/* (a kernel without the family fails bare too: EAFNOSUPPORT, a skip) */
int main(int argc, char **argv) {
	int s;
	PROBE_ARGS(argc, argv);
	s = socket(AF_ALG, SOCK_SEQPACKET, 0);
	return result("af_alg", s == -1 ? errno : 0);
}
