/* The policy loader: every limit and every error, with its exact message. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "policy/policy.h"
#include "tap.h"

static const struct osl_policy_env env = {
	.home = "/home/u", .pwd = "/work/p", .user = "u", .uid = "1000",
};

/* Load S as "t.yaml"; the error message, or "OK". */
static const char *
load(const char *s, size_t len)
{
	static char msg[OSL_ERROR_MSG_MAX];
	struct osl_policy *p;
	const struct osl_error *e = osl_policy_load_buf(&p, "t.yaml", s, len, &env);

	if (!e) {
		osl_policy_free(p);
		return "OK";
	}
	snprintf(msg, sizeof(msg), "%s", e->msg);
	return msg;
}

#define ERR(text, want) is_str(load(text, sizeof(text) - 1), want, "%s", want)

/* P's verdict on a read of PATH */
static enum osl_verdict
read_verdict(const struct osl_policy *p, const char *path)
{
	struct osl_request rq = { .access = OSL_ACCESS_READ, .path = path };
	struct osl_decision d;

	osl_policy_decide(p, &rq, &d);
	return d.verdict;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_limits(void)
{
	char *big, *deep;
	double t0;
	const char *m;

	/* anchors and aliases, billion laughs */
	ERR("version: 1\nname: &a x\ndescription: *a\n",
	    "t.yaml:2:7: anchors and aliases are not allowed (&a)");
	ERR("version: 1\nx: *a\n", "t.yaml:2:4: anchors and aliases are not allowed (*a)");
	ERR("version: 1\n"
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
	    "t.yaml:2:4: anchors and aliases are not allowed (&a)");
	/* tags */
	ERR("version: !!str 1\n",
	    "t.yaml:1:10: explicit tags are not allowed (tag:yaml.org,2002:str)");
	ERR("version: 1\nfs: !!map {}\n",
	    "t.yaml:2:5: explicit tags are not allowed (tag:yaml.org,2002:map)");
	ERR("%TAG ! tag:x,2000:\n---\nversion: 1\n",
	    "t.yaml:1:1: explicit tags are not allowed (%TAG directive)");
	/* duplicate keys, small and large maps */
	ERR("version: 1\nname: a\nname: b\n", "t.yaml:3:1: duplicate key 'name' (first at line 2)");
	ERR("version: 1\nfs: {read: [], read: []}\n",
	    "t.yaml:2:16: duplicate key 'read' (first at line 2)");
	{
		char buf[4096];
		size_t n = (size_t)snprintf(buf, sizeof(buf), "version: 1\nproc:\n  env:\n    set:\n");

		for (int i = 0; i < 40; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "      V%d: x\n", i);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "      V7: y\n");
		is_str(load(buf, n), "t.yaml:45:7: duplicate key 'V7' (first at line 12)",
		    "duplicate key in a large map");
	}
	/* unknown keys, named with their place */
	ERR("version: 1\nfs:\n  reed: []\n",
	    "t.yaml:3:3: unknown key 'reed' in fs (expected read, write, exec, deny)");
	ERR("version: 1\nversoin: 1\n", "t.yaml:2:1: unknown key 'versoin' in the policy "
	    "(expected version, name, description, extends, mode, default, fs, net, proc, log)");
	ERR("version: 1\nfs: {read: [{path: /x, ids: a}]}\n",
	    "t.yaml:2:24: unknown key 'ids' in fs.read (expected path, id)");
	ERR("version: 1\nlog: {rotate: {size: 1M, count: 3}}\n",
	    "t.yaml:2:26: unknown key 'count' in log.rotate (expected size, keep)");
	/* nesting: 64 is fine, 65 is not, 100k stops at once */
	{
		char buf[512];
		size_t n = 0;

		n += (size_t)snprintf(buf, sizeof(buf), "version: 1\nx: ");
		for (int i = 0; i < 63; i++)
			buf[n++] = '[';
		for (int i = 0; i < 63; i++)
			buf[n++] = ']';
		buf[n++] = '\n';
		is_str(load(buf, n), "t.yaml:2:1: unknown key 'x' in the policy (expected version, "
		    "name, description, extends, mode, default, fs, net, proc, log)",
		    "nesting of 64 parses (then the key is unknown)");
		n = (size_t)snprintf(buf, sizeof(buf), "version: 1\nx: ");
		for (int i = 0; i < 64; i++)
			buf[n++] = '[';
		buf[n] = '\0';
		is_str(load(buf, n), "t.yaml:2:67: nesting deeper than 64 levels", "nesting of 65");
	}
	deep = malloc(100000);
	memset(deep, '[', 100000);
	t0 = now();
	m = load(deep, 100000);
	printf("# 100,000-deep [[[...: rejected in %.3f ms\n", (now() - t0) * 1e3);
	is_str(m, "t.yaml:1:65: nesting deeper than 64 levels", "100k nesting");
	memset(deep, ' ', 100000);
	memcpy(deep, "version: 1\nx: ", 14);
	for (int i = 14; i + 4 < 100000; i += 4)
		memcpy(deep + i, "{a: ", 4);
	m = load(deep, 100000);
	is_str(m, "t.yaml:2:256: nesting deeper than 64 levels", "100k nested maps");
	free(deep);
	/* size: the buffer and a sparse 2 GiB file */
	big = malloc(OSL_POLICY_MAX_BYTES + 1);
	memset(big, '#', OSL_POLICY_MAX_BYTES + 1);
	memcpy(big, "version: 1\n", 11);
	is_str(load(big, OSL_POLICY_MAX_BYTES + 1),
	    "t.yaml:1:1: policy is larger than 1 MiB (1048577 bytes)", "oversized buffer");
	big[OSL_POLICY_MAX_BYTES - 1] = '\n';
	is_str(load(big, OSL_POLICY_MAX_BYTES), "OK", "exactly 1 MiB loads");
	free(big);
	{
		char path[] = "/tmp/t-policy-load-XXXXXX";
		int fd = mkstemp(path);
		struct osl_policy *p;
		const struct osl_error *e;
		char want[256];

		ok(fd >= 0 && ftruncate(fd, 2LL << 30) == 0, "sparse 2 GiB file");
		close(fd);
		t0 = now();
		e = osl_policy_load(&p, path, &env);
		printf("# 2 GiB file: rejected in %.3f ms\n", (now() - t0) * 1e3);
		snprintf(want, sizeof(want), "%s:1:1: policy is larger than 1 MiB (2147483648 bytes)",
		    path);
		is_str(e ? e->msg : "OK", want, "2 GiB file refused before reading");
		is_int(e ? e->status : 0, OSL_EINPUT, "status OSL_EINPUT");
		unlink(path);
	}
	/* more than one document */
	ERR("version: 1\n---\nversion: 1\n", "t.yaml:2:1: more than one document");
	ERR("version: 1\n...\n---\nname: x\n", "t.yaml:3:1: more than one document");
	/* invalid UTF-8, binary junk, NUL */
	ERR("version: 1\nname: \xff\n",
	    "t.yaml:2:7: invalid UTF-8 (invalid leading UTF-8 octet #xff)");
	ERR("version: 1\nname: \xc3(\n",
	    "t.yaml:2:8: invalid UTF-8 (invalid trailing UTF-8 octet #x28)");
	ERR("version: 1\n\x01\x02\x03", "t.yaml:2:1: binary data: control character #x01 is not allowed");
	ERR("version: 1\nname: x\x00y\n", "t.yaml:2:8: binary data: NUL byte is not allowed");
	ERR("\x7f" "ELF\x02\x01\x01", "t.yaml:1:1: binary data: control character #x7f is not allowed");
	ERR("version: 1\nname: \"a\\0b\"\n", "t.yaml:2:7: binary data: NUL character in a string");
	ERR("\xff\xfe" "v\0e\0r\0", "t.yaml:1:4: binary data: NUL byte is not allowed");
	/* version */
	ERR("version: 2\n", "t.yaml:1:10: unsupported version '2' (only 1 is known)");
	ERR("version: 1.0\n", "t.yaml:1:10: unsupported version '1.0' (only 1 is known)");
	ERR("version: [1]\n", "t.yaml:1:10: unsupported version 'a list' (only 1 is known)");
	ERR("name: x\n", "t.yaml:1:1: version is required (version: 1)");
	ERR("", "t.yaml:1:1: empty policy (version: 1 is required)");
	ERR("# only a comment\n", "t.yaml:1:1: empty policy (version: 1 is required)");
	/* malformed YAML */
	ERR("version: 1\n  bad: indent\n",
	    "t.yaml:2:6: invalid YAML: mapping values are not allowed in this context");
	ERR("version: 1\nname: \"open\n",
	    "t.yaml:3:1: invalid YAML: found unexpected end of stream while scanning a quoted scalar");
}

