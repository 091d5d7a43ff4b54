/* Decisions and explanations: deny wins, kinds, most specific first, audit
 * mode, the network, targets, case files, show (YAML and JSON), and the rate
 * on a generated 1,000-rule policy (printed, never asserted). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "op.h"
#include "policy/policy.h"
#include "policy/show.h"
#include "tap.h"

static const struct osl_policy_env env = {
	.home = "/home/u", .pwd = "/work/p", .user = "u", .uid = "1000",
};

static struct osl_policy *
load(const char *text)
{
	struct osl_policy *p = NULL;
	const struct osl_error *e = osl_policy_load_buf(&p, "d.yaml", text, strlen(text), &env);

	if (e)
		printf("# load: %s\n", e->msg);
	return p;
}

/* Decide ACTION TARGET; "allow"/"deny" + " RULE" (its name) or " default". */
static const char *
ask(const struct osl_policy *p, const char *action, const char *target)
{
	static char out[512];
	struct osl_request rq;
	struct osl_decision d;
	enum osl_access a;
	char buf[4096];
	const struct osl_error *e;

	if (!osl_action_access(action, &a))
		return "bad action";
	if ((e = osl_request_from_target(a, target, &rq, buf, sizeof(buf))))
		return e->msg;
	osl_policy_decide(p, &rq, &d);
	snprintf(out, sizeof(out), "%s%s %s", d.verdict == OSL_ALLOW ? "allow" : "deny",
	    d.audit ? " (audit)" : "", d.rule ? osl_rule_name(d.rule) :
	    d.by_default ? "default" : d.setting ? d.setting : "?");
	return out;
}

static const char policy[] =
    "version: 1\n"
    "default: deny\n"
    "fs:\n"
    "  read: [/srv/**, { path: /srv/app/**, id: app }, \"/srv/app/*.txt\", /etc/hosts]\n"
    "  write: [{ path: /srv/app/out/**, id: out }]\n"
    "  exec: [/usr/bin/**]\n"
    "  deny: [{ path: /srv/app/secret/**, id: no-secret }, { path: \"**/.env\", id: no-env }]\n"
    "net:\n"
    "  connect: [\"127.0.0.1:5432\", \"10.0.0.0/8:443\", { addr: \"*.debian.org:443\", id: deb },\n"
    "            \"[fd00::/8]:*\", \"example.com:80-90\", \"[::1]:22\"]\n"
    "  bind: [\"127.0.0.1:8000-8999\"]\n"
    "  resolve: true\n"
    "  deny: [{ addr: \"10.9.0.0/16:*\", id: no-10-9 }, { addr: \"evil.example.com:*\", id: no-evil },\n"
    "         \"*.ads.example.net:443\"]\n"
    "proc:\n"
    "  signal: [children]\n";

static void
test_fs(void)
{
	struct osl_policy *p = load(policy);
	struct osl_request rq = { .access = OSL_ACCESS_READ, .path = "/srv/app/a.txt" };
	struct osl_decision d;
	char buf[512];

	if (!ok(p != NULL, "policy loads"))
		return;
	is_str(ask(p, "fs.read", "/srv/app/x"), "allow app", "most specific allow decides");
	is_str(ask(p, "fs.read", "/srv/other"), "allow d.yaml:4:10", "allow by a rule without id");
	is_str(ask(p, "fs.read", "/srv/app/secret/k"), "deny no-secret", "deny wins over allows");
	is_str(ask(p, "fs.write", "/srv/app/secret/k"), "deny no-secret", "deny covers every kind");
	is_str(ask(p, "fs.read", "/srv/app/sub/.env"), "deny no-env", "**/.env at depth");
	is_str(ask(p, "fs.read", "/.env"), "deny no-env", "**/.env at the root");
	is_str(ask(p, "fs.write", "/srv/app/out/x.o"), "allow out", "write");
	is_str(ask(p, "fs.read", "/srv/app/out/x.o"), "allow app", "read is its own kind");
	is_str(ask(p, "fs.write", "/srv/app/x"), "deny default", "write needs a write rule");
	is_str(ask(p, "fs.exec", "/srv/app/run"), "deny default", "exec needs an exec rule");
	is_str(ask(p, "fs.exec", "/usr/bin/ls"), "allow d.yaml:6:10", "exec");
	is_str(ask(p, "proc.exec", "/usr/bin/ls"), "allow d.yaml:6:10", "proc.exec is exec");
	is_str(ask(p, "fs.create", "/srv/app/out/new"), "allow out", "fs.create is write");
	is_str(ask(p, "fs.read", "/etc/hosts"), "allow d.yaml:4:69", "exact path");
	is_str(ask(p, "fs.read", "/etc/hosts/x"), "deny default", "exact path only");
	is_str(ask(p, "fs.read", "/srv"), "allow d.yaml:4:10", "/srv/** matches /srv");
	is_str(ask(p, "fs.read", "/srv2"), "deny default", "whole components");
	is_str(ask(p, "fs.read", "relative"), "'relative': not an absolute path", "target check");

	/* matched: most specific first, with the count */
	osl_policy_decide(p, &rq, &d);
	is_int(d.nmatched, 3, "three rules match /srv/app/a.txt");
	ok(d.matched[0] && strcmp(d.matched[0]->pattern, "/srv/app/*.txt") == 0,
	    "most literal characters first");
	ok(d.matched[1] && osl_rule_is(d.matched[1], "app"), "then /srv/app/**");
	ok(d.matched[2] && strcmp(d.matched[2]->pattern, "/srv/**") == 0, "then /srv/**");
	ok(d.rule == d.matched[0], "the deciding rule is the most specific");
	is_str(osl_decision_reason(p, &d, buf, sizeof(buf)),
	    "allowed by rule at d.yaml:4:51 ('/srv/app/*.txt')", "reason without id");
	rq.path = "/srv/app/secret/k";
	osl_policy_decide(p, &rq, &d);
	is_str(osl_decision_reason(p, &d, buf, sizeof(buf)),
	    "denied by rule no-secret (d.yaml:7:10)", "reason with id");
	is_int(d.nmatched, 3, "deny and allows all listed");
	ok(d.matched[0] == d.rule, "the deny is the most specific here");
	rq.path = "/nowhere";
	osl_policy_decide(p, &rq, &d);
	ok(d.by_default && !d.rule && d.nmatched == 0, "by default");
	is_str(osl_decision_reason(p, &d, buf, sizeof(buf)),
	    "no rule matched: default deny (d.yaml:2:10)", "reason by default");
	rq.path = NULL;
	osl_policy_decide(p, &rq, &d);
	ok(d.verdict == OSL_DENY && !d.by_default, "no path: denied, never audited");
	osl_policy_free(p);
}

