/* osl net: resolve, connect, listen, check, wait and the egress proxy.  The
 * operations live in lib/net; this file parses options and prints. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "net/net.h"
#include "util/parse.h"

static int cmd_net_resolve(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_net_connect(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_net_listen(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_net_check(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_net_wait(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_net_proxy(int argc, char **argv, struct osl_ctx *ctx);

/* The options, bound in the tables below (defaults here). */
static int family;				/* resolve: -4, -6 */
static struct osl_net_opts connect_opt;
static struct osl_net_relay connect_relay, listen_relay;
static bool listen_keep;
static unsigned listen_max = 1;
static uint64_t check_timeout = 1000000000ULL, wait_timeout = 30000000000ULL;
static const char *proxy_listen = "127.0.0.1:0";
static struct osl_proxy_opts proxy_opt = { 64, 10000000000ULL, 600000000000ULL, NULL, false };

/* --max-conns implies --keep */
static int
max_conns_opt(const struct osl_opt *o, const char *arg)
{
	uint64_t v;

	if (!osl_parse_uint(arg, 1024, &v) || v == 0)
		return cli_usage("'%s': %s takes a number from 1 to 1024", arg, cli_opt_name(o));
	listen_max = (unsigned)v;
	listen_keep = true;
	return -1;
}

static const struct osl_opt resolve_opts[] = {
	OPT_SET_INT('4', "ipv4", &family, AF_INET, "IPv4 addresses only"),
	OPT_SET_INT('6', "ipv6", &family, AF_INET6, "IPv6 addresses only"),
	OPT_END
};
static const struct osl_opt connect_opts[] = {
	OPT_DURATION('t', "timeout", &connect_opt.timeout_ns, 1, "give up connecting after D (exit 124)"),
	OPT_DURATION(0, "idle", &connect_relay.idle_ns, 1, "end after D without a byte either way (exit 124)"),
	OPT_SET_INT('u', "udp", &connect_opt.socktype, SOCK_DGRAM, "UDP instead of TCP"),
	OPT_SET_INT('4', "ipv4", &connect_opt.family, AF_INET, "IPv4 addresses only"),
	OPT_SET_INT('6', "ipv6", &connect_opt.family, AF_INET6, "IPv6 addresses only"),
	OPT_END
};
static const struct osl_opt listen_opts[] = {
	OPT_BOOL(0, "keep", &listen_keep, "serve connections one after another"),
	OPT_CALLBACK(0, "max-conns", NULL, "N", "serve up to N connections at once (implies --keep)",
	    NULL, max_conns_opt),
	OPT_DURATION(0, "idle", &listen_relay.idle_ns, 1, "end a connection after D without a byte either way"),
	OPT_END
};
static const struct osl_opt check_opts[] = {
	OPT_DURATION('t', "timeout", &check_timeout, 1, "how long a connect may take (default 1s)"),
	OPT_END
};
static const struct osl_opt wait_opts[] = {
	OPT_DURATION('t', "timeout", &wait_timeout, 1, "give up after D (default 30s): exit 124"),
	OPT_END
};
static const struct osl_opt proxy_opts[] = {
	OPT_STRING(0, "listen", &proxy_listen, "ADDR:PORT", "where to listen (default 127.0.0.1:0)", NULL),
	OPT_UINT(0, "max-clients", &proxy_opt.max_clients, 1, 4096, "N",
	    "clients served at once (default 64)"),
	OPT_DURATION('t', "timeout", &proxy_opt.connect_timeout_ns, 1,
	    "how long a connect out may take (default 10s)"),
	OPT_DURATION(0, "idle", &proxy_opt.idle_ns, 1, "end a tunnel after D without a byte (default 10m)"),
	OPT_END
};