static void
test_types(void)
{
	ERR("- a\n", "t.yaml:1:1: a policy is a map, got a list");
	ERR("just text\n", "t.yaml:1:1: a policy is a map, got a string");
	ERR("version: 1\nfs: [a]\n", "t.yaml:2:5: fs: expected a map, got a list");
	ERR("version: 1\nfs: {read: /x}\n", "t.yaml:2:12: fs.read: expected a list, got a string");
	ERR("version: 1\nfs: {read: {a: b}}\n", "t.yaml:2:12: fs.read: expected a list, got a map");
	ERR("version: 1\nfs: {read: [[/x]]}\n",
	    "t.yaml:2:13: fs.read: a rule is a string or a map, got a list");
	ERR("version: 1\nfs: {read: [{id: x}]}\n", "t.yaml:2:13: fs.read: a rule map needs 'path:'");
	ERR("version: 1\nnet: {connect: [{path: x}]}\n",
	    "t.yaml:2:18: unknown key 'path' in net.connect (expected addr, id)");
	ERR("version: 1\nname: [a]\n", "t.yaml:2:7: name: expected a string, got a list");
	ERR("version: 1\nname:\n", "t.yaml:2:6: name: expected a string, got nothing");
	ERR("version: 1\nnet: {resolve: yes}\n",
	    "t.yaml:2:16: net.resolve: expected true or false, got 'yes'");
	ERR("version: 1\nlog: {chain: True}\n",
	    "t.yaml:2:14: log.chain: expected true or false, got 'True'");
	ERR("version: 1\nmode: permissive\n",
	    "t.yaml:2:7: mode: expected enforce | audit, got 'permissive'");
	ERR("version: 1\ndefault: maybe\n", "t.yaml:2:10: default: expected deny | allow, got 'maybe'");
	ERR("version: 1\nversion: 1\n", "t.yaml:2:1: duplicate key 'version' (first at line 1)");
	ERR("version: 1\n{a: b}: c\n", "t.yaml:2:1: map keys must be strings, not a map");
	ERR("version: 1\nproc: {signal: [everyone]}\n",
	    "t.yaml:2:17: proc.signal: expected self | children | same-user | any, got 'everyone'");
	ERR("version: 1\nproc: {limits: {cpu: 10q}}\n", "t.yaml:2:22: proc.limits.cpu: '10q': bad "
	    "duration (e.g. 250ms, 10s, 5m); more than 0 is needed");
	ERR("version: 1\nproc: {limits: {memory: lots}}\n",
	    "t.yaml:2:25: proc.limits.memory: invalid size 'lots' (e.g. 512K, 64M, 1G)");
	ERR("version: 1\nproc: {limits: {nofile: -1}}\n",
	    "t.yaml:2:25: proc.limits.nofile: invalid number '-1'");
	ERR("version: 1\nproc: {env: {keep: [\"A B\"]}}\n",
	    "t.yaml:2:21: proc.env.keep: invalid name 'A B' (letters, digits and '_')");
	ERR("version: 1\nproc: {env: {set: {X: [1]}}}\n",
	    "t.yaml:2:23: proc.env.set.X: expected a string, got a list");
	ERR("version: 1\nproc: {seccomp: paranoid}\n",
	    "t.yaml:2:17: proc.seccomp: expected default | strict | none, got 'paranoid'");
	ERR("version: 1\nproc: {seccomp: {deny: [\"ptrace()\"]}}\n",
	    "t.yaml:2:25: proc.seccomp.deny: invalid name 'ptrace()' (a system call name or @group)");
	ERR("version: 1\nlog: {level: loud}\n",
	    "t.yaml:2:14: log.level: expected debug | info | notice | warn | error | critical, got 'loud'");
	ERR("version: 1\nlog: {sink: \"tcp:x\"}\n", "t.yaml:2:13: log.sink: expected file:PATH | "
	    "stderr | syslog | syslog:PATH | journald | none, got 'tcp:x'");
	ERR("version: 1\nlog: {sink: \"file:relative\"}\n",
	    "t.yaml:2:13: log.sink: 'relative': not an absolute path");
	ERR("version: 1\nextends: {a: b}\n", "t.yaml:2:10: extends: expected a list, got a map");
	ERR("version: 1\nfs: {read: [{path: /x, id: 'a b'}]}\n",
	    "t.yaml:2:28: fs.read: invalid id 'a b' (1-64 letters, digits, '.', '_' or '-')");
	ERR("version: 1\nfs: {read: [{path: /x, id: a}, {path: /y, id: a}]}\n",
	    "t.yaml:2:32: duplicate rule id 'a' (first at t.yaml:2:13)");
	/* of the ids that repeat, the first in byte order, at its second rule */
	ERR("version: 1\nfs: {read: [{path: /1, id: b}, {path: /2, id: a}, {path: /3, id: b}, "
	    "{path: /4, id: a}, {path: /5, id: a}]}\n",
	    "t.yaml:2:70: duplicate rule id 'a' (first at t.yaml:2:32)");
	ERR("version: 1\nfs: {read: [{path: /1, id: r1}, {path: /2, id: r2}, {path: /3, id: r3}, "
	    "{path: /4, id: r4}, {path: /5, id: r5}, {path: /6, id: r6}, {path: /7, id: r7}, "
	    "{path: /8, id: r8}, {path: /9, id: r9}]}\nnet: {connect: [{addr: \"*:1\", id: r9}, "
	    "{addr: \"*:2\", id: r3}]}\n",
	    "t.yaml:3:40: duplicate rule id 'r3' (first at t.yaml:2:53)");
	ERR("version: 1\nfs: {read: [\"/a[bc\"]}\n",
	    "t.yaml:2:13: fs.read: '/a[bc': unclosed '[' or trailing '\\'");
	ERR("version: 1\nnet: {connect: [\"1.2.3.4:99999\"]}\n",
	    "t.yaml:2:17: net.connect: '1.2.3.4:99999': invalid port (0-65535 or *)");
	/* null containers are empty */
	ERR("version: 1\nfs:\nnet:\n  connect:\nproc:\nlog:\n", "OK");
}

