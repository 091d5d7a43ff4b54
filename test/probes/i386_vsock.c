/* A vsock socket (vsock_socket) through the i386 socketcall(2) multiplexer,
 * whose arguments live in memory a filter cannot read; under net rules. */
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return i386_socket("i386_vsock", 40 /* AF_VSOCK */, SOCK_STREAM);
}
