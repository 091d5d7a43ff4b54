/* Record building: pure (the time, sequence and previous hash come in as
 * arguments), so the unit tests can check a record byte for byte.  A record
 * comes as a cJSON object (osl_log_emit) or as a list of fields with dotted
 * paths (osl_log_emit_fields: no tree to build and free, for the records a
 * busy writer makes by the thousand); both are laid out alike. */
#include "log/jw.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_sev[] = { "5", "9", "10", "13", "17", "21" };

/* --- a record from fields with dotted paths ---
 *
 * The members of an object are the fields whose path starts with its own
 * path and a dot, in the order of the first of each name: "osl.a" and
 * "osl.b" make one "osl" object wherever they are in the list.  A path
 * given twice is written once (the first). */

/* The top-level objects the layout writes in place (osl among them). */
static const char *const sections[] = { "log", "event", "process", "user", "host", "osl" };
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

struct flist {
	const struct osl_log_field *f;
	size_t n;
	uint64_t all;		/* a bit for each field */
	uint64_t done;		/* bit i: field i is written (or skipped) */
	uint64_t ours;		/* fields under the logger's own top-level names */
	uint64_t sec[NSECTIONS];	/* fields under each of sections[] */
	size_t len[64];		/* of each path */
	size_t top[64];		/* of its first name */
};

/* Field I's path starts with PREFIX (PLEN bytes) and goes on. */
static inline bool
under(const struct flist *l, size_t i, const char *prefix, size_t plen)
{
	/* the dot first: it tells most fields apart at once */
	return l->len[i] > plen && (plen == 0 || (l->f[i].path[plen - 1] == '.' &&
	    l->f[i].path[0] == prefix[0] && memcmp(l->f[i].path, prefix, plen) == 0));
}

static size_t
seg_len(const char *p, size_t len)
{
	const char *d = memchr(p, '.', len);

	return d ? (size_t)(d - p) : len;
}


/* The members under PREFIX (PLEN bytes, ending in a dot; 0: the top), but
 * SKIP, of the fields in CAND; a comma before each unless it is the first
 * and !MORE. */
static bool
jw_fields(struct jw *w, struct flist *l, const char *prefix, size_t plen,
    const char *const *skip, uint64_t cand, bool more)
{
	const char *rest;
	uint64_t later;
	size_t i, j, k;

	while ((cand &= ~l->done) != 0) {
		i = (size_t)__builtin_ctzll(cand);
		cand &= cand - 1;
		if (!under(l, i, prefix, plen))
			continue;
		rest = l->f[i].path + plen;
		k = plen ? seg_len(rest, l->len[i] - plen) : l->top[i];
		if (jw_skipped(rest, k, skip))
			continue;
		if (more)
			jw_c(w, ',');
		more = true;
		/* a name checked when the record came in */
		jw_c(w, '"');
		jw_add(w, rest, k);
		JW_LIT(w, "\":");
		if (rest[k] == '\0') {
			if (w->plan)
				jw_hole(w, JW_HOLE_FIELD, i);
			else
				jw_field_value(w, &l->f[i]);
			l->done |= 1ULL << i;
		} else {
			/* its members: this field and fields after it */
			jw_c(w, '{');
			jw_fields(w, l, l->f[i].path, plen + k + 1, NULL, l->all & (~0ULL << i), false);
			jw_c(w, '}');
		}
		/* the same name again, as a value or an object: already written */
		for (later = l->all & ~l->done & (~0ULL << i); later; later &= later - 1) {
			j = (size_t)__builtin_ctzll(later);
			if ((l->len[j] == plen + k || (rest[k] == '\0' && l->len[j] > plen + k &&
			    l->f[j].path[plen + k] == '.')) &&
			    memcmp(l->f[j].path, l->f[i].path, plen + k) == 0)
				l->done |= 1ULL << j;
		}
	}
	return more;
}

static size_t
section(const char *key)
{
	size_t i;

	for (i = 0; i < NSECTIONS; i++)
		if (strcmp(sections[i], key) == 0)
			break;
	return i;
}

