#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RING 8

static _Thread_local struct osl_error ring[RING];
static _Thread_local unsigned ring_next;

static const struct osl_error nomem = { OSL_EFAIL, ENOMEM, "out of memory" };

static struct osl_error *
slot(void)
{
	struct osl_error *e = &ring[ring_next++ % RING];

	memset(e, 0, sizeof(*e));
	return e;
}

const struct osl_error *
osl_error_vnew(int status, int sys_errno, const char *fmt, va_list ap)
{
	struct osl_error *e = slot();

	e->status = status;
	e->sys_errno = sys_errno;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return e;
}

const struct osl_error *
osl_error_new(int status, const char *fmt, ...)
{
	const struct osl_error *e;
	va_list ap;

	va_start(ap, fmt);
	e = osl_error_vnew(status, 0, fmt, ap);
	va_end(ap);
	return e;
}

static const struct osl_error *
append_errno(const struct osl_error *ce, int err)
{
	struct osl_error *e = (struct osl_error *)ce;
	size_t n = strlen(e->msg), r;
	char reason[128];

	snprintf(reason, sizeof(reason), ": %s", strerror(err));
	r = strlen(reason);
	/* a long path must not push the reason out of the message */
	if (n + r + 1 > sizeof(e->msg)) {
		n = sizeof(e->msg) - r - 4;
		memcpy(e->msg + n, "...", 3);
		n += 3;
	}
	memcpy(e->msg + n, reason, r + 1);
	return e;
}

const struct osl_error *
osl_error_errno(const char *fmt, ...)
{
	int err = errno;
	const struct osl_error *e;
	va_list ap;

	if (err == ENOMEM)
		return &nomem;
	va_start(ap, fmt);
	e = osl_error_vnew(OSL_EFAIL, err, fmt, ap);
	va_end(ap);
	return append_errno(e, err);
}

const struct osl_error *
osl_error_sys(int status, int err, const char *fmt, ...)
{
	const struct osl_error *e;
	va_list ap;

	va_start(ap, fmt);
	e = osl_error_vnew(status, err, fmt, ap);
	va_end(ap);
	return append_errno(e, err);
}

const struct osl_error *
osl_error_wrap(const struct osl_error *cause, const char *fmt, ...)
{
	struct osl_error c = *cause, *e;
	char msg[OSL_ERROR_MSG_MAX];
	va_list ap;

	/* FMT's arguments may point into CAUSE, which may be the next slot */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = slot();
	*e = c;
	memcpy(e->msg, msg, sizeof(e->msg));
	return e;
}

const struct osl_error *
osl_error_nomem(void)
{
	return &nomem;
}

void
osl_error_keep(struct osl_error *dst, const struct osl_error *src)
{
	if (src)
		*dst = *src;
	else
		memset(dst, 0, sizeof(*dst));
}
