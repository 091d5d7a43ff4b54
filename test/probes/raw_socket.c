/* Open a raw IP socket. */
#include <netinet/in.h>
#include <sys/socket.h>
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return result("raw_socket", TRY(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)));
}