/* --- the layout, whichever way the record came --- */

struct src {
	const cJSON *rec;	/* or */
	struct flist *l;
};

static const cJSON *
obj_at(const cJSON *rec, const char *key)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, key);

	return cJSON_IsObject(o) ? o : NULL;
}

/* The caller's members of the top-level object KEY but SKIP. */
static bool
src_members(struct jw *w, struct src *s, const char *key, const char *const *skip, bool more)
{
	const cJSON *o;
	char prefix[16];
	size_t n = strlen(key);

	if (s->rec)
		return (o = obj_at(s->rec, key)) ? jw_members(w, o->child, skip, more, 1) : more;
	memcpy(prefix, key, n);
	prefix[n] = '.';
	return jw_fields(w, s->l, prefix, n + 1, skip, s->l->sec[section(key)], more);
}

/* Section KEY has the member MEMBER. */
static bool
src_has(const struct src *s, const char *key, const char *member)
{
	size_t n = strlen(key), i;
	uint64_t m;

	if (s->rec)
		return cJSON_GetObjectItemCaseSensitive(obj_at(s->rec, key), member) != NULL;
	for (m = s->l->sec[section(key)]; m; m &= m - 1) {
		i = (size_t)__builtin_ctzll(m);
		if (strcmp(s->l->f[i].path + n + 1, member) == 0)
			return true;
	}
	return false;
}

/* Section KEY has members. */
static bool
src_any(const struct src *s, const char *key)
{
	const cJSON *o;

	if (s->rec)
		return (o = obj_at(s->rec, key)) && o->child;
	return s->l->sec[section(key)] != 0;
}

/* "key":{OURS, the caller's members but SKIP} */
static void
jw_ours(struct jw *w, const char *key, const char *ours, struct src *s,
    const char *const *skip)
{
	bool more = false;

	if (!ours && !src_any(s, key))
		return;
	jw_c(w, ',');
	jw_str(w, key);
	JW_LIT(w, ":{");
	if (ours) {
		jw_add(w, ours, strlen(ours));
		more = true;
	}
	src_members(w, s, key, skip, more);
	jw_c(w, '}');
}

static const char *const skip_process[] = { "pid", "parent", "executable", "args", NULL };
static const char *const skip_user[] = { "id", NULL };
static const char *const skip_host[] = { "hostname", NULL };
static const char *const skip_event[] = { "sequence", NULL };
static const char *const skip_log[] = { "level", NULL };
static const char *const skip_osl[] = { "severity_number", "truncated", OSL_CHAIN_KEY, NULL };
static const char *const skip_top[] = { "@timestamp", "log", "event", "ecs", "process", "user",
	"host", OSL_CHAIN_KEY, NULL };

/* "osl":{..., left open: the record's last member, osl.chain (or just the
 * braces) follows it */
static void
jw_osl(struct jw *w, struct src *s, enum osl_level level, bool mark)
{
	jw_c(w, ',');
	JW_LIT(w, "\"osl\":{");
	if (s && src_members(w, s, "osl", skip_osl, false))
		jw_c(w, ',');
	JW_LIT(w, "\"severity_number\":");
	jw_add(w, level_sev[level % 6], strlen(level_sev[level % 6]));
	if (mark)
		JW_LIT(w, ",\"truncated\":true");
}

/* The caller's other top-level members, in order, then osl, last (its
 * chain closes the record). */
static void
jw_top(struct jw *w, struct src *s, enum osl_level level, bool mark)
{
	const cJSON *c, *o = NULL;
	uint64_t osl;

	if (s->l) {
		osl = s->l->sec[section("osl")];
		jw_fields(w, s->l, "", 0, NULL, s->l->all & ~(s->l->ours | osl), true);
		jw_osl(w, osl ? s : NULL, level, mark);
		return;
	}
	for (c = s->rec->child; c; c = c->next) {
		if (!c->string || jw_skipped(c->string, strlen(c->string), skip_top))
			continue;
		if (strcmp(c->string, "osl") == 0) {
			if (!o)
				o = c;
			continue;
		}
		jw_c(w, ',');
		jw_str(w, c->string);
		jw_c(w, ':');
		jw_value(w, c, 1);
	}
	jw_osl(w, cJSON_IsObject(o) ? s : NULL, level, mark);
}

