/* Wire formats of the socket sinks: RFC 5424 syslog over a unix datagram
 * socket, and systemd-journald's native protocol (no libsystemd). */
#include "log/log-int.h"
#include "log/wire.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* RFC 5424 header fields are printable US-ASCII without spaces. */
static void
add_token(struct strbuf *out, const char *s, size_t max)
{
	size_t i;

	if (!s || !*s) {
		sb_addc(out, '-');
		return;
	}
	for (i = 0; s[i] && i < max; i++)
		sb_addc(out, s[i] > 32 && s[i] < 127 ? s[i] : '_');
}

void
osl_wire_syslog(struct strbuf *out, enum osl_level level, uint64_t now_ns,
    const char *host, long pid, const char *msgid, const char *json, size_t len)
{
	char ts[32];

	sb_reset(out);
	/* RFC 5424 allows at most 6 digits of a second */
	osl_log_format_time(ts, now_ns, 6);
	sb_addf(out, "<%d>1 %s ", 1 * 8 + osl_level_syslog(level), ts);
	add_token(out, host, 255);
	sb_addf(out, " osl %ld ", pid);
	add_token(out, msgid, 32);
	sb_adds(out, " - ");
	sb_add(out, json, len);
}

static void
add_field(struct strbuf *out, const char *key, const char *val, size_t len)
{
	uint64_t n = len;
	unsigned char le[8];
	int i;

	if (!memchr(val, '\n', len)) {
		sb_adds(out, key);
		sb_addc(out, '=');
		sb_add(out, val, len);
		sb_addc(out, '\n');
		return;
	}
	/* binary-safe form: KEY\n, 64-bit little-endian length, value, \n */
	for (i = 0; i < 8; i++)
		le[i] = (unsigned char)(n >> (8 * i));
	sb_adds(out, key);
	sb_addc(out, '\n');
	sb_add(out, le, 8);
	sb_add(out, val, len);
	sb_addc(out, '\n');
}

void
osl_wire_journald(struct strbuf *out, enum osl_level level, const char *message,
    const char *json, size_t len)
{
	char pri[2] = { (char)('0' + osl_level_syslog(level)), '\0' };

	sb_reset(out);
	add_field(out, "MESSAGE", message ? message : "", message ? strlen(message) : 0);
	add_field(out, "PRIORITY", pri, 1);
	add_field(out, "SYSLOG_IDENTIFIER", "osl", 3);
	add_field(out, "SYSLOG_FACILITY", "1", 1);
	add_field(out, "OSL_RECORD", json, len);
}

int
osl_wire_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, e;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
osl_wire_send(int *fd, const char *path, const char *buf, size_t len)
{
	ssize_t n;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (*fd == -1 && (*fd = osl_wire_connect(path)) == -1)
			return -1;
		do
			n = send(*fd, buf, len, MSG_NOSIGNAL);
		while (n == -1 && errno == EINTR);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0) {
			errno = EMSGSIZE;
			return -1;
		}
		if (errno != ECONNREFUSED && errno != ENOTCONN && errno != ECONNRESET)
			return -1;
		/* the log daemon restarted: connect to the new socket once */
		close(*fd);
		*fd = -1;
	}
	return -1;
}
