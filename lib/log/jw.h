/* Private to lib/log: the JSON writer of records (log/jw.c), shared by the
 * layout (log/build.c) and its replay (log/plan.c). */
#ifndef OSL_LOG_JW_H
#define OSL_LOG_JW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log/log-int.h"

struct osl_log_plan;

struct jw {
	char *start;		/* of the record */
	char *p, *end;		/* output; overflow when p would pass end */
	size_t cap;		/* cut strings to this many input bytes; 0: never */
	bool over;
	bool cut;
	/* recording a layout (log/plan.c): values leave holes */
	struct osl_log_plan *plan;
	const char *mark;	/* end of the last hole */
};

static inline void
jw_add(struct jw *w, const void *s, size_t n)
{
	if (w->over || (size_t)(w->end - w->p) < n) {
		w->over = true;
		return;
	}
	memcpy(w->p, s, n);
	w->p += n;
}

#define JW_LIT(w, s) jw_add((w), (s), sizeof(s) - 1)

static inline void
jw_c(struct jw *w, char c)
{
	if (w->over || w->p == w->end) {
		w->over = true;
		return;
	}
	*w->p++ = c;
}

/* A JSON string of LEN bytes: valid UTF-8 kept, each invalid byte and NUL
 * as the text \xNN, control characters (C0, DEL, C1) and U+2028/9 as \u
 * escapes; cut at w->cap input bytes (w->cut). */
void jw_strn(struct jw *w, const char *str, size_t len);
void jw_str(struct jw *w, const char *str);
void jw_u64(struct jw *w, uint64_t v);
/* Any cJSON value; deeper than 64 levels is null (w->cut). */
void jw_value(struct jw *w, const cJSON *v, int depth);
/* The members of an object (no braces) but those named in SKIP, a comma
 * before each but the first unless MORE says something was written
 * already.  Returns whether anything is written now. */
bool jw_members(struct jw *w, const cJSON *c, const char *const *skip, bool more, int depth);
/* KEY (LEN bytes) is one of SKIP (NULL-terminated; SKIP may be NULL). */
bool jw_skipped(const char *key, size_t len, const char *const *skip);
/* The value of a field. */
void jw_field_value(struct jw *w, const struct osl_log_field *f);

/* --- layouts (log/plan.c) --- */

enum jw_hole { JW_HOLE_FIELD, JW_HOLE_TIME, JW_HOLE_SEQ, JW_HOLE_END };
/* Recording: the value that goes here (FIELD: of field I) is left out. */
void jw_hole(struct jw *w, enum jw_hole kind, size_t i);
/* The kept layout of these N fields' paths at LEVEL (MARK: with
 * osl.truncated), or NULL. */
struct osl_log_plan *osl_log_plan_find(struct osl_log_plans *ps,
    const struct osl_log_field *f, size_t n, enum osl_level level, bool mark);
/* A plan to record these fields' layout into (the one used longest ago). */
struct osl_log_plan *osl_log_plan_start(struct osl_log_plans *ps,
    const struct osl_log_field *f, size_t n, enum osl_level level, bool mark);
/* Recording into W is done: keep the plan.  False (the plan is dropped)
 * when W overflowed or cut something. */
bool osl_log_plan_finish(struct osl_log_plan *p, struct jw *w);
/* The record's bytes up to its chain into W: the plan with F's values
 * (w->over or w->cut when they do not fit as they are). */
void osl_log_plan_run(const struct osl_log_plan *p, struct jw *w,
    const struct osl_log_field *f, const struct osl_log_build_args *a);

#endif
