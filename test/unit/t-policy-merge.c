/* extends: merging, strictness, cycles, depth, the hash, and the shipped
 * policies. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/builtin.h"
#include "policy/internal.h"
#include "policy/show.h"
#include "policy/policy.h"
#include "tap.h"

static const struct osl_policy_env env = {
	.home = "/home/u", .pwd = "/work/p", .user = "u", .uid = "1000",
};
static char dir[] = "/tmp/t-policy-merge-XXXXXX";

static void
put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

/* Load DIR/NAME; the error with DIR replaced by "D", or "OK". */
static const char *
load(const char *name, struct osl_policy **out)
{
	static char msg[OSL_ERROR_MSG_MAX];
	char path[512], *s;
	struct osl_policy *p = NULL;
	const struct osl_error *e;
	size_t dl = strlen(dir);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	e = osl_policy_load(&p, path, &env);
	if (out)
		*out = p;
	else
		osl_policy_free(p);
	if (!e)
		return "OK";
	snprintf(msg, sizeof(msg), "%s", e->msg);
	while ((s = strstr(msg, dir)) != NULL) {
		s[0] = 'D';
		memmove(s + 1, s + dl, strlen(s + dl) + 1);
	}
	return msg;
}

static enum osl_verdict
decide_path(const struct osl_policy *p, enum osl_access a, const char *path, const char **rule)
{
	struct osl_request rq = { .access = a, .path = path };
	struct osl_decision d;

	osl_policy_decide(p, &rq, &d);
	if (rule)
		*rule = d.rule ? osl_rule_name(d.rule) : NULL;
	return d.verdict;
}

