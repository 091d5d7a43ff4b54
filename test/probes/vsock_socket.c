/* Open a vsock socket (AF_VSOCK): in a virtual machine it reaches the
 * host's side past any network namespace; under a policy with net rules. */
#include <sys/socket.h>
#include "probe.h"
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
/* (a kernel without the family fails bare too: EAFNOSUPPORT, a skip) */
int main(int argc, char **argv) {
	int s;
	PROBE_ARGS(argc, argv);
	s = socket(AF_VSOCK, SOCK_STREAM, 0);
	return result("vsock_socket", s == -1 ? errno : 0);
}
