/* sync: batch without waiting for the disk (man osl-log(5), DURABILITY):
 * the fdatasync(2) that is due runs on a thread of its own while the writer
 * goes on, one at a time; a sync that falls due while one runs waits for
 * it to end and then covers everything written meanwhile (group commit).
 * The thread starts with the first sync and ends with the log. */
#include "log/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#define CACHE_KEEP	(8 << 20)	/* of a file's end, left in the page cache */

struct osl_log_syncer {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;		/* a dup of the file to sync, -1: nothing to do */
	off_t end;	/* its size when the sync was asked for */
	bool busy;	/* a sync runs */
	bool stop;
	int err;	/* errno of a sync that failed, not told yet */
};

static void *
run(void *arg)
{
	struct osl_log_syncer *s = arg;
	off_t end;
	int fd, e;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->fd == -1 && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->fd == -1)
			break;
		fd = s->fd;
		end = s->end;
		s->fd = -1;
		pthread_mutex_unlock(&s->mu);
		e = fdatasync(fd) == -1 ? errno : 0;
		/* the records on disk, but the last few MiB that a reader
		 * following the file may still want, leave the page cache:
		 * a busy log would otherwise fill memory with pages that are
		 * written once and seldom read (new pages cost more than
		 * pages used again, much more in a virtual machine) */
		if (!e && end > CACHE_KEEP)
			posix_fadvise(fd, 0, end - CACHE_KEEP, POSIX_FADV_DONTNEED);
		close(fd);
		pthread_mutex_lock(&s->mu);
		if (e)
			s->err = e;
		s->busy = false;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int
osl_log_sync_start(struct osl_log *log)
{
	struct osl_log_syncer *s = log->syncer;
	sigset_t all, old;
	int fd, e;

	if (!s) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return fdatasync(log->fd);
		s->fd = -1;
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->cv, NULL);
		/* no signal for this thread: the supervisor reads its signals
		 * from a signalfd, which needs them blocked in every thread */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		e = pthread_create(&s->th, NULL, run, s);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (e != 0) {
			/* no thread (out of processes: a fork bomb, pids.max):
			 * sync here, as sync: batch did before it had one */
			pthread_mutex_destroy(&s->mu);
			pthread_cond_destroy(&s->cv);
			free(s);
			return fdatasync(log->fd);
		}
		log->syncer = s;
	}
	pthread_mutex_lock(&s->mu);
	if ((e = s->err) != 0) {
		s->err = 0;
		pthread_mutex_unlock(&s->mu);
		errno = e;
		return -1;
	}
	if (s->busy) {
		/* the one that runs ends first; this one is due again at the
		 * next write and then covers these records too */
		pthread_mutex_unlock(&s->mu);
		return 1;
	}
	if ((fd = fcntl(log->fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	s->fd = fd;
	s->end = log->size;
	s->busy = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int
osl_log_sync_stop(struct osl_log *log)
{
	struct osl_log_syncer *s = log->syncer;
	int e;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);	/* after the sync that runs, if one does */
	e = s->err;
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
	log->syncer = NULL;
	return e;
}
