/* The sinks: the thin layer that takes the clock, locks, writes and syncs.
 * Records are built by log/record.c and sealed by log/chain.c.
 *
 * A file sink may be shared by several osl processes: each record is written
 * under flock(LOCK_EX) with one write(2) on an O_APPEND descriptor, after
 * checking that the file did not change under us (else its last complete
 * record gives the sequence and the previous hash). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* fallocate, asprintf */
#endif
#include "action.h"
#include "log/log-int.h"
#include "log/wire.h"

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
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <nettle/base64.h>
#include <nettle/eddsa.h>

enum sink_kind { SINK_NONE, SINK_FILE, SINK_STDERR, SINK_SYSLOG, SINK_JOURNALD };

#define TAIL_MAX	(2 * OSL_LOG_FILE_MAX + 2)
#define RESERVE_CHUNK	(64 * 1024)
#define RESERVE_LOW	(16 * 1024)
#define RESERVE_SLACK	(16 * 1024)	/* st_blocks also counts the file's own metadata */
#define BATCH_RECORDS	1000
#define BATCH_NS	1000000000ull
#define PATH_CHECK_NS	1000000000ull

/* Set from a SIGHUP handler (osl_log_hup): the next record checks the path
 * at once instead of within a second. */
static volatile sig_atomic_t hup_pending;

void
osl_log_hup(void)
{
	hup_pending = 1;
}

struct osl_log {
	enum sink_kind kind;
	enum osl_level level;
	enum osl_log_sync sync;
	enum osl_log_onfail on_failure;
	bool chain;
	uint64_t rotate_size;
	unsigned rotate_keep;
	unsigned cp_every;
	uint64_t cp_interval;
	char *name;		/* for messages: the path, or the sink as given */
	char *path;		/* file, or the socket */
	int fd;
	size_t max;
	pid_t pid;
	char host[256];
	struct osl_log_frag frag;
	struct strbuf line, wire;

	/* the last complete record of the file (or of this process) */
	bool known;
	uint64_t seq;
	uint8_t last[32];
	bool need_nl;		/* the file ends in a torn line */
	dev_t dev;
	ino_t ino;
	off_t size;		/* after our last write; -1 when unknown */
	off_t reserved_end;
	char *tail;

	uint64_t checked_ns;	/* when the path was last compared with fd */
	unsigned unsynced;
	uint64_t synced_ns;
	uint64_t cp_ns;
	bool signing;
	uint8_t seed[32], pub[32];
	char fpr[72];
	struct osl_log *cp_log;	/* checkpoint_sink */

	unsigned long failures;
	bool told;
};

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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
static const struct osl_error *
file_begin(struct osl_log *log)
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
		mono = clock_ns(CLOCK_MONOTONIC);
		if (fst.st_nlink > 0 && (fst.st_mode & S_IWUSR) && !hup_pending &&
		    mono - log->checked_ns < PATH_CHECK_NS)
			break;
		hup_pending = 0;
		log->checked_ns = mono;
		if (stat(log->path, &pst) == 0 && pst.st_dev == fst.st_dev &&
		    pst.st_ino == fst.st_ino)
			break;
		if (tries == 8)
			break;	/* keeps changing: write where we are */
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
	return NULL;
fail:
	lock_fd(log->fd, LOCK_UN);
	return osl_error_errno("cannot read '%s'", log->path);
}

static void
file_end(struct osl_log *log)
{
	lock_fd(log->fd, LOCK_UN);
}

/* Bytes a file of SIZE may still grow by under RLIMIT_FSIZE. */
static uint64_t
fsize_left(off_t size)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return (rlim_t)size >= rl.rlim_cur ? 0 : rl.rlim_cur - (rlim_t)size;
}

/* Why a write to a file stopped short: it reached RLIMIT_FSIZE (the next
 * byte would be EFBIG), else the filesystem is full. */
static int
short_write_errno(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && fsize_left(st.st_size) == 0)
		return EFBIG;
	return ENOSPC;
}