static void
test_net(void)
{
	struct osl_policy *p = load(policy);
	struct osl_request rq;
	struct osl_decision d;
	char buf[512];

	if (!p)
		return;
	is_str(ask(p, "net.connect", "127.0.0.1:5432"), "allow d.yaml:9:13", "v4 address");
	is_str(ask(p, "net.connect", "127.0.0.1:5433"), "deny default", "other port");
	is_str(ask(p, "net.connect", "10.1.2.3:443"), "allow d.yaml:9:31", "v4 CIDR");
	is_str(ask(p, "net.connect", "11.1.2.3:443"), "deny default", "outside the CIDR");
	is_str(ask(p, "net.connect", "10.9.1.1:443"), "deny no-10-9", "deny CIDR inside allow CIDR");
	is_str(ask(p, "net.connect", "[fd12::1]:5"), "allow d.yaml:10:13", "v6 CIDR");
	is_str(ask(p, "net.connect", "[fe80::1]:5"), "deny default", "outside the v6 CIDR");
	is_str(ask(p, "net.connect", "[::1]:22"), "allow d.yaml:10:50", "v6 address");
	is_str(ask(p, "net.connect", "[::ffff:127.0.0.1]:5432"), "allow d.yaml:9:13",
	    "v4-mapped v6 matches v4 rules");
	is_str(ask(p, "net.connect", "[::ffff:10.9.0.1]:443"), "deny no-10-9",
	    "v4-mapped v6 matches v4 denies");
	is_str(ask(p, "net.connect", "ftp.debian.org:443"), "allow deb", "suffix");
	is_str(ask(p, "net.connect", "a.b.DEBIAN.org.:443"), "allow deb",
	    "suffix: deeper, any case, trailing dot");
	is_str(ask(p, "net.connect", "debian.org:443"), "deny default", "suffix: not the bare domain");
	is_str(ask(p, "net.connect", "notdebian.org:443"), "deny default", "suffix: whole labels");
	is_str(ask(p, "net.connect", "example.com:85"), "allow d.yaml:10:29", "name + port range");
	is_str(ask(p, "net.connect", "example.com:91"), "deny default", "above the range");
	is_str(ask(p, "net.connect", "Example.COM:80"), "allow d.yaml:10:29", "name: any case");
	is_str(ask(p, "net.connect", "evil.example.com:80"), "deny no-evil", "name deny");
	is_str(ask(p, "net.connect", "x.ads.example.net:443"), "deny d.yaml:14:10", "suffix deny");
	is_str(ask(p, "net.bind", "127.0.0.1:8080"), "allow d.yaml:11:10", "bind range");
	is_str(ask(p, "net.bind", "127.0.0.1:5432"), "deny default", "bind is its own kind");
	is_str(ask(p, "net.accept", "127.0.0.1:8999"), "allow d.yaml:11:10", "accept is bind");
	is_str(ask(p, "net.connect", "127.0.0.1:8080"), "deny default", "connect is its own kind");
	is_str(ask(p, "net.connect", "127.0.0.1"), "'127.0.0.1': missing port (write HOST:PORT)",
	    "connect needs a port");
	is_str(ask(p, "net.resolve", "debian.org"), "allow net.resolve: true", "resolve: true");
	is_str(ask(p, "net.resolve", "evil.example.com"), "deny no-evil",
	    "a deny of every port refuses resolving");
	is_str(ask(p, "net.resolve", "x.ads.example.net"), "allow net.resolve: true",
	    "a deny of one port does not");

	/* both a name and an address: a deny of either denies, an allow of either allows */
	memset(&rq, 0, sizeof(rq));
	rq.access = OSL_ACCESS_CONNECT;
	rq.host = "evil.example.com";
	rq.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", rq.addr);
	rq.port = 5432;
	osl_policy_decide(p, &rq, &d);
	ok(d.verdict == OSL_DENY && osl_rule_is(d.rule, "no-evil"), "name deny beats address allow");
	rq.host = "mirror.debian.org";
	inet_pton(AF_INET, "10.9.0.5", rq.addr);
	rq.port = 443;
	osl_policy_decide(p, &rq, &d);
	ok(d.verdict == OSL_DENY && osl_rule_is(d.rule, "no-10-9"), "address deny beats name allow");
	inet_pton(AF_INET, "192.0.2.1", rq.addr);
	osl_policy_decide(p, &rq, &d);
	ok(d.verdict == OSL_ALLOW && osl_rule_is(d.rule, "deb"), "name allow is enough");
	rq.host = "unknown.org";
	inet_pton(AF_INET, "10.0.0.1", rq.addr);
	osl_policy_decide(p, &rq, &d);
	ok(d.verdict == OSL_ALLOW && d.rule && strcmp(d.rule->pattern, "10.0.0.0/8:443") == 0,
	    "address allow is enough");
	is_str(osl_decision_reason(p, &d, buf, sizeof(buf)),
	    "allowed by rule at d.yaml:9:31 ('10.0.0.0/8:443')", "reason of a net rule");

	/* signals */
	is_str(ask(p, "proc.signal", "children"), "allow proc.signal", "signal children");
	is_str(ask(p, "proc.signal", "any"), "deny proc.signal", "signal any");
	memset(&rq, 0, sizeof(rq));
	rq.access = OSL_ACCESS_SIGNAL;
	rq.signal = OSL_SIGNAL_CHILDREN | OSL_SIGNAL_SAME_USER;
	osl_policy_decide(p, &rq, &d);
	is_int(d.verdict, OSL_ALLOW, "a child of the same user");
	is_str(osl_decision_reason(p, &d, buf, sizeof(buf)), "allowed by proc.signal",
	    "signal reason");
	osl_policy_free(p);

	p = load("version: 1\nnet: {connect: [\"*:*\"], deny: [\"[::/0]:25\"]}\n");
	if (p) {
		is_str(ask(p, "net.connect", "anything.org:1"), "allow d.yaml:2:17", "*:* name");
		is_str(ask(p, "net.connect", "[2001:db8::1]:443"), "allow d.yaml:2:17", "*:* v6");
		is_str(ask(p, "net.connect", "[2001:db8::1]:25"), "deny d.yaml:2:32", "::/0 deny");
		is_str(ask(p, "net.resolve", "x.org"), "deny default", "resolve off by default");
		osl_policy_free(p);
	}
}

