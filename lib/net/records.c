/* The records of ended connections, written by a thread of their own in
 * batches (osl-net(1), proxy): a connection's two records cost its worker
 * a copy and a queue, and the next client's connect waits for the log's
 * lock, its file lock or its write only when it comes while a batch is
 * written.  The records gathered in BATCH_NS go to the log CHUNK at a
 * time, each chunk in one write(2) (osl_log_hold) under the context's
 * lock, so that a denial written meanwhile still goes to the file before
 * its 403 (lib/op.c writes it under that lock). */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/net.h"

/* How long the first record of a batch waits for others. */
#define BATCH_NS 2000000L
/* Records built into the log's batch under one hold of the context's
 * lock: what a decision may wait for. */
#define CHUNK 16
/* Records queued at most: past it (a log that cannot keep up, a disk
 * that stalls) a worker writes its own, and waits for the log as it did
 * without the thread, rather than memory growing. */
#define QUEUE_MAX 4096

struct item {
	struct item *next;
	struct osl_net_conn c;		/* closed; its op (fields, decision) is ours */
	bool failed;
	struct osl_error err;		/* the result when FAILED (else not allocated) */
};

struct osl_net_records {
	struct osl_ctx *ctx;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* CLOCK_MONOTONIC */
	struct item *head, **tail;
	size_t n;			/* in the queue */
	bool stop;
	bool direct;			/* no thread: each record is written at once */
	pthread_t th;
};

/* Write ITEMS, CHUNK at a time, and free them. */
static void
write_items(struct osl_net_records *q, struct item *it)
{
	struct item *done, *next;
	struct osl_log *log;

	while (it) {
		done = it;
		osl_net_lock();
		/* opened by the first record, as osl_op_end would (a proxy
		 * that never logs, as under --dry-run, makes no log file) */
		if (osl_ctx_log(q->ctx, &log))
			log = NULL;
		osl_log_hold(log);
		for (int n = 0; it && n < CHUNK; n++, it = it->next)
			osl_op_end(q->ctx, &it->c.op, it->failed ? &it->err : NULL);
		/* the batch's one write (its errors are counted by the log) */
		osl_log_release(log);
		osl_net_unlock();
		for (; done != it; done = next) {
			next = done->next;
			osl_op_release(&done->c.op);
			free(done);
		}
	}
}

static void *
writer(void *arg)
{
	struct osl_net_records *q = arg;
	struct timespec until;
	struct item *it;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->head)
			break;		/* stopped, and every record written */
		/* the records of the connections that end in the next
		 * BATCH_NS go with this one (nobody signals meanwhile: the
		 * queue is not empty), unless the proxy stops */
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += BATCH_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!q->stop && pthread_cond_timedwait(&q->cv, &q->mu, &until) != ETIMEDOUT)
			;
		it = q->head;
		q->head = NULL;
		q->tail = &q->head;
		q->n = 0;
		pthread_mutex_unlock(&q->mu);
		write_items(q, it);
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

const struct osl_error *
osl_net_records_start(struct osl_ctx *ctx, struct osl_net_records **out)
{
	struct osl_net_records *q = calloc(1, sizeof(*q));
	pthread_condattr_t ca;

	*out = NULL;
	if (!q)
		return osl_error_nomem();
	q->ctx = ctx;
	q->tail = &q->head;
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* no thread: each at once, as osl_net_conn_end */
	q->direct = pthread_create(&q->th, NULL, writer, q) != 0;
	*out = q;
	return NULL;
}

const struct osl_error *
osl_net_records_end(struct osl_net_records *q, struct osl_net_conn *c,
    const struct osl_error *result)
{
	const struct osl_error *err = result;
	struct item *it = NULL;
	bool first, full;

	if (!osl_net_conn_close(c))
		return result;
	pthread_mutex_lock(&q->mu);
	full = q->n >= QUEUE_MAX;
	pthread_mutex_unlock(&q->mu);
	if (q->direct || full || !(it = malloc(result ? sizeof(*it) : offsetof(struct item, err)))) {
		osl_net_lock();
		err = osl_op_end(q->ctx, &c->op, result);
		osl_net_unlock();
		osl_op_release(&c->op);
		return err;
	}
	memcpy(&it->c, c, sizeof(*c));
	it->c.op.target = it->c.target;
	/* the request's strings were the caller's; the record needs none */
	it->c.op.req.host = it->c.op.req.path = NULL;
	c->op.fields = NULL;
	it->failed = result != NULL;
	if (result)
		osl_error_keep(&it->err, result);
	it->next = NULL;
	pthread_mutex_lock(&q->mu);
	first = !q->head;
	*q->tail = it;
	q->tail = &it->next;
	q->n++;
	if (first)
		pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return result;
}

void
osl_net_records_stop(struct osl_net_records *q)
{
	if (!q)
		return;
	if (!q->direct) {
		pthread_mutex_lock(&q->mu);
		q->stop = true;
		pthread_cond_signal(&q->cv);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->th, NULL);
	}
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
