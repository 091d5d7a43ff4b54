/* Open a UDP socket (not covered by Landlock's TCP rules). */
#include <sys/socket.h>
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return result("udp_socket", TRY(socket(AF_INET, SOCK_DGRAM, 0)));
}
