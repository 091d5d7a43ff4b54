/* An operation's records from fields (osl_op_record, lib/op.c) are, byte
 * for byte, the records osl wrote when it built them as cJSON trees: the
 * tree is built here as lib/op.c built it, and both are laid out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log-int.h"
#include "op.h"
#include "tap.h"

static const struct osl_policy_env env = {
	.home = "/home/u", .pwd = "/work/p", .user = "u", .uid = "1000",
};
static char *argv0[] = { "osl", "fs", "write", "/srv/a", NULL };
static const struct osl_log_identity ident = {
	.pid = 4242, .ppid = 1, .uid = 1000, .executable = "/usr/bin/osl",
	.argc = 4, .argv = argv0, .hostname = "web1",
};

/* lib/op.c's record() before it built fields, NOW for the duration. */
static cJSON *
record_tree(const struct osl_policy *p, const struct osl_op *op, const char *phase,
    const struct osl_error *result, uint64_t now)
{
	const struct osl_decision *d = &op->decision;
	const struct osl_action_def *act = osl_action(op->action);
	cJSON *rec, *ev, *types, *cats, *rule, *o;
	char reason[512], msg[2600];

	rec = op->fields ? cJSON_Duplicate(op->fields, 1) : cJSON_CreateObject();
	ev = osl_log_obj(rec, "event");
	cats = cJSON_AddArrayToObject(ev, "category");
	cJSON_AddItemToArray(cats, cJSON_CreateString(act->category));
	types = cJSON_AddArrayToObject(ev, "type");
	cJSON_AddItemToArray(types, cJSON_CreateString(act->type));
	if (!strcmp(act->category, "network"))
		cJSON_AddItemToArray(types, cJSON_CreateString(
		    d->verdict == OSL_DENY || d->audit ? "denied" : "allowed"));
	cJSON_AddStringToObject(ev, "action", act->name);
	cJSON_AddStringToObject(ev, "outcome", result || d->verdict == OSL_DENY ? "failure" :
	    phase && !strcmp(phase, "start") ? "unknown" : "success");
	osl_decision_reason(p, d, reason, sizeof(reason));
	cJSON_AddStringToObject(ev, "reason", reason);
	if (!phase || strcmp(phase, "start"))
		cJSON_AddNumberToObject(ev, "duration", (double)(now - op->t_start));
	if (d->rule || d->by_default) {
		rule = osl_log_obj(rec, "rule");
		if (d->rule) {
			cJSON_AddStringToObject(rule, "id", osl_rule_name(d->rule));
			cJSON_AddStringToObject(rule, "ruleset", d->rule->where);
		} else {
			cJSON_AddStringToObject(rule, "id", "default");
			cJSON_AddStringToObject(rule, "ruleset", p->dflt_where ? p->dflt_where : p->source);
		}
		cJSON_AddStringToObject(rule, "version", p->hash);
	}
	o = osl_log_obj(rec, "osl");
	cJSON_AddStringToObject(o, "decision", d->verdict == OSL_ALLOW ? "allow" : "deny");
	if (d->audit)
		cJSON_AddBoolToObject(o, "audit", 1);
	if (result) {
		cJSON *e = osl_log_obj(rec, "error");
		const char *name = result->sys_errno ? osl_errno_name(result->sys_errno) : NULL;

		if (name)
			cJSON_AddStringToObject(e, "code", name);
		osl_log_add_text(e, "message", result->msg);
	}
	snprintf(msg, sizeof(msg), "%s %s %s by %s%s%s%s", act->name,
	    op->target ? op->target : "", d->verdict == OSL_ALLOW ? "allowed" : "denied",
	    d->rule ? osl_rule_name(d->rule) : op->unnamed ? op->unnamed :
	    d->by_default || !d->setting ? "default" : d->setting,
	    d->audit ? " (audit)" : "",
	    result ? ", failed: " : "", result ? result->msg : "");
	osl_log_add_text(rec, "message", msg);
	return rec;
}

static struct osl_log_frag fr;
static int compared;

/* The record of OP both ways, laid out with the same time, sequence and
 * chain; true when they are the same bytes. */