static void
test_values(void)
{
	static const char text[] =
	    "version: 1\n"
	    "name: demo\n"
	    "description: \"a demo\"\n"
	    "mode: audit\n"
	    "default: allow\n"
	    "fs:\n"
	    "  read: [/usr/**, \"~/src/**\", { path: \"${PWD}//build/\", id: build-dir }]\n"
	    "  write: [\"${TMPDIR}/**\", \"${XDG_STATE_HOME}/x\", \"${XDG_RUNTIME_DIR}/s\"]\n"
	    "  exec: [\"/opt/${USER}-${UID}/./bin/**\"]\n"
	    "  deny: [\"**/.env\", \"${XDG_CONFIG_HOME}/k\"]\n"
	    "net:\n"
	    "  connect: [\"127.0.0.1:5432\", { addr: \"*.Debian.org.:443\", id: deb }]\n"
	    "  resolve: true\n"
	    "proc:\n"
	    "  signal: [children, same-user]\n"
	    "  limits: { cpu: 60s, wall: 10m, memory: 1G, nofile: 1024, nproc: 256, fsize: 1G, core: 0 }\n"
	    "  env: { keep: [PATH, HOME], set: { CI: \"1\" } }\n"
	    "  seccomp: { base: strict, deny: [ptrace, \"@mount\"], allow: [clone3] }\n"
	    "log:\n"
	    "  level: notice\n"
	    "  sink: \"file:${XDG_STATE_HOME}/osl/a.jsonl\"\n"
	    "  sync: always\n"
	    "  chain: false\n"
	    "  on_failure: continue\n"
	    "  rotate: { size: 64M, keep: 3 }\n"
	    "  checkpoint: { every: 50, interval: 5m, key: \"~/.config/osl/k\" }\n";
	struct osl_policy *p = NULL;
	const struct osl_error *e;
	struct osl_policy_env env2 = env;

	e = osl_policy_load_buf(&p, "t.yaml", text, sizeof(text) - 1, &env);
	if (!ok(e == NULL, "full example loads"))
		printf("# %s\n", e->msg);
	if (!p)
		return;
	is_str(p->name, "demo", "name");
	is_str(p->description, "a demo", "description");
	is_str(p->source, "t.yaml", "source");
	is_int(p->nfiles, 1, "one file");
	is_int(p->mode, OSL_MODE_AUDIT, "mode");
	is_int(p->dflt, OSL_ALLOW, "default");
	is_str(p->dflt_where, "t.yaml:5:10", "default's place");
	is_int(p->nrules, 11, "11 rules");
	is_str(p->rules[0].expanded, "/usr/**", "plain pattern");
	is_str(p->rules[1].expanded, "/home/u/src/**", "~ expands");
	is_str(p->rules[2].expanded, "/work/p/build", "${PWD}, // and trailing / normalised");
	is_str(p->rules[2].pattern, "${PWD}//build/", "pattern as written");
	is_str(p->rules[2].id, "build-dir", "id");
	is_str(p->rules[2].where, "t.yaml:7:31", "where of a map rule");
	is_str(p->rules[0].where, "t.yaml:7:10", "where of a string rule");
	is_str(osl_rule_name(&p->rules[0]), "t.yaml:7:10", "name of a rule without id");
	is_str(osl_rule_name(&p->rules[2]), "build-dir", "name of a rule with id");
	is_str(p->rules[3].expanded, "/tmp/**", "TMPDIR defaults to /tmp");
	is_str(p->rules[4].expanded, "/home/u/.local/state/x", "XDG_STATE_HOME default");
	is_str(p->rules[5].expanded, "/run/user/1000/s", "XDG_RUNTIME_DIR default");
	is_str(p->rules[6].expanded, "/opt/u-1000/bin/**", "USER, UID, /./");
	is_int(p->rules[6].kind, OSL_RULE_FS_EXEC, "exec kind");
	is_str(p->rules[7].expanded, "/**/.env", "**/x is anchored at any depth");
	is_str(p->rules[8].expanded, "/home/u/.config/k", "XDG_CONFIG_HOME default");
	is_int(p->rules[9].net.host, OSL_NH_ADDR, "net address");
	is_int(p->rules[9].net.port_lo, 5432, "port");
	is_int(p->rules[10].net.host, OSL_NH_SUFFIX, "suffix");
	is_str(p->rules[10].net.name, "debian.org", "suffix lowercased, trailing dot gone");
	ok(p->net_resolve, "resolve");
	is_int(p->signal_scope, OSL_SIGNAL_CHILDREN | OSL_SIGNAL_SAME_USER, "signal");
	is_int(p->limits.cpu_ns, 60000000000ULL, "cpu");
	is_int(p->limits.wall_ns, 600000000000ULL, "wall");
	is_int(p->limits.memory, 1ULL << 30, "memory");
	is_int(p->limits.nofile, 1024, "nofile");
	is_int(p->limits.nproc, 256, "nproc");
	is_int(p->limits.core, 0, "core 0");
	is_int(p->nenv_keep, 2, "env keep");
	is_str(p->env_set[0].key, "CI", "env set key");
	is_str(p->env_set[0].value, "1", "env set value");
	is_int(p->seccomp.base, OSL_SECCOMP_STRICT, "seccomp base");
	is_str(p->seccomp.deny[1], "@mount", "seccomp deny group");
	is_str(p->seccomp.allow[0], "clone3", "seccomp allow");
	is_int(p->log.level, OSL_LEVEL_NOTICE, "log level");
	is_str(p->log.sink, "file:/home/u/.local/state/osl/a.jsonl", "sink expanded");
	is_int(p->log.sync, OSL_SYNC_ALWAYS, "sync");
	ok(!p->log.chain, "chain false");
	is_int(p->log.on_failure, OSL_ONFAIL_CONTINUE, "on_failure");
	is_int(p->log.rotate_size, 64ULL << 20, "rotate size");
	is_int(p->log.rotate_keep, 3, "rotate keep");
	is_int(p->log.checkpoint_every, 50, "checkpoint every");
	is_int(p->log.checkpoint_interval_ns, 300000000000ULL, "checkpoint interval");
	is_str(p->log.checkpoint_key, "/home/u/.config/osl/k", "checkpoint key expanded");
	ok(strncmp(p->hash, "sha256:", 7) == 0 && strlen(p->hash) == 71, "hash form");
	osl_policy_free(p);

	/* defaults of a policy that says nothing; env members given */
	env2.tmpdir = "/var/tmp";
	env2.xdg_state_home = "/st";
	e = osl_policy_load_buf(&p, "t.yaml", "version: 1\nfs: {write: [\"${TMPDIR}/x\"]}\n", 39,
	    &env2);
	if (!ok(e == NULL, "minimal policy"))
		printf("# %s\n", e->msg);
	if (!p)
		return;
	is_str(p->rules[0].expanded, "/var/tmp/x", "TMPDIR from env");
	is_int(p->mode, OSL_MODE_ENFORCE, "default mode enforce");
	is_int(p->dflt, OSL_DENY, "default deny");
	ok(p->dflt_where == NULL, "no default: written");
	ok(!p->net_resolve, "resolve false");
	is_int(p->signal_scope, OSL_SIGNAL_SELF | OSL_SIGNAL_CHILDREN, "signal default");
	ok(p->limits.cpu_ns == OSL_LIMIT_UNSET && p->limits.core == OSL_LIMIT_UNSET, "limits unset");
	is_int(p->log.level, OSL_LEVEL_INFO, "level info");
	is_int(p->log.sync, OSL_SYNC_BATCH, "sync batch");
	ok(p->log.chain, "chain true");
	is_int(p->log.on_failure, OSL_ONFAIL_DENY, "on_failure deny");
	is_int(p->log.rotate_keep, 10, "rotate keep 10");
	is_int(p->log.checkpoint_every, 1000, "checkpoint every 1000");
	is_str(p->log.sink, "file:/st/osl/activity.jsonl", "default sink");
	osl_policy_free(p);
}

