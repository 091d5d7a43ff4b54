/* osl policy: check, show, explain and test policies.
 *
 * These verbs inspect policies; they read only the files they are given and
 * change nothing, so they do not go through the operation pipeline (a checker
 * must work when the policy in force is the broken one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "policy/policy-int.h"
#include "policy/show.h"
#include "util/strbuf.h"

static int cmd_policy_check(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_policy_show(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_policy_explain(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_policy_test(int argc, char **argv, struct osl_ctx *ctx);

static const char *test_policy;
static const struct osl_opt no_opts[] = { OPT_END };
static const struct osl_opt test_opts[] = {
	OPT_STRING(0, "policy", &test_policy, "FILE", "the policy to test when the case file names none",
	    "policy"),
	OPT_END
};

const struct osl_cmd osl_policy_cmds[] = {
	{ "check", cmd_policy_check, "validate policy files, or the one in force (exit 0 valid, 2 invalid)", 0,
	  "[FILE...]", no_opts, NULL, "file" },
	{ "show", cmd_policy_show, "print the merged effective policy (YAML, or JSON with -j)", 0,
	  "[FILE]", no_opts, NULL, "file" },
	{ "explain", cmd_policy_explain, "show the decision, the deciding rules and why", 0,
	  "ACTION TARGET", no_opts, NULL, "action" },
	{ "test", cmd_policy_test, "run expected decisions from a case file; show rule coverage", 0,
	  "[--policy FILE] CASES.yaml", test_opts, NULL, "file" },
	{ "export", cmd_policy_export, "write the policy as an OCI seccomp profile or a systemd drop-in", 0,
	  "--format FORMAT [FILE]", policy_export_opts, NULL, "file" },
	{ "learn", cmd_policy_learn, "run a command, observe it and write the policy it needs", OSL_CMD_VERBATIM,
	  "-o FILE [--base POLICY] -- CMD [ARGS] | --diff FILE -- CMD [ARGS]", policy_learn_opts, NULL, "command" },
	{ NULL }
};

static void
out_rule(const char *key, const struct osl_rule *r)
{
	out_obj_open(key);
	out_str("kind", NULL, osl_rule_kind_name(r->kind));
	out_str("name", NULL, osl_rule_name(r));
	out_str("id", NULL, r->id);
	out_str("where", NULL, r->where);
	out_str("pattern", NULL, r->pattern);
	out_str("expanded", NULL, r->expanded);
	if (r->real && r->real != r->expanded)
		out_str("real", NULL, r->real);
	out_obj_close();
}

/* The deny rules that name RQ's path but yield to their except: (so they
 * decide nothing here: osl-policy(5), RULES), for explain. */
static void
out_yields(const struct osl_policy *p, const struct osl_request *rq)
{
	bool fs = rq->access == OSL_ACCESS_READ || rq->access == OSL_ACCESS_WRITE ||
	    rq->access == OSL_ACCESS_EXEC;
	size_t n = 0;

	out_arr_open("yields");
	for (size_t i = 0; fs && i < p->nrules; i++) {
		const struct osl_rule *y = &p->rules[i];

		if (y->kind != OSL_RULE_FS_DENY || !y->nexcept ||
		    !osl_path_match(y->real, rq->path) || !osl_rule_excepts(y, rq->path, false))
			continue;
		if (n++ == 0)
			out_text("  deny rules that yield to their except here:\n");
		out_text("    %-12s %-32s %s%s%s%s\n", osl_rule_kind_name(y->kind), y->pattern,
		    y->where, y->id ? " (" : "", y->id ? y->id : "", y->id ? ")" : "");
		out_rule(NULL, y);
	}
	out_arr_close();
}

/* What each variable the rules use expanded to: a short block, and an
 * object by name in -j. */
