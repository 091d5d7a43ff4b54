/* Network operations under policy: resolve, connect, bind, accept, a relay
 * with half-close, and the egress proxy.  Every connect, bind, accept and
 * resolve goes through the pipeline (lib/op.h) and logs destination.*,
 * source.*, network.*, bytes and duration.
 *
 * The functions may be called from several threads (the proxy does): the
 * context (policy, log) is only touched under one lock inside lib/net.
 * That is why the policy step runs here and not in the caller, as it does
 * for files (cmd/fs); this header is osl's own, not part of libosl's public
 * API (README.md, HACKING, "Where the policy step runs"). */
#ifndef OSL_NET_H
#define OSL_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ctx.h"
#include "error.h"
#include "op.h"

#define OSL_NET_MAX_ADDRS 32

/* A target as the user wrote it: HOST:PORT, [V6]:PORT or unix:PATH. */
struct osl_net_target {
	char host[256];		/* a name (lowercase) or "" for an address literal */
	int family;		/* AF_INET/AF_INET6 of a literal, AF_UNIX, or 0 for a name */
	uint8_t addr[16];
	uint16_t port;
	char path[108];		/* AF_UNIX */
};

/* Parse S.  NEED_PORT: a port must be given (connect); port 0 is refused
 * unless ALLOW_ZERO (bind).  OSL_EINPUT with a one-line message. */
const struct osl_error *osl_net_parse(const char *s, bool need_port, bool allow_zero,
    struct osl_net_target *t);

/* An operation on T as written (a name is decided on the name alone, an
 * address or unix:PATH as it is), with destination.* in its fields: for an
 * operation made of many connects (net.wait), each decided on its own. */
void osl_net_target_op(struct osl_op *op, enum osl_action action, const struct osl_net_target *t,
    const char *target);

struct osl_net_addrs {
	size_t n;
	struct sockaddr_storage sa[OSL_NET_MAX_ADDRS];
	socklen_t len[OSL_NET_MAX_ADDRS];
};

/* Resolve NAME (A and AAAA; FAMILY 0, AF_INET or AF_INET6) through the
 * pipeline as net.resolve (its record at debug level when QUIET).  PORT
 * goes into the addresses. */
const struct osl_error *osl_net_resolve(struct osl_ctx *ctx, const char *name, int family,
    uint16_t port, bool quiet, struct osl_net_addrs *out);

/* The address a connection to SA really reaches, as Linux routes it: the
 * unspecified address is this host's loopback (0.0.0.0 is 127.0.0.1, :: is
 * ::1, ::ffff:0.0.0.0 is ::ffff:127.0.0.1), so a connect is decided and made
 * on that (an IPv4-mapped address also matches IPv4 rules: osl-policy(5)).
 * For a connect only: a bind to the unspecified address means "every
 * address".  True when SA changed.  Pure. */
bool osl_net_routed(struct sockaddr_storage *sa);

/* "127.0.0.1", "::1"; and "127.0.0.1:80", "[::1]:80". */
const char *osl_net_ntop(const struct sockaddr *sa, char *buf, size_t size);
const char *osl_net_ntop_port(const struct sockaddr *sa, char *buf, size_t size);

struct osl_net_opts {
	int socktype;		/* SOCK_STREAM (default when 0) or SOCK_DGRAM */
	int family;		/* 0, AF_INET, AF_INET6: restrict a name's addresses */
	uint64_t timeout_ns;	/* connect deadline over all addresses; 0: none */
	bool quiet;		/* one try of many (wait): its records at debug level */
	bool nonblock;		/* the connected socket stays nonblocking (a relay's) */
};

/* One connection and its open operation: the op's result record is written
 * by osl_net_conn_end with bytes both ways and the duration. */
struct osl_net_conn {
	int fd;
	int socktype;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	char target[300];		/* op.target points here */
	struct osl_op op;
	bool open;			/* the op awaits osl_net_conn_end */
	bool won;			/* connected out: source.* read at the end */
	uint64_t bytes_out, bytes_in;	/* to the peer, from the peer */
};

/* Connect to T: a literal is decided as is; a name is resolved and decided
 * with every address it resolves to (any explicit deny denies; only the
 * addresses the policy allows are tried).  The tries race as Happy Eyeballs
 * (RFC 8305) has it: families interleaved, the next address 250 ms after
 * the last one started or at once when one fails, the first connection
 * wins and the others are closed (each try logged; a loser at debug level).
 * The deadline covers every try.  OSL_EDENIED names the rule; OSL_ETIMEOUT
 * when the deadline passed; OSL_EFAIL when refused. */
const struct osl_error *osl_net_connect(struct osl_ctx *ctx, const struct osl_net_target *t,
    const struct osl_net_opts *o, struct osl_net_conn *c);

/* The order Happy Eyeballs tries AS in (RFC 8305 section 4): the allowed
 * ones (ALLOWED[i]), families alternating from the first allowed one's,
 * each family in the resolver's order.  Pure; returns how many. */
size_t osl_net_interleave(const struct osl_net_addrs *as, const bool *allowed, size_t *order);

/* Log the result (bytes, duration) and close the socket. */
const struct osl_error *osl_net_conn_end(struct osl_ctx *ctx, struct osl_net_conn *c,
    const struct osl_error *result);
/* The first half of that: C's record made final (its source address, the
 * bytes each way, when it ended) and its socket closed; true when C had
 * an op, left for the caller to end (osl_op_end) and release. */
bool osl_net_conn_close(struct osl_net_conn *c);