/* Send the built line to the sink: one write(2) or one datagram. */
static const struct osl_error *
put_line(struct osl_log *log, enum osl_level level, cJSON *rec, uint64_t now)
{
	struct iovec iov[2];
	const cJSON *ev, *msg;
	ssize_t n;
	size_t want;
	int iovcnt = 0;

	switch (log->kind) {
	case SINK_FILE:
		if (log->need_nl) {
			/* never extend a torn line: start a fresh one */
			iov[iovcnt].iov_base = (void *)"\n";
			iov[iovcnt++].iov_len = 1;
		}
		iov[iovcnt].iov_base = log->line.buf;
		iov[iovcnt++].iov_len = log->line.len;
		want = log->line.len + (log->need_nl ? 1 : 0);
		do
			n = writev(log->fd, iov, iovcnt);
		while (n == -1 && errno == EINTR);
		if (n != (ssize_t)want) {
			if (n >= 0)
				errno = short_write_errno(log->fd);
			log->known = false;	/* read the tail again next time */
			return osl_error_errno("cannot write to '%s'", log->path);
		}
		log->size += (off_t)want;
		log->need_nl = false;
		return NULL;
	case SINK_STDERR:
		do
			n = write(STDERR_FILENO, log->line.buf, log->line.len);
		while (n == -1 && errno == EINTR);
		if (n != (ssize_t)log->line.len)
			return osl_error_errno("cannot write to stderr");
		return NULL;
	case SINK_SYSLOG:
		ev = cJSON_GetObjectItemCaseSensitive(rec, "event");
		osl_wire_syslog(&log->wire, level, now, log->host, (long)log->pid,
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "action")),
		    log->line.buf, log->line.len - 1);
		break;
	case SINK_JOURNALD:
		msg = cJSON_GetObjectItemCaseSensitive(rec, "message");
		if (!cJSON_IsString(msg))
			msg = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(rec, "event"), "action");
		osl_wire_journald(&log->wire, level, cJSON_GetStringValue(msg),
		    log->line.buf, log->line.len - 1);
		break;
	case SINK_NONE:
		return NULL;
	}
	if (log->wire.oom)
		return osl_error_nomem();
	if (osl_wire_send(&log->fd, log->path, log->wire.buf, log->wire.len) == -1)
		return osl_error_errno("cannot send to '%s'", log->path);
	return NULL;
}

static const struct osl_error *
build(struct osl_log *log, enum osl_level level, cJSON *rec, uint64_t now, uint8_t hash[32])
{
	struct osl_log_build_args a;

	memset(&a, 0, sizeof(a));
	a.level = level;
	a.now_ns = now;
	a.seq = log->seq + 1;
	a.prev = log->chain ? log->last : NULL;
	a.max = log->max;
	return osl_log_build(&log->line, rec, &log->frag, &a, hash);
}

static void
commit(struct osl_log *log, const uint8_t hash[32])
{
	log->seq++;
	if (log->chain)
		memcpy(log->last, hash, 32);
}

/* Build and write one record, chained to the last one.  Under the lock for
 * a file. */
static const struct osl_error *
write_one(struct osl_log *log, enum osl_level level, cJSON *rec, uint64_t now)
{
	const struct osl_error *err;
	uint8_t hash[32];

	if ((err = build(log, level, rec, now, hash)) != NULL ||
	    (err = put_line(log, level, rec, now)) != NULL)
		return err;
	commit(log, hash);
	return NULL;
}

static cJSON *
event_rec(enum osl_action action, const char *message)
{
	cJSON *rec = osl_action_record(action, "success");

	if (!rec || !osl_log_add_text(rec, "message", message)) {
		cJSON_Delete(rec);
		return NULL;
	}
	return rec;
}

/* Under the lock: move PATH to PATH.1 (shifting the older ones up to keep)
 * and carry on in a new file that chains to the old one. */
