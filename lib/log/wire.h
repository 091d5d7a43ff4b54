/* Private to lib/log: syslog and journald wire formats (log/wire.c). */
#ifndef OSL_LOG_WIRE_H
#define OSL_LOG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "log/config.h"
#include "util/strbuf.h"

/* <PRI>1 TIMESTAMP HOST osl PID MSGID - JSON (PRI = user(1) * 8 + severity). */
void osl_wire_syslog(struct strbuf *out, enum osl_level level, uint64_t now_ns,
    const char *host, long pid, const char *msgid, const char *json, size_t len);
/* KEY=value\n fields; values with a newline in the binary-safe form. */
void osl_wire_journald(struct strbuf *out, enum osl_level level, const char *message,
    const char *json, size_t len);
/* A connected unix datagram socket, or -1 with errno. */
int osl_wire_connect(const char *path);
/* Send one datagram, connecting again once if the daemon went away.  0 or -1. */
int osl_wire_send(int *fd, const char *path, const char *buf, size_t len);

#endif