/* The records of ended connections, written later by a thread of their
 * own, in batches (records.c; the proxy's, off the next client's path).
 * Without a thread, each is written at once. */
struct osl_net_records;
const struct osl_error *osl_net_records_start(struct osl_ctx *ctx, struct osl_net_records **out);
/* osl_net_conn_end, with the record queued; RESULT is copied. */
const struct osl_error *osl_net_records_end(struct osl_net_records *q, struct osl_net_conn *c,
    const struct osl_error *result);
/* Write every queued record, end the thread and free Q (after the last
 * osl_net_records_end). */
void osl_net_records_stop(struct osl_net_records *q);

/* Bind and listen on T (net.bind; logged at once).  A name is resolved and
 * its first allowed address used.  *FD is the listening socket; BOUND gets
 * the address really bound (port 0 chosen by the kernel). */
const struct osl_error *osl_net_listen(struct osl_ctx *ctx, const struct osl_net_target *t,
    int socktype, int *fd, struct sockaddr_storage *bound);

/* Accept one connection on LFD (net.accept, decided on the listening
 * address; the record carries the peer as source.*).  The socket is
 * nonblocking (as the relay wants it).  The op stays open until
 * osl_net_conn_end. */
const struct osl_error *osl_net_accept(struct osl_ctx *ctx, int lfd, struct osl_net_conn *c);
/* The same, with the listening socket's address AT (from
 * osl_net_fixed_local: every connection's own then) instead of asking the
 * kernel for each connection's; NULL: ask. */
const struct osl_error *osl_net_accept_at(struct osl_ctx *ctx, int lfd,
    const struct sockaddr_storage *at, struct osl_net_conn *c);
/* True when LFD listens on one address (not 0.0.0.0 or ::), put in SS. */
bool osl_net_fixed_local(int lfd, struct sockaddr_storage *ss);

/* Relay: IN -> SOCK and SOCK -> OUT, like nc.  EOF on IN half-closes SOCK
 * (shutdown SHUT_WR); it ends when both directions are done, or after IDLE_NS
 * without a byte either way (OSL_ETIMEOUT), or when the peer goes away, or
 * when STOP_FD becomes readable.
 * Buffers are bounded (BUFSZ each way): a peer that never reads stalls IN,
 * never memory.  IN/OUT may be -1 (nothing to send / discard). */
struct osl_net_relay {
	uint64_t idle_ns;
	bool dgram;		/* SOCK is a connected datagram socket */
	bool in_is_sock;	/* IN is a socket too (the proxy): half-close it */
	bool nonblock;		/* SOCK (and IN when a socket) are nonblocking already */
	int stop_fd;		/* readable: end now (OSL_EFAIL, OSL_NET_STOPPING); 0: none
				 * (never stdin) */
};
/* What a relay or a request cut short by osl's stop says (osl-net(1), proxy). */
#define OSL_NET_STOPPING "cut short: osl is stopping"
const struct osl_error *osl_net_relay(int in, int out, int sock, const struct osl_net_relay *r,
    uint64_t *bytes_out, uint64_t *bytes_in);

/* fork(2) for `listen --max-conns`: a worker that dies with its parent
 * (PR_SET_PDEATHSIG), so that no acceptor outlives the listener. */
#include <sys/types.h>
pid_t osl_net_fork_worker(void);

/* The lock around the context (policy + log); the proxy's threads share it. */
void osl_net_lock(void);
void osl_net_unlock(void);

/* The egress proxy: HTTP CONNECT and plain http:// requests, each allowed
 * only when net.connect allows the requested name and port.  Serves LFD
 * until *STOP is set (checked every 200 ms, and at once when STOP_FD
 * becomes readable) or forever when STOP is NULL.  MAX_CLIENTS bounds
 * concurrent clients (others wait in the backlog). */
struct osl_proxy_opts {
	unsigned max_clients;
	uint64_t connect_timeout_ns;
	uint64_t idle_ns;
	volatile int *stop;
	bool internal;		/* osl's own listener for a child: clients are not decided
				 * as net.accept (each request still is, as net.connect) */
	int stop_fd;		/* written when *STOP is set (a pipe's end); 0: none */
};
const struct osl_error *osl_proxy_serve(struct osl_ctx *ctx, int lfd,
    const struct osl_proxy_opts *o);

/* Egress by host name for a child of `osl proc run` (egress.c). */
#include <pthread.h>

struct osl_egress {
	struct osl_ctx *ctx;
	int lfd;		/* the proxy's listening socket */
	int netns_fd;		/* the child's network namespace (only loopback), or -1 */
	int userns_fd;		/* the user namespace that owns it (not as root), or -1 */
	uint16_t port;
	char url[64];		/* http://127.0.0.1:PORT for http_proxy and friends */
	char reason[160];	/* why there is no namespace (netns_fd -1) */
	pthread_t th;
	volatile int stop;
	int stop_pipe[2];	/* written by osl_egress_stop: the proxy stops at once */
	bool running;
	struct osl_error err;
};

/* True when the policy has net.connect rules with host names. */
bool osl_egress_wanted(const struct osl_policy *p);
/* Make the namespace when one can be made (a helper process creates it,
 * and the listener inside it, and hands both back), else the listener on
 * the host's loopback; start the proxy thread.  Call before forking the
 * child; the context is shared under the lock. */
const struct osl_error *osl_egress_start(struct osl_ctx *ctx, struct osl_egress *e);
void osl_egress_stop(struct osl_egress *e);

#endif
