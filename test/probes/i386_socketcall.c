/* A UDP socket through the i386 socketcall(2) multiplexer, whose arguments
 * live in memory a filter cannot read. */
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return i386_socket("i386_socketcall", AF_INET, SOCK_DGRAM);
}
