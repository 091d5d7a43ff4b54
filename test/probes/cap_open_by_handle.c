/* The "shocker" escape (CAP_DAC_READ_SEARCH): open a denied file by its
 * handle, past every path rule.  The bare run (the runner's first) takes
 * secret/key's handle and leaves it in work/handle; the sandboxed run reads
 * it back and opens the file through a mount of the same filesystem. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096], buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	struct file_handle *h = (struct file_handle *)buf;
	int fd, mfd, mnt;
	ssize_t n;
	PROBE_ARGS(argc, argv);
	if ((fd = open(at(p, sizeof(p), "work/handle"), O_RDONLY)) != -1) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n < (ssize_t)sizeof(*h))
			return skip("cap_open_by_handle", "work/handle is short");
	} else {
		h->handle_bytes = MAX_HANDLE_SZ;
		if (name_to_handle_at(AT_FDCWD, at(p, sizeof(p), "secret/key"), h, &mnt, 0) == -1)
			return skip("cap_open_by_handle", "no handle for secret/key");
		if ((fd = open(at(p, sizeof(p), "work/handle"), O_WRONLY | O_CREAT, 0644)) == -1 ||
		    write(fd, buf, sizeof(*h) + h->handle_bytes) < 0)
			return skip("cap_open_by_handle", "cannot save the handle");
		close(fd);
	}
	if ((mfd = open(at(p, sizeof(p), "outside"), O_RDONLY | O_DIRECTORY)) == -1)
		return skip("cap_open_by_handle", "cannot open outside/");
	if ((fd = open_by_handle_at(mfd, h, O_RDONLY)) == -1)
		return result("cap_open_by_handle", errno);
	return result("cap_open_by_handle", read(fd, p, 4) == 4 && !memcmp(p, "key\n", 4) ? 0 : EIO);
}
