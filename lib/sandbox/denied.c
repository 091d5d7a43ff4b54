/* What the kernel refused a sandboxed run, from the audit records
 * (denied.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "action.h"
#include "log/log.h"
#include "sandbox/denied.h"

#ifndef AUDIT_LANDLOCK_ACCESS
#define AUDIT_LANDLOCK_ACCESS 1423
#endif
#ifndef AUDIT_LANDLOCK_DOMAIN
#define AUDIT_LANDLOCK_DOMAIN 1424
#endif

/* The value of KEY= in TEXT: "quoted", or hex (audit's form for a path,
 * comm or exe with spaces or odd bytes), or a bare word.  False when
 * absent. */
static bool
field(const char *text, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key), o = 0;
	const char *p = text;

	for (;;) {
		if (!(p = strstr(p, key)))
			return false;
		if ((p == text || p[-1] == ' ') && p[kl] == '=')
			break;
		p += kl;
	}
	p += kl + 1;
	if (*p == '"') {
		for (p++; *p && *p != '"' && o + 1 < size; p++)
			out[o++] = *p;
	} else {
		const char *e = p + strcspn(p, " ");
		bool hex = (e - p) % 2 == 0 && e > p;

		for (const char *c = p; c < e && hex; c++)
			hex = (*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'F');
		/* only the strings audit encodes (untrusted): not a number */
		hex = hex && (!strcmp(key, "path") || !strcmp(key, "comm") || !strcmp(key, "exe"));
		if (hex)
			for (; p + 1 < e && o + 1 < size; p += 2) {
				unsigned v;

				sscanf(p, "%2x", &v);
				out[o++] = (char)v;
			}
		else
			for (; p < e && o + 1 < size; p++)
				out[o++] = *p;
	}
	out[o] = '\0';
	return true;
}

bool
osl_denial_parse(const char *text, unsigned long long *domain, struct osl_denial *d)
{
	char dom[32], port[16];

	memset(d, 0, sizeof(*d));
	if (!field(text, "domain", dom, sizeof(dom)) ||
	    !field(text, "blockers", d->blockers, sizeof(d->blockers)))
		return false;
	*domain = strtoull(dom, NULL, 16);
	if (!field(text, "path", d->path, sizeof(d->path)))
		d->path[0] = '\0';
	if (field(text, "dest", port, sizeof(port))) {
		char a[40] = "";

		if (!field(text, "daddr", a, sizeof(a)))
			a[0] = '\0';
		snprintf(d->addr, sizeof(d->addr), "%s%sport %s", a, *a ? " " : "", port);
	}
	d->count = 1;
	return true;
}

/* Each request has its own sequence number: an answer is matched to it. */
enum { SEQ_GET = 1, SEQ_SET, SEQ_GIVE_BACK };

static bool
send_status(int fd, int type, unsigned seq, const struct audit_status *st)
{
	struct {
		struct nlmsghdr h;
		struct audit_status s;
	} m;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = type == AUDIT_GET ? NLMSG_LENGTH(0) : NLMSG_LENGTH(sizeof(*st));
	m.h.nlmsg_type = (unsigned short)type;
	m.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m.h.nlmsg_seq = seq;
	if (st)
		m.s = *st;
	return sendto(fd, &m, m.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) >= 0;
}

/* The answer to request SEQ: the status (AUDIT_GET) into *OUT, or for
 * another request its acknowledgement's error number into *ERR (and for
 * AUDIT_GET a refusal's, with false).  Records queued before it are
 * passed over (the run has not started yet). */
static bool
answer(int fd, unsigned seq, struct audit_status *out, int *err)
{
	char buf[8192];

	for (int tries = 0; tries < 4096; tries++) {	/* past the records queued */
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pf, 1, 1000) <= 0 || (n = recv(fd, buf, sizeof(buf), 0)) <= 0)
			return false;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		    h = NLMSG_NEXT(h, n)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_seq != seq)
				continue;
			if (out && h->nlmsg_type == AUDIT_GET &&
			    h->nlmsg_len >= NLMSG_LENGTH(offsetof(struct audit_status, rate_limit))) {
				memset(out, 0, sizeof(*out));
				memcpy(out, NLMSG_DATA(h), h->nlmsg_len - NLMSG_LENGTH(0) < sizeof(*out) ?
				    h->nlmsg_len - NLMSG_LENGTH(0) : sizeof(*out));
				return true;
			}
			/* an acknowledgement; for AUDIT_GET one that is not
			 * an error comes before the answer */
			if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) &&
			    (!out || e->error)) {
				*err = -e->error;
				return !out;
			}
		}
	}
	return false;
}

