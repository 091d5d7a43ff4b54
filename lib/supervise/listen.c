/* Sockets held by the supervisor (see listen.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervise/child.h"
#include "supervise/config-int.h"
#include "supervise/listen.h"
#include "supervise/tree.h"

#define BACKLOG 4096	/* raised to net.core.somaxconn's by the kernel's cap */

bool
osl_sv_listen_parse(struct osl_sv_listen *l, const char *addr, const char *name, char *why,
    size_t size)
{
	const struct osl_error *err;
	const char *a = addr;

	memset(l, 0, sizeof(*l));
	l->socktype = SOCK_STREAM;
	if (!strncmp(a, "tcp:", 4))
		a += 4;
	else if (!strncmp(a, "udp:", 4)) {
		a += 4;
		l->socktype = SOCK_DGRAM;
	}
	if ((err = osl_net_parse(a, true, true, &l->t))) {
		snprintf(why, size, "%s (tcp:HOST:PORT, udp:HOST:PORT or unix:PATH)", err->msg);
		return false;
	}
	if (l->t.family == AF_UNIX && l->t.path[0] != '/') {
		snprintf(why, size, "'%s': a unix socket's path is absolute", addr);
		return false;
	}
	if (name) {
		size_t n = strlen(name);

		if (!n || n >= sizeof(l->name) || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n) {
			snprintf(why, size, "'%s': a name of up to %zu letters, digits, '.', '_' "
			    "or '-'", name, sizeof(l->name) - 1);
			return false;
		}
		memcpy(l->name, name, n + 1);
	}
	if (!(l->addr = strdup(addr))) {
		snprintf(why, size, "out of memory");
		return false;
	}
	return true;
}

const struct osl_error *
osl_sv_listen_env(const struct osl_sv_listen *l, size_t n, char *out[3])
{
	size_t len = sizeof("LISTEN_FDNAMES=");

	out[0] = out[1] = out[2] = NULL;
	for (size_t i = 0; i < n; i++)
		len += strlen(l[i].name) + 1;
	if (!(out[0] = malloc(32)) || !(out[1] = malloc(len)) ||
	    !(out[2] = strdup(OSL_SV_LISTEN_PID))) {
		free(out[0]);
		free(out[1]);
		out[0] = out[1] = NULL;
		return osl_error_nomem();
	}
	snprintf(out[0], 32, "LISTEN_FDS=%zu", n);
	{
		char *p = out[1] + sizeof("LISTEN_FDNAMES=") - 1;

		memcpy(out[1], "LISTEN_FDNAMES=", sizeof("LISTEN_FDNAMES=") - 1);
		for (size_t i = 0; i < n; i++) {
			size_t k = strlen(l[i].name);

			if (i)
				*p++ = ':';
			memcpy(p, l[i].name, k);
			p += k;
		}
		*p = '\0';
	}
	return NULL;
}

void
osl_sv_listen_free(struct osl_sv_listen *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i].addr);
	free(l);
}

static char *
key_of(const struct osl_sv_listen *l)
{
	size_t n = strlen(l->addr) + 8;
	char *k = malloc(n);

	if (k)
		snprintf(k, n, "%d/%s", l->socktype, l->addr);
	return k;
}

/* A unix socket's file that nothing listens on any more (a supervisor that
 * died) is taken away; a live one is not. */
static const struct osl_error *
unix_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st) == -1 || !S_ISSOCK(st.st_mode))
		return NULL;	/* bind says what is wrong with anything else */
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return osl_error_sys(OSL_ESETUP, errno, "socket");
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (r == 0)
		return osl_error_new(OSL_ESETUP, "'unix:%s': something listens there already", path);
	unlink(path);
	return NULL;
}

const struct osl_error *
osl_sv_socks_bind(struct osl_ctx *ctx, struct osl_sv_socks *s, const struct osl_sv_listen *l,
    size_t n, int *fds)
{
	const struct osl_error *err;

	for (size_t i = 0; i < n; i++) {
		struct sockaddr_storage bound;
		struct osl_sv_sock *v, *k;
		char *key = key_of(&l[i]);
		size_t j;

		if (!key)
			return osl_error_nomem();
		for (j = 0; j < s->n && strcmp(s->v[j].key, key); j++)
			;
		if (j < s->n) {
			free(key);
			fds[i] = s->v[j].fd;
			continue;
		}
		if (!(v = realloc(s->v, (s->n + 1) * sizeof(*v)))) {
			free(key);
			return osl_error_nomem();
		}
		s->v = v;
		k = &v[s->n];
		memset(k, 0, sizeof(*k));
		k->key = key;
		if ((l[i].t.family == AF_UNIX && (err = unix_stale(l[i].t.path))) ||
		    (err = osl_net_listen(ctx, &l[i].t, l[i].socktype, &k->fd, &bound))) {
			free(key);
			return err;
		}
		/* a deeper queue than a program's own default: the connections
		 * that come while no replica accepts wait in it */
		if (l[i].socktype == SOCK_STREAM)
			listen(k->fd, BACKLOG);
		if (bound.ss_family == AF_UNIX)
			snprintf(k->bound, sizeof(k->bound), "unix:%s", l[i].t.path);
		else
			osl_net_ntop_port((struct sockaddr *)&bound, k->bound, sizeof(k->bound));
		k->used = true;
		fds[i] = k->fd;
		s->n++;
	}
	return NULL;
}