static void
test_merge(void)
{
	struct osl_policy *p;
	const char *rule;

	put("base.yaml",
	    "version: 1\nname: base\ndescription: the base\nmode: enforce\ndefault: deny\n"
	    "fs:\n  read: [/srv/**]\n  deny: [{ path: /srv/secret/**, id: no-secret }]\n"
	    "net:\n  connect: [\"10.0.0.0/8:443\"]\n  resolve: true\n"
	    "proc:\n  signal: [self]\n  limits: { memory: 1G, cpu: 60s }\n"
	    "  env: { keep: [PATH, HOME], set: { A: base, B: base } }\n"
	    "  seccomp: { base: strict, deny: [ptrace] }\n"
	    "log:\n  level: warn\n  sink: stderr\n");
	put("child.yaml",
	    "version: 1\nname: child\nextends: [base.yaml]\n"
	    "fs:\n  read: [/srv/secret/public]\n  write: [/srv/out/**]\n"
	    "proc:\n  signal: [children]\n  limits: { memory: 512M }\n"
	    "  env: { keep: [HOME, TERM], set: { B: child } }\n"
	    "  seccomp: { deny: [ptrace, bpf] }\n"
	    "log:\n  level: debug\n");
	is_str(load("child.yaml", &p), "OK", "child extends base");
	if (!p)
		return;
	is_str(p->name, "child", "name overridden");
	is_str(p->description, "the base", "description inherited");
	is_int(p->nfiles, 2, "two files");
	ok(strstr(p->files[0], "base.yaml") && strstr(p->files[1], "child.yaml"),
	    "files: parents first");
	is_int(p->nrules, 5, "rules add up");
	ok(strstr(p->rules[0].where, "base.yaml:7:10") != NULL, "parent rules first, with where");
	is_int(decide_path(p, OSL_ACCESS_READ, "/srv/secret/public", &rule), OSL_DENY,
	    "a parent's deny wins over a child's allow");
	is_str(rule, "no-secret", "deciding rule");
	is_int(decide_path(p, OSL_ACCESS_WRITE, "/srv/out/x", NULL), OSL_ALLOW, "child allow");
	is_int(decide_path(p, OSL_ACCESS_READ, "/srv/x", NULL), OSL_ALLOW, "parent allow");
	is_int(p->signal_scope, OSL_SIGNAL_SELF | OSL_SIGNAL_CHILDREN, "signal scopes add up");
	is_int(p->limits.memory, 512ULL << 20, "limit lowered");
	is_int(p->limits.cpu_ns, 60000000000ULL, "limit inherited");
	is_int(p->nenv_keep, 3, "env keep: union");
	is_int(p->nenv_set, 2, "env set merged by key");
	is_str(p->env_set[1].value, "child", "env set: child overrides");
	is_str(p->env_set[0].value, "base", "env set: parent kept");
	is_int(p->seccomp.base, OSL_SECCOMP_STRICT, "seccomp base inherited");
	is_int(p->seccomp.ndeny, 2, "seccomp deny: union");
	ok(p->net_resolve, "resolve inherited");
	is_int(p->log.level, OSL_LEVEL_DEBUG, "log level overridden");
	is_str(p->log.sink, "stderr", "log sink inherited");
	osl_policy_free(p);

	/* strictness */
	put("weak-default.yaml", "version: 1\nextends: [base.yaml]\ndefault: allow\n");
	is_str(load("weak-default.yaml", NULL), "D/weak-default.yaml:3:10: default: allow would "
	    "weaken default: deny from D/base.yaml:5:10 (default may only get stricter down an "
	    "extends chain)", "default may not weaken");
	put("allow.yaml", "version: 1\ndefault: allow\nmode: audit\n");
	put("deny-over-allow.yaml", "version: 1\nextends: allow.yaml\ndefault: deny\nmode: enforce\n");
	is_str(load("deny-over-allow.yaml", &p), "OK", "default and mode may get stricter");
	if (p) {
		is_int(p->dflt, OSL_DENY, "default deny");
		is_int(p->mode, OSL_MODE_ENFORCE, "audit -> enforce");
		osl_policy_free(p);
	}
	put("weak-mode.yaml", "version: 1\nextends: [base.yaml]\nmode: audit\n");
	is_str(load("weak-mode.yaml", NULL), "D/weak-mode.yaml:3:7: mode: audit would weaken "
	    "mode: enforce from D/base.yaml:4:7 (mode may only get stricter down an extends chain)",
	    "mode may not weaken");
	put("high-limit.yaml", "version: 1\nextends: [base.yaml]\nproc: {limits: {memory: 2G}}\n");
	is_str(load("high-limit.yaml", NULL), "D/high-limit.yaml:3:25: proc.limits.memory: 2G "
	    "is above 1G from D/base.yaml:14:21 (limits may only get lower down an extends chain)",
	    "limits may not rise");
	put("high-cpu.yaml", "version: 1\nextends: [base.yaml]\nproc: {limits: {cpu: 2m}}\n");
	is_str(load("high-cpu.yaml", NULL), "D/high-cpu.yaml:3:22: proc.limits.cpu: 2m is above "
	    "1m from D/base.yaml:14:30 (limits may only get lower down an extends chain)",
	    "durations too");
	put("new-limit.yaml", "version: 1\nextends: [base.yaml]\nproc: {limits: {nofile: 99}}\n");
	is_str(load("new-limit.yaml", NULL), "OK", "a limit the parent did not set");

	/* errors in parents name the parent's file */
	put("broken.yaml", "version: 1\nfs: {raed: []}\n");
	put("uses-broken.yaml", "version: 1\nextends: [broken.yaml]\n");
	is_str(load("uses-broken.yaml", NULL), "D/broken.yaml:2:6: unknown key 'raed' in fs "
	    "(expected read, write, exec, deny)", "a parent's error names the parent");
	put("missing.yaml", "version: 1\nextends: [nope.yaml]\n");
	is_str(load("missing.yaml", NULL), "D/missing.yaml:2:11: extends: cannot open "
	    "'D/nope.yaml': No such file or directory", "missing parent");
	put("dirparent.yaml", "version: 1\nextends: [\"/dev/null\"]\n");
	is_str(load("dirparent.yaml", NULL), "D/dirparent.yaml:2:11: extends: cannot open "
	    "'/dev/null': not a regular file", "parents are regular files");
}