/* Load TEXT as "t.yaml" under E: the error, "OK" when no rule is inert,
 * else "inert WHERE: REASON" of the first inert rule. */
static const char *
inert_of(const char *text, const struct osl_policy_env *e)
{
	static char msg[OSL_ERROR_MSG_MAX];
	struct osl_policy *p = NULL;
	const struct osl_error *err = osl_policy_load_buf(&p, "t.yaml", text, strlen(text), e);

	if (err)
		snprintf(msg, sizeof(msg), "%s", err->msg);
	else if (p->ninert)
		snprintf(msg, sizeof(msg), "inert %s: %s", p->inert[0].where, p->inert[0].inert);
	else
		snprintf(msg, sizeof(msg), "OK");
	osl_policy_free(p);
	return msg;
}

static void
test_vars(void)
{
	struct osl_policy_env bare = { 0 };
	struct osl_policy_env odd = env;
	struct osl_policy *p = NULL;
	const struct osl_error *e;
	static const char glob[] = "version: 1\nfs: {read: [\"${HOME}/x\"]}\n";
	static const char xdg[] = "version: 1\nfs: {read: [\"${XDG_STATE_HOME}/x\"]}\n";

	ERR("version: 1\nfs: {read: [\"${FOO}/x\"]}\n",
	    "t.yaml:2:13: fs.read: '${FOO}/x': unknown variable ${FOO}");
	ERR("version: 1\nfs: {read: [\"$HOME/x\"]}\n",
	    "t.yaml:2:13: fs.read: '$HOME/x': '$' must start ${NAME} (write '$$' for a '$')");
	ERR("version: 1\nfs: {read: [\"${HOME\"]}\n",
	    "t.yaml:2:13: fs.read: '${HOME': '$' must start ${NAME} (write '$$' for a '$')");
	ERR("version: 1\nfs: {read: [\"~root/x\"]}\n",
	    "t.yaml:2:13: fs.read: '~root/x': '~user' is not supported, only '~' and '~/'");
	ERR("version: 1\nfs: {read: [/a/../b]}\n",
	    "t.yaml:2:13: fs.read: '/a/../b': '..' is not allowed in a path");
	ERR("version: 1\nfs: {read: [\"/a/..\"]}\n",
	    "t.yaml:2:13: fs.read: '/a/..': '..' is not allowed in a path");
	ERR("version: 1\nfs: {read: [a/b]}\n",
	    "t.yaml:2:13: fs.read: 'a/b': not an absolute path after expansion ('a/b')");
	ERR("version: 1\nfs: {read: [\"\"]}\n",
	    "t.yaml:2:13: fs.read: '': not an absolute path");
	ERR("version: 1\nfs: {write: [\"/a/$${X}/..b\"]}\n", "OK");
	{
		static const char t[] = "version: 1\nfs: {read: [\"/b/**/**\", \"**/***/.env\"]}\n";
		struct osl_policy *q = NULL;

		e = osl_policy_load_buf(&q, "t.yaml", t, sizeof(t) - 1, &env);
		ok(e == NULL && strcmp(q->rules[0].expanded, "/b/**") == 0 &&
		    strcmp(q->rules[1].expanded, "/**/.env") == 0, "runs of ** collapse to one");
		osl_policy_free(q);
	}
	/* in an allow rule a path variable that cannot be used makes it inert */
	is_str(inert_of(glob, &bare), "inert t.yaml:2:13: ${HOME} is not set — set HOME to a home "
	    "folder of its own", "unset HOME: the read rule is inert");
	is_str(inert_of(xdg, &bare), "inert t.yaml:2:13: ${XDG_STATE_HOME} is not set (nor HOME) — "
	    "set it to a folder of its own, or unset it", "XDG default needs HOME");
	is_str(inert_of("version: 1\nfs: {deny: [\"${HOME}/x\"]}\n", &bare),
	    "t.yaml:2:13: fs.deny: '${HOME}/x': ${HOME} is not set", "unset HOME in a deny rule");
	is_str(inert_of("version: 1\nfs: {read: [\"${NOPE}/x\"]}\n", &bare),
	    "t.yaml:2:13: fs.read: '${NOPE}/x': unknown variable ${NOPE}",
	    "an unknown variable stays an error");
	odd.home = "relative/home";
	is_str(inert_of(glob, &odd), "inert t.yaml:2:13: ${HOME} is not an absolute path "
	    "('relative/home') — set HOME to a home folder of its own", "relative HOME");
	/* glob characters in a value match only themselves */
	odd.home = "/home/a*b[1]";
	e = osl_policy_load_buf(&p, "t.yaml", glob, sizeof(glob) - 1, &odd);
	ok(e == NULL, "HOME with glob characters loads");
	if (p) {
		is_str(p->rules[0].expanded, "/home/a\\*b\\[1\\]/x", "value escaped");
		is_int(read_verdict(p, "/home/a*b[1]/x"), OSL_ALLOW, "escaped value matches itself");
		is_int(read_verdict(p, "/home/aXb1/x"), OSL_DENY, "escaped value is not a glob");
		osl_policy_free(p);
	}
}

