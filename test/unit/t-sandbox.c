/* The pure parts of lib/sandbox and lib/proc: pattern -> Landlock prefix
 * and full/partial, rights per rule kind, the report, limit parsing, the
 * environment allowlist, the signal scope of a target; the seccomp filters
 * compiled at build time against libseccomp's; the exec trees given back
 * over a noexec mount namespace. */
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "proc/proc.h"
#include "sandbox/landlock-uapi.h"
#include "sandbox/sandbox.h"
#include "tap.h"

static void
prefix(const char *pat, const char *want, enum osl_enf_level lvl)
{
	char buf[256];
	enum osl_enf_level got = osl_landlock_prefix(pat, buf, sizeof(buf));

	is_str(buf, want, "prefix of '%s'", pat);
	is_int(got, lvl, "level of '%s'", pat);
}

static void
test_prefix(void)
{
	prefix("/usr/**", "/usr", OSL_ENF_FULL);
	prefix("/usr/lib/**", "/usr/lib", OSL_ENF_FULL);
	prefix("/etc/shadow", "/etc/shadow", OSL_ENF_FULL);
	prefix("/etc/", "/etc", OSL_ENF_FULL);
	prefix("/**", "/", OSL_ENF_FULL);
	prefix("/", "/", OSL_ENF_FULL);
	prefix("/etc/*.conf", "/etc", OSL_ENF_PARTIAL);
	prefix("/srv/a/**/b", "/srv/a", OSL_ENF_PARTIAL);
	prefix("/srv/a/**/", "/srv/a", OSL_ENF_FULL);
	prefix("**/.env", "/", OSL_ENF_PARTIAL);
	prefix("/home/?/x", "/home", OSL_ENF_PARTIAL);
	prefix("/home/[ab]/x", "/home", OSL_ENF_PARTIAL);
	prefix("/proc/*/mem", "/proc", OSL_ENF_PARTIAL);
	prefix("/a/b**", "/a", OSL_ENF_PARTIAL);
	prefix("//usr//lib/**", "//usr//lib", OSL_ENF_FULL);
}

static void
test_rights(void)
{
	is_int(osl_landlock_fs_all(0), 0, "no ABI, no rights");
	is_int(osl_landlock_fs_all(1), 0x1fff, "ABI 1: 13 rights");
	ok(osl_landlock_fs_all(2) & OSL_LL_FS_REFER, "ABI 2 has REFER");
	ok(!(osl_landlock_fs_all(2) & OSL_LL_FS_TRUNCATE), "ABI 2 has no TRUNCATE");
	ok(osl_landlock_fs_all(3) & OSL_LL_FS_TRUNCATE, "ABI 3 has TRUNCATE");
	ok(osl_landlock_fs_all(5) & OSL_LL_FS_IOCTL_DEV, "ABI 5 has IOCTL_DEV");
	is_int(osl_landlock_rights(OSL_RULE_FS_READ, 7, "/usr"),
	    OSL_LL_FS_READ_FILE | OSL_LL_FS_READ_DIR, "read");
	is_int(osl_landlock_rights(OSL_RULE_FS_EXEC, 7, "/usr"), OSL_LL_FS_EXECUTE, "exec");
	ok(osl_landlock_rights(OSL_RULE_FS_WRITE, 7, "/w") & OSL_LL_FS_MAKE_REG, "write makes files");
	ok(osl_landlock_rights(OSL_RULE_FS_WRITE, 7, "/w") & OSL_LL_FS_REFER, "write may refer");
	ok(!(osl_landlock_rights(OSL_RULE_FS_WRITE, 7, "/w") & OSL_LL_FS_READ_FILE), "write is not read");
	ok(!(osl_landlock_rights(OSL_RULE_FS_WRITE, 7, "/w") & OSL_LL_FS_IOCTL_DEV), "no ioctl off /dev");
	ok(osl_landlock_rights(OSL_RULE_FS_WRITE, 7, "/dev/pts") & OSL_LL_FS_IOCTL_DEV, "ioctl in /dev");
	ok(!(osl_landlock_rights(OSL_RULE_FS_WRITE, 7, "/devices") & OSL_LL_FS_IOCTL_DEV), "/devices is not /dev");
	ok(!(osl_landlock_rights(OSL_RULE_FS_WRITE, 1, "/w") & OSL_LL_FS_TRUNCATE), "masked to ABI 1");
	is_int(osl_landlock_rights(OSL_RULE_FS_DENY, 7, "/w"), 0, "deny grants nothing");
}

