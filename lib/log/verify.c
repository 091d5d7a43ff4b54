/* Verification: pure over lines (osl_verify_file only reads the file).
 *
 * A line that is not a record (a writer died mid-write) is held: if the next
 * record chains to the last good one, the writer started over past it and it
 * is counted as torn; if not, it is the first bad line.  An unterminated last
 * line is a torn tail, not tampering in the middle.
 *
 * Pins are checkpoints copied elsewhere (checkpoint_sink): each names a
 * record by sequence and hash.  The log must hold that record with that hash,
 * and must reach the newest pin: a log cut short is caught here, which its
 * own chain cannot show. */
#include "log/log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/base64.h>
#include <nettle/eddsa.h>

#define LINE_MAX_BYTES	(1024 * 1024)

struct osl_verify {
	struct osl_verify_report r;
	unsigned long line;		/* lines read in this file */
	unsigned file;			/* 1-based */
	bool failed;
	bool have_last;
	uint64_t last_seq;
	uint8_t last_hash[32];
	unsigned long last_line;	/* line of the last record, 0: previous file */
	bool held;			/* a non-record line waits for its verdict */
	unsigned long held_line;
	bool have_key;
	uint8_t pub[32];
	char fpr[72];
	bool files_started;
	/* pins, sorted by sequence; pin_next is the first not yet reached */
	struct pin {
		uint64_t seq;
		uint8_t hash[32];
		unsigned long line;	/* in pins_file */
	} *pins;
	size_t npins, pin_next;
	char *pins_file;
	/* called with each good record (loading pins) */
	void (*on_record)(struct osl_verify *v, const cJSON *rec);
	void *on_arg;
	unsigned long on_line;
};

struct osl_verify *
osl_verify_new(void)
{
	struct osl_verify *v = calloc(1, sizeof(*v));

	if (v)
		v->file = v->r.file_index = 1;
	return v;
}

void
osl_verify_free(struct osl_verify *v)
{
	if (v) {
		free(v->pins);
		free(v->pins_file);
	}
	free(v);
}

void
osl_verify_set_pubkey(struct osl_verify *v, const uint8_t pub[32])
{
	memcpy(v->pub, pub, 32);
	osl_key_fingerprint(v->fpr, pub);
	v->have_key = true;
}

const struct osl_error *
osl_verify_set_key_file(struct osl_verify *v, const char *path)
{
	const struct osl_error *err;
	uint8_t pub[32];

	if ((err = osl_log_pubkey_load(path, pub)) != NULL)
		return err;
	osl_verify_set_pubkey(v, pub);
	return NULL;
}

const struct osl_verify_report *
osl_verify_report(const struct osl_verify *v)
{
	return &v->r;
}

__attribute__((format(printf, 3, 4)))
static bool
bad(struct osl_verify *v, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	/* the line is bad_line's: "FILE:LINE: why" says it once (osl-log(1)) */
	v->failed = true;
	v->r.bad_line = line;
	v->r.file_index = v->file;
	va_start(ap, fmt);
	vsnprintf(v->r.why, sizeof(v->r.why), fmt, ap);
	va_end(ap);
	return false;
}

/* Hold a line that is not a record, or fail if one is held already. */
static bool
hold(struct osl_verify *v, unsigned long line, bool terminated, const char *why)
{
	if (v->held) {
		v->failed = true;
		return false;	/* the held line is the first bad one */
	}
	v->held = true;
	v->held_line = line;
	v->r.bad_line = line;
	v->r.file_index = v->file;
	v->r.torn_tail = !terminated;
	if (!terminated)
		snprintf(v->r.why, sizeof(v->r.why), "torn: the last line has "
		    "no newline (a writer stopped mid-record)");
	else
		snprintf(v->r.why, sizeof(v->r.why), "%s", why);
	return true;
}

static const char *
where_last(const struct osl_verify *v, char *buf, size_t size)
{
	if (v->last_line)
		snprintf(buf, size, "line %lu", v->last_line);
	else
		snprintf(buf, size, "the previous file's last record");
	return buf;
}

