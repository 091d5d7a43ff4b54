/* A file sink: the thin layer that locks, reads the last record, writes
 * a batch, rotates and reserves space (man osl-log(5), CONCURRENCY).
 *
 * A file may be shared by several osl processes: records are written under
 * flock(LOCK_EX) on an O_APPEND descriptor, one write(2) per batch (one
 * record, or the records a long-running writer has at once), after checking
 * that the file did not change under us (else its last complete record
 * gives the sequence and the previous hash). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* fallocate */
#endif
#include "log/sink.h"
#include "util/parse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define TAIL_MAX	(2 * OSL_LOG_FILE_MAX + 2)
#define RESERVE_CHUNK	(64 * 1024)
#define RESERVE_LOW	(16 * 1024)
#define RESERVE_SLACK	(16 * 1024)	/* st_blocks also counts the file's own metadata */
#define PATH_CHECK_NS	1000000000ull
/* Files a writer follows the path through before one record: each step
 * means another writer rotated the file it was waiting for (a writer
 * holding a batch keeps its lock across a rotation). */
#define MOVES_MAX	1000

/* Set from a SIGHUP handler (osl_log_hup): the next record checks the path
 * at once instead of within a second. */
static volatile sig_atomic_t hup_pending;

void
osl_log_hup(void)
{
	hup_pending = 1;
}

static int
open_file(const char *path)
{
	struct stat st;
	int fd;

	/* read too: the tail gives the last hash and sequence */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static int
make_parents(char *path)
{
	char *p;

	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

const struct osl_error *
osl_log_file_open(struct osl_log *log)
{
	/* the folders are there but the first time */
	if ((log->fd = open_file(log->path)) == -1 && errno == ENOENT &&
	    make_parents(log->path) == -1)
		return osl_error_errno("cannot make the folders of '%s'", log->path);
	if (log->fd == -1 && (log->fd = open_file(log->path)) == -1)
		return osl_error_errno("cannot open '%s'", log->path);
	return NULL;
}

static int
lock_fd(int fd, int op)
{
	int r;

	do
		r = flock(fd, op);
	while (r == -1 && errno == EINTR);
	return r;
}

/* The sequence and hash of one complete line, if it is a record. */
static bool
line_state(const char *line, size_t len, uint64_t *seq, uint8_t hash[32])
{
	uint8_t prev[32];
	size_t pl;
	cJSON *rec, *s;
	bool ok = false;

	if ((rec = cJSON_ParseWithLength(line, len)) == NULL)
		return false;
	s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "event"),
	    "sequence");
	if (cJSON_IsNumber(s) && s->valuedouble >= 0 && s->valuedouble < 9007199254740992.0) {
		*seq = (uint64_t)s->valuedouble;
		if (!osl_chain_split(line, len, &pl, prev, hash, NULL))
			memset(hash, 0, 32);
		ok = true;
	}
	cJSON_Delete(rec);
	return ok;
}

/* Read the last complete record of FD (SIZE bytes long) from a window of
 * WANT bytes at its end.  1 found, 0 none, -1 error, 2 the window was too
 * small to tell. */
static int
read_window(struct osl_log *log, int fd, off_t size, size_t want, uint64_t *seq,
    uint8_t hash[32], bool *need_nl)
{
	size_t n, end, start;
	ssize_t r;
	off_t off;
	int tries;

	n = (off_t)want < size ? want : (size_t)size;
	off = size - (off_t)n;
	do
		r = pread(fd, log->tail, n, off);
	while (r == -1 && errno == EINTR);
	if (r < 0)
		return -1;
	n = (size_t)r;
	if (n == 0)
		return 0;
	*need_nl = log->tail[n - 1] != '\n';
	/* walk back over complete lines until one is a record */
	end = n;
	while (end > 0 && log->tail[end - 1] != '\n')
		end--;
	for (tries = 0; end > 0 && tries < 64; tries++) {
		start = end - 1;
		while (start > 0 && log->tail[start - 1] != '\n')
			start--;
		if (start == 0 && off > 0)
			return 2;	/* the window starts mid-line */
		if (line_state(log->tail + start, end - 1 - start, seq, hash))
			return 1;
		end = start;
	}
	return off > 0 && end == 0 ? 2 : 0;
}