static void
test_report(void)
{
	struct osl_sandbox_report r = { 0 };
	cJSON *j;
	char *s;

	r.landlock_abi = 7;
	r.seccomp = "default";
	r.ns_mount = true;
	osl_report_add(&r, "fs.read", "r1", "/usr/**", OSL_ENF_FULL, "landlock read beneath '%s'", "/usr");
	ok(osl_report_full(&r), "all full is full");
	osl_report_add(&r, "fs.read", "f:1:2", "/etc/*.conf", OSL_ENF_PARTIAL, "widened");
	ok(!osl_report_full(&r), "a partial entry makes it partial");
	is_str(osl_enf_level_name(OSL_ENF_NONE), "none", "level names");
	j = osl_report_json(&r);
	ok(j && cJSON_GetArraySize(j) == 3, "two entries and the summary");
	s = cJSON_PrintUnformatted(cJSON_GetArrayItem(j, 0));
	is_str(s, "{\"kind\":\"fs.read\",\"rule\":\"r1\",\"pattern\":\"/usr/**\",\"enforcement\":\"full\","
	    "\"reason\":\"landlock read beneath '/usr'\"}", "entry JSON");
	free(s);
	s = cJSON_PrintUnformatted(cJSON_GetArrayItem(j, 2));
	is_str(s, "{\"kind\":\"sandbox\",\"landlock_abi\":7,\"seccomp\":\"default\",\"namespaces\":[\"mount\"],"
	    "\"capabilities\":[],\"full\":false}", "summary JSON");
	free(s);
	cJSON_Delete(j);
	r.lost = true;
	r.n = 1;
	ok(!osl_report_full(&r), "a lost entry is never full");
	r.n = 2;
	osl_report_release(&r);
}

static void
test_limits(void)
{
	struct osl_limits l, m;

	osl_limits_unset(&l);
	ok(!osl_limit_parse("cpu=10s", &l) && l.cpu_ns == 10000000000ULL, "cpu");
	ok(!osl_limit_parse("memory=64M", &l) && l.memory == 64ULL << 20, "memory");
	ok(!osl_limit_parse("nofile=128", &l) && l.nofile == 128, "nofile");
	ok(!osl_limit_parse("nproc=10", &l) && l.nproc == 10, "nproc");
	ok(!osl_limit_parse("fsize=1G", &l) && l.fsize == 1ULL << 30, "fsize");
	ok(!osl_limit_parse("core=0", &l) && l.core == 0, "core 0");
	ok(!osl_limit_parse("wall=5m", &l) && l.wall_ns == 300000000000ULL, "wall");
	ok(!osl_limit_parse("nofile=1024", &l) && l.nofile == 128, "--limit only lowers");
	ok(osl_limit_parse("bogus=1", &l) && osl_limit_parse("bogus=1", &l)->status == OSL_EINPUT, "unknown key");
	ok(osl_limit_parse("memory", &l) != NULL, "no value");
	ok(osl_limit_parse("=5", &l) != NULL, "no key");
	ok(osl_limit_parse("memory=", &l) != NULL, "empty value");
	ok(osl_limit_parse("memory=lots", &l) != NULL, "bad size");
	ok(osl_limit_parse("cpu=0", &l) != NULL, "cpu 0 is refused");
	ok(osl_limit_parse("nofile=-1", &l) != NULL, "negative");
	osl_limits_unset(&m);
	m.memory = 1 << 20;
	osl_limits_lower(&m, &l);
	ok(m.memory == 1 << 20 && m.nofile == 128, "lower takes the smaller of each");
}

static const char *
env_get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], name, n) && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