static void
test_chains(void)
{
	char name[64], text[256];
	struct osl_policy *p;

	/* cycles: self, two files, three files */
	put("self.yaml", "version: 1\nextends: [self.yaml]\n");
	is_str(load("self.yaml", NULL), "D/self.yaml:2:11: extends cycle: D/self.yaml -> "
	    "D/self.yaml", "a file extending itself");
	put("a.yaml", "version: 1\nextends: [b.yaml]\n");
	put("b.yaml", "version: 1\nextends: [c.yaml]\n");
	put("c.yaml", "version: 1\nextends: [./a.yaml]\n");
	is_str(load("a.yaml", NULL), "D/c.yaml:2:11: extends cycle: D/a.yaml -> D/b.yaml -> "
	    "D/c.yaml -> D/./a.yaml", "a three-file cycle (by real path)");
	/* a diamond is not a cycle: the shared parent is merged once */
	put("top.yaml", "version: 1\nfs: {read: [/top]}\n");
	put("left.yaml", "version: 1\nextends: [top.yaml]\n");
	put("right.yaml", "version: 1\nextends: [top.yaml]\n");
	put("diamond.yaml", "version: 1\nextends: [left.yaml, right.yaml]\n");
	is_str(load("diamond.yaml", &p), "OK", "diamond");
	if (p) {
		is_int(p->nfiles, 4, "diamond: 4 files");
		is_int(p->nrules, 1, "diamond: the shared parent once");
		osl_policy_free(p);
	}
	/* depth: 16 files load, 17 do not */
	for (int i = 1; i <= 17; i++) {
		snprintf(name, sizeof(name), "d%d.yaml", i);
		if (i < 17)
			snprintf(text, sizeof(text), "version: 1\nextends: [d%d.yaml]\n", i + 1);
		else
			snprintf(text, sizeof(text), "version: 1\nfs: {read: [/deep]}\n");
		put(name, text);
	}
	is_str(load("d2.yaml", &p), "OK", "a chain of 16 files");
	if (p) {
		is_int(p->nfiles, 16, "16 files");
		osl_policy_free(p);
	}
	is_str(load("d1.yaml", NULL), "D/d16.yaml:2:11: extends chain deeper than 16 files",
	    "a chain of 17 files");
	/* built-in parents */
	put("b1.yaml", "version: 1\nname: mine\nextends: [builtin:strict]\n"
	    "fs: {write: [\"${PWD}/out/**\"]}\n");
	is_str(load("b1.yaml", &p), "OK", "extends builtin:strict");
	if (p) {
		/* strict extends secrets: the parent first */
		is_int(p->nfiles, 3, "three files");
		is_str(p->files[0], "builtin:secrets", "builtin:strict's parent in files");
		is_str(p->files[1], "builtin:strict", "builtin in files");
		is_str(p->name, "mine", "name");
		is_int(decide_path(p, OSL_ACCESS_WRITE, "/work/p/out/a.o", NULL), OSL_ALLOW,
		    "child's write");
		is_int(decide_path(p, OSL_ACCESS_READ, "/home/u/.ssh/id_rsa", NULL), OSL_DENY,
		    "strict's deny");
		osl_policy_free(p);
	}
	put("b2.yaml", "version: 1\nextends: [builtin:nope]\n");
	is_str(load("b2.yaml", NULL), "D/b2.yaml:2:11: extends: unknown built-in policy "
	    "'builtin:nope' (known: ci, default, net-none, readonly, secrets, strict)", "unknown builtin");
	put("b3.yaml", "version: 1\nextends: [builtin:strict]\nproc: {limits: {memory: 4G}}\n");
	is_str(load("b3.yaml", NULL), "D/b3.yaml:3:25: proc.limits.memory: 4G is above 2G from "
	    "builtin:strict:53:41 (limits may only get lower down an extends chain)",
	    "builtin limits hold");
}