static void
out_vars(const struct osl_policy *p)
{
	out_obj_open("variables");
	if (p->nvars)
		out_text("  variables:\n");
	for (size_t i = 0; i < p->nvars; i++) {
		const struct osl_policy_var *v = &p->vars[i];

		out_obj_open(v->name);
		out_text("    %-16s", v->name);
		out_str("value", "%s", v->value);
		if (v->real)
			out_str("real", " -> %s", v->real);
		else
			out_null("real");
		/* the deny rules' second value (osl-policy(5), VARIABLES) */
		if (v->account)
			out_str("account", " (deny rules also: %s)", v->account);
		else
			out_null("account");
		out_text("\n");
		out_obj_close();
	}
	out_obj_close();
}

/* The inert allow rules (osl_rule.inert): a short block, an array in -j. */
static void
out_inert(const struct osl_policy *p)
{
	out_arr_open("inert");
	if (p->ninert)
		out_text("  inert rules (they allow nothing):\n");
	for (size_t i = 0; i < p->ninert; i++) {
		const struct osl_rule *r = &p->inert[i];

		out_obj_open(NULL);
		out_str("kind", "    %-12s ", osl_rule_kind_name(r->kind));
		out_str("pattern", "%-24s ", r->pattern);
		out_str("where", "%s", r->where);
		out_str("id", r->id ? " (%s)" : NULL, r->id);
		out_str("reason", ": %s\n", r->inert);
		out_obj_close();
	}
	out_arr_close();
}

/* One warning line per inert rule: the policy loads, but a rule it has
 * does not do what it says. */
static void
warn_inert(const struct osl_policy *p)
{
	for (size_t i = 0; i < p->ninert; i++) {
		const struct osl_rule *r = &p->inert[i];

		cli_warn("warning: %s: %s '%s'%s%s%s is inert, it allows nothing: %s", r->where,
		    osl_rule_kind_name(r->kind), r->pattern, r->id ? " (" : "",
		    r->id ? r->id : "", r->id ? ")" : "", r->inert);
	}
	/* a deny's except made inert: the deny holds whole (osl-policy(5), RULES) */
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];

		for (size_t j = 0; j < r->nexcept; j++)
			if (r->except[j].inert)
				cli_warn("warning: %s: %s '%s'%s%s%s: its except '%s' is inert, it "
				    "excepts nothing (the deny holds whole): %s", r->where,
				    osl_rule_kind_name(r->kind), r->pattern, r->id ? " (" : "",
				    r->id ? r->id : "", r->id ? ")" : "", r->except[j].pattern,
				    r->except[j].inert);
	}
}

/* One warning line per rule in force that can never allow anything. */
static void
warn_never(const struct osl_policy *p)
{
	char why[640];

	out_arr_open("never");
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];

		if (!osl_rule_never(p, r, why, sizeof(why)))
			continue;
		out_obj_open(NULL);
		out_str("kind", NULL, osl_rule_kind_name(r->kind));
		out_str("pattern", NULL, r->pattern);
		out_str("where", NULL, r->where);
		out_str("id", NULL, r->id);
		out_str("reason", NULL, why);
		out_obj_close();
		cli_warn("warning: %s: %s '%s'%s%s%s can never allow anything: %s", r->where,
		    osl_rule_kind_name(r->kind), r->pattern, r->id ? " (" : "",
		    r->id ? r->id : "", r->id ? ")" : "", why);
	}
	out_arr_close();
}

static int
cmd_policy_check(int argc, char **argv, struct osl_ctx *ctx)
{
	int status = 0, r;
	char cur[4096], *in_force[1];

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc < 1) {
		/* the policy in force: -p, $OSL_POLICY, else the one found */
		in_force[0] = (char *)osl_ctx_policy_path(ctx, cur, sizeof(cur));
		argv = in_force;
		argc = 1;
	}
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		struct osl_policy *p = NULL;
		char q[4200];

		err = osl_policy_load(&p, argv[i], &ctx->env);
		out_obj_open(NULL);
		out_str("file", NULL, argv[i]);
		out_bool("valid", NULL, !err);
		if (err) {
			out_error(err);
			/* the message already starts with FILE:LINE:COL */
			cli_stderr_line(cli_cmdpath, err->msg);
			status = OSL_EINPUT;	/* unreadable or invalid: bad input */
		} else {
			out_str("name", NULL, p->name);
			out_u64("rules", NULL, osl_policy_rules_written(p));
			out_str("hash", NULL, p->hash);
			out_text("%s: ok, %zu rules, %s\n", out_quote(argv[i], q, sizeof(q)),
			    osl_policy_rules_written(p), p->hash);
			out_vars(p);
			out_inert(p);
			warn_inert(p);
			warn_never(p);
		}
		out_obj_close();
		osl_policy_free(p);
	}
	out_arr_close();
	return status;
}