static void
test_audit(void)
{
	struct osl_policy *p = load("version: 1\nmode: audit\nfs:\n  read: [/a/**]\n"
	    "  deny: [{ path: /a/s, id: no-s }]\n");
	struct osl_request rq = { .access = OSL_ACCESS_READ, .path = "/b" };
	struct osl_decision d;
	char buf[256];

	if (!p)
		return;
	osl_policy_decide(p, &rq, &d);
	ok(d.verdict == OSL_ALLOW && d.audit && d.by_default, "audit: a default denial is allowed");
	is_str(osl_decision_reason(p, &d, buf, sizeof(buf)),
	    "no rule matched: default deny; allowed by audit mode", "audit reason");
	is_str(ask(p, "fs.read", "/a/s"), "deny no-s", "audit: explicit denies still deny");
	is_str(ask(p, "fs.read", "/a/x"), "allow d.yaml:4:10", "audit: allows are not audited");
	osl_policy_free(p);
	p = load("version: 1\ndefault: allow\n");
	if (p) {
		struct osl_request zero = { .path = "/etc/passwd" };
		struct osl_op op;

		is_str(ask(p, "fs.write", "/etc/passwd"), "allow default", "default allow");
		/* no longer fail-open: a request whose access was never set is
		 * refused, not decided against the read rules */
		osl_policy_decide(p, &zero, &d);
		ok(d.verdict == OSL_DENY && !d.by_default, "a request without an access is denied");
		is_str(d.setting, "an unknown access", "... as an unknown access");
		/* each op asks for its action's access (action.h) */
		osl_op_init(&op, OSL_ACT_FS_DELETE, "/x");
		ok(op.req.access == OSL_ACCESS_WRITE, "osl_op_init takes the access from the table");
		osl_op_release(&op);
		osl_op_init(&op, OSL_ACT_SV_EXIT, "x");
		ok(op.req.access == OSL_ACCESS_NONE, "an action that is no decision asks for none");
		zero.access = op.req.access;
		osl_policy_decide(p, &zero, &d);
		ok(d.verdict == OSL_DENY, "... and is refused even under default: allow");
		osl_op_release(&op);
		osl_policy_free(p);
	}
}