static void
watch_off(struct osl_denied_watch *w)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
}

void
osl_denied_watch_ask(struct osl_denied_watch *w)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int size = 4 << 20;	/* a burst of denials between two reads */

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (geteuid() != 0) {
		snprintf(w->why, sizeof(w->why), "reading the kernel's audit records needs root");
		return;
	}
	if ((w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT)) == -1 ||
	    bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		snprintf(w->why, sizeof(w->why), "no audit socket: %s", strerror(errno));
		watch_off(w);
		return;
	}
	(void)setsockopt(w->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	if (!send_status(w->fd, AUDIT_GET, SEQ_GET, NULL)) {
		snprintf(w->why, sizeof(w->why), "cannot ask the audit status: %s", strerror(errno));
		watch_off(w);
	}
}

void
osl_denied_watch_start(struct osl_denied_watch *w)
{
	struct audit_status st;
	int e = 0;

	if (w->fd == -1)
		return;		/* W->why says why */
	if (!answer(w->fd, SEQ_GET, &st, &e)) {
		if (e)
			snprintf(w->why, sizeof(w->why), "the kernel refused the audit status: %s",
			    strerror(e));
		else
			snprintf(w->why, sizeof(w->why),
			    "the kernel did not answer an audit status request");
		goto off;
	}
	if (!st.enabled) {
		snprintf(w->why, sizeof(w->why), "audit is disabled (auditctl -e 1 enables it)");
		goto off;
	}
	if (st.pid && kill((pid_t)st.pid, 0) == 0) {
		snprintf(w->why, sizeof(w->why), "another process (pid %u, auditd?) receives the audit "
		    "records: see its log", st.pid);
		goto off;
	}
	memset(&st, 0, sizeof(st));
	st.mask = AUDIT_STATUS_PID;
	st.pid = (unsigned)getpid();
	/* the kernel refuses (EEXIST) when another took the place meanwhile */
	if (!send_status(w->fd, AUDIT_SET, SEQ_SET, &st) || !answer(w->fd, SEQ_SET, NULL, &e) || e) {
		snprintf(w->why, sizeof(w->why), "cannot receive the audit records: %s",
		    strerror(e ? e : errno ? errno : ETIMEDOUT));
		goto off;
	}
	w->on = true;
	return;
off:
	watch_off(w);
}

static void
add(struct osl_denied_watch *w, const struct osl_denial *in)
{
	struct osl_denial dd = *in, *d = &dd;
	size_t k = 6;

	/* a process's own /proc/1234/maps: /proc/self/maps, one line for all */
	while (!strncmp(d->path, "/proc/", 6) && d->path[k] >= '0' && d->path[k] <= '9')
		k++;
	if (k > 6 && (d->path[k] == '/' || !d->path[k]) && d->pid &&
	    strtol(d->path + 6, NULL, 10) == (long)d->pid) {
		char rest[sizeof(d->path)];

		snprintf(rest, sizeof(rest), "%s", d->path + k);
		snprintf(d->path, sizeof(d->path), "/proc/self%s", rest);
	}
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->d[i].blockers, d->blockers) && !strcmp(w->d[i].path, d->path) &&
		    !strcmp(w->d[i].addr, d->addr)) {
			w->d[i].count++;
			return;
		}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct osl_denial *n;

		if (cap > 4096 || !(n = reallocarray(w->d, cap, sizeof(*n)))) {
			w->lost++;
			return;
		}
		w->d = n;
		w->cap = cap;
	}
	w->d[w->n++] = *d;
}

static bool
ours(const struct osl_denied_watch *w, unsigned long long domain)
{
	for (size_t i = 0; i < w->ndomains; i++)
		if (w->domains[i] == domain)
			return true;
	return false;
}

/* The serial of "audit(SECONDS.MS:SERIAL): ..." */
static unsigned long
serial_of(const char *text)
{
	const char *c = strchr(text, ':');

	return c && !strncmp(text, "audit(", 6) ? strtoul(c + 1, NULL, 10) : 0;
}