static void
test_env(void)
{
	char *in[] = { "PATH=/bin", "HOME=/h", "SECRET=x", "LC_ALL=C", "LCX=no", "KEEP=k",
		"PFX_A=1", "PFX_B=2", "TERM=xterm", "noequals", NULL };
	const char *keep[] = { "KEEP", "PFX_*" };
	const char *set[] = { "TERM=dumb", "NEW=1", "NEW=2" };
	const char *badset[] = { "NOVALUE" };
	char **env;

	ok(!osl_proc_env(&env, in, keep, 2, set, 3), "env builds");
	is_str(env_get(env, "PATH"), "/bin", "PATH kept");
	is_str(env_get(env, "LC_ALL"), "C", "LC_* kept");
	ok(!env_get(env, "SECRET"), "others dropped");
	ok(!env_get(env, "LCX"), "LC_* is a prefix with the underscore");
	is_str(env_get(env, "KEEP"), "k", "keep by name");
	is_str(env_get(env, "PFX_B"), "2", "keep by prefix");
	is_str(env_get(env, "TERM"), "dumb", "set overrides");
	is_str(env_get(env, "NEW"), "2", "the last set wins");
	osl_proc_env_free(env);
	ok(osl_proc_env(&env, in, NULL, 0, badset, 1) != NULL, "set without '=' is an error");
}

static void
test_scope(void)
{
	struct osl_procinfo v[4] = {
		{ .pid = 1, .ppid = 0, .uid = 0 },
		{ .pid = 100, .ppid = 1, .uid = 1000 },		/* self */
		{ .pid = 101, .ppid = 100, .uid = 1000 },	/* child */
		{ .pid = 102, .ppid = 101, .uid = 0 },		/* grandchild, other user */
	};

	is_int(osl_proc_signal_scope(100, 1000, v, 4, &v[1]),
	    OSL_SIGNAL_SELF | OSL_SIGNAL_SAME_USER | OSL_SIGNAL_ANY, "self");
	is_int(osl_proc_signal_scope(100, 1000, v, 4, &v[2]),
	    OSL_SIGNAL_CHILDREN | OSL_SIGNAL_SAME_USER | OSL_SIGNAL_ANY, "child");
	is_int(osl_proc_signal_scope(100, 1000, v, 4, &v[3]),
	    OSL_SIGNAL_CHILDREN | OSL_SIGNAL_ANY, "grandchild of another user");
	is_int(osl_proc_signal_scope(100, 1000, v, 4, &v[0]), OSL_SIGNAL_ANY, "init");
}

/* The build-time filter of a shipped profile is byte for byte what
 * libseccomp makes now; a profile with lists of its own is compiled (as a
 * linear filter: a tree takes longer to build than it saves). */
static void
seccomp_same(enum osl_seccomp_base base, bool net_any, bool tcp, char **deny, size_t ndeny)
{
	struct osl_seccomp s = { .base = base, .deny = deny, .ndeny = ndeny };
	void *a = NULL, *b = NULL;
	unsigned short la = 0, lb = 0;
	const char *prof = base == OSL_SECCOMP_STRICT ? "strict" : "default", *got;

	ok(!osl_seccomp_build(&s, net_any, tcp, &a, &la, &got), "build %s net %d tcp-only %d "
	    "deny %zu", prof, net_any, tcp, ndeny);
	/* the shipped profiles' copies are trees; the others compiled linear */
	ok(!osl_seccomp_compile(&s, net_any, tcp, ndeny == 0, &b, &lb), "compile %s net %d "
	    "tcp-only %d deny %zu", prof, net_any, tcp, ndeny);
	is_int(la, lb, "same length: %s net %d tcp-only %d deny %zu", prof, net_any, tcp, ndeny);
	ok(a && b && la == lb && !memcmp(a, b, la * 8u), "same program: %s net %d tcp-only %d "
	    "deny %zu", prof, net_any, tcp, ndeny);
	free(a);
	free(b);
}

