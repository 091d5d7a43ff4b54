/* One error type for all of libosl (Game of Trees style).
 *
 * Functions that can fail return `const struct osl_error *`: NULL on success,
 * else an error whose `status` is also the exit status the program uses
 * (osl(1), EXIT STATUS).  Errors live in a small per-thread ring, so a caller may create a
 * second error while cleaning up after a first without losing it; copy one
 * (osl_error_keep) to hold it longer. */
#ifndef OSL_ERROR_H
#define OSL_ERROR_H

#include <stdarg.h>

enum osl_status {
	OSL_OK = 0,
	OSL_EFAIL = 1,		/* the operation failed */
	OSL_EINPUT = 2,		/* usage error or invalid input */
	OSL_EDENIED = 3,	/* denied by policy */
	OSL_ETIMEOUT = 124,	/* --timeout expired */
	OSL_ESETUP = 125,	/* failed before the command could run */
	OSL_ENOEXEC = 126,	/* found but not executable (or exec denied) */
	OSL_ENOCMD = 127,	/* command not found */
};

#define OSL_ERROR_MSG_MAX 1024

struct osl_error {
	int status;		/* enum osl_status */
	int sys_errno;		/* errno behind it, or 0 */
	char msg[OSL_ERROR_MSG_MAX];	/* one line, lowercase, no full stop */
	/* a denial: what decided it, for -j (osl(1), JSON OUTPUT): the rule's
	 * id ("no-ssh-keys"), "default", or the setting ("proc.signal"), and
	 * where it is declared (FILE:LINE:COL); both "" otherwise */
	char rule[128];
	char rule_where[256];
};

const struct osl_error *osl_error_new(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const struct osl_error *osl_error_vnew(int status, int sys_errno, const char *fmt, va_list ap);
/* status OSL_EFAIL; message gets ": <strerror(errno)>" appended. */
const struct osl_error *osl_error_errno(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Same, with an explicit errno and status. */
const struct osl_error *osl_error_sys(int status, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const struct osl_error *osl_error_nomem(void);
/* A new error with CAUSE's status, errno and rule, and the message FMT
 * (which may include CAUSE->msg). */
const struct osl_error *osl_error_wrap(const struct osl_error *cause, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Copy into caller storage (e.g. to keep it across many later errors). */
void osl_error_keep(struct osl_error *dst, const struct osl_error *src);

#endif
