/* Private to lib/log: a sink's state, shared by log/sink.c (records: build,
 * batch, checkpoints, the socket sinks) and log/file.c (a file sink: lock,
 * tail, rotation, reservation). */
#ifndef OSL_LOG_SINK_H
#define OSL_LOG_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "log/log-int.h"

enum sink_kind { SINK_NONE, SINK_FILE, SINK_STDERR, SINK_SYSLOG, SINK_JOURNALD };

struct osl_log_syncer;

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
	struct osl_log_plans *plans;	/* layouts of records from fields */
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
	uint64_t fsize_max;	/* RLIMIT_FSIZE when the log was opened */
	char *tail;

	/* a file sink's batch: records built under the lock, not yet written */
	bool locked;		/* we hold the file's lock */
	unsigned hold;		/* osl_log_hold depth: keep the lock, write later */
	struct strbuf batch;
	size_t rec_at;		/* where the record being built starts in it */
	unsigned long batched;	/* records in it */

	struct osl_log_syncer *syncer;	/* sync: batch's thread, once started */

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

static inline uint64_t
osl_log_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* syncer.c: an fdatasync of the file on a thread of its own.  0 started,
 * 1 not started (one runs: due again later), -1 errno (also of an earlier
 * sync that failed). */
int osl_log_sync_start(struct osl_log *log);
/* Wait for the sync that runs and end the thread: 0, or the errno of a
 * sync that failed. */
int osl_log_sync_stop(struct osl_log *log);

/* file.c */
/* Open log->path for appending (and reading its tail) into log->fd, making
 * its folders if they are missing. */
const struct osl_error *osl_log_file_open(struct osl_log *log);
/* Lock the file and bring the state up to date (its last record, a file
 * that moved on). */
const struct osl_error *osl_log_file_begin(struct osl_log *log);
void osl_log_file_end(struct osl_log *log);
/* Write the batch with one write(2); under the lock. */
const struct osl_error *osl_log_file_flush(struct osl_log *log);
/* Under the lock: the path still names our file (a rename by logrotate is
 * otherwise seen within a second).  Else the next lock follows the path. */
bool osl_log_file_current(struct osl_log *log);
/* Under the lock: PATH to PATH.1 (the older ones shifted up to keep), a new
 * locked file in its place; TO gets the name of the rotated file. */
const struct osl_error *osl_log_file_rotate(struct osl_log *log, char to[], size_t size);

#endif
