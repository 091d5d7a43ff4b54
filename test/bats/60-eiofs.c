/* eiofs MOUNTPOINT: a FUSE filesystem, spoken straight to /dev/fuse (no
 * libfuse), whose data fails: a file "bad" of 1 MiB whose every read is EIO,
 * and any file created in it takes no write (EIO).  For 60-reliability.bats:
 * a real EIO from the kernel's VFS, where the machine has no device-mapper.
 * Prints "ready" once mounted; serves until unmounted. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum { ROOT = FUSE_ROOT_ID, BAD, NEW };

static int dev;

static void
reply(const struct fuse_in_header *in, int error, const void *out, size_t len)
{
	struct fuse_out_header h = {
		.len = (uint32_t)(sizeof(h) + (error ? 0 : len)),
		.error = -error,
		.unique = in->unique,
	};
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)out, error ? 0 : len } };

	(void)writev(dev, iov, 2);
}

static void
attr_of(uint64_t node, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = node;
	a->nlink = 1;
	a->blksize = 4096;
	if (node == ROOT) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0644;
		a->size = node == BAD ? 1 << 20 : 0;
		a->blocks = a->size / 512;
	}
}

static void
entry(const struct fuse_in_header *in, uint64_t node)
{
	struct fuse_entry_out e = { .nodeid = node };

	attr_of(node, &e.attr);
	reply(in, 0, &e, sizeof(e));
}

static void
serve(const struct fuse_in_header *in, const char *arg)
{
	switch (in->opcode) {
	case FUSE_INIT: {
		const struct fuse_init_in *ii = (const void *)arg;
		struct fuse_init_out o = {
			.major = FUSE_KERNEL_VERSION, .minor = FUSE_KERNEL_MINOR_VERSION,
			.max_readahead = ii->max_readahead, .max_write = 65536,
		};
		reply(in, 0, &o, sizeof(o));
		return;
	}
	case FUSE_LOOKUP:
		if (in->nodeid == ROOT && strcmp(arg, "bad") == 0)
			entry(in, BAD);
		else
			reply(in, ENOENT, NULL, 0);
		return;
	case FUSE_GETATTR:
	case FUSE_SETATTR: {
		struct fuse_attr_out o = { 0 };

		attr_of(in->nodeid, &o.attr);
		reply(in, 0, &o, sizeof(o));
		return;
	}
	case FUSE_OPEN:
	case FUSE_OPENDIR: {
		struct fuse_open_out o = { 0 };

		reply(in, 0, &o, sizeof(o));
		return;
	}
	case FUSE_CREATE: {
		struct { struct fuse_entry_out e; struct fuse_open_out o; } c = { 0 };

		c.e.nodeid = NEW;
		attr_of(NEW, &c.e.attr);
		reply(in, 0, &c, sizeof(c));
		return;
	}
	case FUSE_READ:
	case FUSE_WRITE:
	case FUSE_FSYNC:
		reply(in, in->nodeid == ROOT ? EISDIR : EIO, NULL, 0);
		return;
	case FUSE_READDIR:
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
	case FUSE_ACCESS:
	case FUSE_UNLINK:
	case FUSE_FSYNCDIR:
		reply(in, 0, NULL, 0);
		return;
	case FUSE_STATFS: {
		struct fuse_statfs_out o = { .st = { .bsize = 4096, .frsize = 4096, .namelen = 255 } };

		reply(in, 0, &o, sizeof(o));
		return;
	}
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return;		/* no answer is expected */
	default:
		reply(in, ENOSYS, NULL, 0);
	}
}

int
main(int argc, char **argv)
{
	static char buf[FUSE_MIN_READ_BUFFER + (1 << 20)];
	char opts[128];
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: eiofs MOUNTPOINT\n");
		return 2;
	}
	if ((dev = open("/dev/fuse", O_RDWR | O_CLOEXEC)) == -1) {
		perror("eiofs: /dev/fuse");
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", dev);
	if (mount("eiofs", argv[1], "fuse.eiofs", MS_NOSUID | MS_NODEV, opts) == -1) {
		perror("eiofs: mount");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while ((n = read(dev, buf, sizeof(buf))) > 0 || (n == -1 && (errno == EINTR ||
	    errno == ENOENT || errno == EAGAIN))) {
		const struct fuse_in_header *in = (const void *)buf;

		if (n < (ssize_t)sizeof(*in))
			continue;
		if (in->opcode == FUSE_DESTROY)
			break;
		serve(in, buf + sizeof(*in));
	}
	return 0;
}
