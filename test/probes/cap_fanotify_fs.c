/* Watch a whole filesystem with fanotify (FAN_MARK_FILESYSTEM needs
 * CAP_SYS_ADMIN): each event carries an open descriptor of the file that
 * any process opened, a denied secret's too. */
#include <fcntl.h>
#include <sys/fanotify.h>
#include "probe.h"
int main(int argc, char **argv) {
	int fd;
	PROBE_ARGS(argc, argv);
	if ((fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY)) == -1)
		return result("cap_fanotify_fs", errno);
	return result("cap_fanotify_fs", TRY(fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
	    FAN_OPEN, AT_FDCWD, B)));
}