const struct osl_cmd osl_net_cmds[] = {
	{ "resolve", cmd_net_resolve, "resolve a name to its addresses (A and AAAA)",
	  0, "[-4|-6] NAME", resolve_opts, NULL, "none" },
	{ "connect", cmd_net_connect, "connect and relay stdin/stdout (like nc)",
	  0, "[OPTIONS] HOST:PORT | unix:PATH", connect_opts, NULL, "none" },
	{ "listen", cmd_net_listen, "accept a connection and relay stdin/stdout",
	  0, "[OPTIONS] ADDR:PORT | unix:PATH", listen_opts, NULL, "none" },
	{ "check", cmd_net_check, "exit 0 when a TCP connect succeeds, 1 when not",
	  0, "[--timeout D] HOST:PORT...", check_opts, NULL, "none" },
	{ "wait", cmd_net_wait, "wait until every HOST:PORT accepts connections",
	  0, "[--timeout D] HOST:PORT...", wait_opts, NULL, "none" },
	{ "proxy", cmd_net_proxy, "HTTP egress proxy that allows only the names the policy allows",
	  0, "[--listen ADDR:PORT]", proxy_opts, NULL, "none" },
	{ 0 }
};

/* check and wait: one or more HOST:PORT.  -1 to go on (ARGC and ARGV are
 * the targets), else the status to return. */
static int
targets_opts(int *argc, char ***argv)
{
	int r;

	if ((r = cli_parse(cli_verb, argc, argv)) >= 0)
		return r;
	if (*argc < 1)
		return cli_usage("a HOST:PORT is needed");
	return -1;
}

/* -------------------------------------------------------------- resolve --- */

static int
cmd_net_resolve(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_net_target t;
	struct osl_net_addrs *as;
	char a[64];
	int r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc != 1)
		return cli_usage("one NAME is needed");
	if ((err = osl_net_parse(argv[0], false, false, &t)))
		return cli_error(err);
	if (t.family == AF_UNIX || t.port)
		return cli_usage("'%s': a name is needed, without a port", argv[0]);
	if (!(as = malloc(sizeof(*as))))
		return cli_error(osl_error_nomem());
	if (t.family) {
		/* an address is its own answer; nothing to ask the resolver */
		err = osl_net_resolve(ctx, argv[0], family, 0, false, as);
	} else
		err = osl_net_resolve(ctx, t.host, family, 0, false, as);
	if (err) {
		free(as);
		return cli_error(err);
	}
	out_obj_open(NULL);
	out_str("name", NULL, t.family ? argv[0] : t.host);
	out_arr_open("addresses");
	for (size_t i = 0; i < as->n; i++)
		out_str(NULL, "%s\n", osl_net_ntop((struct sockaddr *)&as->sa[i], a, sizeof(a)));
	out_arr_close();
	out_obj_close();
	free(as);
	return 0;
}

/* -------------------------------------------------------------- connect --- */

static int
relay_status(const struct osl_error *err)
{
	if (!err)
		return 0;
	return cli_error(err);
}

