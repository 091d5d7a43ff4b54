/* Output of a tree's children as log records (output: log; see ext.h):
 * one record per line, a line capped at 16 KiB.  By default nothing is
 * lost: osl reads a pipe only as fast as the log takes the records, so a
 * child that writes faster waits on its full pipe (back-pressure, as
 * s6-log does), and what a child wrote is read to the end when it ends and
 * when the tree is done.  With log:drop the child is not held up: past the
 * log's share of the time, lines are counted and dropped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "op.h"
#include "supervise/child.h"
#include "supervise/ext-int.h"

#define LINE_MAX_BYTES (16 * 1024)	/* a longer line is cut into records */
#define READ_MAX (1024 * 1024)		/* per stream and wake-up: others get their turn */
#define WAKE_NS 10000000ULL		/* and at most 10 ms of records per wake-up */
#define PIPE_HALF (32 * 1024)		/* of a pipe's 64 KiB */
#define LOG_BUDGET_NS 10000000ULL	/* output logged while behind: up to 10 ms at once, */
#define LOG_SHARE 4			/* a quarter of the time in the long run */

#define NAME(e, s) ((e)->r->tree->nodes[(s)->id].spec.name)

struct osl_sv_stream {
	int fd;
	size_t id;
	bool err;			/* stderr */
	bool cont;			/* the next record continues a cut line */
	bool behind;			/* the pipe was half full after the last read */
	unsigned long dropped;
	size_t n;
	char buf[LINE_MAX_BYTES + 1];
};

static void dropped_out(struct osl_sv_ext *e, struct osl_sv_stream *s);

/* One line as a record, built from fields: no tree to make and free for
 * each of a chatty child's lines (the fields are osl_sv_rec's, and the
 * line's own). */
static void
line_rec(struct osl_sv_ext *e, struct osl_sv_stream *s, bool cut)
{
	const struct osl_action_def *a = osl_action(OSL_ACT_SV_OUTPUT);
	struct osl_log_field f[10];
	struct osl_log *log;
	size_t n = 0;

	if (osl_ctx_log(e->r->ctx, &log) || !log)
		return;
	f[n++] = OSL_LOG_STRS("event.category", &a->category, 1);
	f[n++] = OSL_LOG_STRS("event.type", &a->type, 1);
	f[n++] = OSL_LOG_STR("event.action", a->name);
	f[n++] = OSL_LOG_STR("event.outcome", "success");
	f[n++] = OSL_LOG_STR("osl.supervise.name", NAME(e, s));
	f[n++] = OSL_LOG_STR("osl.supervise.stream", s->err ? "stderr" : "stdout");
	if (cut)
		f[n++] = OSL_LOG_BOOL("osl.supervise.truncated", true);
	if (s->cont)
		f[n++] = OSL_LOG_BOOL("osl.supervise.continued", true);
	/* the line is the child's: it is process.*, osl process.parent.* */
	f[n++] = OSL_LOG_INT("process.pid", e->r->exec[s->id].pid);
	/* the bytes as they are: the log writes a NUL or a bad byte as \xNN */
	f[n++] = OSL_LOG_STRN("message", s->buf, s->n);
	osl_log_emit_fields(log, OSL_LEVEL_INFO, f, n);
}

/* Line S->buf into a record.  With log:drop, counted as dropped instead
 * when the pipe is filling up behind us (S->behind) and the log has used up
 * its time (e->log_ns, which grows back at a quarter of the time that
 * passes), so a child that writes faster than the log can take is never
 * held up for long. */
static void
line_out(struct osl_sv_ext *e, struct osl_sv_stream *s, bool cut, bool final)
{
	bool drop = e->r->child[s->id].output_drop;
	bool keep = final || !drop || e->log_ns > 0 || !s->behind;
	uint64_t t0 = drop ? osl_now_mono_ns() : 0, spent;

	if (keep)
		dropped_out(e, s);
	if (!keep) {
		s->dropped++;
		e->r->child[s->id].dropped++;
	} else {
		line_rec(e, s, cut);
		if (drop) {
			spent = osl_now_mono_ns() - t0;
			e->log_ns = spent < e->log_ns ? e->log_ns - spent : 0;
		}
	}
	s->cont = cut;
	s->n = 0;
}