static bool
check_checkpoint(struct osl_verify *v, unsigned long n, const cJSON *rec)
{
	const cJSON *cp, *s, *h, *sig, *key;
	uint8_t hash[32], sigb[64];
	char m[128], w[64];
	struct base64_decode_ctx b64;
	size_t dl = sizeof(sigb), ml;

	cp = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "osl"),
	    "checkpoint");
	s = cJSON_GetObjectItemCaseSensitive(cp, "sequence");
	h = cJSON_GetObjectItemCaseSensitive(cp, "hash");
	if (!cJSON_IsNumber(s) || !cJSON_IsString(h) || strlen(h->valuestring) != 64 ||
	    !osl_unhex(hash, h->valuestring, 32) || s->valuedouble < 0 ||
	    s->valuedouble >= 9007199254740992.0 || (double)(uint64_t)s->valuedouble != s->valuedouble)
		return bad(v, n, "checkpoint without a valid osl.checkpoint.sequence and hash");
	/* it pins the record just before it, unless it is a copy of another
	 * file's checkpoint (checkpoint_sink) */
	if (v->have_last && !cJSON_GetObjectItemCaseSensitive(cp, "file") && ((uint64_t)s->valuedouble != v->last_seq ||
	    memcmp(hash, v->last_hash, 32) != 0))
		return bad(v, n, "checkpoint does not match %s",
		    where_last(v, w, sizeof(w)));
	if (!v->have_key)
		return true;
	sig = cJSON_GetObjectItemCaseSensitive(cp, "signature");
	key = cJSON_GetObjectItemCaseSensitive(cp, "key");
	if (!cJSON_IsString(sig))
		return bad(v, n, "checkpoint is not signed");
	if (!cJSON_IsString(key) || strcmp(key->valuestring, v->fpr) != 0)
		return bad(v, n, "checkpoint is signed with another key");
	base64_decode_init(&b64);
	if (strlen(sig->valuestring) != BASE64_ENCODE_RAW_LENGTH(64) ||
	    !base64_decode_update(&b64, &dl, sigb, strlen(sig->valuestring),
	    sig->valuestring) || !base64_decode_final(&b64) || dl != 64)
		return bad(v, n, "checkpoint signature is not 64 bytes of base64");
	ml = osl_checkpoint_message(m, (uint64_t)s->valuedouble, hash);
	if (!ed25519_sha512_verify(v->pub, ml, (const uint8_t *)m, sigb))
		return bad(v, n, "checkpoint signature does not hold");
	v->r.signed_checkpoints++;
	return true;
}

/* Record SEQ (HASH) at line N against the pins: those below the first
 * record seen are in older files not given (not counted); one at SEQ must
 * hold the same hash. */
static bool
check_pins(struct osl_verify *v, unsigned long n, uint64_t seq, const uint8_t hash[32])
{
	for (; v->pin_next < v->npins && v->pins[v->pin_next].seq <= seq; v->pin_next++) {
		const struct pin *p = &v->pins[v->pin_next];

		if (p->seq < seq)
			continue;
		if (memcmp(p->hash, hash, 32) != 0)
			return bad(v, n, "record %llu does not match its checkpoint in %s (line %lu): "
			    "the log was changed or replaced", (unsigned long long)seq,
			    v->pins_file, p->line);
		v->r.pins_matched++;
	}
	return true;
}

/* The chain field of LINE (parsed: REC) is last (osl.chain, the last member
 * of osl, the record's last; or, before osl.chain, the record's own last),
 * once, and exactly as the writer spells it: NULL, with its parts, or why
 * not. */
static const char *
chain_placed(const char *line, size_t len, const cJSON *rec, size_t *pl, uint8_t prev[32],
    uint8_t hash[32], bool *top)
{
	const cJSON *c, *last, *in = NULL;
	bool chained;

	*top = false;
	chained = osl_chain_split(line, len, pl, prev, hash, top);
	last = rec->child ? rec->child->prev : NULL;
	if (chained && !*top && last && last->string && strcmp(last->string, "osl") == 0 &&
	    cJSON_IsObject(last))
		in = last;
	for (c = rec->child; c; c = c->next)
		if (c != last && c->string && (strcmp(c->string, "chain") == 0 ||
		    (!*top && strcmp(c->string, "osl") == 0)))
			chained = false;
	last = in && in->child ? in->child->prev : last;
	for (c = in ? in->child : NULL; c; c = c->next)
		if (c != last && c->string && strcmp(c->string, "chain") == 0)
			chained = false;
	if (chained && last && last->string && strcmp(last->string, "chain") == 0 && (*top || in))
		return NULL;
	if (!cJSON_GetObjectItemCaseSensitive(rec, "chain") &&
	    !cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "osl"), "chain"))
		return "no chain field (written with chain: false?)";
	return "malformed chain field";
}

