/* A vsock socket (vsock_socket) through the i386 socketcall(2) multiplexer,
 * whose arguments live in memory a filter cannot read; under net rules. */
#include <sys/mman.h>
#include <sys/socket.h>
#include "probe.h"
static long int80(long nr, long a, long b) {
	long r;
	__asm__ volatile ("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
	return r;
}
int main(int argc, char **argv) {
	unsigned int *args;
	long r;
	PROBE_ARGS(argc, argv);
	if (int80(20 /* getpid */, 0, 0) == -ENOSYS)
		return skip("i386_vsock", "the kernel has no i386 entry point");
	args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (args == MAP_FAILED)
		return skip("i386_vsock", "no memory below 4G");
	args[0] = 40;	/* AF_VSOCK */
	args[1] = SOCK_STREAM;
	args[2] = 0;
	r = int80(102 /* socketcall */, 1 /* SYS_SOCKET */, (long)args);
	return result("i386_vsock", r < 0 && r > -4096 ? (int)-r : 0);
}