static bool
same(const struct osl_policy *p, const struct osl_op *op, const char *phase,
    const struct osl_error *result, enum osl_level lv)
{
	struct osl_log_build_args a = { lv, 1795213159123456789ULL, 42, NULL, OSL_LOG_FILE_MAX, NULL };
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	uint8_t prev[32] = { 7 }, hx[32], hy[32];
	struct osl_op_rec r;
	cJSON *tree;
	bool eq;

	a.prev = prev;
	tree = record_tree(p, op, phase, result, op->t_start + 183000);
	osl_op_record(&r, p, op, phase, result, op->t_start + 183000);
	eq = osl_log_build(&x, tree, &fr, &a, hx) == NULL &&
	    osl_log_build_fields(&y, r.f, r.n, &fr, &a, hy) == NULL &&
	    x.len == y.len && memcmp(x.buf, y.buf, x.len) == 0 && memcmp(hx, hy, 32) == 0;
	if (!eq)
		printf("# tree:   %s# fields: %s", sb_str(&x), sb_str(&y));
	compared++;
	cJSON_Delete(tree);
	sb_release(&x);
	sb_release(&y);
	return eq;
}

static struct osl_policy *
load(const char *text)
{
	struct osl_policy *p = NULL;
	const struct osl_error *e = osl_policy_load_buf(&p, "op.yaml", text, strlen(text), &env);

	if (e)
		printf("# load: %s\n", e->msg);
	return p;
}

/* An op on PATH (fs) or on HOST:PORT (net), decided by P. */
static void
op_on(struct osl_op *op, const struct osl_policy *p, enum osl_action action, const char *target)
{
	osl_op_init(op, action, target);
	if (action == OSL_ACT_NET_CONNECT) {
		op->req.host = "example.org";
		op->req.port = 443;
	} else
		op->req.path = target;
	osl_policy_decide(p, &op->req, &op->decision);
	op->t_start = 1000000;
}

static void
test_fs(const struct osl_policy *p)
{
	static const char *const links[] = { "/srv/b", "/srv/c\xff" };
	const struct osl_error *enoent = osl_error_sys(OSL_EFAIL, ENOENT, "'/srv/x': No such file");
	const struct osl_error *plain = osl_error_new(OSL_EFAIL, "short read \x01 \xc3");
	struct osl_op op;
	cJSON *file, *o;

	op_on(&op, p, OSL_ACT_FS_WRITE, "/srv/a");
	file = osl_log_obj(op.fields, "file");
	osl_log_add_text(file, "path", "/srv/a\xfe");
	cJSON_AddStringToObject(file, "type", "file");
	osl_log_add_u64(file, "inode", 256383);
	cJSON_AddStringToObject(file, "mode", "0640");
	osl_log_add_count(file, "size", 12);
	o = osl_log_obj(op.fields, "osl");
	osl_log_add_text(o, "path", "a");
	osl_log_add_count(o, "bytes", 1ULL << 60);
	cJSON_AddItemToObject(o, "hard_links_unsearched", cJSON_CreateStringArray(links, 2));
	ok(op.decision.verdict == OSL_ALLOW && op.decision.rule, "fs.write allowed by a rule");
	ok(same(p, &op, NULL, NULL, OSL_LEVEL_INFO), "fs.write: the result");
	ok(same(p, &op, "start", NULL, OSL_LEVEL_DEBUG), "fs.write: the start");
	ok(same(p, &op, NULL, enoent, OSL_LEVEL_WARN), "fs.write: failed with an errno");
	ok(same(p, &op, NULL, plain, OSL_LEVEL_WARN), "fs.write: failed, no errno, odd bytes");
	osl_op_release(&op);

	op_on(&op, p, OSL_ACT_FS_WRITE, "/etc/passwd");
	osl_log_add_text(osl_log_obj(op.fields, "file"), "path", "/etc/passwd");
	ok(op.decision.verdict == OSL_DENY && op.decision.by_default, "denied by default");
	ok(same(p, &op, "deny", NULL, OSL_LEVEL_WARN), "fs.write: the denial");
	op.decision.audit = true;
	op.decision.verdict = OSL_ALLOW;
	ok(same(p, &op, NULL, NULL, OSL_LEVEL_INFO), "fs.write: allowed by audit mode");
	osl_op_release(&op);

	/* no fields at all; a setting decided; an empty object; a member
	 * that is not an object; the caller's own event and osl members */
	op_on(&op, p, OSL_ACT_FS_READ, "-");
	op.unnamed = "the caller's standard input";
	op.decision = (struct osl_decision){ .verdict = OSL_ALLOW, .setting = op.unnamed };
	ok(same(p, &op, NULL, NULL, OSL_LEVEL_INFO), "fs.read of stdin: no fields, a setting");
	osl_log_obj(op.fields, "file");
	osl_log_obj(op.fields, "osl");
	cJSON_AddStringToObject(osl_log_obj(op.fields, "event"), "kind", "alert");
	cJSON_AddNumberToObject(op.fields, "labels", 3);
	ok(same(p, &op, NULL, NULL, OSL_LEVEL_INFO), "empty objects, a number, event.kind");
	osl_op_release(&op);
}

