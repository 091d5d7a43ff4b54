/* The activity log: ECS-shaped JSON Lines records, sinks, the SHA-256 hash
 * chain, checkpoints, verification.  man/osl-log.5 is the spec.
 *
 * Record building (log/record.c), the chain (log/chain.c) and verification
 * (log/verify.c) are pure; log/sink.c is the thin layer that writes. */
#ifndef OSL_LOG_H
#define OSL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "log/config.h"

/* Who is logging: the same in every record of one process. */
struct osl_log_identity {
	pid_t pid, ppid;
	uid_t uid;
	const char *executable;		/* /proc/self/exe */
	int argc;
	char *const *argv;
	const char *hostname;
};

struct osl_log;

/* Open the sink named by cfg->sink.  A file sink is opened O_APPEND|O_CLOEXEC
 * (mode 0600, parent folders made 0700); its last record's hash and sequence
 * are read under flock when the first record is written, not at open. */
const struct osl_error *osl_log_open(struct osl_log **out, const struct osl_log_config *cfg,
    const struct osl_log_identity *id);
/* Flush (sync: batch) and close; NULL is fine. */
void osl_log_close(struct osl_log *log);

bool osl_log_enabled(const struct osl_log *log, enum osl_level level);

/* Write one record.  REC is an object with the caller's ECS fields (event.*
 * but for sequence, file.*, destination.*, rule.*, osl.*, message, ...); the
 * logger adds @timestamp (first), log.level, event.sequence, process.*,
 * user.id, host.hostname, osl.severity_number and chain (last), and takes
 * ownership of REC whatever happens.  A record below the level is dropped
 * (NULL).  When the record cannot be written: OSL_EDENIED if on_failure is
 * deny, else NULL after counting the failure and saying so once on stderr. */
const struct osl_error *osl_log_emit(struct osl_log *log, enum osl_level level, cJSON *rec);

/* A record as a list of fields, for a writer that makes many (a
 * supervised child's output): nothing to allocate or free.  PATH is the
 * field's dotted ECS name ("event.action", "osl.supervise.name"); fields
 * that share a prefix make one object, in the order of the first of them,
 * so a record comes out as the cJSON object with the same fields would. */
enum osl_log_ftype {
	OSL_LF_STR,	/* s, len bytes (made valid when written; NULL: null) */
	OSL_LF_STRS,	/* an array of the len strings in v */
	OSL_LF_INT,	/* i */
	OSL_LF_COUNT,	/* u, as osl_log_add_count */
	OSL_LF_U64,	/* u, as osl_log_add_u64 */
	OSL_LF_BOOL,	/* i != 0 */
	OSL_LF_JSON,	/* json, any value, written as osl_log_emit would */
};
struct osl_log_field {
	const char *path;
	enum osl_log_ftype type;
	const char *s;
	size_t len;
	const char *const *v;
	int64_t i;
	uint64_t u;
	const cJSON *json;
};
#define OSL_LOG_STRN(p, str, n) \
	((struct osl_log_field){ .path = (p), .type = OSL_LF_STR, .s = (str), .len = (n) })
#define OSL_LOG_STR(p, str) OSL_LOG_STRN((p), (str), (str) ? strlen(str) : 0)
#define OSL_LOG_STRS(p, vec, n) \
	((struct osl_log_field){ .path = (p), .type = OSL_LF_STRS, .v = (vec), .len = (n) })
#define OSL_LOG_INT(p, n) ((struct osl_log_field){ .path = (p), .type = OSL_LF_INT, .i = (n) })
#define OSL_LOG_COUNT(p, n) ((struct osl_log_field){ .path = (p), .type = OSL_LF_COUNT, .u = (n) })
#define OSL_LOG_U64(p, n) ((struct osl_log_field){ .path = (p), .type = OSL_LF_U64, .u = (n) })
#define OSL_LOG_BOOL(p, b) ((struct osl_log_field){ .path = (p), .type = OSL_LF_BOOL, .i = !!(b) })
#define OSL_LOG_JSON(p, j) ((struct osl_log_field){ .path = (p), .type = OSL_LF_JSON, .json = (j) })