static void
test_hash(void)
{
	struct osl_policy *a = NULL, *b = NULL, *c = NULL;
	char ha[80] = "", hb[80] = "", hc[80] = "";

	put("h1.yaml", "version: 1\nname: h\nfs: {read: [/a/**, /b], deny: [{path: /a/s, id: s}]}\n");
	put("h2.yaml", "# same content, other layout\nversion: 1\nname: \"h\"\nfs:\n"
	    "  read:\n    - /a/**\n    - \"/b/\"\n  deny:\n    - { id: s, path: /a//s }\n");
	put("h3.yaml", "version: 1\nname: h\nfs: {read: [/a/**, /c], deny: [{path: /a/s, id: s}]}\n");
	load("h1.yaml", &a);
	load("h2.yaml", &b);
	load("h3.yaml", &c);
	if (a && b && c) {
		snprintf(ha, sizeof(ha), "%s", a->hash);
		snprintf(hb, sizeof(hb), "%s", b->hash);
		snprintf(hc, sizeof(hc), "%s", c->hash);
	}
	ok(strncmp(ha, "sha256:", 7) == 0 && strlen(ha) == 71, "hash is sha256:64hex");
	is_str(ha, hb, "same merged content, same hash");
	ok(strcmp(ha, hc) != 0, "other content, other hash");
	osl_policy_free(a);
	osl_policy_free(b);
	osl_policy_free(c);
	load("h1.yaml", &a);
	is_str(a ? a->hash : "", ha, "stable across loads");
	osl_policy_free(a);
}

/* The hash of the policy in DIR/NAME after writing TEXT there ("" on error). */
static const char *
hash_of(const char *name, const char *text, char *buf)
{
	struct osl_policy *p = NULL;

	put(name, text);
	load(name, &p);
	snprintf(buf, 80, "%s", p ? p->hash : "");
	osl_policy_free(p);
	return buf;
}

/* Every part of what a policy does is in the hash; nothing of its layout. */
static void
test_hash_fields(void)
{
	static const char *const base = "version: 1\nname: h\n"
	    "fs: {read: [/a/**, /b], write: [/w], deny: [{path: /a/s, id: s}]}\n"
	    "net: {connect: ['*:443'], resolve: true}\n"
	    "proc: {limits: {cpu: 10s}, env: {keep: [PATH], set: {A: b}}}\n"
	    "log: {level: info}\n";
	static const struct { const char *text, *what; } other[] = {
		{ "version: 1\nname: h\n"
		  "fs: {read: [/b, /a/**], write: [/w], deny: [{path: /a/s, id: s}]}\n"
		  "net: {connect: ['*:443'], resolve: true}\n"
		  "proc: {limits: {cpu: 10s}, env: {keep: [PATH], set: {A: b}}}\n"
		  "log: {level: info}\n", "rules of one kind in another order" },
		{ "version: 1\nname: h\n"
		  "fs: {read: [/a/**, /b], write: [/w], deny: [{path: /a/s, id: t}]}\n"
		  "net: {connect: ['*:443'], resolve: true}\n"
		  "proc: {limits: {cpu: 10s}, env: {keep: [PATH], set: {A: b}}}\n"
		  "log: {level: info}\n", "a rule's id" },
		{ "version: 1\nname: h\n"
		  "fs: {read: [/a/**, /b], exec: [/w], deny: [{path: /a/s, id: s}]}\n"
		  "net: {connect: ['*:443'], resolve: true}\n"
		  "proc: {limits: {cpu: 10s}, env: {keep: [PATH], set: {A: b}}}\n"
		  "log: {level: info}\n", "a rule's kind" },
		{ "version: 1\nname: h\n"
		  "fs: {read: [/a/**, /b], write: [/w], deny: [{path: /a/s, id: s}]}\n"
		  "net: {connect: ['*:443'], resolve: false}\n"
		  "proc: {limits: {cpu: 10s}, env: {keep: [PATH], set: {A: b}}}\n"
		  "log: {level: info}\n", "net.resolve" },
		{ "version: 1\nname: h\n"
		  "fs: {read: [/a/**, /b], write: [/w], deny: [{path: /a/s, id: s}]}\n"
		  "net: {connect: ['*:443'], resolve: true}\n"
		  "proc: {limits: {cpu: 11s}, env: {keep: [PATH], set: {A: b}}}\n"
		  "log: {level: info}\n", "a limit" },
		{ "version: 1\nname: h\n"
		  "fs: {read: [/a/**, /b], write: [/w], deny: [{path: /a/s, id: s}]}\n"
		  "net: {connect: ['*:443'], resolve: true}\n"
		  "proc: {limits: {cpu: 10s}, env: {keep: [PATH], set: {A: c}}}\n"
		  "log: {level: info}\n", "an environment value" },
		{ "version: 1\nname: h\n"
		  "fs: {read: [/a/**, /b], write: [/w], deny: [{path: /a/s, id: s}]}\n"
		  "net: {connect: ['*:443'], resolve: true}\n"
		  "proc: {limits: {cpu: 10s}, env: {keep: [PATH], set: {A: b}}}\n"
		  "log: {level: debug}\n", "log.level" },
		{ "version: 1\nname: h2\n"
		  "fs: {read: [/a/**, /b], write: [/w], deny: [{path: /a/s, id: s}]}\n"
		  "net: {connect: ['*:443'], resolve: true}\n"
		  "proc: {limits: {cpu: 10s}, env: {keep: [PATH], set: {A: b}}}\n"
		  "log: {level: info}\n", "the name" },
		/* one string for another of the same bytes across two fields */
		{ "version: 1\nname: h\n"
		  "fs: {read: [/a/**, /b], write: [/w], deny: [{path: /a/s, id: s}]}\n"
		  "net: {connect: ['*:443'], resolve: true}\n"
		  "proc: {limits: {cpu: 10s}, env: {keep: [PATH], set: {Ab: ''}}}\n"
		  "log: {level: info}\n", "where one string ends" },
	};
	char h0[80], h1[80], h2[80];

	hash_of("f0.yaml", base, h0);
	ok(strlen(h0) == 71, "base policy loads");
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		hash_of("f1.yaml", other[i].text, h1);
		ok(strlen(h1) == 71 && strcmp(h0, h1) != 0, "hash changes with %s", other[i].what);
	}
	/* the same policy from an extends chain, parts in another order */
	put("fp.yaml", "version: 1\nfs: {read: [/a/**], deny: [{path: /a/s, id: s}]}\n"
	    "net: {connect: ['*:443']}\nproc: {env: {set: {A: b}}}\n");
	hash_of("f2.yaml", "version: 1\nextends: fp.yaml\nname: h\nlog: {level: info}\n"
	    "net: {resolve: true}\nproc: {limits: {cpu: 10000ms}, env: {keep: [PATH]}}\n"
	    "fs: {write: [/w], read: [/b]}\n", h2);
	is_str(h2, h0, "same policy from two files in another layout, same hash");
}