void
osl_denied_watch_collect(struct osl_denied_watch *w, pid_t child, int wait_ms)
{
	/* an event's records share a serial: the access, the domain (the
	 * first time), the syscall with the process */
	struct osl_denial pend;
	unsigned long long pend_dom = 0;
	unsigned long pend_serial = 0;
	bool have = false, seen = false;
	char buf[65536];

	if (!w->on)
		return;
	for (;;) {
		struct pollfd pf = { w->fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pf, 1, seen ? wait_ms : 0) <= 0)
			break;
		if ((n = recv(w->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) <= 0) {
			if (n == -1 && errno == ENOBUFS) {
				w->lost++;
				continue;
			}
			break;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		    h = NLMSG_NEXT(h, n)) {
			size_t len = h->nlmsg_len - NLMSG_LENGTH(0);
			char text[8192], v[64];
			unsigned long serial;

			if (len >= sizeof(text))
				len = sizeof(text) - 1;
			memcpy(text, NLMSG_DATA(h), len);
			text[len] = '\0';
			serial = serial_of(text);
			if (have && serial != pend_serial) {
				if (ours(w, pend_dom))
					add(w, &pend);
				have = false;
			}
			switch (h->nlmsg_type) {
			case AUDIT_LANDLOCK_ACCESS: {
				const char *t = strstr(text, "): ");

				if (osl_denial_parse(t ? t + 3 : text, &pend_dom, &pend)) {
					have = true;
					pend_serial = serial;
				}
				break;
			}
			case AUDIT_LANDLOCK_DOMAIN:
				/* "domain=ID status=allocated ... pid=P": the run's when P
				 * made it */
				if (field(text, "status", v, sizeof(v)) && !strcmp(v, "allocated") &&
				    field(text, "pid", v, sizeof(v)) && atol(v) == (long)child &&
				    w->ndomains < sizeof(w->domains) / sizeof(w->domains[0]) &&
				    field(text, "domain", v, sizeof(v))) {
					w->domains[w->ndomains++] = strtoull(v, NULL, 16);
					seen = true;
				}
				break;
			case AUDIT_SYSCALL:
				if (have && serial == pend_serial) {
					if (field(text, "pid", v, sizeof(v)))
						pend.pid = (pid_t)atol(v);
					if (!field(text, "comm", pend.comm, sizeof(pend.comm)))
						pend.comm[0] = '\0';
				}
				break;
			}
		}
	}
	if (have && ours(w, pend_dom))
		add(w, &pend);
}

void
osl_denied_watch_stop(struct osl_denied_watch *w)
{
	/* give the place back: the kernel lets only the process that holds
	 * it do so (EACCES otherwise), so no status is asked first (each
	 * answer to AUDIT_GET is a kernel thread the kernel starts) */
	struct audit_status st = { .mask = AUDIT_STATUS_PID, .pid = 0 };

	if (w->on)
		(void)send_status(w->fd, AUDIT_SET, SEQ_GIVE_BACK, &st);
	watch_off(w);
	free(w->d);
	w->d = NULL;
	w->fd = -1;
	w->on = false;
}

cJSON *
osl_denial_record(const struct osl_denial *d, pid_t pid)
{
	cJSON *rec, *o;
	char msg[768];

	if (!(rec = osl_action_record(OSL_ACT_PROC_DENIED, "failure")))
		return NULL;
	cJSON_AddNumberToObject(osl_log_obj(rec, "process"), "pid", pid);
	o = osl_log_obj(rec, "osl");
	/* the task refused: the program or one it started */
	if (d->pid)
		cJSON_AddNumberToObject(o, "denied_pid", d->pid);
	if (d->comm[0])
		osl_log_add_text(o, "denied_name", d->comm);
	if (d->path[0])
		osl_log_add_text(osl_log_obj(rec, "file"), "path", d->path);
	osl_log_add_text(o, "blockers", d->blockers);
	if (d->addr[0])
		osl_log_add_text(osl_log_obj(rec, "destination"), "address", d->addr);
	cJSON_AddNumberToObject(o, "count", (double)d->count);
	snprintf(msg, sizeof(msg), "proc.denied %s %s%s by %s (%s)", d->blockers,
	    d->path[0] ? d->path : d->addr, d->count > 1 ? " (again)" : "",
	    d->comm[0] ? d->comm : "?", strncmp(d->blockers, "unix.", 5) ? "landlock" : "osl");
	osl_log_add_text(rec, "message", msg);
	return rec;
}