bool
osl_verify_line(struct osl_verify *v, const char *line, size_t len, bool terminated)
{
	const cJSON *ev, *s, *act;
	uint8_t prev[32], hash[32], want[32];
	const char *end = NULL, *why;
	unsigned long n;
	size_t pl;
	cJSON *rec = NULL;
	uint64_t seq;
	char w[64];
	bool ok = false, top = false;

	if (v->failed)
		return false;
	n = ++v->line;
	if (!terminated || len == 0 || !osl_utf8_valid(line, len) ||
	    (rec = cJSON_ParseWithLengthOpts(line, len, &end, false)) == NULL ||
	    end != line + len || !cJSON_IsObject(rec)) {
		cJSON_Delete(rec);
		return hold(v, n, terminated, "not a JSON object (a torn or damaged record)");
	}
	if ((why = chain_placed(line, len, rec, &pl, prev, hash, &top))) {
		bad(v, n, "%s", why);
		goto done;
	}
	if (top && !v->r.old_format++)
		v->r.first_old = n;
	ev = cJSON_GetObjectItemCaseSensitive(rec, "event");
	s = cJSON_GetObjectItemCaseSensitive(ev, "sequence");
	if (!cJSON_IsNumber(s) || s->valuedouble < 0 || s->valuedouble >= 9007199254740992.0 ||
	    (double)(uint64_t)s->valuedouble != s->valuedouble) {
		bad(v, n, "no valid event.sequence");
		goto done;
	}
	seq = (uint64_t)s->valuedouble;
	osl_chain_hash(prev, line, pl, want);
	if (v->have_last && memcmp(prev, v->last_hash, 32) != 0) {
		if (v->held && v->held_line + 1 == n)
			v->failed = true;	/* the held line is the bad one */
		else
			bad(v, n, "chain.prev does not match the hash of %s",
			    where_last(v, w, sizeof(w)));
		goto done;
	}
	if (memcmp(want, hash, 32) != 0) {
		bad(v, n, "chain.hash does not match the line's bytes (the record was changed)");
		goto done;
	}
	if (v->have_last && seq != v->last_seq + 1) {
		bad(v, n, "event.sequence is %llu, %s has %llu (a record was removed, added "
		    "or moved)", (unsigned long long)seq, where_last(v, w, sizeof(w)),
		    (unsigned long long)v->last_seq);
		goto done;
	}
	if (v->held) {
		/* the writer stepped over a torn record: nothing lost but it */
		if (!v->r.torn_lines++) {
			v->r.first_torn = v->held_line;
			v->r.torn_file = v->file;
		}
		v->held = false;
		v->r.bad_line = 0;
		v->r.torn_tail = false;
		v->r.why[0] = '\0';
	}
	act = cJSON_GetObjectItemCaseSensitive(ev, "action");
	if (cJSON_IsString(act) && strcmp(act->valuestring, "log.checkpoint") == 0) {
		if (!check_checkpoint(v, n, rec))
			goto done;
		v->r.checkpoints++;
		if (!cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(rec, "osl"), "checkpoint"), "file"))
			v->r.unvouched = 0;
	} else
		v->r.unvouched++;
	if (v->npins && !check_pins(v, n, seq, hash))
		goto done;
	if (v->on_record) {
		v->on_line = n;
		v->on_record(v, rec);
	}
	v->have_last = true;
	v->last_seq = seq;
	memcpy(v->last_hash, hash, 32);
	v->last_line = n;
	v->r.records++;
	ok = true;
done:
	cJSON_Delete(rec);
	return ok;
}

void
osl_verify_next_file(struct osl_verify *v)
{
	v->line = 0;
	v->last_line = 0;
	v->file++;
}

const struct osl_error *
osl_verify_file(struct osl_verify *v, const char *path)
{
	const struct osl_error *err = NULL;
	struct osl_lines lr;
	const char *line;
	size_t len;
	bool term, cut;
	int fd, r;

	if (v->files_started)
		osl_verify_next_file(v);
	v->files_started = true;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return osl_error_sys(OSL_EINPUT, errno, "cannot open '%s'", path);
	osl_lines_init(&lr, fd, LINE_MAX_BYTES);
	while ((r = osl_lines_next(&lr, &line, &len, &term, &cut)) == 1) {
		if (cut)
			term = true;	/* too long to be a record: a bad line */
		if (!osl_verify_line(v, cut ? "" : line, cut ? 0 : len, term))
			break;
	}
	if (r == -1)
		err = osl_error_sys(OSL_EINPUT, lr.err, "cannot read '%s'", path);
	osl_lines_release(&lr);
	if (fd != STDIN_FILENO)
		close(fd);
	return err;
}

