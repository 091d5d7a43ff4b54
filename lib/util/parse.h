/* Parsing of the small value types every part of osl shares. Pure. */
#ifndef OSL_PARSE_H
#define OSL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* "250ms", "10s", "5m", "1h", "2d", also "1.5s" and "100us"/"10ns"; a bare
 * number is seconds.  Returns false on anything else or on overflow. */
bool osl_parse_duration(const char *s, uint64_t *ns);
/* The one wording of a rejected duration, after "'VALUE': " (osl(1)). */
#define OSL_BAD_DURATION "bad duration (e.g. 250ms, 10s, 5m)"
/* "512", "512K", "64M", "1G", "2T" (powers of 1024; optional trailing "B"/"iB"). */
bool osl_parse_size(const char *s, uint64_t *bytes);
/* A whole decimal number in [min, max]. */
bool osl_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* A signal as osl takes it everywhere (osl(1) SIGNALS): a name with or
 * without SIG in any case (TERM, SIGTERM, term), kill(1)'s aliases (IO,
 * IOT, CLD), RTMIN, RTMIN+N, RTMAX, RTMAX-N, or a number 1-64.  0 when it
 * is none (a caller that takes kill(1)'s 0 checks for "0" first). */
int osl_parse_signal(const char *s);
/* What osl_parse_signal takes, for the message of one it refuses
 * ("'NOPE': unknown signal (" OSL_SIGNAL_WORDS ")"). */
#define OSL_SIGNAL_WORDS "a name such as HUP, TERM, USR1, INT, KILL, with or without SIG, " \
	"in any case, or a number 1-64"
/* Format back: the largest exact unit ("1500ms", "5m"); buf >= 32 bytes. */
const char *osl_format_duration(uint64_t ns, char *buf, unsigned long size);
const char *osl_format_size(uint64_t bytes, char *buf, unsigned long size);

#endif
