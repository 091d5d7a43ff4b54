/* Make a BPF map (the bpf(2) attack surface). */
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include "probe.h"
int main(int argc, char **argv) {
	union bpf_attr a;
	long r;
	PROBE_ARGS(argc, argv);
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	r = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	return result("bpf_map", r == -1 ? errno : 0);
}