static bool
same_tree(const struct ynode *a, const struct ynode *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type || a->line != b->line || a->col != b->col ||
	    a->plain != b->plain || a->len != b->len || a->nkids != b->nkids ||
	    (a->str || b->str) != (a->str && b->str) ||
	    (a->str && memcmp(a->str, b->str, a->len + 1) != 0))
		return false;
	for (size_t i = 0; i < a->nkids; i++)
		if (!same_tree(a->kids[i], b->kids[i]))
			return false;
	return true;
}

/* The tree built into the program is the text's, and loading either gives
 * the same policy (messages' FILE:LINE:COL included). */
static void
test_builtin_trees(const struct osl_builtin_policy *b, const char *name)
{
	struct osl_policy *p = NULL, *q = NULL;
	struct strbuf sp = STRBUF_INIT, sq = STRBUF_INIT;
	struct ynode *root = NULL;
	const struct osl_error *e;

	e = ydoc_parse(&root, name, b->text, b->len);
	ok(e == NULL && same_tree(root, b->root), "%s: built-in tree is the text's", name);
	ynode_free(root);
	ok(osl_policy_load(&p, name, &env) == NULL &&
	    osl_policy_load_buf(&q, name, b->text, b->len, &env) == NULL,
	    "%s: loads from tree and from text", name);
	if (p && q) {
		osl_policy_to_yaml(p, &sp);
		osl_policy_to_yaml(q, &sq);
		is_str(sb_str(&sp), sb_str(&sq), "%s: same policy from tree and text", name);
	}
	sb_release(&sp);
	sb_release(&sq);
	osl_policy_free(p);
	osl_policy_free(q);
}