static const struct osl_error *
rotate(struct osl_log *log, uint64_t now)
{
	const struct osl_error *err = NULL;
	char from[PATH_MAX], to[PATH_MAX], tmp[PATH_MAX], msg[PATH_MAX + 64];
	unsigned keep = log->rotate_keep ? log->rotate_keep : 1, i;
	struct stat st;
	cJSON *rec = NULL;
	int nfd;

	if (snprintf(tmp, sizeof(tmp), "%s.new.%ld", log->path, (long)log->pid) >= (int)sizeof(tmp))
		return osl_error_new(OSL_EFAIL, "log path '%s' is too long", log->path);
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
		snprintf(to, sizeof(to), "%s.%u", log->path, i);
		if (rename(from, to) == -1 && errno != ENOENT) {
			err = osl_error_errno("cannot rename '%s'", from);
			goto fail;
		}
	}
	snprintf(to, sizeof(to), "%s.1", log->path);
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
	lock_fd(log->fd, LOCK_UN);
	close(log->fd);
	log->fd = nfd;
	log->dev = st.st_dev;
	log->ino = st.st_ino;
	log->size = 0;
	log->need_nl = false;
	log->reserved_end = 0;

	snprintf(msg, sizeof(msg), "log rotated: the records before this one are in '%s'", to);
	if ((rec = event_rec(OSL_ACT_LOG_ROTATE, msg)) == NULL ||
	    !osl_log_add_text(osl_log_obj(rec, "file"), "path", log->path) ||
	    !osl_log_add_text(osl_log_obj(rec, "osl"), "rotated_to", to)) {
		err = osl_error_nomem();
		goto done;
	}
	err = write_one(log, OSL_LEVEL_NOTICE, rec, now);
	goto done;
fail:
	close(nfd);
	unlink(tmp);
done:
	cJSON_Delete(rec);
	return err;
}

static const struct osl_error *
checkpoint(struct osl_log *log, uint64_t now)
{
	const struct osl_error *err = NULL;
	char msg[160], hex[65], m[128], sig64[BASE64_ENCODE_RAW_LENGTH(64) + 1];
	uint8_t sig[64];
	cJSON *rec = NULL, *cp, *dup;
	size_t n;

	osl_hex(hex, log->last, 32);
	hex[64] = '\0';
	snprintf(msg, sizeof(msg), "checkpoint: sequence %llu has hash %.16s...",
	    (unsigned long long)log->seq, hex);
	if ((rec = event_rec(OSL_ACT_LOG_CHECKPOINT, msg)) == NULL ||
	    (cp = osl_log_obj(osl_log_obj(rec, "osl"), "checkpoint")) == NULL ||
	    !cJSON_AddNumberToObject(cp, "sequence", (double)log->seq) ||
	    !cJSON_AddStringToObject(cp, "hash", hex))
		goto nomem;
	if (log->signing) {
		n = osl_checkpoint_message(m, log->seq, log->last);
		ed25519_sha512_sign(log->pub, log->seed, n, (const uint8_t *)m, sig);
		base64_encode_raw(sig64, 64, sig);
		sig64[BASE64_ENCODE_RAW_LENGTH(64)] = '\0';
		if (!cJSON_AddStringToObject(cp, "signature", sig64) ||
		    !cJSON_AddStringToObject(cp, "key", log->fpr))
			goto nomem;
	}
	if (log->cp_log) {
		/* a second place to look: what detects a truncated log */
		if ((dup = cJSON_Duplicate(rec, true)) == NULL ||
		    !osl_log_add_text(osl_log_obj(osl_log_obj(dup, "osl"), "checkpoint"),
		    "file", log->name))
			goto nomem;
		osl_log_emit(log->cp_log, OSL_LEVEL_NOTICE, dup);
	}
	log->cp_ns = now;
	err = write_one(log, OSL_LEVEL_NOTICE, rec, now);
	goto done;
nomem:
	err = osl_error_nomem();
done:
	cJSON_Delete(rec);
	return err;
}

static const struct osl_error *
datasync(struct osl_log *log, uint64_t mono)
{
	log->unsynced = 0;
	log->synced_ns = mono;
	if (log->kind == SINK_FILE && fdatasync(log->fd) == -1)
		return osl_error_errno("cannot sync '%s'", log->path);
	return NULL;
}

static const struct osl_error *
failed(struct osl_log *log, const struct osl_error *err)
{
	const char *why = err->sys_errno ? strerror(err->sys_errno) : err->msg;

	if (log->on_failure == OSL_ONFAIL_DENY)
		return osl_error_new(OSL_EDENIED,
		    "activity log '%s': %s: operation refused (on_failure: deny)",
		    log->name, why);
	log->failures++;
	if (!log->told) {
		log->told = true;
		dprintf(STDERR_FILENO, "osl: activity log '%s': %s: records are being lost "
		    "(on_failure: continue)\n", log->name, err->msg);
	}
	return NULL;
}

