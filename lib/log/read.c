/* Reading a log for `osl log show` and `osl log verify`: a line reader with
 * bounded memory, and the pure filters. */
#include "log/log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/parse.h"

#define READ_CHUNK	(64 * 1024)
#define SHOW_LINE_MAX	(1024 * 1024)

void
osl_lines_init(struct osl_lines *lr, int fd, size_t max)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = fd;
	lr->max = max;
}

void
osl_lines_release(struct osl_lines *lr)
{
	free(lr->buf);
	lr->buf = NULL;
}

/* Read more into the buffer; 1 read something, 0 end, -1 error. */
static int
fill(struct osl_lines *lr)
{
	size_t want;
	ssize_t n;
	char *p;

	if (lr->start > 0 && lr->start == lr->end)
		lr->start = lr->end = 0;
	if (lr->end == lr->cap && lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	if (lr->end == lr->cap) {
		want = lr->cap ? lr->cap * 2 : READ_CHUNK;
		if (want > lr->max + READ_CHUNK)
			want = lr->max + READ_CHUNK;
		if (want <= lr->cap)
			return 1;	/* full: the caller cuts the line */
		if ((p = realloc(lr->buf, want)) == NULL) {
			lr->err = ENOMEM;
			return -1;
		}
		lr->buf = p;
		lr->cap = want;
	}
	do
		n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
	while (n == -1 && errno == EINTR);
	if (n < 0) {
		lr->err = errno;
		return -1;
	}
	if (n == 0) {
		lr->eof = true;
		return 0;
	}
	lr->end += (size_t)n;
	return 1;
}

int
osl_lines_next(struct osl_lines *lr, const char **line, size_t *len,
    bool *terminated, bool *cut)
{
	char *nl;
	size_t scanned = 0, avail;
	int r = 0;

	*cut = false;
	for (;;) {
		avail = lr->end - lr->start;
		nl = avail > scanned ? memchr(lr->buf + lr->start + scanned, '\n',
		    avail - scanned) : NULL;
		if (nl) {
			*line = lr->buf + lr->start;
			*len = (size_t)(nl - *line);
			lr->start += *len + 1;
			*terminated = true;
			if (lr->skipping) {
				/* the end of a line already passed on cut */
				lr->skipping = false;
				scanned = 0;
				continue;
			}
			if (*len > lr->max) {
				*len = lr->max;
				*cut = true;
			}
			return 1;
		}
		scanned = avail;
		if (avail > lr->max) {
			/* too long: hand over its start, drop the rest */
			*line = lr->buf + lr->start;
			*len = lr->max;
			*terminated = true;
			*cut = !lr->skipping;
			lr->start = lr->end = 0;
			scanned = 0;
			if (!lr->skipping) {
				lr->skipping = true;
				return 1;
			}
			continue;
		}
		if (lr->eof || (r = fill(lr)) == 0) {
			if (avail == 0 || lr->skipping)
				return 0;
			*line = lr->buf + lr->start;
			*len = avail;
			*terminated = false;
			lr->start = lr->end;
			return 1;
		}
		if (r < 0)
			return -1;
	}
}

const struct osl_error *
osl_log_read_fd(int fd, const char *name, osl_log_read_fn fn, void *arg)
{
	const struct osl_error *err = NULL;
	struct osl_lines lr;
	const char *line;
	const char *end;
	cJSON *rec;
	size_t len;
	bool term, cut;
	int r = 0, stop = 0;

	osl_lines_init(&lr, fd, SHOW_LINE_MAX);
	while (!stop && (r = osl_lines_next(&lr, &line, &len, &term, &cut)) == 1) {
		rec = NULL;
		if (!cut && (rec = cJSON_ParseWithLengthOpts(line, len, &end, false)) != NULL &&
		    (end != line + len || !cJSON_IsObject(rec))) {
			cJSON_Delete(rec);
			rec = NULL;
		}
		stop = fn(rec, line, len, arg);
		cJSON_Delete(rec);
	}
	if (!stop && r == -1)
		err = osl_error_sys(OSL_EINPUT, lr.err, "cannot read '%s'", name);
	osl_lines_release(&lr);
	return err;
}

const struct osl_error *
osl_log_read(const char *path, osl_log_read_fn fn, void *arg)
{
	const struct osl_error *err;
	int fd;

	if (strcmp(path, "-") == 0)
		return osl_log_read_fd(STDIN_FILENO, "-", fn, arg);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return osl_error_sys(OSL_EINPUT, errno, "cannot open '%s'", path);
	err = osl_log_read_fd(fd, path, fn, arg);
	close(fd);
	return err;
}

/* --- filters --- */

const struct osl_error *
osl_log_filter_init(struct osl_log_filter *f, const char *action, const char *outcome,
    const char *since, const char *level, uint64_t now_ns)
{
	uint64_t d;

	memset(f, 0, sizeof(*f));
	f->action = action;
	if (outcome) {
		if (strcmp(outcome, "success") != 0 && strcmp(outcome, "failure") != 0 &&
		    strcmp(outcome, "unknown") != 0)
			return osl_error_new(OSL_EINPUT,
			    "'%s': outcome must be success, failure or unknown", outcome);
		f->outcome = outcome;
	}
	if (since) {
		if (osl_log_parse_time(since, &f->since_ns))
			;
		else if (osl_parse_duration(since, &d))
			f->since_ns = d < now_ns ? now_ns - d : 1;
		else
			return osl_error_new(OSL_EINPUT, "'%s': not a time (RFC 3339, "
			    "e.g. 2026-11-21T22:19:19Z) nor a duration (e.g. 10m)", since);
		if (f->since_ns == 0)
			f->since_ns = 1;
	}
	if (level) {
		if (!osl_level_parse(level, &f->level))
			return osl_error_new(OSL_EINPUT, "'%s': level must be debug, info, "
			    "notice, warn, error or critical", level);
		f->has_level = true;
	}
	return NULL;
}

const struct osl_error *
osl_log_filter_decision(struct osl_log_filter *f, const char *decision)
{
	if (decision && strcmp(decision, "allow") != 0 && strcmp(decision, "deny") != 0)
		return osl_error_new(OSL_EINPUT, "'%s': decision must be allow or deny", decision);
	f->decision = decision;
	return NULL;
}

static const char *
str_at(const cJSON *rec, const char *obj, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(rec, obj), key));
}