/* osl_log_emit for a record of N fields (at most 64; F stays the caller's). */
const struct osl_error *osl_log_emit_fields(struct osl_log *log, enum osl_level level,
    const struct osl_log_field *f, size_t n);

/* A batch: between hold and release, a file sink keeps its lock and writes
 * the records it is given together, with one write(2) when they pass
 * 256 KiB and at the release (which syncs as the policy says).  For a
 * writer that has many records at once; the file's other writers wait
 * meanwhile, so hold only while there is more to write.  Holds nest;
 * other sinks write at once.  Release returns what the last write did (as
 * osl_log_emit). */
void osl_log_hold(struct osl_log *log);
const struct osl_error *osl_log_release(struct osl_log *log);

/* For on_failure: deny, before an operation runs: make sure its records can
 * be written (a file sink keeps space reserved past its end with
 * fallocate(FALLOC_FL_KEEP_SIZE)).  OSL_EDENIED when they cannot. */
const struct osl_error *osl_log_reserve(struct osl_log *log);

/* Reopen a file sink by name (SIGHUP, logrotate's create + postrotate). */
const struct osl_error *osl_log_reopen(struct osl_log *log);

/* Async-signal-safe: call from a SIGHUP handler; every open file sink moves
 * to the file its path names before its next record. */
void osl_log_hup(void);

/* Records that could not be written (on_failure: continue). */
unsigned long osl_log_failures(const struct osl_log *log);

/* --- pure helpers --- */

/* Make bytes safe for a JSON string: valid UTF-8 is kept, each invalid byte
 * becomes the four characters \xNN (control characters are left to cJSON's
 * \u escapes).  Returns a malloc'd string or NULL when out of memory. */
char *osl_log_text(const char *bytes, size_t len);
/* cJSON_AddStringToObject with osl_log_text applied. */
cJSON *osl_log_add_text(cJSON *obj, const char *key, const char *bytes);
/* Numbers that can pass 2^53 are strings. */
cJSON *osl_log_add_u64(cJSON *obj, const char *key, uint64_t v);
/* Sizes, byte totals and counts (ECS long fields) are numbers. */
cJSON *osl_log_add_count(cJSON *obj, const char *key, uint64_t v);
/* Get or create a nested object: osl_log_obj(rec, "file") */
cJSON *osl_log_obj(cJSON *parent, const char *key);

/* OpenTelemetry severity number of a level (debug 5 ... critical 21). */
int osl_level_severity(enum osl_level l);

/* chain.hash = SHA-256(prev (32 raw bytes) || LINE[0..len)), where LINE is
 * the record's bytes up to (not including) `,"chain":`. */
void osl_chain_hash(const uint8_t prev[32], const char *line, size_t len, uint8_t out[32]);

/* Verification: feed lines (without '\n') one by one. */
struct osl_verify_report {
	unsigned long records;		/* well-formed records read */
	unsigned long bad_line;		/* first bad line (1-based), 0 if none */
	char why[256];			/* why that line is bad */
	bool torn_tail;			/* the only problem is an unterminated last line */
	unsigned long unvouched;	/* records after the last checkpoint */
	unsigned long checkpoints;
	/* additions */
	unsigned file_index;		/* 1-based file of bad_line (osl_verify_file) */
	unsigned long torn_lines;	/* torn records the chain goes on past */
	unsigned long first_torn;	/* line of the first of them */
	unsigned torn_file;		/* and its file */
	unsigned long signed_checkpoints;	/* checked against a public key */
	unsigned long pins;		/* checkpoint copies of this log (osl_verify_pins_file) */
	unsigned long pins_matched;	/* of them, records found with the same hash */
	unsigned long old_format;	/* records written before osl.chain (chain at the top) */
	unsigned long first_old;	/* line of the first of them */
};
struct osl_verify;
struct osl_verify *osl_verify_new(void);
void osl_verify_free(struct osl_verify *v);
/* Returns false at the first bad line (the report says which and why). */
bool osl_verify_line(struct osl_verify *v, const char *line, size_t len, bool terminated);
/* Carry the chain across files given in order (rotation): the next file's
 * first prev must be this file's last hash. */
void osl_verify_next_file(struct osl_verify *v);
const struct osl_verify_report *osl_verify_report(const struct osl_verify *v);
/* A whole file: NULL when it was read to the end (the report says whether it
 * is intact); an error with status OSL_EINPUT when it cannot be read (exit 2
 * for `osl log verify`). */
