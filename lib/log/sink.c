/* The sinks: the thin layer that takes the clock, writes and syncs.
 * Records are built by log/build.c and sealed by log/chain.c; a file sink's
 * locking, tail, rotation and space are log/file.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf */
#endif
#include "action.h"
#include "log/sink.h"
#include "log/wire.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/base64.h>
#include <nettle/eddsa.h>

#define BATCH_RECORDS	1000
#define BATCH_NS	1000000000ull
#define BATCH_BYTES	(256 * 1024)	/* written at once while held */

/* A record to write: a cJSON object, or fields. */
struct rec {
	cJSON *json;
	const struct osl_log_field *f;
	size_t n;
};

/* A string member of the record, for the socket sinks' headers; the
 * caller frees it. */
static char *
rec_text(const struct rec *r, const char *path)
{
	const cJSON *c = r->json;
	char key[32];
	size_t i, k;

	if (!r->json) {
		for (i = 0; i < r->n; i++)
			if (strcmp(r->f[i].path, path) == 0 && r->f[i].type == OSL_LF_STR &&
			    r->f[i].s)
				return strndup(r->f[i].s, r->f[i].len);
		return NULL;
	}
	while (*path && c) {
		k = strcspn(path, ".");
		if (k >= sizeof(key))
			return NULL;
		memcpy(key, path, k);
		key[k] = '\0';
		c = cJSON_GetObjectItemCaseSensitive(c, key);
		path += k + (path[k] == '.');
	}
	return cJSON_IsString(c) ? strdup(c->valuestring) : NULL;
}

/* Send the built line to the sink: into the batch of a file (written by
 * flush), one write(2) on stderr, one datagram to a socket. */