/* A record about another process (the program osl ran: the caller set
 * process.pid, executable or args) has it as process.*, and osl as
 * process.parent.*; any other record has osl as process.* (ECS). */
static void
jw_process(struct jw *w, const struct osl_log_frag *fr, struct src *s)
{
	static const char *const skip_parent[] = { "parent", NULL };

	if (!src_has(s, "process", "pid") && !src_has(s, "process", "executable") &&
	    !src_has(s, "process", "args")) {
		jw_ours(w, "process", fr->process, s, skip_process);
		return;
	}
	JW_LIT(w, ",\"process\":{");
	if (src_members(w, s, "process", skip_parent, false))
		jw_c(w, ',');
	JW_LIT(w, "\"parent\":{");
	if (fr->self)
		jw_add(w, fr->self, strlen(fr->self));
	JW_LIT(w, "}}");
}

static void
jw_record(struct jw *w, struct src *s, const struct osl_log_frag *fr,
    const struct osl_log_build_args *a, bool mark)
{
	char ts[32];
	bool more;

	JW_LIT(w, "{\"@timestamp\":\"");
	if (w->plan)
		jw_hole(w, JW_HOLE_TIME, 0);
	else
		jw_add(w, ts, osl_log_format_time(ts, a->now_ns, 9));
	JW_LIT(w, "\",\"log\":{\"level\":\"");
	jw_add(w, osl_level_name(a->level), strlen(osl_level_name(a->level)));
	jw_c(w, '"');
	src_members(w, s, "log", skip_log, true);
	JW_LIT(w, "},\"event\":{");
	more = false;
	if (!src_has(s, "event", "kind")) {
		JW_LIT(w, "\"kind\":\"event\"");
		more = true;
	}
	if (src_members(w, s, "event", skip_event, more))
		jw_c(w, ',');
	JW_LIT(w, "\"sequence\":");
	if (w->plan)
		jw_hole(w, JW_HOLE_SEQ, 0);
	else
		jw_u64(w, a->seq);
	JW_LIT(w, "},\"ecs\":{\"version\":\"" OSL_ECS_VERSION "\"}");
	jw_process(w, fr, s);
	jw_ours(w, "user", fr->user, s, skip_user);
	jw_ours(w, "host", fr->host, s, skip_host);
	jw_top(w, s, a->level, mark);
}

/* What follows the bytes in W: the chain, or the braces. */
#define TAIL(a) ((a)->prev ? OSL_CHAIN_SUFFIX_LEN + 1 : 3)

/* A writer over OUT (after what it holds, for a->append), room left for
 * the tail; OUT is not changed until the record is sealed. */
static bool
jw_start(struct jw *w, struct strbuf *out, const struct osl_log_build_args *a)
{
	size_t at = a->append ? out->len : 0;

	memset(w, 0, sizeof(*w));
	if (!a->append)
		out->len = 0;
	if (a->max <= TAIL(a) + 256 || !sb_grow(out, a->max)) {
		out->oom = false;	/* what it holds is whole */
		return false;
	}
	w->start = w->p = out->buf + at;
	w->end = w->start + a->max - TAIL(a);
	return true;
}

/* The record written into OUT by W, closed: the chain field, or braces. */
static const struct osl_error *
seal(struct strbuf *out, const struct jw *w, const struct osl_log_build_args *a,
    uint8_t hash[32])
{
	size_t at = (size_t)(w->start - out->buf);

	out->len = (size_t)(w->p - out->buf);
	out->buf[out->len] = '\0';
	if (a->prev)
		osl_chain_seal(out, at, a->prev, hash);
	else
		sb_add(out, "}}\n", 3);
	if (!out->oom)
		return NULL;
	out->oom = false;
	out->len = at;	/* none of it */
	return osl_error_nomem();
}