const struct osl_error *osl_verify_file(struct osl_verify *v, const char *path);

/* --- additions --- */

/* RFC 3339 UTC with FRAC (0..9) fractional digits; BUF >= 32.  Returns the
 * length. */
size_t osl_log_format_time(char buf[32], uint64_t ns, int frac);
/* RFC 3339 ("2026-11-21T22:19:19.5Z", "...+01:00") or a date ("2026-11-21",
 * midnight UTC) to ns since the epoch. */
bool osl_log_parse_time(const char *s, uint64_t *ns);

/* Ed25519 keys for signed checkpoints (man osl-log(5), KEYS): a file of 64
 * hex digits (optionally a newline) or of 32 raw bytes.  The private key file
 * holds the seed and must not be readable by group or others. */
const struct osl_error *osl_log_key_load(const char *path, uint8_t seed[32], uint8_t pub[32]);
const struct osl_error *osl_log_pubkey_load(const char *path, uint8_t pub[32]);
/* New key pair: PRIV_PATH (0600) and, if not NULL, PUB_PATH (0644); neither
 * may exist. */
const struct osl_error *osl_log_keygen(const char *priv_path, const char *pub_path);

/* Check checkpoint signatures against this public key: a checkpoint that is
 * unsigned, signed by another key or badly signed is then a bad line. */
void osl_verify_set_pubkey(struct osl_verify *v, const uint8_t pub[32]);
const struct osl_error *osl_verify_set_key_file(struct osl_verify *v, const char *path);
/* Checkpoint copies (a checkpoint_sink file, PATH) of the log LOG (as the
 * copies name it: its configured path, or a path to the same file): each
 * must match the record it names, and the log must reach the newest one
 * (osl_verify_finish).  The checkpoint file is verified as a log first (with
 * the key, if set): OSL_EFAIL when it is not intact, OSL_EINPUT when it cannot
 * be read. */
const struct osl_error *osl_verify_pins_file(struct osl_verify *v, const char *path,
    const char *log);
/* After the last line of the last file: a pin past the end is a truncation. */
void osl_verify_finish(struct osl_verify *v);
/* One message for the report: "intact: 1042 records, 1 checkpoint, 41 records
 * after the last checkpoint" or "line 7: chain.prev does not match ...". */
const char *osl_verify_summary(const struct osl_verify *v, char *buf, size_t size);

/* Reading, for `osl log show`: FN gets each line (without '\n'), and REC its
 * parse (NULL when the line is not a JSON object; owned by the reader).  FN
 * returns 0 to go on, anything else to stop.  Memory stays bounded: a line
 * longer than 1 MiB is passed cut, with REC NULL.  PATH "-" is stdin. */
typedef int (*osl_log_read_fn)(cJSON *rec, const char *line, size_t len, void *arg);
const struct osl_error *osl_log_read(const char *path, osl_log_read_fn fn, void *arg);
const struct osl_error *osl_log_read_fd(int fd, const char *name, osl_log_read_fn fn, void *arg);

/* `osl log show` filters; pure.  All set ones must match. */
struct osl_log_filter {
	const char *action;	/* "fs.write", or a group: "fs" or "fs.*" */
	const char *outcome;	/* success | failure | unknown */
	const char *decision;	/* allow | deny (osl.decision): osl_log_filter_decision */
	uint64_t since_ns;	/* @timestamp >= this; 0 = any */
	bool has_level;
	enum osl_level level;	/* at least this level */
};
/* Fill F from command-line strings (each may be NULL).  SINCE is an RFC 3339
 * time or a duration ("10m") before NOW_NS.  OSL_EINPUT on a bad value. */
const struct osl_error *osl_log_filter_init(struct osl_log_filter *f, const char *action,
    const char *outcome, const char *since, const char *level, uint64_t now_ns);
/* Only records whose osl.decision is DECISION (allow or deny); OSL_EINPUT
 * on another word. */
const struct osl_error *osl_log_filter_decision(struct osl_log_filter *f, const char *decision);
bool osl_log_filter_match(const struct osl_log_filter *f, const cJSON *rec);

#endif