static void
test_seccomp_precompiled(void)
{
	char *deny[] = { "chmod" };

	/* default with and without network rules, strict (the same either
	 * way), each also with the socket checks of tcp_only (default's two,
	 * strict's one), strict's argument checks (its second filter) with
	 * and without */
	is_int(osl_seccomp_nprecompiled(), 8, "eight filters compiled at build time");
	if (getenv("OSL_UNDER_VALGRIND")) {
		/* valgrind does not know seccomp(2): libseccomp then refuses
		 * the kill-process action and compiles nothing */
		printf("# skip: libseccomp cannot compile under valgrind\n");
		return;
	}
	for (int net = 0; net <= 1; net++) {
		struct osl_seccomp st = { .base = OSL_SECCOMP_STRICT }, df = { .base = OSL_SECCOMP_DEFAULT };
		void *a = NULL, *b = NULL;
		unsigned short la = 0, lb = 0;

		/* strict's second filter: the copy is the tree libseccomp makes */
		ok(!osl_seccomp_args(&st, net, true, &a, &la) && !osl_seccomp_args(&st, net, false, &b, &lb),
		    "strict's argument filter, net %d", net);
		ok(a && b && la == lb && !memcmp(a, b, la * 8u), "same argument filter: net %d", net);
		free(a);
		free(b);
		ok(!osl_seccomp_args(&df, net, true, &a, &la) && !a, "default has no second filter");
		for (int tcp = 0; tcp <= 1; tcp++) {
			seccomp_same(OSL_SECCOMP_DEFAULT, net, tcp, NULL, 0);
			seccomp_same(OSL_SECCOMP_STRICT, net, tcp, NULL, 0);
			seccomp_same(OSL_SECCOMP_DEFAULT, net, tcp, deny, 1);
		}
	}
}

/* Capability names: capabilities(7)'s, "cap_" and case optional; one per
 * number up to the kernel headers' last. */