static const struct osl_error *
load_named_or_current(struct osl_ctx *ctx, int argc, char **argv, struct osl_policy **p,
    bool *owned)
{
	*owned = argc > 0;
	if (argc > 0)
		return osl_policy_load(p, argv[0], &ctx->env);
	return osl_ctx_policy(ctx, p);
}

static int
cmd_policy_show(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_policy *p = NULL;
	struct strbuf sb = STRBUF_INIT;
	bool owned;
	int r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc > 1)
		return cli_usage("one policy file at most");
	if ((err = load_named_or_current(ctx, argc, argv, &p, &owned)))
		return cli_error(err);
	if (out_is_json())
		out_json_item(NULL, osl_policy_to_json(p));
	else if ((err = osl_policy_to_yaml(p, &sb)))
		r = cli_error(err);
	else
		fwrite(sb_str(&sb), 1, sb.len, stdout);
	sb_release(&sb);
	if (owned)
		osl_policy_free(p);
	return r < 0 ? 0 : r;
}

static int
cmd_policy_explain(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_policy *p;
	struct osl_request rq;
	struct osl_decision d;
	enum osl_access acc;
	char buf[4096], reason[512];
	int r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc != 2)
		return cli_usage("ACTION and TARGET are needed, e.g. fs.write /etc/passwd");
	if (!osl_action_access(argv[0], &acc))
		return cli_usage("unknown action '%s' (one the policy decides: fs.read, fs.write, "
		    "fs.exec, net.connect, net.bind, net.resolve, proc.exec, proc.signal, ...)", argv[0]);
	if ((err = osl_request_from_target(acc, argv[1], &rq, buf, sizeof(buf))))
		return cli_error(err);
	if ((err = osl_ctx_policy(ctx, &p)))
		return cli_error(err);
	osl_policy_decide(p, &rq, &d);
	osl_decision_reason(p, &d, reason, sizeof(reason));

	out_obj_open(NULL);
	out_str("action", "%s ", argv[0]);
	out_str("target", "%s: ", argv[1]);
	out_str("decision", "%s\n", d.verdict == OSL_ALLOW ? "allow" : "deny");
	out_bool("audit", NULL, d.audit);
	out_bool("by_default", NULL, d.by_default);
	out_str("reason", "  reason: %s\n", reason);
	out_str("policy", "  policy: %s", p->source);
	out_str("hash", " (%s)\n", p->hash);
	out_vars(p);
	out_inert(p);
	if (d.rule)
		out_rule("rule", d.rule);
	else
		out_null("rule");
	out_arr_open("matched");
	if (d.nmatched)
		out_text("  matching rules, most specific first:\n");
	for (size_t i = 0; i < d.nmatched && i < OSL_DECISION_MAX_RULES; i++) {
		const struct osl_rule *m = d.matched[i];

		out_text("    %-12s %-32s %s%s\n", osl_rule_kind_name(m->kind), m->pattern,
		    m->where, m->id ? "" : "");
		if (m->id)
			out_text("    %-12s id: %s\n", "", m->id);
		out_rule(NULL, m);
	}
	out_arr_close();
	out_yields(p, &rq);
	out_obj_close();
	return d.verdict == OSL_ALLOW ? 0 : 1;
}