static void
dropped_out(struct osl_sv_ext *e, struct osl_sv_stream *s)
{
	char msg[160];
	cJSON *r;

	if (!s->dropped)
		return;
	r = osl_sv_rec(OSL_ACT_SV_OUTPUT, false, NAME(e, s));
	cJSON_AddStringToObject(svo(r), "stream", s->err ? "stderr" : "stdout");
	osl_log_add_count(svo(r), "dropped_lines", s->dropped);
	snprintf(msg, sizeof(msg), "supervise.output %s: %lu lines dropped (the log lagged)",
	    NAME(e, s), s->dropped);
	osl_sv_rec_emit(e->r->ctx, r, OSL_LEVEL_WARN, msg);
	s->dropped = 0;
}

/* Lines of P into records; a line longer than the cap is cut. */
static void
feed(struct osl_sv_ext *e, struct osl_sv_stream *s, const char *p, size_t n, bool final)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;

		if (take > LINE_MAX_BYTES - s->n)
			take = LINE_MAX_BYTES - s->n;
		memcpy(s->buf + s->n, p, take);
		s->n += take;
		p += take;
		n -= take;
		if (nl && p == nl) {
			line_out(e, s, false, final);
			p++;
			n--;
		} else if (s->n == LINE_MAX_BYTES) {
			line_out(e, s, true, final);
		}
	}
}

void
osl_sv_out_close(struct osl_sv_ext *e, size_t i)
{
	struct osl_sv_stream *s = e->st[i];

	if (s->n)
		line_out(e, s, false, true);
	dropped_out(e, s);
	epoll_ctl(e->ep, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	free(s);
	e->st[i] = NULL;
}

/* Read what is there now.  OSL_SV_OUT_WAKE: a share of it (others get
 * their turn; epoll comes back for the rest).  OSL_SV_OUT_DRAIN: until the
 * pipe is empty, every line kept (its child has ended: what it wrote comes
 * before its exit record), up to READ_MAX, since what the child left
 * running may go on writing.  OSL_SV_OUT_FINAL: to the end. */
void
osl_sv_out_read(struct osl_sv_ext *e, size_t i, enum osl_sv_out_how how)
{
	struct osl_sv_stream *s = e->st[i];
	uint64_t now = osl_now_mono_ns();
	bool drop = e->r->child[s->id].output_drop, keep = how != OSL_SV_OUT_WAKE;
	size_t total = 0;
	/* with log:drop, a few ms of records at most between looks at the pipe */
	char buf[64 * 1024];
	size_t want = drop ? 4096 : sizeof(buf);
	struct osl_log *log = NULL;

	e->log_ns += (now - e->log_at) / LOG_SHARE;
	if (e->log_ns > LOG_BUDGET_NS)
		e->log_ns = LOG_BUDGET_NS;
	e->log_at = now;
	/* what is read now is written as one batch: the log's lock is taken
	 * once, and its records go out in a few large writes (with log:drop
	 * each record is timed against the log's share: not batched) */
	if (!drop && !osl_ctx_log(e->r->ctx, &log))
		osl_log_hold(log);
	while (how == OSL_SV_OUT_FINAL || total < READ_MAX) {
		ssize_t n = read(s->fd, buf, want);
		int left = 0;

		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || (n == -1 && errno != EAGAIN)) {
			osl_sv_out_close(e, i);
			break;
		}
		if (n == -1)
			break;
		if (drop)
			s->behind = ioctl(s->fd, FIONREAD, &left) == 0 && left >= PIPE_HALF;
		feed(e, s, buf, (size_t)n, keep);
		total += (size_t)n;
		if (how == OSL_SV_OUT_WAKE && !drop && osl_now_mono_ns() - now >= WAKE_NS)
			break;
	}
	osl_log_release(log);
}

/* Child ID has ended: what it wrote is read now. */
void
osl_sv_out_drain(struct osl_sv_ext *e, size_t id)
{
	for (size_t i = 0; i < e->nst; i++)
		if (e->st[i] && e->st[i]->id == id)
			osl_sv_out_read(e, i, OSL_SV_OUT_DRAIN);
}

const struct osl_error *
osl_sv_out_add(struct osl_sv_ext *e, size_t id, int fd, bool err)
{
	struct osl_sv_stream *s, **v;
	struct epoll_event ev;
	size_t i;

	for (i = 0; i < e->nst && e->st[i]; i++)
		;
	if (i == e->nst) {
		if (!(v = realloc(e->st, (e->nst + 1) * sizeof(*v))))
			return osl_error_nomem();
		e->st = v;
		e->st[e->nst++] = NULL;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return osl_error_nomem();
	s->fd = fd;
	s->id = id;
	s->err = err;
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = osl_sv_ev(OSL_SV_SRC_STREAM, i) };
	if (epoll_ctl(e->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		free(s);
		return osl_error_sys(OSL_ESETUP, errno, "epoll_ctl");
	}
	e->st[i] = s;
	return NULL;
}
