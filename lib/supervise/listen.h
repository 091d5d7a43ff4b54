/* Sockets held by the supervisor (osl-supervise(8), LISTEN SOCKETS): a
 * child's `listen` addresses are bound once, by osl, as net.bind decided
 * by the policy, and handed to every start of the child (and each of its
 * replicas) with systemd's protocol: fds 3, 4, ... and LISTEN_FDS,
 * LISTEN_PID, LISTEN_FDNAMES.  A socket outlives the processes that accept
 * on it: a crash or a restart loses no queued connection. */
#ifndef OSL_SUPERVISE_LISTEN_H
#define OSL_SUPERVISE_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"
#include "error.h"
#include "net/net.h"

#define OSL_SV_LISTEN_MAX 32		/* sockets a child can be given */
#define OSL_SV_LISTEN_PID "LISTEN_PID=0000000000"	/* room for the child's pid */

/* One `listen` entry of a child. */
struct osl_sv_listen {
	char name[64];			/* LISTEN_FDNAMES: [A-Za-z0-9._-] */
	char *addr;			/* as written: tcp:H:P, udp:H:P, unix:PATH, or H:P */
	int socktype;			/* SOCK_STREAM or SOCK_DGRAM */
	struct osl_net_target t;
};

/* The sockets the supervisor holds, one an address (two children that name
 * the same address share its socket). */
struct osl_sv_sock {
	char *key;			/* socktype and address as written */
	int fd;
	char bound[128];		/* the address bound (port 0: the one given) */
	bool used;
};
struct osl_sv_socks {
	struct osl_sv_sock *v;
	size_t n;
};

/* Parse ADDR (an entry as written) into L; NAME when given.  An error
 * message in WHY. */
bool osl_sv_listen_parse(struct osl_sv_listen *l, const char *addr, const char *name,
    char *why, size_t size);
/* The environment a child with these N entries gets: LISTEN_FDS=N,
 * LISTEN_FDNAMES=a:b, and LISTEN_PID (the spawn writes the child's pid
 * there); malloc'd strings in OUT[0..2]. */
const struct osl_error *osl_sv_listen_env(const struct osl_sv_listen *l, size_t n, char *out[3]);
void osl_sv_listen_free(struct osl_sv_listen *l, size_t n);

/* Bind (through the policy, logged as net.bind) every address of L[0..N)
 * that S does not hold yet; FDS[i] is entry i's socket.  A unix socket
 * left by a supervisor that is gone (nothing listens) is replaced. */
const struct osl_error *osl_sv_socks_bind(struct osl_ctx *ctx, struct osl_sv_socks *s,
    const struct osl_sv_listen *l, size_t n, int *fds);
/* The socket of FD, or NULL. */
const struct osl_sv_sock *osl_sv_socks_find(const struct osl_sv_socks *s, int fd);
/* Close all (and remove the unix sockets' files). */
void osl_sv_socks_close(struct osl_sv_socks *s);

struct osl_sv_child;
struct osl_sv_tree;
/* Bind the sockets children CH[0..N) need (those S holds are shared). */
const struct osl_error *osl_sv_listen_bind(struct osl_ctx *ctx, struct osl_sv_socks *s,
    struct osl_sv_child *ch, size_t n);
/* Close the sockets no child of tree T (CH: its children) uses any more. */
void osl_sv_listen_sweep(struct osl_sv_socks *s, const struct osl_sv_tree *t,
    const struct osl_sv_child *ch);

#endif