static void
test_misc(void)
{
	static const char *const writes[] = { "fs.write", "fs.create", "fs.delete", "fs.chmod",
		"fs.chown", "fs.link", "fs.move", "fs.copy" };
	enum osl_access a;
	struct osl_request rq;
	char buf[300];
	const struct osl_error *e;

	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		ok(osl_action_access(writes[i], &a) && a == OSL_ACCESS_WRITE, "%s is write", writes[i]);
	ok(osl_action_access("fs.read", &a) && a == OSL_ACCESS_READ, "fs.read");
	ok(osl_action_access("fs.exec", &a) && a == OSL_ACCESS_EXEC, "fs.exec");
	ok(osl_action_access("proc.exec", &a) && a == OSL_ACCESS_EXEC, "proc.exec");
	ok(osl_action_access("net.connect", &a) && a == OSL_ACCESS_CONNECT, "net.connect");
	ok(osl_action_access("net.bind", &a) && a == OSL_ACCESS_BIND, "net.bind");
	ok(osl_action_access("net.accept", &a) && a == OSL_ACCESS_BIND, "net.accept");
	ok(osl_action_access("net.resolve", &a) && a == OSL_ACCESS_RESOLVE, "net.resolve");
	ok(osl_action_access("proc.signal", &a) && a == OSL_ACCESS_SIGNAL, "proc.signal");
	ok(!osl_action_access("fs.frobnicate", &a), "unknown action");
	ok(!osl_action_access("proc.exit", &a), "an action that is no decision has no access");

	e = osl_request_from_target(OSL_ACCESS_READ, "/a//b/./c/", &rq, buf, sizeof(buf));
	ok(!e && strcmp(rq.path, "/a/b/c") == 0, "path target normalised");
	e = osl_request_from_target(OSL_ACCESS_READ, "/a/../b", &rq, buf, sizeof(buf));
	is_str(e ? e->msg : NULL, "'/a/../b': '..' is not allowed in a path", "'..' in a target");
	e = osl_request_from_target(OSL_ACCESS_CONNECT, "[2001:db8::1]:443", &rq, buf, sizeof(buf));
	ok(!e && rq.family == AF_INET6 && rq.port == 443 && !rq.host, "[v6]:port");
	e = osl_request_from_target(OSL_ACCESS_CONNECT, "2001:db8::1", &rq, buf, sizeof(buf));
	is_str(e ? e->msg : NULL, "'2001:db8::1': missing port (write HOST:PORT)", "bare v6");
	e = osl_request_from_target(OSL_ACCESS_RESOLVE, "Host.Example.", &rq, buf, sizeof(buf));
	ok(!e && rq.host && strcmp(rq.host, "host.example") == 0 && rq.family == 0, "a name");
	e = osl_request_from_target(OSL_ACCESS_CONNECT, "1.2.3.4:99999", &rq, buf, sizeof(buf));
	is_str(e ? e->msg : NULL, "'1.2.3.4:99999': invalid port (0-65535)", "bad port");
	e = osl_request_from_target(OSL_ACCESS_CONNECT, "bad name:1", &rq, buf, sizeof(buf));
	is_str(e ? e->msg : NULL, "'bad name:1': invalid character in host name", "bad name");
	e = osl_request_from_target(OSL_ACCESS_SIGNAL, "others", &rq, buf, sizeof(buf));
	is_str(e ? e->msg : NULL, "'others': expected self, children, same-user or any",
	    "bad signal target");
}

static void
test_cases(void)
{
	static const char text[] =
	    "policy: sub/child.yaml\n"
	    "cases:\n"
	    "  - { action: fs.read, target: /srv/secret/k, expect: deny, rule: no-secret }\n"
	    "  - { action: net.connect, target: \"127.0.0.1:5432\", expect: allow }\n";
	struct osl_policy_cases *c = NULL;
	const struct osl_error *e;

	e = osl_policy_cases_load_buf(&c, "/x/cases.yaml", text, sizeof(text) - 1);
	if (!ok(e == NULL, "case file loads"))
		printf("# %s\n", e->msg);
	if (c) {
		is_str(c->policy, "/x/sub/child.yaml", "policy relative to the case file");
		is_str(c->policy_where, "/x/cases.yaml:1:9", "policy where");
		is_int(c->ncases, 2, "two cases");
		is_str(c->cases[0].action, "fs.read", "action");
		is_int(c->cases[0].access, OSL_ACCESS_READ, "access");
		is_str(c->cases[0].target, "/srv/secret/k", "target");
		is_int(c->cases[0].expect, OSL_DENY, "expect deny");
		is_str(c->cases[0].rule, "no-secret", "rule");
		is_str(c->cases[0].where, "/x/cases.yaml:3:5", "case where");
		ok(c->cases[1].rule == NULL && c->cases[1].expect == OSL_ALLOW, "second case");
		osl_policy_cases_free(c);
	}
#define CERR(t, want) do { \
	e = osl_policy_cases_load_buf(&c, "c.yaml", t, sizeof(t) - 1); \
	is_str(e ? e->msg : "OK", want, "%s", want); \
	osl_policy_cases_free(c); \
	c = NULL; \
} while (0)
	CERR("cases:\n  - { action: fs.reed, target: /x, expect: deny }\n",
	    "c.yaml:2:15: unknown action 'fs.reed'");
	CERR("cases:\n  - { action: fs.read, target: x, expect: deny }\n",
	    "c.yaml:2:32: target: 'x': not an absolute path");
	CERR("cases:\n  - { action: fs.read, target: /x, expect: maybe }\n",
	    "c.yaml:2:44: expect: expected allow | deny, got 'maybe'");
	CERR("cases:\n  - { action: fs.read, target: /x }\n",
	    "c.yaml:2:5: a case needs action, target and expect");
	CERR("cases:\n  - { action: fs.read, target: /x, expect: deny, why: x }\n",
	    "c.yaml:2:50: unknown key 'why' in a case (expected action, target, expect, rule)");
	CERR("policy: p.yaml\n", "c.yaml:1:1: cases: is required");
	CERR("polcy: p.yaml\ncases: []\n",
	    "c.yaml:1:1: unknown key 'polcy' in the case file (expected policy, cases)");
	CERR("cases: &a []\n", "c.yaml:1:8: anchors and aliases are not allowed (&a)");
	CERR("cases: []\ncases: []\n", "c.yaml:2:1: duplicate key 'cases' (first at line 1)");
	CERR("cases: {}\n", "c.yaml:1:8: cases: expected a list, got a map");
}