bool
osl_log_filter_match(const struct osl_log_filter *f, const cJSON *rec)
{
	const char *s;
	enum osl_level l;
	uint64_t t;
	size_t n;

	if (!rec)
		return false;
	if (f->action) {
		if ((s = str_at(rec, "event", "action")) == NULL)
			return false;
		n = strlen(f->action);
		if (n >= 2 && strcmp(f->action + n - 2, ".*") == 0) {
			/* "fs.*" takes fs.read and fs.write, not fsx.read */
			if (strncmp(s, f->action, n - 1) != 0)
				return false;
		} else if (!strchr(f->action, '.')) {
			/* a group: "fs" is "fs.*" (no action is without a dot) */
			if (strncmp(s, f->action, n) != 0 || s[n] != '.')
				return false;
		} else if (strcmp(s, f->action) != 0)
			return false;
	}
	if (f->decision) {
		s = str_at(rec, "osl", "decision");
		if (!s || strcmp(s, f->decision) != 0)
			return false;
	}
	if (f->outcome) {
		s = str_at(rec, "event", "outcome");
		if (strcmp(s ? s : "unknown", f->outcome) != 0)
			return false;
	}
	if (f->since_ns) {
		s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "@timestamp"));
		if (!s || !osl_log_parse_time(s, &t) || t < f->since_ns)
			return false;
	}
	if (f->has_level) {
		if ((s = str_at(rec, "log", "level")) == NULL || !osl_level_parse(s, &l) ||
		    l < f->level)
			return false;
	}
	return true;
}