static void
test_builtins(void)
{
	int n = 0;

	for (const struct osl_builtin_policy *b = osl_builtin_policies; b->name; b++, n++) {
		struct osl_policy *p = NULL;
		char name[64];
		const struct osl_error *e;

		snprintf(name, sizeof(name), "builtin:%s", b->name);
		e = osl_policy_load(&p, name, &env);
		if (!ok(e == NULL, "%s loads", name))
			printf("# %s\n", e->msg);
		if (p) {
			is_str(p->name, b->name, "%s is named %s", name, b->name);
			ok(p->description && *p->description, "%s has a description", name);
			ok(strncmp(b->text, "# ", 2) == 0, "%s starts with a comment", name);
			osl_policy_free(p);
		}
		test_builtin_trees(b, name);
	}
	is_int(n, 6, "six shipped policies");
}

/* Every row of the settings table is in the hash: two policies that differ
 * only in it hash differently.  A row of a type this cannot vary fails. */
static void
test_hash_every_setting(void)
{
	static char *one[] = { "x" };
	static struct osl_kv kv = { "A", "b" };

	for (int f = 0; f < LF__COUNT; f++) {
		const struct setting *s = &settings[f];
		struct osl_policy p0, p1;
		struct osl_rule r = { .kind = (enum osl_rule_kind)s->arg, .expanded = "/x" };
		bool varied = true;

		memset(&p0, 0, sizeof(p0));
		policy_defaults(&p0);
		p1 = p0;
		switch (s->type) {
		case ST_STR:
			*(char **)setting_ptr(&p1, s) = "x";
			break;
		case ST_STRS:
			*(char ***)setting_ptr(&p1, s) = one;
			*setting_count(&p1, s) = 1;
			break;
		case ST_ENV:
			p1.env_set = &kv;
			p1.nenv_set = 1;
			break;
		case ST_RULES:
			p1.rules = &r;
			p1.nrules = 1;
			break;
		case ST_ENUM:
		case ST_BOOL:
		case ST_BITS:
		case ST_CAPS:
		case ST_DURATION:
		case ST_SIZE:
		case ST_COUNT:
			setting_set_num(&p1, s, setting_num(&p0, s) ^ 1);
			break;
		default:
			varied = false;
		}
		policy_hash(&p0);
		policy_hash(&p1);
		ok(varied && strcmp(p0.hash, p1.hash) != 0, "%s is in the hash", s->key);
	}
}

/* Every row of the settings table is in man/osl-policy.5 (KEYS): *KEY*, or
 * its map's *KEY* and its own *LEAF*. */
static void
test_settings_documented(void)
{
	const char *top = getenv("OSL_TOP");
	char path[512], *man = NULL, want[128];
	size_t n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/man/osl-policy.5.scd", top ? top : ".");
	if ((fp = fopen(path, "r")) != NULL) {
		man = calloc(1, 1 << 20);
		n = man ? fread(man, 1, (1 << 20) - 1, fp) : 0;
		fclose(fp);
	}
	if (!ok(n > 0, "man/osl-policy.5.scd read")) {
		free(man);
		return;
	}
	for (int f = 0; f < LF__COUNT; f++) {
		const struct setting *s = &settings[f];
		const char *leaf = setting_leaf(s);
		bool found;

		snprintf(want, sizeof(want), "*%s*", s->key);
		found = strstr(man, want) != NULL;
		if (!found && leaf != s->key) {
			snprintf(want, sizeof(want), "*%.*s*", (int)(leaf - 1 - s->key), s->key);
			found = strstr(man, want) != NULL;
			snprintf(want, sizeof(want), "*%s*", leaf);
			found = found && strstr(man, want) != NULL;
		}
		ok(found, "%s is in man/osl-policy.5", s->key);
	}
	free(man);
}

int
main(void)
{
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_merge();
	test_chains();
	test_hash();
	test_hash_fields();
	test_hash_every_setting();
	test_settings_documented();
	test_builtins();
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return done_testing();
}
