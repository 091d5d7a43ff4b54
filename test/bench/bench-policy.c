/* bench-policy: decisions per second and compile time of a generated
 * 1,000-rule policy.  Prints:
 *	policy.decide: N decisions/s
 *	policy.compile: X ms
 * Build: cc -O2 -Ilib -Ithird_party -Ibuild/gen test/bench/bench-policy.c build/libosl-int.a \
 *	-lyaml -lseccomp -lhogweed -lnettle */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "policy/policy.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 900 rules like /srv/appN/data/ then "**", spread over the four fs kinds,
 * a few "**" + name and component globs, 80 package trees, 36 net rules. */
static void
generate(struct strbuf *sb)
{
	static const char *const kinds[] = { "read", "write", "exec", "deny" };

	sb_adds(sb, "version: 1\nname: bench\nfs:\n");
	for (int k = 0; k < 4; k++) {
		sb_addf(sb, "  %s:\n", kinds[k]);
		for (int i = k; i < 900; i += 4)
			sb_addf(sb, "    - /srv/app%d/data/**\n", i);
		sb_addf(sb, "    - \"**/.cache%d\"\n    - \"/home/*/proj%d/*.c\"\n", k, k);
		for (int i = 0; i < 20; i++)
			sb_addf(sb, "    - /usr/lib/pkg%d-%s/**\n", i, kinds[k]);
	}
	sb_adds(sb, "net:\n  connect:\n");
	for (int i = 0; i < 12; i++)
		sb_addf(sb, "    - \"10.%d.0.0/16:443\"\n    - \"host%d.example.com:443\"\n"
		    "    - \"*.d%d.example.org:*\"\n", i, i, i);
}

int
main(void)
{
	static const struct osl_policy_env env = {
		.home = "/home/u", .pwd = "/work", .user = "u", .uid = "1000",
	};
	struct strbuf sb = STRBUF_INIT;
	struct osl_policy *p = NULL;
	const struct osl_error *e;
	struct osl_request rq;
	struct osl_decision d;
	char paths[64][128];
	double t0, t1, best = 1e9;
	unsigned long n = 0, allowed = 0;

	generate(&sb);
	if (sb.oom)
		return 1;
	for (int i = 0; i < 20; i++) {
		t0 = now();
		e = osl_policy_load_buf(&p, "bench.yaml", sb.buf, sb.len, &env);
		t1 = now();
		if (e) {
			fprintf(stderr, "bench-policy: %s\n", e->msg);
			return 1;
		}
		if (t1 - t0 < best)
			best = t1 - t0;
		if (i < 19)
			osl_policy_free(p);
	}
	for (int i = 0; i < 64; i++)
		snprintf(paths[i], sizeof(paths[i]), i % 4 == 3 ? "/home/u/proj%d/x.c" :
		    i % 4 == 2 ? "/usr/lib/x86_64-linux-gnu/libc.so.%d" :
		    "/srv/app%d/data/some/file.txt", i * 13);
	memset(&rq, 0, sizeof(rq));
	t0 = now();
	do {
		for (int i = 0; i < 100000; i++, n++) {
			rq.access = (enum osl_access)(i % 3);
			rq.path = paths[i & 63];
			osl_policy_decide(p, &rq, &d);
			allowed += d.verdict;
		}
		t1 = now();
	} while (t1 - t0 < 1.0);
	printf("policy.decide: %.0f decisions/s\n", (double)n / (t1 - t0));
	printf("policy.compile: %.2f ms\n", best * 1e3);
	fprintf(stderr, "(%zu rules, %lu of %lu allowed)\n", p->nrules, allowed, n);
	osl_policy_free(p);
	sb_release(&sb);
	return 0;
}