/* A deny rule covers the account's own values too (HOME from the password
 * database, the XDG folders and TMPDIR their defaults): HOME=/tmp/decoy does
 * not take the account's ~/.ssh out of it; rules that allow do not widen. */
static void
test_account(void)
{
	static const char t[] = "version: 1\n"
	    "fs:\n"
	    "  read: [\"${HOME}/**\"]\n"
	    "  deny:\n"
	    "    - { path: \"${HOME}/.ssh/**\", id: ssh }\n"
	    "    - { path: \"${XDG_CONFIG_HOME}/osl/**\", id: cfg }\n"
	    "    - { path: \"/x/${USER}\", id: who }\n"
	    "    - { path: \"${PWD}/.env\", id: same }\n";
	struct osl_policy_env e = env;
	struct osl_policy *p = NULL;

	e.home = "/tmp/decoy";
	e.user = "decoy";
	e.xdg_config_home = "/tmp/cfg";
	e.account_home = "/home/u";
	e.account_user = "u";
	ok(osl_policy_load_buf(&p, "t.yaml", t, sizeof(t) - 1, &e) == NULL, "loads");
	if (!p)
		return;
	is_int((int)p->nrules, 8, "a twin for each deny whose path the account changes");
	is_str(p->rules[1].expanded, "/tmp/decoy/.ssh/**", "the environment's HOME");
	is_str(p->rules[2].expanded, "/home/u/.ssh/**", "and the account's");
	ok(!p->rules[1].account && p->rules[2].account && !strcmp(p->rules[2].id, "ssh") &&
	    !strcmp(p->rules[2].where, p->rules[1].where), "same id and place");
	is_str(p->rules[3].expanded, "/tmp/cfg/osl/**", "the environment's XDG_CONFIG_HOME");
	is_str(p->rules[4].expanded, "/home/u/.config/osl/**", "its default from the account");
	is_str(p->rules[6].expanded, "/x/u", "USER from the account");
	is_str(p->rules[7].expanded, "/work/p/.env", "no twin where nothing differs");
	is_str(p->rules[0].expanded, "/tmp/decoy/**", "a rule that allows: the environment only");
	is_int(read_verdict(p, "/home/u/.ssh/id"), OSL_DENY, "the account's key is denied");
	is_int(read_verdict(p, "/tmp/decoy/.ssh/id"), OSL_DENY, "and the decoy's");
	is_int(read_verdict(p, "/tmp/decoy/notes"), OSL_ALLOW, "the decoy home reads");
	osl_policy_free(p);
	/* TMPDIR or XDG_RUNTIME_DIR the account's home, or above it: inert */
	e.tmpdir = "/home";
	e.account_home = "/home/u/sub";
	e.xdg_runtime_dir = "/home/u";
	is_str(inert_of("version: 1\nfs: {write: [\"${TMPDIR}/**\"]}\n", &e),
	    "inert t.yaml:2:14: ${TMPDIR} is '/home', a system folder — set TMPDIR to a folder "
	    "of its own, or unset it for /tmp", "a system folder says so first");
	is_str(inert_of("version: 1\nfs: {write: [\"${XDG_RUNTIME_DIR}/**\"]}\n", &e),
	    "inert t.yaml:2:14: ${XDG_RUNTIME_DIR} is '/home/u', which holds the home folder "
	    "'/home/u/sub' — set it to a folder of its own, or unset it", "above the home");
	e.tmpdir = "/home/u/sub/";
	is_str(inert_of("version: 1\nfs: {write: [\"${TMPDIR}/x/**\"]}\n", &e),
	    "inert t.yaml:2:14: ${TMPDIR} is '/home/u/sub/', which holds the home folder "
	    "'/home/u/sub' — set TMPDIR to a folder of its own, or unset it for /tmp", "the home");
	e.tmpdir = "/home/u/sub/tmp";
	is_str(inert_of("version: 1\nfs: {write: [\"${TMPDIR}/**\"]}\n", &e), "OK",
	    "a folder in the home is fine");
}