static int
cmd_policy_test(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_policy_cases *cs = NULL;
	struct osl_policy *p = NULL;
	const char *policy;
	bool *hit = NULL, owned = false;
	size_t pass = 0, fail = 0, uncovered = 0;
	int status = 0;

	if ((status = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return status;
	status = 0;
	policy = test_policy;
	if (argc != 1)
		return cli_usage("one case file is needed");
	if ((err = osl_policy_cases_load(&cs, argv[0])))
		return cli_error(err);
	if (cs->policy || policy) {
		owned = true;
		err = osl_policy_load(&p, cs->policy ? cs->policy : policy, &ctx->env);
	} else
		err = osl_ctx_policy(ctx, &p);
	if (err) {
		status = cli_error(err);
		goto done;
	}
	if (!(hit = calloc(p->nrules + 1, sizeof(*hit)))) {
		status = cli_error(osl_error_nomem());
		goto done;
	}

	out_obj_open(NULL);
	out_str("policy", NULL, p->source);
	out_str("hash", NULL, p->hash);
	out_text("1..%zu\n", cs->ncases);
	out_arr_open("cases");
	for (size_t i = 0; i < cs->ncases; i++) {
		const struct osl_policy_case *k = &cs->cases[i];
		struct osl_request rq;
		struct osl_decision d;
		char buf[4096], why[512] = "";
		bool ok;

		err = osl_request_from_target(k->access, k->target, &rq, buf, sizeof(buf));
		if (err) {
			snprintf(why, sizeof(why), "%s: %s", k->where, err->msg);
			ok = false;
			memset(&d, 0, sizeof(d));
		} else {
			osl_policy_decide(p, &rq, &d);
			for (size_t j = 0; j < d.nmatched && j < OSL_DECISION_MAX_RULES; j++)
				hit[d.matched[j] - p->rules] = true;
			ok = d.verdict == k->expect;
			if (!ok)
				snprintf(why, sizeof(why), "expected %s, got %s",
				    k->expect == OSL_ALLOW ? "allow" : "deny",
				    d.verdict == OSL_ALLOW ? "allow" : "deny");
			else if (k->rule && !(d.rule && osl_rule_is(d.rule, k->rule))) {
				ok = false;
				snprintf(why, sizeof(why), "expected rule %s, decided by %s",
				    k->rule, d.rule ? osl_rule_name(d.rule) : "the default");
			}
		}
		ok ? pass++ : fail++;
		out_obj_open(NULL);
		out_str("where", NULL, k->where);
		out_str("action", NULL, k->action);
		out_str("target", NULL, k->target);
		out_str("expect", NULL, k->expect == OSL_ALLOW ? "allow" : "deny");
		if (!err)
			out_str("got", NULL, d.verdict == OSL_ALLOW ? "allow" : "deny");
		out_str("rule", NULL, d.rule ? osl_rule_name(d.rule) : NULL);
		out_bool("ok", NULL, ok);
		if (!ok)
			out_str("why", NULL, why);
		out_obj_close();
		out_text("%s %zu - %s %s: %s", ok ? "ok" : "not ok", i + 1, k->action, k->target,
		    k->expect == OSL_ALLOW ? "allow" : "deny");
		if (k->rule)
			out_text(" by %s", k->rule);
		out_text(" (%s)\n", k->where);
		if (!ok)
			out_text("#   %s\n", why);
	}
	out_arr_close();
	out_arr_open("uncovered");
	/* a deny rule in force twice (osl_rule.account) is reached by either */
	for (size_t j = 1; j < p->nrules; j++)
		if (p->rules[j].account)
			hit[j - 1] = hit[j] = hit[j - 1] || hit[j];
	for (size_t j = 0; j < p->nrules; j++) {
		if (hit[j] || p->rules[j].account)
			continue;
		if (!uncovered++)
			out_text("# rules no case reached:\n");
		out_text("#   %s %s (%s)\n", osl_rule_kind_name(p->rules[j].kind),
		    p->rules[j].pattern, p->rules[j].where);
		out_rule(NULL, &p->rules[j]);
	}
	out_arr_close();
	out_u64("passed", NULL, pass);
	out_u64("failed", NULL, fail);
	out_text("# %zu passed, %zu failed, %zu of %zu rules reached\n", pass, fail,
	    osl_policy_rules_written(p) - uncovered, osl_policy_rules_written(p));
	out_obj_close();
	status = fail ? 1 : 0;
done:
	free(hit);
	if (owned)
		osl_policy_free(p);
	osl_policy_cases_free(cs);
	return status;
}