const struct osl_sv_sock *
osl_sv_socks_find(const struct osl_sv_socks *s, int fd)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].fd == fd)
			return &s->v[i];
	return NULL;
}

static void
osl_sv_socks_unmark(struct osl_sv_socks *s)
{
	for (size_t i = 0; i < s->n; i++)
		s->v[i].used = false;
}

static void
osl_sv_socks_mark(struct osl_sv_socks *s, const int *fds, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < n; j++)
			if (s->v[i].fd == fds[j])
				s->v[i].used = true;
}

static void
sock_close(struct osl_sv_sock *k)
{
	/* "5/unix:/run/x.sock": the file goes with the socket */
	const char *u = strstr(k->key, "/unix:");

	close(k->fd);
	if (u)
		unlink(u + 6);
	free(k->key);
}

static void
osl_sv_socks_sweep(struct osl_sv_socks *s)
{
	size_t j = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].used)
			s->v[j++] = s->v[i];
		else
			sock_close(&s->v[i]);
	}
	s->n = j;
}

void
osl_sv_socks_close(struct osl_sv_socks *s)
{
	for (size_t i = 0; i < s->n; i++)
		sock_close(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

const struct osl_error *
osl_sv_listen_bind(struct osl_ctx *ctx, struct osl_sv_socks *s, struct osl_sv_child *ch,
    size_t n)
{
	const struct osl_error *err;

	for (size_t i = 0; ch && i < n; i++)
		if (ch[i].nlisten && (err = osl_sv_socks_bind(ctx, s, ch[i].listen, ch[i].nlisten,
		    ch[i].listen_fds)))
			return err;
	return NULL;
}

void
osl_sv_listen_sweep(struct osl_sv_socks *s, const struct osl_sv_tree *t,
    const struct osl_sv_child *ch)
{
	osl_sv_socks_unmark(s);
	for (size_t i = 0; ch && i < t->n; i++)
		if (!t->nodes[i].removed)
			osl_sv_socks_mark(s, ch[i].listen_fds, ch[i].nlisten);
	osl_sv_socks_sweep(s);
}

/* listen: [ ADDR | { name: NAME, address: ADDR }, ... ] (listen.h); an
 * entry without a name is named after the child (NAME, its set's name). */
const struct osl_error *
osl_svc_listen(const struct load *l, const struct ynode *v, struct osl_sv_child *ch, const char *name)
{
	static const char *const lk[] = { "name", "address", NULL };
	const struct osl_error *err;
	char why[400];

	if ((err = osl_svc_want(l, v, Y_SEQ, "listen")))
		return err;
	if (!v->nkids || v->nkids > OSL_SV_LISTEN_MAX)
		return err_node(l->file, v, "listen: 1 to %d addresses", OSL_SV_LISTEN_MAX);
	if (!(ch->listen = calloc(v->nkids, sizeof(*ch->listen))) ||
	    !(ch->listen_fds = malloc(v->nkids * sizeof(*ch->listen_fds))))
		return osl_error_nomem();
	for (size_t i = 0; i < v->nkids; i++) {
		const struct ynode *e = v->kids[i], *a = e, *n = NULL;

		if (e->type == Y_MAP) {
			if ((err = osl_svc_keys(l, e, lk)))
				return err;
			n = ymap_get(e, "name");
			if (!(a = ymap_get(e, "address")))
				return err_node(l->file, e, "listen: 'address' is needed");
			if (n && (err = osl_svc_want(l, n, Y_SCALAR, "listen.name")))
				return err;
		}
		if ((err = osl_svc_want(l, a, Y_SCALAR, "listen")))
			return err;
		if (!osl_sv_listen_parse(&ch->listen[i], a->str, n ? n->str : name, why, sizeof(why)))
			return err_node(l->file, n && strstr(why, "a name of") ? n : a, "listen: %s", why);
		ch->listen_fds[i] = -1;
		ch->nlisten++;
	}
	return NULL;
}