static void
test_cap_names(void)
{
	char buf[64];

	is_int(osl_cap_parse("net_bind_service"), CAP_NET_BIND_SERVICE, "net_bind_service");
	is_int(osl_cap_parse("CAP_SYS_ADMIN"), CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
	is_int(osl_cap_parse("cap_dac_read_search"), CAP_DAC_READ_SEARCH, "cap_dac_read_search");
	is_int(osl_cap_parse("net_bind_servic"), -1, "a typo is unknown");
	is_int(osl_cap_parse(""), -1, "empty is unknown");
	is_str(osl_cap_name(CAP_LAST_CAP), "checkpoint_restore", "the last one has a name");
	ok(osl_cap_name(CAP_LAST_CAP + 1) == NULL && osl_cap_name(-1) == NULL, "none beyond");
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (!ok(osl_cap_name(c) && osl_cap_parse(osl_cap_name(c)) == c, "capability %d round trip", c))
			break;
	osl_caps_format((1ULL << CAP_CHOWN) | (1ULL << CAP_NET_RAW), buf, sizeof(buf));
	is_str(buf, "chown, net_raw", "format");
}

/* One table of argument checks for every profile: for each call that
 * default filters by its arguments (ioctl requests, socket families,
 * clone flags, ...), strict has the very same checks, or refuses the call
 * whatever its arguments.  Call by call, with and without net rules. */
static void
test_seccomp_argrules_same(void)
{
	static const char *const calls[] = { "ioctl", "socket", "clone", NULL };

	for (int net = 0; net <= 1; net++) {
		struct osl_seccomp sd = { .base = OSL_SECCOMP_DEFAULT }, ss = { .base = OSL_SECCOMP_STRICT };
		struct osl_seccomp_profile d, st;
		size_t nd = 0;

		if (!ok(!osl_seccomp_profile(&sd, net, &d) && !osl_seccomp_profile(&ss, net, &st),
		    "profiles net %d", net))
			return;
		for (size_t i = 0; i < d.nargs; i++) {
			const struct osl_seccomp_argrule *a = d.args[i];
			bool same = false, allowed = false;

			for (size_t k = 0; k < st.nargs; k++)
				same |= st.args[k] == a;
			for (size_t k = 0; k < st.nallow; k++)
				allowed |= !strcmp(st.allow[k], a->name);
			ok(same || !allowed, "strict holds default's %s check %#llx (net %d)", a->name,
			    (unsigned long long)a->b, net);
		}
		/* the calls of the issue, rule for rule, and each has some */
		for (size_t c = 0; calls[c]; c++) {
			size_t n1 = 0, n2 = 0;

			for (size_t i = 0; i < d.nargs; i++)
				n1 += !strcmp(d.args[i]->name, calls[c]);
			for (size_t i = 0; i < st.nargs; i++)
				n2 += !strcmp(st.args[i]->name, calls[c]);
			ok(n1 == n2 && (n1 > 0 || (net && !strcmp(calls[c], "socket"))),
			    "%s: %zu checks in default, %zu in strict (net %d)", calls[c], n1, n2, net);
			nd += n1;
		}
		ok(nd > 0, "checks compared (net %d)", net);
		osl_seccomp_profile_release(&d);
		osl_seccomp_profile_release(&st);
	}
}

/* The fewest exec trees that cover the rules: IN (space separated) -> WANT. */
static void
outermost(const char *in, const char *want)
{
	char *paths[16], buf[512], got[512] = "", *tok, *save = NULL;
	size_t n = 0, k;

	snprintf(buf, sizeof(buf), "%s", in);
	for (tok = strtok_r(buf, " ", &save); tok && n < 16; tok = strtok_r(NULL, " ", &save))
		paths[n++] = strdup(tok);
	k = osl_paths_outermost(paths, n);
	for (size_t i = 0; i < k; i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", paths[i]);
		free(paths[i]);
	}
	is_str(got, want, "outermost of '%s'", in);
}

static void
test_exec_trees(void)
{
	outermost("/usr /usr/bin /usr/lib", "/usr");
	outermost("/usr/bin /usr/lib /usr", "/usr");
	outermost("/usr/bin /usr/lib", "/usr/bin /usr/lib");
	outermost("/usr/bin /usr/bin2 /usr/bin/x", "/usr/bin /usr/bin2");
	outermost("/opt /usr /opt /usr", "/opt /usr");
	outermost("/w/bin/tool /w/bin /srv/x.so", "/w/bin /srv/x.so");
	outermost("/ /usr", "/");
	outermost("", "");
}

/* unix-connect: full where osl decides connect() (proc run), partial with
 * the reason where only the over-mounts hold (supervise: unix_decide off) */
static void
test_unix_connect(void)
{
	static const char y[] = "version: 1\ndefault: deny\nfs: { read: [/usr/**], write: [/tmp/**] }\n";
	static const struct osl_policy_env env = { .home = "/root", .pwd = "/", .tmpdir = "/tmp" };
	struct osl_sandbox_opts so = { 0 };
	struct osl_policy *p;
	struct osl_sandbox sb;
	const struct osl_enf_entry *e;

	if (osl_landlock_abi() < 1 || osl_policy_load_buf(&p, "t.yaml", y, sizeof(y) - 1, &env)) {
		ok(1, "# SKIP unix-connect: no Landlock here");
		return;
	}
	for (int decide = 0; decide < 2; decide++) {
		so.unix_decide = decide;
		if (!ok(!osl_sandbox_prepare(&sb, p, &so), "prepare, unix_decide %d", decide))
			continue;
		e = NULL;
		for (size_t i = 0; i < sb.report.n; i++)
			if (sb.report.entries[i].name && !strcmp(sb.report.entries[i].name, "unix-connect"))
				e = &sb.report.entries[i];
		if (ok(e != NULL, "a unix-connect line, unix_decide %d", decide)) {
			if (decide && strstr(e->reason, "decided by osl"))
				is_int(e->level, OSL_ENF_FULL, "osl decides connect(): full");
			else if (e->level != OSL_ENF_NONE)
				ok(e->level == OSL_ENF_PARTIAL && strstr(e->reason, "bound after the start") &&
				    strstr(e->reason, "another network namespace"),
				    "over-mounts only: partial, saying why (%s)", e->reason);
			else
				ok(1, "# SKIP no mount namespace here");
		}
		osl_sandbox_release(&sb);
	}
	osl_policy_free(p);
}

int
main(void)
{
	test_prefix();
	test_rights();
	test_report();
	test_limits();
	test_env();
	test_scope();
	test_seccomp_precompiled();
	test_seccomp_argrules_same();
	test_cap_names();
	test_exec_trees();
	test_unix_connect();
	printf("1..%d\n", tap_n);
	return tap_fail != 0;
}