static const struct osl_error *
build(struct strbuf *out, struct src *s, const struct osl_log_frag *fr,
    const struct osl_log_build_args *a, uint8_t hash[32])
{
	struct jw w;
	size_t cap = 0;
	bool mark = fr->truncated;

	for (;;) {
		if (!jw_start(&w, out, a))
			return osl_error_nomem();
		w.cap = cap;
		if (s->l)
			s->l->done = 0;
		jw_record(&w, s, fr, a, mark);
		if (w.cut && !mark) {
			mark = true;	/* again, with osl.truncated */
			continue;
		}
		if (!w.over)
			break;
		/* too long: cut the strings, harder each time */
		cap = cap ? cap / 2 : a->max / 2;
		mark = true;
		if (cap < 8)
			return osl_error_new(OSL_EFAIL,
			    "log record does not fit in %zu bytes", a->max);
	}
	return seal(out, &w, a, hash);
}

const struct osl_error *
osl_log_build(struct strbuf *out, cJSON *rec, const struct osl_log_frag *fr,
    const struct osl_log_build_args *a, uint8_t hash[32])
{
	struct src s = { .rec = rec };

	if (!cJSON_IsObject(rec))
		return osl_error_new(OSL_EFAIL, "log record is not a JSON object");
	return build(out, &s, fr, a, hash);
}

/* The layout of S's fields recorded into a plan of a->plans, or NULL. */
static struct osl_log_plan *
record(struct strbuf *out, struct src *s, const struct osl_log_frag *fr,
    const struct osl_log_build_args *a)
{
	struct osl_log_plan *p;
	struct jw w;

	if ((p = osl_log_plan_start(a->plans, s->l->f, s->l->n, a->level,
	    fr->truncated)) == NULL || !jw_start(&w, out, a))
		return NULL;
	w.plan = p;
	w.mark = w.p;
	s->l->done = 0;
	jw_record(&w, s, fr, a, fr->truncated);
	return osl_log_plan_finish(p, &w) ? p : NULL;
}

/* The record from plan P; false when it does not fit as it is (the full
 * build cuts it). */
static bool
replay(struct strbuf *out, const struct osl_log_plan *p, const struct osl_log_field *f,
    const struct osl_log_build_args *a, uint8_t hash[32], const struct osl_error **err)
{
	struct jw w;

	if (!jw_start(&w, out, a))
		return false;
	osl_log_plan_run(p, &w, f, a);
	if (w.over || w.cut)
		return false;
	*err = seal(out, &w, a, hash);
	return true;
}

const struct osl_error *
osl_log_build_fields(struct strbuf *out, const struct osl_log_field *f, size_t n,
    const struct osl_log_frag *fr, const struct osl_log_build_args *a, uint8_t hash[32])
{
	const struct osl_error *err = NULL;
	const struct osl_log_plan *plan = NULL;
	struct flist l;
	struct src s = { .l = &l };
	const char *p;
	size_t i, k;

	if (n > 64)
		return osl_error_new(OSL_EFAIL, "log record of more than 64 fields");
	/* the layout of these paths, worked out for an earlier record */
	if (a->plans && (plan = osl_log_plan_find(a->plans, f, n, a->level,
	    fr->truncated)) != NULL && replay(out, plan, f, a, hash, &err))
		return err;
	memset(&l, 0, offsetof(struct flist, len));
	l.f = f;
	l.n = n;
	l.all = n == 64 ? ~0ULL : (1ULL << n) - 1;
	for (i = 0; i < n; i++) {
		/* names, not empty (no dot first, last or twice), of characters
		 * a JSON string holds as they are */
		if ((p = f[i].path) == NULL || *p == '.' || *p == '\0')
			goto bad;
		for (l.top[i] = 0; p[l.top[i]] && p[l.top[i]] != '.'; l.top[i]++)
			;
		for (; *p; p++)
			if ((*p == '.' && (p[1] == '.' || p[1] == '\0')) || *p <= 0x20 || *p >= 0x7f ||
			    *p == '"' || *p == '\\')
				goto bad;
		l.len[i] = (size_t)(p - f[i].path);
		for (k = 0; k < NSECTIONS; k++)
			if (strncmp(sections[k], f[i].path, l.top[i]) == 0 &&
			    sections[k][l.top[i]] == '\0')
				break;
		if (k == NSECTIONS - 1 && l.len[i] > l.top[i])
			l.sec[k] |= 1ULL << i;
		else if (k < NSECTIONS || jw_skipped(f[i].path, l.top[i], skip_top))
			l.ours |= 1ULL << i;	/* the logger's, or osl not as an object */
		if (k < NSECTIONS - 1 && l.len[i] > l.top[i])
			l.sec[k] |= 1ULL << i;
	}
	if (a->plans && !plan && (plan = record(out, &s, fr, a)) != NULL &&
	    replay(out, plan, f, a, hash, &err))
		return err;
	return build(out, &s, fr, a, hash);
bad:
	return osl_error_new(OSL_EFAIL, "log field without a name");
}