static int
cmd_net_connect(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_net_opts o;
	struct osl_net_relay r;
	struct osl_net_target t;
	struct osl_net_conn conn;
	int st;

	if ((st = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return st;
	o = connect_opt;
	r = connect_relay;
	if (argc != 1)
		return cli_usage("one HOST:PORT is needed");
	if ((err = osl_net_parse(argv[0], true, false, &t)))
		return cli_error(err);
	signal(SIGPIPE, SIG_IGN);
	if ((err = osl_net_connect(ctx, &t, &o, &conn)))
		return cli_error(err);
	r.dgram = o.socktype == SOCK_DGRAM;
	err = osl_net_relay(0, 1, conn.fd, &r, &conn.bytes_out, &conn.bytes_in);
	return relay_status(osl_net_conn_end(ctx, &conn, err));
}

/* --------------------------------------------------------------- listen --- */

static int
serve_one(struct osl_ctx *ctx, int lfd, const struct osl_net_relay *r, bool devnull_in)
{
	const struct osl_error *err;
	struct osl_net_conn conn;
	char peer[128];

	if ((err = osl_net_accept(ctx, lfd, &conn)))
		return cli_error(err);
	if (cli_verbosity > 0)
		cli_warn("connection from %s",
		    osl_net_ntop_port((struct sockaddr *)&conn.peer, peer, sizeof(peer)));
	err = osl_net_relay(devnull_in ? -1 : 0, 1, conn.fd, r, &conn.bytes_out, &conn.bytes_in);
	return relay_status(osl_net_conn_end(ctx, &conn, err));
}

static int
cmd_net_listen(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_net_relay r;
	struct osl_net_target t;
	struct sockaddr_storage bound;
	unsigned maxc, running = 0;
	bool keep;
	char a[128];
	int lfd, status = 0;

	if ((status = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return status;
	status = 0;
	r = listen_relay;
	keep = listen_keep;
	maxc = listen_max;
	if (argc != 1)
		return cli_usage("one ADDR:PORT is needed");
	if ((err = osl_net_parse(argv[0], true, true, &t)))
		return cli_error(err);
	signal(SIGPIPE, SIG_IGN);
	if ((err = osl_net_listen(ctx, &t, SOCK_STREAM, &lfd, &bound)))
		return cli_error(err);
	if (cli_verbosity >= 0)
		cli_warn("listening on %s", osl_net_ntop_port((struct sockaddr *)&bound, a, sizeof(a)));
	if (!keep) {
		status = serve_one(ctx, lfd, &r, false);
		goto done;
	}
	if (maxc == 1) {
		/* one after another, each with the same stdin until it ends */
		for (;;)
			if ((status = serve_one(ctx, lfd, &r, false)) == OSL_EDENIED)
				goto done;
	}
	/* concurrent connections: N processes each waiting to accept one (the
	 * log takes several writers); they share stdout and read no stdin */
	fflush(stdout);
	for (;;) {
		pid_t pid;
		int ws;

		while (running >= maxc && waitpid(-1, &ws, 0) > 0)
			running--;
		while (running && waitpid(-1, &ws, WNOHANG) > 0)
			running--;
		if ((pid = osl_net_fork_worker()) < 0) {
			status = cli_error(osl_error_errno("fork"));
			goto done;
		}
		if (pid == 0) {
			/* the child waits for its connection, then the parent may start the next */
			_exit(serve_one(ctx, lfd, &r, true));
		}
		running++;
	}
done:
	close(lfd);
	return status;
}

/* ---------------------------------------------------------- check, wait --- */

/* One TCP connect: 0 open, 1 closed or timed out, 3 denied.  QUIET: one
 * try of many (wait), logged at debug level. */
static int
probe(struct osl_ctx *ctx, const struct osl_net_target *t, uint64_t timeout_ns, bool quiet,
    struct osl_error *why)
{
	const struct osl_error *err;
	struct osl_net_opts o = { .timeout_ns = timeout_ns, .quiet = quiet };
	struct osl_net_conn conn;

	if ((err = osl_net_connect(ctx, t, &o, &conn))) {
		osl_error_keep(why, err);
		/* a denial, or a policy that cannot be read: not a closed port */
		if (err->status != OSL_EFAIL && err->status != OSL_ETIMEOUT)
			return cli_error(err);
		if (!quiet && cli_verbosity > 0)
			cli_warn("%s", err->msg);
		return 1;
	}
	osl_error_keep(why, NULL);
	osl_net_conn_end(ctx, &conn, NULL);
	return 0;
}

static const char *
state_name(int st)
{
	return st == 0 ? "open" : st == 3 ? "denied" : st == 2 ? "invalid" : "closed";
}

/* One target of check and wait: "TARGET STATE", or {"target", "state"}
 * and, when it is not open, "error" (and "rule") from WHY. */
static void
target_entry(const char *target, int st, const struct osl_error *why)
{
	out_obj_open(NULL);
	out_str("target", "%s ", target);
	out_str("state", "%s\n", state_name(st));
	if (st && why && why->status)
		out_error(why);
	out_obj_close();
}

static int
cmd_net_check(int argc, char **argv, struct osl_ctx *ctx)
{
	uint64_t timeout;
	int c, status = 0;

	if ((c = targets_opts(&argc, &argv)) >= 0)
		return c;
	timeout = check_timeout;
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_net_target t;
		struct osl_error why;
		int st;

		if ((err = osl_net_parse(argv[i], true, false, &t))) {
			status = cli_error(err);
			/* said on stderr; text never echoes junk, JSON escapes it */
			if (out_is_json())
				target_entry(argv[i], OSL_EINPUT, err);
			continue;
		}
		st = probe(ctx, &t, timeout, false, &why);
		target_entry(argv[i], st, &why);
		/* the worst wins: invalid, denied, then closed */
		if (st == 2 || (st == 3 && status != 2) || (st == 1 && status == 0))
			status = st;
	}
	out_arr_close();
	return status;
}

/* Sleep for the next backoff step: 50 ms doubling to 1 s, +-25 % jitter,
 * never past DEADLINE. */
static void
backoff(unsigned attempt, uint64_t deadline)
{
	uint64_t ns = 50000000ULL << (attempt < 5 ? attempt : 5), now = osl_now_mono_ns();
	uint32_t rnd = 0;
	struct timespec ts;

	if (ns > 1000000000ULL)
		ns = 1000000000ULL;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)now;
	ns = ns * 3 / 4 + (ns / 2) * (rnd % 1000) / 1000;
	if (now + ns > deadline)
		ns = deadline > now ? deadline - now : 0;
	ts.tv_sec = (time_t)(ns / 1000000000ULL);
	ts.tv_nsec = (long)(ns % 1000000000ULL);
	nanosleep(&ts, NULL);
}

/* What wait knows of one target: one net.wait operation over every try. */
struct waited {
	struct osl_net_target t;
	struct osl_op op;
	bool open;		/* the op awaits its end */
	int st;			/* 0 open, 1 not yet, 3 denied */
	unsigned tries;
	int last_errno;		/* of the last try that failed before its deadline */
	struct osl_error why;	/* why it is not open */
};

/* The net.wait record of W: its tries and how long it took. */
static void
wait_end(struct osl_ctx *ctx, struct waited *w, const struct osl_error *result)
{
	cJSON_AddNumberToObject(osl_log_obj(w->op.fields, "osl"), "tries", w->tries);
	osl_op_end(ctx, &w->op, result);
	w->open = false;
}

static int
cmd_net_wait(int argc, char **argv, struct osl_ctx *ctx)
{
	uint64_t timeout, deadline;
	const struct osl_error *err;
	struct waited *w = NULL;
	char dbuf[32];
	int c, status = 0;
	unsigned attempt = 0;

	if ((c = targets_opts(&argc, &argv)) >= 0)
		return c;
	timeout = wait_timeout;
	if (!(w = calloc((size_t)argc, sizeof(*w))))
		return cli_error(osl_error_nomem());
	for (int i = 0; i < argc; i++) {
		if ((err = osl_net_parse(argv[i], true, false, &w[i].t))) {
			status = cli_error(err);
			goto release;
		}
		w[i].st = 1;
	}
	/* each target decided once, at the start: a denial ends it at once */
	for (int i = 0; i < argc && !status; i++) {
		osl_net_target_op(&w[i].op, OSL_ACT_NET_WAIT, &w[i].t, argv[i]);
		w[i].open = true;
		if ((err = osl_op_begin(ctx, &w[i].op))) {
			w[i].open = false;
			w[i].st = err->status == OSL_EDENIED ? OSL_EDENIED : OSL_EINPUT;
			osl_error_keep(&w[i].why, err);
			status = cli_error(err);
		}
	}
	deadline = osl_now_mono_ns() + timeout;
	while (!status) {
		bool all = true;
		uint64_t now = osl_now_mono_ns();

		for (int i = 0; i < argc && !status; i++) {
			uint64_t left = deadline > now ? deadline - now : 1;

			if (w[i].st == 0)
				continue;
			w[i].tries++;
			w[i].st = probe(ctx, &w[i].t, left < 1000000000ULL ? left : 1000000000ULL, true,
			    &w[i].why);
			if (w[i].why.sys_errno && w[i].why.sys_errno != ETIMEDOUT)
				w[i].last_errno = w[i].why.sys_errno;
			if (w[i].st == OSL_EDENIED) {
				status = w[i].st;
				wait_end(ctx, &w[i], osl_error_wrap(&w[i].why, "'%s': an address it "
				    "resolves to is denied", argv[i]));
			} else if (w[i].st == 0)
				wait_end(ctx, &w[i], NULL);
			else
				all = false;
		}
		if (status || all)
			break;
		if (osl_now_mono_ns() >= deadline) {
			status = OSL_ETIMEOUT;
			break;
		}
		backoff(attempt++, deadline);
	}
	for (int i = 0; i < argc; i++) {
		if (!w[i].open)
			continue;
		if (status == OSL_ETIMEOUT) {
			/* the last real error of a try (refused), not the deadline's */
			int last = w[i].last_errno;

			err = osl_error_sys(OSL_ETIMEOUT, last ? last : ETIMEDOUT,
			    "'%s': not open after %s%s", argv[i],
			    osl_format_duration(timeout, dbuf, sizeof(dbuf)),
			    last ? "; the last try" : "");
			cli_warn("%s", err->msg);
		} else
			err = osl_error_sys(OSL_EFAIL, ECANCELED, "'%s': not waited for: another "
			    "target is denied", argv[i]);
		osl_error_keep(&w[i].why, err);
		wait_end(ctx, &w[i], err);
	}
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++)
		target_entry(argv[i], w[i].st, &w[i].why);
	out_arr_close();
release:
	for (int i = 0; i < argc; i++)
		if (w[i].op.fields)
			osl_op_release(&w[i].op);
	free(w);
	return status;
}

/* ---------------------------------------------------------------- proxy --- */

static volatile int proxy_stop;
static int proxy_wake[2] = { -1, -1 };	/* the proxy stops at once, not within 200 ms */

static void
on_stop(int sig)
{
	int e = errno;

	(void)sig;
	proxy_stop = 1;
	if (proxy_wake[1] >= 0)
		(void)!write(proxy_wake[1], "", 1);
	errno = e;
}

static int
cmd_net_proxy(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_proxy_opts po;
	struct osl_net_target t;
	struct sockaddr_storage bound;
	struct sigaction sa;
	const char *listen_at;
	char a[128];
	int r, lfd;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	po = proxy_opt;
	po.stop = &proxy_stop;
	if (pipe2(proxy_wake, O_CLOEXEC | O_NONBLOCK) == 0)
		po.stop_fd = proxy_wake[0];
	listen_at = proxy_listen;
	if (argc != 0)
		return cli_usage("no operands expected");
	if ((err = osl_net_parse(listen_at, true, true, &t)))
		return cli_error(err);
	if (t.family == AF_UNIX)
		return cli_usage("'%s': the proxy listens on TCP", listen_at);
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: poll must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((err = osl_net_listen(ctx, &t, SOCK_STREAM, &lfd, &bound)))
		return cli_error(err);
	/* the address on stdout, at once, for the script that started us */
	printf("%s\n", osl_net_ntop_port((struct sockaddr *)&bound, a, sizeof(a)));
	fflush(stdout);
	err = osl_proxy_serve(ctx, lfd, &po);
	close(lfd);
	return err ? cli_error(err) : 0;
}