/* osl policy show: YAML that loads back to the same decisions, and JSON. */
static void
test_emit(void)
{
	static const char *const probes[][2] = {
		{ "fs.read", "/srv/app/x" }, { "fs.read", "/srv/app/secret/k" },
		{ "fs.read", "/srv/app/a.txt" }, { "fs.write", "/srv/app/out/q" },
		{ "fs.read", "/q/.env" }, { "fs.exec", "/usr/bin/cc" }, { "fs.read", "/nope" },
		{ "net.connect", "10.2.3.4:443" }, { "net.connect", "10.9.3.4:443" },
		{ "net.connect", "x.debian.org:443" }, { "net.bind", "127.0.0.1:8001" },
		{ "net.resolve", "evil.example.com" }, { "proc.signal", "children" },
		{ "fs.read", "/home/u/we$ird/f" },
	};
	struct osl_policy *p, *q = NULL;
	struct strbuf sb = STRBUF_INIT;
	const struct osl_error *e;
	char want[512];
	cJSON *j;
	char *s;
	int same = 0;
	size_t n;

	/* plus a '$' in a value and a glob character in HOME's place */
	n = strlen(policy);
	s = malloc(n + 200);
	memcpy(s, policy, n);
	snprintf(s + n, 200, "log:\n  sink: \"file:/var/log/$$x.jsonl\"\n"
	    "  checkpoint: { every: 5, interval: 1s }\n"
	    "  rotate: { size: 1M }\n");
	p = load(s);
	free(s);
	if (!p)
		return;
	e = osl_policy_to_yaml(p, &sb);
	ok(e == NULL, "to_yaml");
	e = osl_policy_load_buf(&q, "shown.yaml", sb.buf, sb.len, &env);
	if (!ok(e == NULL, "shown YAML loads again"))
		printf("# %s\n%s", e->msg, sb.buf);
	if (q) {
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			snprintf(want, sizeof(want), "%s", ask(p, probes[i][0], probes[i][1]));
			/* rules without id are named by place, which moved */
			if (strstr(want, "d.yaml"))
				*strchr(want, ' ') = '\0';
			same += strncmp(ask(q, probes[i][0], probes[i][1]), want, strlen(want)) == 0;
		}
		is_int(same, sizeof(probes) / sizeof(probes[0]), "same decisions after show");
		is_int(q->nrules, p->nrules, "same rules");
		is_str(q->log.sink, "file:/var/log/$x.jsonl", "a '$' survives");
		is_int(q->log.checkpoint_every, 5, "log settings survive");
		is_int(q->signal_scope, p->signal_scope, "signal survives");
		osl_policy_free(q);
	}
	sb_release(&sb);
	j = osl_policy_to_json(p);
	ok(j != NULL, "to_json");
	if (j) {
		cJSON *fs = cJSON_GetObjectItem(j, "fs");
		cJSON *read = cJSON_GetObjectItem(fs, "read");
		cJSON *r1 = cJSON_GetArrayItem(read, 1);

		is_str(cJSON_GetStringValue(cJSON_GetObjectItem(j, "hash")), p->hash, "json hash");
		is_int(cJSON_GetArraySize(read), 4, "json fs.read");
		is_str(cJSON_GetStringValue(cJSON_GetObjectItem(r1, "id")), "app", "json rule id");
		is_str(cJSON_GetStringValue(cJSON_GetObjectItem(r1, "where")), "d.yaml:4:19",
		    "json rule where");
		is_str(cJSON_GetStringValue(cJSON_GetObjectItem(r1, "pattern")), "/srv/app/**",
		    "json rule pattern");
		is_str(cJSON_GetStringValue(cJSON_GetObjectItem(r1, "expanded")), "/srv/app/**",
		    "json rule expanded");
		ok(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "net"), "resolve")),
		    "json net.resolve");
		cJSON_Delete(j);
	}
	osl_policy_free(p);
}