static void
test_net(const struct osl_policy *p)
{
	const struct osl_error *refused = osl_error_sys(OSL_EFAIL, ECONNREFUSED,
	    "Connection refused");
	cJSON *o, *enf;
	struct osl_op op;

	op_on(&op, p, OSL_ACT_NET_CONNECT, "example.org:443");
	o = osl_log_obj(op.fields, "destination");
	cJSON_AddStringToObject(o, "domain", "example.org");
	cJSON_AddStringToObject(o, "ip", "93.184.216.34");
	cJSON_AddNumberToObject(o, "port", 443);
	osl_log_add_count(osl_log_obj(op.fields, "source"), "bytes", 10);
	cJSON_AddStringToObject(osl_log_obj(osl_log_obj(op.fields, "dns"), "question"), "name",
	    "example.org");
	enf = osl_log_obj(osl_log_obj(op.fields, "osl"), "enforcement");
	cJSON_AddNumberToObject(enf, "landlock_abi", 4);
	cJSON_AddBoolToObject(enf, "full", 1);
	cJSON_AddItemToObject(enf, "none", cJSON_CreateArray());
	ok(op.decision.verdict == OSL_ALLOW && op.decision.rule, "net.connect allowed by a rule");
	ok(same(p, &op, NULL, NULL, OSL_LEVEL_INFO), "net.connect: allowed, the network's types");
	ok(same(p, &op, NULL, refused, OSL_LEVEL_WARN), "net.connect: refused");
	op.decision.verdict = OSL_DENY;
	ok(same(p, &op, "deny", NULL, OSL_LEVEL_WARN), "net.connect: denied");
	osl_op_release(&op);
}

/* A supervised program's record: process.* is the child's. */
static void
test_process(const struct osl_policy *p)
{
	static const char *const args[] = { "/bin/worker", "-x" };
	struct osl_op op;
	cJSON *pr;

	op_on(&op, p, OSL_ACT_PROC_EXEC, "/bin/worker");
	pr = osl_log_obj(op.fields, "process");
	cJSON_AddStringToObject(pr, "executable", "/bin/worker");
	cJSON_AddItemToObject(pr, "args", cJSON_CreateStringArray(args, 2));
	cJSON_AddNumberToObject(pr, "pid", 77);
	cJSON_AddStringToObject(pr, "working_directory", "/srv");
	ok(same(p, &op, NULL, NULL, OSL_LEVEL_INFO), "proc.exec: the program as process.*");
	osl_op_release(&op);
}

int
main(void)
{
	struct osl_policy *p = load(
	    "version: 1\n"
	    "default: deny\n"
	    "fs:\n"
	    "  read: [/srv/**]\n"
	    "  write: [{ path: /srv/**, id: srv }]\n"
	    "  exec: [/bin/**]\n"
	    "net:\n"
	    "  connect: [{ addr: \"example.org:443\", id: web }]\n");

	if (!p || osl_log_frag_init(&fr, &ident) != NULL)
		return 1;
	test_fs(p);
	test_net(p);
	test_process(p);
	ok(compared == 12, "%d records compared", compared);
	osl_log_frag_release(&fr);
	osl_policy_free(p);
	return done_testing();
}
