/* Private to lib/log: the pieces the pure cores and the sink layer share. */
#ifndef OSL_LOG_INT_H
#define OSL_LOG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "log/log.h"
#include "util/strbuf.h"

/* ecs.version of every record: the ECS release whose definitions the test
 * checks the records against (test/ecs/, build/ecs/) */
#define OSL_ECS_VERSION		"9.4.0"
#define OSL_LOG_PIPE_MAX	4096	/* PIPE_BUF: atomic on a pipe */
#define OSL_LOG_FILE_MAX	65536
/* ,"chain":{"prev":"<64 hex>","hash":"<64 hex>"}}} without the '\n': the
 * last member of osl, the record's last member (osl.chain); a record
 * written before osl.chain ends in one brace less (chain at the top). */
#define OSL_CHAIN_KEY		"chain"
#define OSL_CHAIN_TAG		",\"" OSL_CHAIN_KEY "\":"
#define OSL_CHAIN_SUFFIX_LEN	(9 + 9 + 64 + 10 + 64 + 4)

/* The identity fields, serialised once per process: the members of
 * process, user and host ("pid":1,"parent":{...},...), without braces, so
 * that a caller's own process.* members can follow them. */
struct osl_log_frag {
	char *process, *user, *host;	/* or NULL */
	char *self;			/* process without its parent: osl as process.parent */
	bool truncated;			/* args or executable were cut */
};
const struct osl_error *osl_log_frag_init(struct osl_log_frag *fr,
    const struct osl_log_identity *id);
void osl_log_frag_release(struct osl_log_frag *fr);

/* Layouts of records from fields, kept across records (log/plan.c): a
 * writer that makes many records of the same fields works the layout out
 * once and then writes only the values into it. */
struct osl_log_plans;
struct osl_log_plans *osl_log_plans_new(void);
void osl_log_plans_free(struct osl_log_plans *ps);

struct osl_log_build_args {
	enum osl_level level;
	uint64_t now_ns;		/* CLOCK_REALTIME, ns since the epoch */
	uint64_t seq;
	const uint8_t *prev;		/* 32 bytes; NULL: no chain field */
	size_t max;			/* longest line allowed, '\n' included */
	struct osl_log_plans *plans;	/* or NULL: every record laid out anew */
	bool append;			/* after what OUT holds (a file's batch), not in its place */
};
/* Serialise REC (not changed, still the caller's) into OUT: the whole line
 * with its '\n', strings made valid and, if the line would pass a->max, cut
 * (osl.truncated: true).  HASH gets chain.hash when a->prev is set. */
const struct osl_error *osl_log_build(struct strbuf *out, cJSON *rec,
    const struct osl_log_frag *fr, const struct osl_log_build_args *a, uint8_t hash[32]);
/* The same from N fields (at most 64), laid out as the cJSON object they
 * describe would be. */
const struct osl_error *osl_log_build_fields(struct strbuf *out,
    const struct osl_log_field *f, size_t n, const struct osl_log_frag *fr,
    const struct osl_log_build_args *a, uint8_t hash[32]);

/* Length of the valid UTF-8 sequence at S (N bytes there), or 0. */
size_t osl_utf8_seq(const unsigned char *s, size_t n);
/* UTF-8 check (no overlongs, no surrogates, nothing past U+10FFFF). */
bool osl_utf8_valid(const char *s, size_t len);
/* Decimal, no NUL needed in the caller: returns the length (buf >= 21). */
size_t osl_fmt_u64(char *buf, uint64_t v);
int osl_level_syslog(enum osl_level l);

/* chain.c */
void osl_hex(char *dst, const uint8_t *src, size_t n);	/* writes 2n chars, no NUL */
bool osl_unhex(uint8_t *dst, const char *src, size_t n);	/* reads 2n chars */
/* Append ,"chain":{...}}}\n to OUT, whose bytes from START are the record
 * up to the chain field (the osl object still open); sets HASH. */
void osl_chain_seal(struct strbuf *out, size_t start, const uint8_t prev[32], uint8_t hash[32]);
/* Split a line (no '\n') that ends in the chain field: PREFIX_LEN is where
 * ,"chain": starts; *TOP (may be NULL) is set when the chain is the old
 * top-level one.  False when the line does not end in one. */
bool osl_chain_split(const char *line, size_t len, size_t *prefix_len,
    uint8_t prev[32], uint8_t hash[32], bool *top);
/* The bytes a checkpoint signature covers:
 * "osl-checkpoint-v1\n<sequence>\n<64 hex hash>"; buf >= 128.  Returns length. */
size_t osl_checkpoint_message(char *buf, uint64_t seq, const uint8_t hash[32]);
/* "sha256:<64 hex>" of the public key; buf >= 72. */
void osl_key_fingerprint(char *buf, const uint8_t pub[32]);

/* read.c: a line reader with bounded memory.  Lines longer than max are
 * returned cut (len == max, long = true) and the rest of the line skipped. */
struct osl_lines {
	int fd;
	char *buf;
	size_t cap, start, end, max;
	bool eof, skipping;
	int err;
};
void osl_lines_init(struct osl_lines *lr, int fd, size_t max);
void osl_lines_release(struct osl_lines *lr);
/* 1: a line (terminated tells whether it ended in '\n'); 0: end; -1: read
 * error (errno in lr->err). */
int osl_lines_next(struct osl_lines *lr, const char **line, size_t *len,
    bool *terminated, bool *cut);

#endif