static const struct osl_error *
emit(struct osl_log *log, enum osl_level level, cJSON *rec)
{
	const struct osl_error *err;
	uint8_t hash[32];
	uint64_t now, mono;
	bool cp;

	if (log->kind == SINK_FILE && (err = file_begin(log)) != NULL)
		return err;
	/* after the lock, so that the file's order is the clock's order */
	now = clock_ns(CLOCK_REALTIME);
	if ((err = build(log, level, rec, now, hash)) != NULL)
		goto done;
	if (log->kind == SINK_FILE && log->rotate_size && log->size > 0 &&
	    (uint64_t)log->size + log->line.len + log->need_nl > log->rotate_size) {
		/* the rotation record takes this sequence number: build again */
		if ((err = rotate(log, now)) != NULL ||
		    (err = build(log, level, rec, now, hash)) != NULL)
			goto done;
	}
	if ((err = put_line(log, level, rec, now)) != NULL)
		goto done;
	commit(log, hash);
	cp = (log->cp_every && log->seq % log->cp_every == 0) ||
	    (log->cp_interval && now > log->cp_ns && now - log->cp_ns >= log->cp_interval);
	if (cp)
		err = checkpoint(log, now);
done:
	if (log->kind == SINK_FILE)
		file_end(log);
	if (err || log->sync == OSL_SYNC_NONE || log->kind != SINK_FILE)
		return err;
	mono = clock_ns(CLOCK_MONOTONIC);
	if (log->sync == OSL_SYNC_ALWAYS || ++log->unsynced >= BATCH_RECORDS ||
	    mono - log->synced_ns >= BATCH_NS)
		err = datasync(log, mono);
	return err;
}

const struct osl_error *
osl_log_emit(struct osl_log *log, enum osl_level level, cJSON *rec)
{
	const struct osl_error *err = NULL;

	if (!osl_log_enabled(log, level))
		goto done;
	if (!rec)
		err = failed(log, osl_error_nomem());
	else if ((err = emit(log, level, rec)) != NULL)
		err = failed(log, err);
done:
	cJSON_Delete(rec);
	return err;
}

bool
osl_log_enabled(const struct osl_log *log, enum osl_level level)
{
	return log && log->kind != SINK_NONE && level >= log->level;
}

