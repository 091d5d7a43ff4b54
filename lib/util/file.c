/* Small files of /proc and /sys, read whole (util/file.h). */
#include <fcntl.h>
#include <unistd.h>

#include "util/file.h"

ssize_t
osl_read_small(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((size_t)total < size - 1 && (n = read(fd, buf + total, size - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}