/* Read the last complete record of FD (SIZE bytes long).  1 found, 0 none,
 * -1 error.  Records are about 1 KiB: a small window nearly always holds the
 * last one, and a one-shot osl should not read 128 KiB to find it. */
static int
read_tail(struct osl_log *log, int fd, off_t size, uint64_t *seq, uint8_t hash[32],
    bool *need_nl)
{
	int r;

	*need_nl = false;
	if (size == 0)
		return 0;
	if (!log->tail && (log->tail = malloc(TAIL_MAX)) == NULL)
		return -1;
	r = read_window(log, fd, size, 8192, seq, hash, need_nl);
	if (r == 2)
		r = read_window(log, fd, size, TAIL_MAX, seq, hash, need_nl);
	return r == 2 ? 0 : r;
}

/* What the file looks like now: re-read its tail only if it changed. */
static int
refresh(struct osl_log *log, const struct stat *st)
{
	char old[PATH_MAX];
	struct stat ost;
	uint8_t hash[32];
	uint64_t seq;
	bool nl, onl;
	int r, ofd;

	if (log->known && log->size == st->st_size && log->ino == st->st_ino &&
	    log->dev == st->st_dev)
		return 0;
	if ((r = read_tail(log, log->fd, st->st_size, &seq, hash, &nl)) < 0)
		return -1;
	if (r == 1) {
		log->seq = seq;
		memcpy(log->last, hash, 32);
		log->known = true;
	} else if (st->st_size == 0 && !log->known &&
	    snprintf(old, sizeof(old), "%s.1", log->path) < (int)sizeof(old) &&
	    (ofd = open(old, O_RDONLY | O_CLOEXEC)) != -1) {
		/* a new file after a rotation: chain on from the rotated one */
		if (fstat(ofd, &ost) == 0 &&
		    read_tail(log, ofd, ost.st_size, &seq, hash, &onl) == 1) {
			log->seq = seq;
			memcpy(log->last, hash, 32);
		}
		close(ofd);
	} else if (!log->known) {
		log->seq = 0;
		memset(log->last, 0, 32);
	}
	/* else: a new or damaged file; chain on from what we carried over */
	log->known = true;
	log->need_nl = nl;
	log->dev = st->st_dev;
	log->ino = st->st_ino;
	log->size = st->st_size;
	return 0;
}

/* Lock the file and bring our state up to date.  If the path names another
 * file now (rotated by another osl, which leaves the old one read-only, or
 * by logrotate, checked once a second and on SIGHUP), move to it. */
const struct osl_error *
osl_log_file_begin(struct osl_log *log)
{
	struct stat fst, pst;
	uint64_t mono;
	int tries, nfd;

	for (tries = 0;; tries++) {
		if (lock_fd(log->fd, LOCK_EX) == -1)
			return osl_error_errno("cannot lock '%s'", log->path);
		if (fstat(log->fd, &fst) == -1)
			goto fail;
		/* a stat(2) of the path costs as much as the write: not every time */
		mono = osl_log_clock(CLOCK_MONOTONIC);
		if (fst.st_nlink > 0 && (fst.st_mode & S_IWUSR) && !hup_pending &&
		    mono - log->checked_ns < PATH_CHECK_NS)
			break;
		hup_pending = 0;
		log->checked_ns = mono;
		if (stat(log->path, &pst) == 0 && pst.st_dev == fst.st_dev &&
		    pst.st_ino == fst.st_ino)
			break;
		if (tries == MOVES_MAX) {
			/* a record written to a file that has moved on would fork
			 * the chain: lost (and counted) rather than that */
			lock_fd(log->fd, LOCK_UN);
			return osl_error_new(OSL_EFAIL, "'%s' keeps moving", log->path);
		}
		if (refresh(log, &fst) == -1 || (nfd = open_file(log->path)) == -1)
			goto fail;
		lock_fd(log->fd, LOCK_UN);
		close(log->fd);
		log->fd = nfd;
		log->size = -1;
		log->reserved_end = 0;
		log->checked_ns = 0;
	}
	if (refresh(log, &fst) == -1)
		goto fail;
	log->locked = true;
	return NULL;
fail:
	lock_fd(log->fd, LOCK_UN);
	return osl_error_errno("cannot read '%s'", log->path);
}

