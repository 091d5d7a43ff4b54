#ifndef OSL_TIME_H
#define OSL_TIME_H

#include <stddef.h>
#include <stdint.h>

/* "2026-11-21T22:19:19.123456789Z" (UTC); BUF >= 32 bytes.  Pure.
 * NSEC < 0: a time known to the second, "2026-11-21T22:19:19Z". */
const char *osl_time_rfc3339(int64_t sec, long nsec, char *buf, size_t size);
/* Parse the same form (fraction optional, "Z" or "+hh:mm"); false if bad. */
int osl_time_parse_rfc3339(const char *s, int64_t *sec, long *nsec);

#endif
