/* Open a packet socket (sniff or forge frames). */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <sys/socket.h>
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return result("packet_socket", TRY(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))));
}