void
osl_log_file_end(struct osl_log *log)
{
	lock_fd(log->fd, LOCK_UN);
	log->locked = false;
}

/* Bytes a file of SIZE may still grow by under RLIMIT_FSIZE (LIMIT). */
static uint64_t
fsize_left(uint64_t limit, off_t size)
{
	return (uint64_t)size >= limit ? 0 : limit - (uint64_t)size;
}

static uint64_t
fsize_max(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return rl.rlim_cur;
}

/* Why a write to a file stopped short: it reached RLIMIT_FSIZE (the next
 * byte would be EFBIG), else the filesystem is full. */
static int
short_write_errno(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && fsize_left(fsize_max(), st.st_size) == 0)
		return EFBIG;
	return ENOSPC;
}

const struct osl_error *
osl_log_file_flush(struct osl_log *log)
{
	size_t want = log->batch.len;
	ssize_t n;

	if (!want)
		return NULL;
	log->batch.len = 0;
	log->batched = 0;
	do
		n = write(log->fd, log->batch.buf, want);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)want) {
		if (n >= 0)
			errno = short_write_errno(log->fd);
		log->known = false;	/* read the tail again next time */
		return osl_error_errno("cannot write to '%s'", log->path);
	}
	log->size += (off_t)want;
	return NULL;
}

const struct osl_error *
osl_log_reserve(struct osl_log *log)
{
	struct statvfs vfs;
	struct stat st;
	int e;

	if (!log || log->kind != SINK_FILE || log->on_failure != OSL_ONFAIL_DENY)
		return NULL;
	if (fstat(log->fd, &st) == -1) {
		e = errno;
		goto deny;
	}
	/* RLIMIT_FSIZE binds whatever space is reserved: read once, as osl
	 * sets no limit on itself (a sandbox sets its child's) */
	if (!log->fsize_max)
		log->fsize_max = fsize_max();
	if (fsize_left(log->fsize_max, st.st_size) < RESERVE_LOW) {
		e = EFBIG;
		goto deny;
	}
	if (log->reserved_end - st.st_size >= RESERVE_LOW)
		return NULL;
	/* what an earlier osl reserved: blocks past the end, which st_blocks
	 * counts (a hole or compression only makes it count less) */
	if ((uint64_t)st.st_blocks * 512 >= (uint64_t)st.st_size + RESERVE_LOW + RESERVE_SLACK) {
		log->reserved_end = st.st_size + RESERVE_LOW;
		return NULL;
	}
	/* blocks past the end that our records, and only they, will use */
	if (fallocate(log->fd, FALLOC_FL_KEEP_SIZE, st.st_size, RESERVE_CHUNK) == 0) {
		log->reserved_end = st.st_size + RESERVE_CHUNK;
		return NULL;
	}
	e = errno;
	if (e == EOPNOTSUPP || e == ENOSYS) {
		if (fstatvfs(log->fd, &vfs) == 0 &&
		    (uint64_t)vfs.f_bavail * vfs.f_frsize >= RESERVE_CHUNK)
			return NULL;
		e = ENOSPC;
	}
deny:
	return osl_error_new(OSL_EDENIED,
	    "activity log '%s': %s: operation refused (on_failure: deny)", log->name,
	    strerror(e));
}

const struct osl_error *
osl_log_reopen(struct osl_log *log)
{
	const struct osl_error *err = NULL;
	struct stat st, nst;
	int nfd;

	if (!log || log->kind != SINK_FILE)
		return NULL;
	if (log->locked) {
		/* a batch under way: it goes to the file it was built for */
		err = osl_log_file_flush(log);
		osl_log_file_end(log);
		if (err)
			return err;
	}
	/* carry the old file's last hash over to the new one */
	if (lock_fd(log->fd, LOCK_EX) == -1)
		return osl_error_errno("cannot lock '%s'", log->path);
	if (fstat(log->fd, &st) == -1 || refresh(log, &st) == -1) {
		err = osl_error_errno("cannot read '%s'", log->path);
		goto done;
	}
	if ((nfd = open_file(log->path)) == -1) {
		err = osl_error_errno("cannot open '%s'", log->path);
		goto done;
	}
	if (fstat(nfd, &nst) == 0 && nst.st_ino == st.st_ino && nst.st_dev == st.st_dev) {
		close(nfd);
		goto done;
	}
	if (log->unsynced)
		fdatasync(log->fd);
	lock_fd(log->fd, LOCK_UN);
	close(log->fd);
	log->fd = nfd;
	log->size = -1;
	log->reserved_end = 0;
	return NULL;
done:
	lock_fd(log->fd, LOCK_UN);
	return err;
}