/* A resolver over a made-up file system: /l -> /, /t -> /etc, /h -> /home/u */
static const char *
fake_resolve(const char *path, char *buf, size_t size)
{
	static const char *const links[][2] = { { "/l", "/" }, { "/t", "/etc" },
		{ "/h", "/home/u" } };

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		size_t n = strlen(links[i][0]);

		if (strncmp(path, links[i][0], n) == 0 && (path[n] == '/' || !path[n])) {
			snprintf(buf, size, "%s%s", strcmp(links[i][1], "/") || !path[n] ?
			    links[i][1] : "", path + n);
			return buf;
		}
	}
	snprintf(buf, size, "%s", path);
	return buf;
}

/* A variable that is empty, "/", a system folder or a link to one makes a
 * rule that allows inert: it allows nothing; a deny rule takes it as it is. */
static void
test_own_folder(void)
{
	struct osl_policy_env e = env;
	struct osl_policy *p = NULL;
	const struct osl_error *err;
	static const char w[] = "version: 1\nfs: {write: [\"${HOME}/**\"]}\n";
	static const char x[] = "version: 1\nfs: {read: [\"${XDG_CONFIG_HOME}/**\"]}\n";
	static const char d[] = "version: 1\nfs: {deny: [\"${HOME}/.ssh/**\"]}\n";
	static const char t[] = "version: 1\nfs: {exec: [\"${TMPDIR}/**\"]}\n";
	static const char pw[] = "version: 1\nfs: {write: [\"${PWD}/**\", \"/srv/**\"], "
	    "read: [\"/x\"]}\n";

	e.real_path = fake_resolve;
	e.home = "";
	is_str(inert_of(w, &e), "inert t.yaml:2:14: ${HOME} is empty — set HOME to a home folder "
	    "of its own", "empty HOME");
	is_str(inert_of(d, &e), "t.yaml:2:13: fs.deny: '${HOME}/.ssh/**': ${HOME} is empty",
	    "empty HOME in a deny rule is an error");
	is_str(inert_of(x, &e), "inert t.yaml:2:13: ${HOME} is empty — set HOME to a home folder "
	    "of its own", "XDG_CONFIG_HOME made from an empty HOME");
	e.home = "/";
	is_str(inert_of(w, &e), "inert t.yaml:2:14: ${HOME} is '/' — set HOME to a home folder of "
	    "its own", "HOME=/");
	is_str(inert_of(x, &e), "inert t.yaml:2:13: ${HOME} is '/' — set HOME to a home folder of "
	    "its own", "XDG_CONFIG_HOME made from HOME=/");
	is_str(inert_of(d, &e), "OK", "a deny rule keeps HOME=/");
	e.home = "//./";
	is_str(inert_of(w, &e), "inert t.yaml:2:14: ${HOME} is '//./' — set HOME to a home folder "
	    "of its own", "HOME=//./ is /");
	e.home = "/usr";
	is_str(inert_of(w, &e), "inert t.yaml:2:14: ${HOME} is '/usr', a system folder — set HOME "
	    "to a home folder of its own", "HOME=/usr");
	e.home = "/t";
	is_str(inert_of(w, &e), "inert t.yaml:2:14: ${HOME} is '/t', which leads to '/etc', a "
	    "system folder — set HOME to a home folder of its own", "HOME a link to /etc");
	e.home = "/h";
	is_str(inert_of(w, &e), "OK", "HOME a link to a home");
	e.home = "/usr/src/app";
	is_str(inert_of(w, &e), "OK", "below a system folder is a folder of its own");
	e.home = "/home/u";
	e.tmpdir = "/l";
	is_str(inert_of(t, &e), "inert t.yaml:2:13: ${TMPDIR} is '/l', which leads to '/' — set "
	    "TMPDIR to a folder of its own, or unset it for /tmp", "TMPDIR a link to /");
	e.tmpdir = "/l/var";
	is_str(inert_of(t, &e), "inert t.yaml:2:13: ${TMPDIR} is '/l/var', which leads to '/var', "
	    "a system folder — set TMPDIR to a folder of its own, or unset it for /tmp",
	    "TMPDIR through a link to /var");
	e.tmpdir = NULL;
	e.pwd = "/";
	is_str(inert_of(pw, &e), "inert t.yaml:2:14: ${PWD} is '/' — cd into the workspace",
	    "PWD=/");
	/* inert: out of the rules, it allows nothing, and a denial it would
	 * have decided names it */
	err = osl_policy_load_buf(&p, "t.yaml", pw, sizeof(pw) - 1, &e);
	if (ok(err == NULL && p, "PWD=/ loads")) {
		struct osl_request rq = { .access = OSL_ACCESS_WRITE, .path = "/etc/passwd" };
		struct osl_decision dd;
		char why[512];

		is_int(p->nrules, 2, "the inert rule is not among the rules");
		is_int(p->ninert, 1, "it is kept aside");
		is_str(p->inert[0].pattern, "${PWD}/**", "as written");
		osl_policy_decide(p, &rq, &dd);
		is_int(dd.verdict, OSL_DENY, "/etc/passwd: not writable");
		ok(dd.inert == &p->inert[0], "the inert rule would have allowed it");
		is_str(osl_decision_reason(p, &dd, why, sizeof(why)), "no rule matched: default deny; "
		    "rule at t.yaml:2:14 ('${PWD}/**') is inert: ${PWD} is '/' — cd into the workspace",
		    "the denial names it");
		rq.path = "/srv/a";
		osl_policy_decide(p, &rq, &dd);
		is_int(dd.verdict, OSL_ALLOW, "the other write rule holds");
		rq.access = OSL_ACCESS_READ;
		rq.path = "/y";
		osl_policy_decide(p, &rq, &dd);
		ok(dd.verdict == OSL_DENY && dd.inert == NULL, "a read: not a write rule's business");
		osl_policy_free(p);
		p = NULL;
	}
	e.pwd = "/work/p";
	e.xdg_runtime_dir = "/run/user";
	is_str(inert_of("version: 1\nfs: {write: [\"${XDG_RUNTIME_DIR}/**\"]}\n", &e),
	    "inert t.yaml:2:14: ${XDG_RUNTIME_DIR} is '/run/user', a system folder — set it to a "
	    "folder of its own, or unset it", "XDG_RUNTIME_DIR=/run/user");
	e.xdg_runtime_dir = NULL;
	/* what the rules use, listed with where each leads */
	e.home = "/h";
	err = osl_policy_load_buf(&p, "t.yaml", "version: 1\nfs: {read: [\"~/a\", \"/$${PWD}\"], "
	    "deny: [\"${TMPDIR}/x\"]}\n", 66, &e);
	if (!ok(err == NULL && p, "variables listed"))
		return;
	is_int(p->nvars, 2, "HOME and TMPDIR, not the escaped PWD");
	is_str(p->vars[0].name, "HOME", "HOME first");
	is_str(p->vars[0].value, "/h", "its value");
	is_str(p->vars[0].real, "/home/u", "where it leads");
	is_str(p->vars[1].value, "/tmp", "TMPDIR's default");
	ok(p->vars[1].real == NULL, "no link: no real");
	osl_policy_free(p);
	/* the default log never goes to a folder made from "/" */
	e.home = "/";
	err = osl_policy_load_buf(&p, "t.yaml", "version: 1\n", 11, &e);
	if (ok(err == NULL && p, "a policy without a sink"))
		is_str(p->log.sink, "stderr", "HOME=/: the default sink is stderr");
	osl_policy_free(p);
}