struct pin_load {
	const char *log, *log_real;
	struct pin *pins;
	size_t n, cap;
	bool nomem;
};

static int
pin_cmp(const void *a, const void *b)
{
	const struct pin *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A good record of the checkpoint file: a copy of one of LOG's checkpoints
 * becomes a pin (its fields were checked by check_checkpoint). */
static void
pin_record(struct osl_verify *cv, const cJSON *rec)
{
	struct pin_load *pl = cv->on_arg;
	const cJSON *ev, *cp, *f;
	char real[PATH_MAX];
	struct pin *p;

	ev = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "event"),
	    "action");
	cp = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "osl"),
	    "checkpoint");
	f = cJSON_GetObjectItemCaseSensitive(cp, "file");
	if (!cJSON_IsString(ev) || strcmp(ev->valuestring, "log.checkpoint") != 0 ||
	    !cJSON_IsString(f))
		return;
	if (strcmp(f->valuestring, pl->log) != 0 && (!pl->log_real ||
	    !realpath(f->valuestring, real) || strcmp(real, pl->log_real) != 0))
		return;
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 16;
		struct pin *np = realloc(pl->pins, cap * sizeof(*np));

		if (!np) {
			pl->nomem = true;
			return;
		}
		pl->pins = np;
		pl->cap = cap;
	}
	p = &pl->pins[pl->n++];
	p->seq = (uint64_t)cJSON_GetObjectItemCaseSensitive(cp, "sequence")->valuedouble;
	osl_unhex(p->hash, cJSON_GetObjectItemCaseSensitive(cp, "hash")->valuestring, 32);
	p->line = cv->on_line;
}

const struct osl_error *
osl_verify_pins_file(struct osl_verify *v, const char *path, const char *log)
{
	const struct osl_error *err;
	const struct osl_verify_report *r;
	struct pin_load pl = { .log = log };
	char real[PATH_MAX];
	struct osl_verify *cv;

	if ((cv = osl_verify_new()) == NULL || (v->pins_file = strdup(path)) == NULL) {
		osl_verify_free(cv);
		return osl_error_nomem();
	}
	pl.log_real = realpath(log, real);
	if (v->have_key)
		osl_verify_set_pubkey(cv, v->pub);
	cv->on_record = pin_record;
	cv->on_arg = &pl;
	err = osl_verify_file(cv, path);
	r = osl_verify_report(cv);
	if (!err && pl.nomem)
		err = osl_error_nomem();
	else if (!err && r->bad_line && !r->torn_tail)
		/* a torn last copy is a crash; anything else, the copies were changed */
		err = osl_error_new(OSL_EFAIL, "checkpoint file '%s' is not intact: %s", path,
		    r->why);
	osl_verify_free(cv);
	if (err) {
		free(pl.pins);
		return err;
	}
	if (pl.n)
		qsort(pl.pins, pl.n, sizeof(*pl.pins), pin_cmp);
	v->pins = pl.pins;
	v->npins = pl.n;
	v->r.pins = pl.n;
	return NULL;
}

void
osl_verify_finish(struct osl_verify *v)
{
	const struct pin *p;

	if (v->failed || v->pin_next >= v->npins)
		return;
	p = &v->pins[v->npins - 1];
	v->held = false;
	v->r.torn_tail = false;
	if (v->have_last)
		bad(v, v->line + 1, "truncated: %s (line %lu) has a checkpoint of record %llu, "
		    "the log ends at record %llu", v->pins_file, p->line,
		    (unsigned long long)p->seq, (unsigned long long)v->last_seq);
	else
		bad(v, v->line + 1, "truncated: %s (line %lu) has a checkpoint of record %llu, "
		    "the log has no record", v->pins_file, p->line, (unsigned long long)p->seq);
}

const char *
osl_verify_summary(const struct osl_verify *v, char *buf, size_t size)
{
	const struct osl_verify_report *r = &v->r;
	char torn[96] = "";

	if (r->torn_lines)
		snprintf(torn, sizeof(torn), ", %lu torn (first: line %lu)", r->torn_lines,
		    r->first_torn);
	if (r->bad_line)
		snprintf(buf, size, "%s", r->why);
	else
		snprintf(buf, size, "intact: %lu records, %lu checkpoints%s, %lu records "
		    "after the last checkpoint%s", r->records, r->checkpoints,
		    v->have_key ? " (signatures checked)" : "", r->unvouched, torn);
	return buf;
}