/* --- the identity fragment --- */

#define ARG_MAX_BYTES	512	/* and the executable */
#define ARGS_MAX_BYTES	1024

static char *
inner(const cJSON *obj, size_t cap, bool *cut)
{
	char buf[4096];
	struct jw w;

	memset(&w, 0, sizeof(w));
	w.p = buf;
	w.end = buf + sizeof(buf) - 1;
	w.cap = cap;
	jw_members(&w, obj->child, NULL, false, 1);
	if (w.over)
		return NULL;
	*cut |= w.cut;
	*w.p = '\0';
	return strdup(buf);
}

const struct osl_error *
osl_log_frag_init(struct osl_log_frag *fr, const struct osl_log_identity *id)
{
	const struct osl_error *err = NULL;
	cJSON *p = NULL, *o = NULL, *args;
	size_t total = 0;
	char buf[21];
	int i;

	memset(fr, 0, sizeof(*fr));
	if ((p = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(p, "pid", id->pid) ||
	    !cJSON_AddNumberToObject(osl_log_obj(p, "parent"), "pid", id->ppid) ||
	    (id->executable && !cJSON_AddStringToObject(p, "executable", id->executable)))
		goto nomem;
	if (id->argc > 0 && id->argv) {
		if ((args = cJSON_AddArrayToObject(p, "args")) == NULL)
			goto nomem;
		for (i = 0; i < id->argc && id->argv[i]; i++) {
			if (total >= ARGS_MAX_BYTES) {
				/* enough to know what ran; the rest would crowd out the record */
				fr->truncated = true;
				break;
			}
			if (!cJSON_AddItemToArray(args, cJSON_CreateString(id->argv[i])))
				goto nomem;
			total += strlen(id->argv[i]) < ARG_MAX_BYTES ? strlen(id->argv[i]) : ARG_MAX_BYTES;
		}
	}
	if ((fr->process = inner(p, ARG_MAX_BYTES, &fr->truncated)) == NULL)
		goto nomem;
	/* osl as the parent of the process a record is about: without its own parent */
	cJSON_DeleteItemFromObjectCaseSensitive(p, "parent");
	if ((fr->self = inner(p, ARG_MAX_BYTES, &fr->truncated)) == NULL)
		goto nomem;
	osl_fmt_u64(buf, id->uid);
	if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddStringToObject(o, "id", buf) ||
	    (fr->user = inner(o, 0, &fr->truncated)) == NULL)
		goto nomem;
	if (id->hostname && id->hostname[0]) {
		cJSON_Delete(o);
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddStringToObject(o, "hostname", id->hostname) ||
		    (fr->host = inner(o, 255, &fr->truncated)) == NULL)
			goto nomem;
	}
	goto done;
nomem:
	err = osl_error_nomem();
	osl_log_frag_release(fr);
done:
	cJSON_Delete(p);
	cJSON_Delete(o);
	return err;
}

void
osl_log_frag_release(struct osl_log_frag *fr)
{
	free(fr->process);
	free(fr->self);
	free(fr->user);
	free(fr->host);
	memset(fr, 0, sizeof(*fr));
}