static const struct osl_error *
put_line(struct osl_log *log, enum osl_level level, const struct rec *r, uint64_t now)
{
	char *msg;
	ssize_t n;

	switch (log->kind) {
	case SINK_FILE:
		/* built in the batch already */
		log->need_nl = false;
		log->batched++;
		return NULL;
	case SINK_STDERR:
		do
			n = write(STDERR_FILENO, log->line.buf, log->line.len);
		while (n == -1 && errno == EINTR);
		if (n != (ssize_t)log->line.len)
			return osl_error_errno("cannot write to stderr");
		return NULL;
	case SINK_SYSLOG:
		msg = rec_text(r, "event.action");
		osl_wire_syslog(&log->wire, level, now, log->host, (long)log->pid, msg,
		    log->line.buf, log->line.len - 1);
		free(msg);
		break;
	case SINK_JOURNALD:
		if ((msg = rec_text(r, "message")) == NULL)
			msg = rec_text(r, "event.action");
		osl_wire_journald(&log->wire, level, msg, log->line.buf, log->line.len - 1);
		free(msg);
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

/* The record just built is not written after all (a file's: out of its
 * batch again). */
static void
unbuild(struct osl_log *log)
{
	if (log->kind == SINK_FILE)
		log->batch.len = log->rec_at;
}

static const struct osl_error *
build(struct osl_log *log, enum osl_level level, const struct rec *r, uint64_t now,
    uint8_t hash[32])
{
	const struct osl_error *err;
	struct osl_log_build_args a;
	struct strbuf *out = &log->line;

	memset(&a, 0, sizeof(a));
	a.level = level;
	a.now_ns = now;
	a.seq = log->seq + 1;
	a.prev = log->chain ? log->last : NULL;
	a.max = log->max;
	a.plans = log->plans;
	if (log->kind == SINK_FILE) {
		/* a file's record is built in its batch, after the records there */
		out = &log->batch;
		a.append = true;
		log->rec_at = out->len;
		/* never extend a torn line: start a fresh one */
		if (log->need_nl && out->len == 0 && (sb_addc(out, '\n'), out->oom)) {
			out->oom = false;
			return osl_error_nomem();
		}
	}
	err = r->json ? osl_log_build(out, r->json, &log->frag, &a, hash) :
	    osl_log_build_fields(out, r->f, r->n, &log->frag, &a, hash);
	if (err)
		unbuild(log);
	return err;
}

static void
commit(struct osl_log *log, const uint8_t hash[32])
{
	log->seq++;
	log->unsynced++;
	if (log->chain)
		memcpy(log->last, hash, 32);
}

/* Build and write one record, chained to the last one.  Under the lock for
 * a file. */
static const struct osl_error *
write_one(struct osl_log *log, enum osl_level level, cJSON *json, uint64_t now)
{
	const struct osl_error *err;
	struct rec r = { .json = json };
	uint8_t hash[32];

	if ((err = build(log, level, &r, now, hash)) != NULL ||
	    (err = put_line(log, level, &r, now)) != NULL)
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

/* Write the batch; a record lost with it is counted. */
static const struct osl_error *
flush(struct osl_log *log)
{
	unsigned long n = log->batched;
	const struct osl_error *err = osl_log_file_flush(log);

	if (err && n > 1)
		log->failures += n - 1;	/* and the one the caller counts */
	return err;
}

/* Under the lock: the batch to the file, then PATH to PATH.1 (and so on)
 * and a new file that chains to the old one, starting with log.rotate. */
static const struct osl_error *
rotate(struct osl_log *log, uint64_t now)
{
	const struct osl_error *err;
	char to[PATH_MAX], msg[PATH_MAX + 64];
	cJSON *rec;

	if ((err = flush(log)) != NULL)
		return err;
	/* renamed by someone else: never rotate a file that is not ours */
	if (!osl_log_file_current(log))
		return NULL;
	if ((err = osl_log_file_rotate(log, to, sizeof(to))) != NULL)
		return err;
	snprintf(msg, sizeof(msg), "log rotated: the records before this one are in '%s'", to);
	if ((rec = event_rec(OSL_ACT_LOG_ROTATE, msg)) == NULL ||
	    !osl_log_add_text(osl_log_obj(rec, "file"), "path", log->path) ||
	    !osl_log_add_text(osl_log_obj(rec, "osl"), "rotated_to", to))
		err = osl_error_nomem();
	else
		err = write_one(log, OSL_LEVEL_NOTICE, rec, now);
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

/* sync: always waits for the disk; batch starts the sync on the syncer's
 * thread and goes on (one that is due while another runs waits for the
 * next write, and covers these records too). */
static const struct osl_error *
datasync(struct osl_log *log, uint64_t mono)
{
	int r = log->sync == OSL_SYNC_ALWAYS ? fdatasync(log->fd) : osl_log_sync_start(log);

	if (r == 1)
		return NULL;
	log->unsynced = 0;
	log->synced_ns = mono;
	return r == -1 ? osl_error_errno("cannot sync '%s'", log->path) : NULL;
}

/* A file's batch is written and its lock let go: at the end of a record,
 * or of a held batch, or when the batch is full (so that the file's other
 * writers wait for one batch at most).  Then the sync policy. */
static const struct osl_error *
file_done(struct osl_log *log, const struct osl_error *err)
{
	const struct osl_error *ferr;
	uint64_t mono;

	if (!log->locked || (log->hold && log->batch.len < BATCH_BYTES))
		return err;
	ferr = flush(log);
	osl_log_file_end(log);
	if (err || (err = ferr) != NULL || log->sync == OSL_SYNC_NONE)
		return err;
	mono = osl_log_clock(CLOCK_MONOTONIC);
	if (log->sync == OSL_SYNC_ALWAYS || log->unsynced >= BATCH_RECORDS ||
	    mono - log->synced_ns >= BATCH_NS)
		err = datasync(log, mono);
	return err;
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
emit(struct osl_log *log, enum osl_level level, const struct rec *r)
{
	const struct osl_error *err;
	uint8_t hash[32];
	uint64_t now;
	bool cp;

	if (log->kind == SINK_FILE && !log->locked && (err = osl_log_file_begin(log)) != NULL)
		return err;
	/* after the lock, so that the file's order is the clock's order */
	now = osl_log_clock(CLOCK_REALTIME);
	if ((err = build(log, level, r, now, hash)) != NULL)
		goto done;
	if (log->kind == SINK_FILE && log->rotate_size && log->size + (off_t)log->rec_at > 0 &&
	    (uint64_t)log->size + log->batch.len > log->rotate_size) {
		/* the rotation record takes this sequence number: build again */
		unbuild(log);
		if ((err = rotate(log, now)) != NULL ||
		    (err = build(log, level, r, now, hash)) != NULL)
			goto done;
	}
	if ((err = put_line(log, level, r, now)) != NULL)
		goto done;
	commit(log, hash);
	cp = (log->cp_every && log->seq % log->cp_every == 0) ||
	    (log->cp_interval && now > log->cp_ns && now - log->cp_ns >= log->cp_interval);
	if (cp)
		err = checkpoint(log, now);
done:
	return log->kind == SINK_FILE ? file_done(log, err) : err;
}

const struct osl_error *
osl_log_emit(struct osl_log *log, enum osl_level level, cJSON *rec)
{
	const struct osl_error *err = NULL;
	struct rec r = { .json = rec };

	if (!osl_log_enabled(log, level))
		goto done;
	if (!rec)
		err = failed(log, osl_error_nomem());
	else if ((err = emit(log, level, &r)) != NULL)
		err = failed(log, err);
done:
	cJSON_Delete(rec);
	return err;
}

const struct osl_error *
osl_log_emit_fields(struct osl_log *log, enum osl_level level, const struct osl_log_field *f,
    size_t n)
{
	const struct osl_error *err;
	struct rec r = { .f = f, .n = n };

	if (!osl_log_enabled(log, level))
		return NULL;
	if ((err = emit(log, level, &r)) != NULL)
		err = failed(log, err);
	return err;
}

void
osl_log_hold(struct osl_log *log)
{
	/* sync: always promises each record on disk before the next */
	if (log && log->kind == SINK_FILE && log->sync != OSL_SYNC_ALWAYS)
		log->hold++;
}

const struct osl_error *
osl_log_release(struct osl_log *log)
{
	const struct osl_error *err;

	if (!log || !log->hold || --log->hold)
		return NULL;
	if ((err = file_done(log, NULL)) != NULL)
		err = failed(log, err);
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
	struct stat st, cst;

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
	if ((log->plans = osl_log_plans_new()) == NULL) {
		err = osl_error_nomem();
		goto fail;
	}
	log->max = log->kind == SINK_FILE ? OSL_LOG_FILE_MAX : OSL_LOG_PIPE_MAX;
	if (log->kind == SINK_FILE) {
		if ((err = osl_log_file_open(log)) != NULL)
			goto fail;
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
		/* a copy in the log itself proves nothing, and a batch holding
		 * the file's lock would wait for itself to write it */
		if (log->kind == SINK_FILE && log->cp_log->kind == SINK_FILE &&
		    fstat(log->fd, &st) == 0 && fstat(log->cp_log->fd, &cst) == 0 &&
		    st.st_dev == cst.st_dev && st.st_ino == cst.st_ino) {
			err = osl_error_new(OSL_EINPUT, "log.checkpoint.sink '%s' is the log "
			    "itself: give another place", cc.sink);
			goto fail;
		}
	}
	log->synced_ns = osl_log_clock(CLOCK_MONOTONIC);
	log->cp_ns = osl_log_clock(CLOCK_REALTIME);
	*out = log;
	return NULL;
fail:
	osl_log_close(log);
	return err;
}

void
osl_log_close(struct osl_log *log)
{
	const struct osl_error *err;

	if (!log)
		return;
	/* batch syncs a running process's records; a one-shot osl's last few
	 * are left to the kernel's writeback.  Starting it here (sync_file_range)
	 * took 0.2-0.8 ms of every command on ext4, to shorten the window in
	 * which only a power cut or a kernel crash loses them (the dirty page
	 * expiry, 30 s, against the journal commit, 5 s): sync: always is for
	 * records that must be on disk before osl goes on. */
	if (log->locked) {
		/* a batch held to the end: written, and failures counted */
		log->hold = 0;
		if ((err = file_done(log, NULL)) != NULL)
			failed(log, err);
	}
	/* the sync that runs ends first (none is started here: see below) */
	if ((errno = osl_log_sync_stop(log)) != 0)
		failed(log, osl_error_errno("cannot sync '%s'", log->path));
	if (log->fd != -1)
		close(log->fd);
	osl_log_close(log->cp_log);
	osl_log_frag_release(&log->frag);
	osl_log_plans_free(log->plans);
	sb_release(&log->line);
	sb_release(&log->wire);
	sb_release(&log->batch);
	explicit_bzero(log->seed, sizeof(log->seed));
	free(log->tail);
	free(log->name);
	free(log->path);
	free(log);
}
