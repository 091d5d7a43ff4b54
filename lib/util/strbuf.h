/* A growing byte buffer, always NUL-terminated (git's strbuf, smaller). */
#ifndef OSL_STRBUF_H
#define OSL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;	/* an allocation failed; contents are truncated */
};

#define STRBUF_INIT { NULL, 0, 0, false }

void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
bool sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Hand the buffer to the caller (never NULL unless out of memory). */
char *sb_detach(struct strbuf *sb);
/* Shorthand the value of a C string: "" when sb is empty. */
static inline const char *sb_str(const struct strbuf *sb) { return sb->buf ? sb->buf : ""; }

#endif