bool
osl_log_file_current(struct osl_log *log)
{
	struct stat st;

	if (stat(log->path, &st) == 0 && st.st_dev == log->dev && st.st_ino == log->ino)
		return true;
	log->checked_ns = 0;	/* the next lock follows the path */
	return false;
}

/* A writer killed while rotating leaves its new file, FILE.new.PID, behind:
 * always empty, as nothing is written to it before it is renamed to FILE.
 * Under the log's lock, remove those whose PID is gone, that are still empty
 * and that no one holds locked (a live rotator locks its own at once). */
static void
remove_leftovers(const char *path)
{
	char dir[PATH_MAX], prefix[NAME_MAX + 8];
	const char *base = strrchr(path, '/');
	struct stat st, nst;
	struct dirent *e;
	size_t plen;
	uint64_t pid;
	DIR *d;
	int fd;

	if (!base || (size_t)(base - path) >= sizeof(dir))
		return;
	memcpy(dir, path, (size_t)(base - path));
	dir[base - path] = '\0';
	if (snprintf(prefix, sizeof(prefix), "%s.new.", base + 1) >= (int)sizeof(prefix) ||
	    (d = opendir(dir[0] ? dir : "/")) == NULL)
		return;
	plen = strlen(prefix);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		if (!osl_parse_uint(e->d_name + plen, INT_MAX, &pid) || pid == 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd == -1)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    fstatat(dirfd(d), e->d_name, &nst, AT_SYMLINK_NOFOLLOW) == 0 &&
		    nst.st_ino == st.st_ino && nst.st_dev == st.st_dev && nst.st_size == 0)
			unlinkat(dirfd(d), e->d_name, 0);
		close(fd);
	}
	closedir(d);
}

const struct osl_error *
osl_log_file_rotate(struct osl_log *log, char to[], size_t size)
{
	const struct osl_error *err = NULL;
	char from[PATH_MAX], tmp[PATH_MAX];
	unsigned keep = log->rotate_keep ? log->rotate_keep : 1, i;
	struct stat st;
	int nfd;

	if (snprintf(tmp, sizeof(tmp), "%s.new.%ld", log->path, (long)log->pid) >= (int)sizeof(tmp))
		return osl_error_new(OSL_EFAIL, "log path '%s' is too long", log->path);
	remove_leftovers(log->path);
	/* the new file is locked before anyone can see it */
	unlink(tmp);
	if ((nfd = open(tmp, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1)
		return osl_error_errno("cannot create '%s'", tmp);
	if (lock_fd(nfd, LOCK_EX) == -1 || fstat(nfd, &st) == -1) {
		err = osl_error_errno("cannot lock '%s'", tmp);
		goto fail;
	}
	for (i = keep; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", log->path, i - 1);
		snprintf(to, size, "%s.%u", log->path, i);
		if (rename(from, to) == -1 && errno != ENOENT) {
			err = osl_error_errno("cannot rename '%s'", from);
			goto fail;
		}
	}
	snprintf(to, size, "%s.1", log->path);
	if (rename(log->path, to) == -1) {
		err = osl_error_errno("cannot rename '%s'", log->path);
		goto fail;
	}
	if (rename(tmp, log->path) == -1) {
		err = osl_error_errno("cannot rename '%s'", tmp);
		rename(to, log->path);
		goto fail;
	}
	/* read-only tells the other writers that the path moved on */
	fchmod(log->fd, 0400);
	/* the syncs to come are the new file's: the old one's last records
	 * are synced now */
	if (log->sync != OSL_SYNC_NONE)
		fdatasync(log->fd);
	lock_fd(log->fd, LOCK_UN);
	close(log->fd);
	log->fd = nfd;
	log->dev = st.st_dev;
	log->ino = st.st_ino;
	log->size = 0;
	log->need_nl = false;
	log->reserved_end = 0;
	return NULL;
fail:
	close(nfd);
	unlink(tmp);
	return err;
}