unsigned long
osl_log_failures(const struct osl_log *log)
{
	return log ? log->failures : 0;
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
	/* RLIMIT_FSIZE binds whatever space is reserved */
	if (fsize_left(st.st_size) < RESERVE_LOW) {
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

static const struct osl_error *
parse_sink(struct osl_log *log, const char *sink)
{
	const char *path = NULL;
	char cwd[PATH_MAX];
	enum osl_log_sink k = OSL_SINK_NONE;

	/* the grammar is log/sinkspec.c's */
	if (sink && *sink && (!osl_log_sink_parse(sink, &k, &path) || (path && !*path &&
	    k == OSL_SINK_FILE)))
		return osl_error_new(OSL_EINPUT, "unknown log sink '%s' (file:PATH, stderr, "
		    "syslog, syslog:SOCKET, journald, none)", sink);
	log->kind = k == OSL_SINK_STDERR ? SINK_STDERR : k == OSL_SINK_SYSLOG ? SINK_SYSLOG :
	    k == OSL_SINK_JOURNALD ? SINK_JOURNALD : k == OSL_SINK_FILE ? SINK_FILE : SINK_NONE;
	if (k == OSL_SINK_SYSLOG && !path)
		path = "/dev/log";
	else if (k == OSL_SINK_JOURNALD)
		path = "/run/systemd/journal/socket";
	if ((log->name = strdup(path ? path : sink ? sink : "none")) == NULL)
		return osl_error_nomem();
	if (!path)
		return NULL;
	if (path[0] == '/' || log->kind != SINK_FILE)
		log->path = strdup(path);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		return osl_error_errno("cannot get the current folder");
	else if (asprintf(&log->path, "%s/%s", cwd, path) == -1)
		log->path = NULL;
	return log->path ? NULL : osl_error_nomem();
}

const struct osl_error *
osl_log_open(struct osl_log **out, const struct osl_log_config *cfg,
    const struct osl_log_identity *id)
{
	const struct osl_error *err;
	struct osl_log_config cc;
	struct osl_log *log;

	*out = NULL;
	if ((log = calloc(1, sizeof(*log))) == NULL)
		return osl_error_nomem();
	log->fd = -1;
	log->level = cfg->level;
	log->sync = cfg->sync;
	log->on_failure = cfg->on_failure;
	log->chain = cfg->chain;
	log->rotate_size = cfg->rotate_size;
	log->rotate_keep = cfg->rotate_keep;
	log->cp_every = cfg->checkpoint_every;
	log->cp_interval = cfg->checkpoint_interval_ns;
	log->pid = id->pid;
	log->size = -1;
	if (id->hostname)
		snprintf(log->host, sizeof(log->host), "%s", id->hostname);
	if ((err = parse_sink(log, cfg->sink)) != NULL ||
	    (err = osl_log_frag_init(&log->frag, id)) != NULL)
		goto fail;
	log->max = log->kind == SINK_FILE ? OSL_LOG_FILE_MAX : OSL_LOG_PIPE_MAX;
	if (log->kind == SINK_FILE) {
		/* the folders are there but the first time */
		if ((log->fd = open_file(log->path)) == -1 && errno == ENOENT &&
		    make_parents(log->path) == -1) {
			err = osl_error_errno("cannot make the folders of '%s'", log->path);
			goto fail;
		}
		if (log->fd == -1 && (log->fd = open_file(log->path)) == -1) {
			err = osl_error_errno("cannot open '%s'", log->path);
			goto fail;
		}
	} else if ((log->kind == SINK_SYSLOG || log->kind == SINK_JOURNALD) &&
	    (log->fd = osl_wire_connect(log->path)) == -1) {
		err = osl_error_errno("cannot connect to '%s'", log->path);
		goto fail;
	}
	if (cfg->checkpoint_key) {
		if ((err = osl_log_key_load(cfg->checkpoint_key, log->seed, log->pub)) != NULL)
			goto fail;
		osl_key_fingerprint(log->fpr, log->pub);
		log->signing = true;
	}
	if (cfg->checkpoint_sink && log->kind != SINK_NONE &&
	    (log->cp_every || log->cp_interval)) {
		cc = *cfg;
		cc.sink = cfg->checkpoint_sink;
		cc.level = OSL_LEVEL_DEBUG;
		cc.chain = true;
		cc.on_failure = OSL_ONFAIL_CONTINUE;
		cc.rotate_size = 0;
		cc.checkpoint_every = 0;
		cc.checkpoint_interval_ns = 0;
		cc.checkpoint_key = NULL;
		cc.checkpoint_sink = NULL;
		if ((err = osl_log_open(&log->cp_log, &cc, id)) != NULL)
			goto fail;
	}
	log->synced_ns = clock_ns(CLOCK_MONOTONIC);
	log->cp_ns = clock_ns(CLOCK_REALTIME);
	*out = log;
	return NULL;
fail:
	osl_log_close(log);
	return err;
}

void
osl_log_close(struct osl_log *log)
{
	if (!log)
		return;
	/* batch syncs a running process's records; a one-shot osl's last few
	 * are left to the kernel's writeback.  Starting it here (sync_file_range)
	 * took 0.2-0.8 ms of every command on ext4, to shorten the window in
	 * which only a power cut or a kernel crash loses them (the dirty page
	 * expiry, 30 s, against the journal commit, 5 s): sync: always is for
	 * records that must be on disk before osl goes on. */
	if (log->fd != -1)
		close(log->fd);
	osl_log_close(log->cp_log);
	osl_log_frag_release(&log->frag);
	sb_release(&log->line);
	sb_release(&log->wire);
	explicit_bzero(log->seed, sizeof(log->seed));
	free(log->tail);
	free(log->name);
	free(log->path);
	free(log);
}