/* The default policy, as a user meets it. */
static void
test_default(void)
{
	struct osl_policy *p = NULL;
	const struct osl_error *e = osl_policy_load(&p, "builtin:default", &env);

	if (!ok(e == NULL, "builtin:default loads"))
		return;
	is_str(ask(p, "fs.read", "/etc/passwd"), "allow read-system", "read the system");
	is_str(ask(p, "fs.read", "/home/u/.ssh/id_ed25519"), "deny no-ssh-keys", "ssh keys");
	is_str(ask(p, "fs.read", "/home/u/.gnupg/private-keys-v1.d/x"), "deny no-gpg-keys", "gpg");
	is_str(ask(p, "fs.read", "/home/u/.aws/credentials"), "deny no-aws-credentials", "aws");
	is_str(ask(p, "fs.read", "/etc/shadow"), "deny no-shadow", "shadow");
	is_str(ask(p, "fs.read", "/work/p/app/.env"), "deny no-dotenv", ".env");
	is_str(ask(p, "fs.write", "/home/u/notes.txt"), "allow write-home", "write home");
	is_str(ask(p, "fs.write", "/work/p/build/a.o"), "allow write-workdir", "write workdir");
	is_str(ask(p, "fs.write", "/tmp/x"), "allow write-tmp", "write tmp");
	is_str(ask(p, "fs.write", "/dev/null"), "allow write-dev-null", "write /dev/null");
	is_str(ask(p, "fs.write", "/etc/passwd"), "deny default", "no writes to /etc");
	is_str(ask(p, "fs.write", "/usr/bin/ls"), "deny default", "no writes to /usr");
	is_str(ask(p, "fs.write", "/home/u/.ssh/authorized_keys"), "deny no-ssh-keys",
	    "no writes to ssh keys");
	is_str(ask(p, "fs.write", "/home/u/.local/state/osl/activity.jsonl"),
	    "deny no-log-tampering", "the log is not writable through osl");
	is_str(ask(p, "fs.exec", "/usr/bin/git"), "allow exec-system", "exec /usr");
	is_str(ask(p, "fs.exec", "/tmp/x"), "deny default", "no exec from /tmp");
	is_str(ask(p, "net.connect", "github.com:443"), "allow connect-any", "connect");
	is_str(ask(p, "net.connect", "169.254.169.254:80"), "deny no-cloud-metadata", "metadata");
	is_str(ask(p, "net.resolve", "github.com"), "allow net.resolve: true", "resolve");
	is_str(ask(p, "net.bind", "127.0.0.1:8080"), "allow bind-loopback", "bind loopback");
	is_str(ask(p, "net.bind", "0.0.0.0:8080"), "deny default", "no bind on all addresses");
	is_str(p->log.sink, "file:/home/u/.local/state/osl/activity.jsonl", "default sink");
	osl_policy_free(p);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1,000 rules: /srv/appN/data then "**" of every kind, a few globs, nets. */
static void
test_rate(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct osl_policy *p = NULL;
	const struct osl_error *e;
	static const char *const kinds[] = { "read", "write", "exec", "deny" };
	char paths[64][128];
	struct osl_request rq;
	struct osl_decision d;
	double t0, t1;
	unsigned long n = 0, allowed = 0;

	sb_adds(&sb, "version: 1\nfs:\n");
	for (int k = 0; k < 4; k++) {
		sb_addf(&sb, "  %s:\n", kinds[k]);
		for (int i = k; i < 900; i += 4)
			sb_addf(&sb, "    - /srv/app%d/data/**\n", i);
		sb_addf(&sb, "    - \"**/.cache%d\"\n    - \"/home/*/proj%d/*.c\"\n", k, k);
		for (int i = 0; i < 20; i++)
			sb_addf(&sb, "    - /usr/lib/pkg%d-%s/**\n", i, kinds[k]);
	}
	sb_adds(&sb, "net:\n  connect:\n");
	for (int i = 0; i < 12; i++)
		sb_addf(&sb, "    - \"10.%d.0.0/16:443\"\n    - \"host%d.example.com:443\"\n"
		    "    - \"*.d%d.example.org:*\"\n", i, i, i);
	t0 = now();
	e = osl_policy_load_buf(&p, "gen.yaml", sb.buf, sb.len, &env);
	t1 = now();
	sb_release(&sb);
	if (!ok(e == NULL, "generated policy loads")) {
		printf("# %s\n", e->msg);
		return;
	}
	printf("# generated policy: %zu rules, loaded and compiled in %.2f ms\n", p->nrules,
	    (t1 - t0) * 1e3);
	for (int i = 0; i < 64; i++)
		snprintf(paths[i], sizeof(paths[i]), i % 4 == 3 ? "/home/u/proj%d/x.c" :
		    i % 4 == 2 ? "/usr/lib/x86_64-linux-gnu/libc.so.%d" :
		    "/srv/app%d/data/some/file.txt", i * 13);
	memset(&rq, 0, sizeof(rq));
	t0 = now();
	do {
		for (int i = 0; i < 10000; i++, n++) {
			rq.access = (enum osl_access)(i % 3);
			rq.path = paths[i & 63];
			osl_policy_decide(p, &rq, &d);
			allowed += d.verdict;
		}
		t1 = now();
	} while (t1 - t0 < 0.3);
	printf("# policy.decide (fs): %.0f decisions/s (%lu allowed of %lu)\n",
	    (double)n / (t1 - t0), allowed, n);
	n = 0;
	rq.access = OSL_ACCESS_CONNECT;
	rq.family = AF_INET;
	rq.port = 443;
	t0 = now();
	do {
		for (int i = 0; i < 10000; i++, n++) {
			rq.addr[0] = 10;
			rq.addr[1] = (uint8_t)(i % 20);
			rq.host = i & 1 ? "a.d3.example.org" : NULL;
			osl_policy_decide(p, &rq, &d);
		}
		t1 = now();
	} while (t1 - t0 < 0.3);
	printf("# policy.decide (net): %.0f decisions/s\n", (double)n / (t1 - t0));
	osl_policy_free(p);
}

/* A folder decided with all that may lie beneath it (osl_request.tree). */
static const char *
ask_tree(const struct osl_policy *p, const char *path)
{
	static char out[512];
	struct osl_request rq = { .access = OSL_ACCESS_WRITE, .path = path, .tree = true };
	struct osl_decision d;

	osl_policy_decide(p, &rq, &d);
	snprintf(out, sizeof(out), "%s %s%s", d.verdict == OSL_ALLOW ? "allow" : "deny",
	    d.rule ? osl_rule_name(d.rule) : "default", d.beneath ? " beneath" : "");
	return out;
}

static void
test_tree(void)
{
	struct osl_policy *p = load(
	    "version: 1\n"
	    "fs:\n"
	    "  write: [{ path: /h/**, id: h }, { path: /k/**, id: k }, { path: /d/**, id: d }]\n"
	    "  deny:\n"
	    "    - { path: /h/.config/gh/hosts.yml, id: gh }\n"
	    "    - { path: /h/.ssh/**, id: ssh }\n"
	    "    - { path: \"/k/*/keys/*.pem\", id: pem }\n"
	    "    - { path: \"**/.env\", id: env }\n"
	    "    - { path: \"**/.git/config\", id: git }\n"
	    "    - { path: \"/d/**/deep/x\", id: deep }\n");
	char deep[2000] = "/h";
	struct osl_request rq = { .access = OSL_ACCESS_WRITE, .path = "/h/.config" };
	struct osl_decision d;

	if (!p)
		return;
	is_str(ask_tree(p, "/h/.config"), "deny gh beneath", "an ancestor of a literal deny");
	is_str(ask_tree(p, "/h/.config/gh"), "deny gh beneath", "its parent");
	is_str(ask_tree(p, "/h"), "deny gh beneath", "the home (the first deny rule that could)");
	is_str(ask_tree(p, "/h/.configx"), "allow h", "a sibling with a longer name");
	is_str(ask_tree(p, "/h/proj"), "allow h", "a folder no deny reaches");
	is_str(ask_tree(p, "/h/.ssh"), "deny ssh", "the denied folder itself: a plain deny");
	is_str(ask_tree(p, "/k/app"), "deny pem beneath", "a glob component matches the folder");
	is_str(ask_tree(p, "/k/app/keys"), "deny pem beneath", "and below it");
	is_str(ask_tree(p, "/k/app/other"), "allow k", "but not a folder the glob leaves");
	is_str(ask_tree(p, "/d/a/b/c"), "deny deep beneath", "** in the middle reaches anywhere");
	is_str(ask_tree(p, "/h/repo/.git"), "deny git beneath",
	    "**/.git/config beneath a folder named .git");
	is_str(ask_tree(p, "/srv"), "deny default", "not allowed anyway");
	osl_policy_free(p);
	/* "**" then a tail that stays beneath the folder: matches alike anywhere */
	p = load("version: 1\nfs:\n  write: [{ path: /h/**, id: h }]\n"
	    "  deny: [\"**/.env\", \"**/.git/config\"]\n");
	if (!p)
		return;
	is_str(ask_tree(p, "/h/proj"), "allow h", "**/.env does not stop a folder's move");
	is_str(ask_tree(p, "/h/.git/sub"), "allow h", "nor **/.git/config beneath .git/sub");
	osl_policy_free(p);
	/* deeper than the components looked at: as if a rule could reach */
	p = load("version: 1\nfs:\n  write: [/h/**]\n  deny: [{ path: /elsewhere/x, id: e }]\n");
	if (!p)
		return;
	for (int i = 0; i < 300; i++)
		strcat(deep, "/d");
	is_str(ask_tree(p, deep), "deny e beneath", "300 components: denied");
	/* without tree, the same path is decided alone */
	rq.path = "/h/x";
	osl_policy_decide(p, &rq, &d);
	ok(d.verdict == OSL_ALLOW && !d.beneath, "a plain request is not a tree");
	osl_policy_free(p);
}

/* Prefixes that are not a whole number of bytes, allow and deny, v4 and v6:
 * each checked one address inside and one outside at both ends, so that a
 * mask one bit short or one bit long changes some answer. */
static void
test_net_prefix(void)
{
	static const struct { const char *target, *want; } cases[] = {
		{ "10.0.0.0:80", "allow v4-25" },
		{ "10.0.0.127:80", "allow v4-25" },
		{ "10.0.0.128:80", "deny default" },	/* /24 would allow */
		{ "10.0.0.200:80", "deny default" },
		{ "10.0.0.100:80", "allow v4-25" },	/* /26 would deny */
		{ "[::ffff:10.0.0.200]:80", "deny default" },
		{ "[::ffff:10.0.0.127]:80", "allow v4-25" },
		{ "10.0.0.63:80", "allow v4-25" },
		{ "10.0.0.64:80", "deny no-v4-27" },
		{ "10.0.0.95:80", "deny no-v4-27" },
		{ "10.0.0.96:80", "allow v4-25" },	/* /26 deny would cover it */
		{ "[::ffff:10.0.0.70]:80", "deny no-v4-27" },
		{ "172.16.0.0:80", "allow v4-12" },
		{ "172.31.255.255:80", "allow v4-12" },
		{ "172.32.0.0:80", "deny default" },	/* /11 would allow */
		{ "172.15.255.255:80", "deny default" },
		{ "172.24.0.1:80", "allow v4-12" },	/* /13 would deny */
		{ "192.168.0.0:80", "allow v4-23" },
		{ "192.168.1.255:80", "allow v4-23" },	/* /24 would deny */
		{ "192.168.2.0:80", "deny default" },	/* /22 would allow */
		{ "[fd00::]:80", "allow v6-9" },
		{ "[fd7f:ffff::1]:80", "allow v6-9" },	/* /10 would deny */
		{ "[fd80::1]:80", "deny default" },	/* /8 would allow */
		{ "[fc00::1]:80", "deny default" },
		{ "[fd3f:ffff::1]:80", "allow v6-9" },
		{ "[fd40::1]:80", "deny no-v6-11" },
		{ "[fd5f:ffff::1]:80", "deny no-v6-11" },
		{ "[fd60::1]:80", "allow v6-9" },	/* /10 deny would cover it */
		{ "[2001:db8:7fff:ffff::1]:80", "allow v6-33" },
		{ "[2001:db8:8000::1]:80", "deny default" },	/* /32 would allow */
		{ "[2001:db8:4000::1]:80", "allow v6-33" },	/* /34 would deny */
		{ "[2001:db8:1:2:3:4:5:7]:80", "deny no-v6-127" },
		{ "[2001:db8:1:2:3:4:5:6]:80", "deny no-v6-127" },
		{ "[2001:db8:1:2:3:4:5:5]:80", "allow v6-33" },	/* /126 would deny */
		{ "[2001:db8:1:2:3:4:5:8]:80", "allow v6-33" },
	};
	struct osl_policy *p = load(
	    "version: 1\n"
	    "default: deny\n"
	    "net:\n"
	    "  connect:\n"
	    "    - { addr: \"10.0.0.0/25:*\", id: v4-25 }\n"
	    "    - { addr: \"172.16.0.0/12:*\", id: v4-12 }\n"
	    "    - { addr: \"192.168.0.0/23:*\", id: v4-23 }\n"
	    "    - { addr: \"[fd00::/9]:*\", id: v6-9 }\n"
	    "    - { addr: \"[2001:db8::/33]:*\", id: v6-33 }\n"
	    "  deny:\n"
	    "    - { addr: \"10.0.0.64/27:*\", id: no-v4-27 }\n"
	    "    - { addr: \"[fd40::/11]:*\", id: no-v6-11 }\n"
	    "    - { addr: \"[2001:db8:1:2:3:4:5:6/127]:*\", id: no-v6-127 }\n");

	if (!ok(p != NULL, "the policy of odd prefixes loads"))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(ask(p, "net.connect", cases[i].target), cases[i].want, "prefix: %s",
		    cases[i].target);
	osl_policy_free(p);
}

/* A deny that yields to its except: (man/osl-policy.5, RULES): the deny
 * does not apply inside it; an except made inert by its variable excepts
 * nothing. */
static void
test_except(void)
{
	static const char text[] =
	    "version: 1\n"
	    "fs:\n"
	    "  read: [/**]\n"
	    "  write: [{ path: \"${HOME}/**\", id: home }]\n"
	    "  deny: [{ path: \"${HOME}/.ssh/**\", id: ssh },\n"
	    "         { path: /home/**, except: [\"${HOME}/**\"], id: homes }]\n";
	static const struct osl_policy_env slash = { .home = "/", .pwd = "/work/p",
	    .user = "u", .uid = "1000" };
	struct osl_policy *p = load(text), *q = NULL;
	struct osl_request rq = { .access = OSL_ACCESS_WRITE, .tree = true };
	struct osl_decision d;
	char buf[512];
	const struct osl_error *e;

	if (!ok(p != NULL, "except: loads"))
		return;
	is_str(ask(p, "fs.write", "/home/u/notes"), "allow home", "inside the except: the deny yields");
	is_str(ask(p, "fs.read", "/home/u"), "allow d.yaml:3:10", "the except's folder itself");
	is_str(ask(p, "fs.read", "/home/v/notes"), "deny homes", "another home: denied");
	is_str(ask(p, "fs.read", "/home/u/.ssh/id"), "deny ssh", "a deny without except still holds");
	rq.path = "/home/u/src";
	osl_policy_decide(p, &rq, &d);
	ok(d.verdict == OSL_ALLOW, "a folder renamed whole inside the except: allowed");
	rq.path = "/home";
	osl_policy_decide(p, &rq, &d);
	ok(d.verdict == OSL_DENY, "the folder above it: denied");
	ok(osl_rule_never(p, &p->rules[1], buf, sizeof(buf)) == NULL,
	    "check: the write rule is not shadowed, the except lets it through");
	ok(osl_rule_excepts(&p->rules[p->nrules - 1], "/home/u", true) &&
	    !osl_rule_excepts(&p->rules[p->nrules - 1], "/home", true) &&
	    osl_rule_except_within(&p->rules[p->nrules - 1], "/home"),
	    "the sandbox's questions: /home/u all excepted, /home not, but holds one");
	e = osl_policy_load_buf(&q, "d.yaml", text, strlen(text), &slash);
	ok(e == NULL && q, "HOME=/ loads");
	if (q) {
		ok(q->rules[q->nrules - 1].except[0].inert != NULL, "HOME=/: the except is inert");
		is_str(ask(q, "fs.read", "/home/u/notes"), "deny homes",
		    "an inert except excepts nothing");
		ok(strcmp(p->hash, q->hash) != 0, "the except is in the hash");
	}
	osl_policy_free(q);
	q = NULL;
	e = osl_policy_load_buf(&q, "d.yaml", "version: 1\nfs:\n  read: [{ path: /a, except: [/a/b] }]\n",
	    54, &env);
	ok(e && strstr(e->msg, "'except'"), "except: only on deny rules (%s)", e ? e->msg : "");
	osl_policy_free(q);
	osl_policy_free(p);
}

int
main(void)
{
	test_fs();
	test_tree();
	test_net();
	test_net_prefix();
	test_audit();
	test_misc();
	test_cases();
	test_emit();
	test_default();
	test_except();
	test_rate();
	return done_testing();
}
