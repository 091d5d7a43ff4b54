/* Move a file out of the writable folder into a read-only one. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char s[4096], d[4096]; int e, fd;
	PROBE_ARGS(argc, argv);
	if ((fd = open(at(s, sizeof(s), "work/mv"), O_CREAT | O_WRONLY, 0600)) == -1)
		return skip("fs_rename_across", "cannot create the source in work/");
	close(fd);
	e = TRY(rename(s, at(d, sizeof(d), "outside/mv")));
	if (!e) unlink(d);
	unlink(s);
	return result("fs_rename_across", e);
}