static void
test_files(void)
{
	struct osl_policy *p = NULL;
	const struct osl_error *e;
	char dir[] = "/tmp/t-policy-load-d-XXXXXX", path[256], want[512];
	FILE *f;

	e = osl_policy_load(&p, "/nonexistent/x.yaml", &env);
	is_str(e ? e->msg : "OK", "cannot open the policy file '/nonexistent/x.yaml': "
	    "No such file or directory", "missing file");
	is_int(e ? e->status : 0, OSL_EINPUT, "missing file is OSL_EINPUT (exit 2)");
	if (!ok(mkdtemp(dir) != NULL, "temp dir"))
		return;
	e = osl_policy_load(&p, dir, &env);
	snprintf(want, sizeof(want), "cannot open the policy file '%s': Is a directory", dir);
	is_str(e ? e->msg : "OK", want, "a directory");
	is_int(e ? e->status : 0, OSL_EINPUT, "a directory is OSL_EINPUT");
	snprintf(path, sizeof(path), "%s/p.yaml", dir);
	f = fopen(path, "w");
	fputs("version: 1\nname: on-disk\nfs:\n  read: [/x]\n  write: [7]\n", f);
	fclose(f);
	e = osl_policy_load(&p, path, &env);
	ok(e != NULL, "a file with a bad pattern fails");
	snprintf(want, sizeof(want), "%s:5:11: fs.write: '7': not an absolute path after "
	    "expansion ('7')", path);
	is_str(e ? e->msg : "OK", want, "errors name the file");
	f = fopen(path, "w");
	fputs("version: 1\nname: on-disk\n", f);
	fclose(f);
	e = osl_policy_load(&p, path, &env);
	ok(e == NULL && p && strcmp(p->name, "on-disk") == 0, "file loads");
	if (p) {
		is_str(p->source, path, "source is the path");
		osl_policy_free(p);
	}
	if (getuid() != 0) {
		chmod(path, 0);
		e = osl_policy_load(&p, path, &env);
		snprintf(want, sizeof(want), "cannot open the policy file '%s': Permission denied", path);
		is_str(e ? e->msg : "OK", want, "unreadable file");
	}
	unlink(path);
	rmdir(dir);
	e = osl_policy_load(&p, "builtin:nope", &env);
	is_str(e ? e->msg : "OK", "unknown built-in policy 'builtin:nope'", "unknown builtin");
}

int
main(void)
{
	test_limits();
	test_types();
	test_values();
	test_vars();
	test_own_folder();
	test_account();
	test_files();
	return done_testing();
}
