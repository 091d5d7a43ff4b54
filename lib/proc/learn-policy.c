/* `osl policy learn`: from what a run touched to a policy (learn.h).
 *
 * Paths are folded into trees a person would write: the workspace, not
 * each of its 4,000 files; system folders as wholes; a folder the run
 * itself made is allowed through the folder that held it (a rule on a
 * folder that does not exist yet allows nothing).  Trees under ${PWD},
 * ${HOME} and ${TMPDIR} are written with the variable, so the policy works
 * from another checkout. */
#include <limits.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/policy.h"
#include "proc/learn.h"

struct agg {
	enum osl_seen_kind kind;
	char *abs;		/* a tree ("/usr/" then two stars) or an exact path, absolute */
	size_t count;
	char example[96];
	char by[3][16];
	bool covered;		/* inside another rule of the same kind */
};

struct folder {
	const struct osl_learn *l;
	const struct osl_learn_emit *o;
	char tmpdir[PATH_MAX];
	struct agg *a;
	size_t n, cap;
	size_t skipped_root;
	size_t skipped_proc;	/* another process's /proc entries */
	size_t skipped_list;	/* listings of /proc, HOME, ...: a rule would be the tree */
};

static const char *const system_tops[] = { "/usr", "/etc", "/lib", "/lib32", "/lib64",
	"/libx32", "/bin", "/sbin", "/opt", "/proc", "/sys", "/run", "/var", NULL };

/* DIR or below it: the rest after DIR ("" for DIR itself), else NULL. */
static const char *
under(const char *path, const char *dir)
{
	size_t n;

	if (!dir || !*dir)
		return NULL;
	n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return path + 1;
	if (strncmp(path, dir, n) || (path[n] != '/' && path[n] != '\0'))
		return NULL;
	return path[n] ? path + n + 1 : path + n;
}

static bool
made_by_run(const struct osl_learn *l, const char *dir)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->seen[i].kind == OSL_SEEN_MKDIR && !strcmp(l->seen[i].what, dir))
			return true;
	return false;
}

static void
parent(char *p)
{
	char *s = strrchr(p, '/');

	if (s == p)
		p[1] = '\0';
	else if (s)
		*s = '\0';
}

/* The first folder below ROOT on the way to DIR ("ROOT/x"), or ROOT when
 * that folder was made by the run and ROOT may be widened to (the
 * workspace; never HOME: one cache the run made is not all of HOME). */
static void
first_below(const struct osl_learn *l, const char *root, const char *dir, bool widen, char *out,
    size_t size)
{
	const char *rest = under(dir, root);
	size_t n = rest ? strcspn(rest, "/") : 0;

	if (!rest || !n) {
		snprintf(out, size, "%s", root);
		return;
	}
	snprintf(out, size, "%s/%.*s", root, (int)n, rest);
	if (widen && made_by_run(l, out))
		snprintf(out, size, "%s", root);
}

/* /proc: the process's own entries as the tree /proc/self (the tracer
 * wrote them so), other files as themselves; another process's entries are
 * left out (counted): a rule there would hold for no other run. */
static bool
fold_proc(struct folder *f, const char *rest, char *out, size_t size)
{
	if (!strncmp(rest, "self", 4) && (rest[4] == '/' || !rest[4])) {
		snprintf(out, size, "/proc/self/**");
		return true;
	}
	if (!strncmp(rest, "thread-self", 11) && (rest[11] == '/' || !rest[11])) {
		snprintf(out, size, "/proc/thread-self/**");
		return true;
	}
	if (*rest >= '1' && *rest <= '9') {
		f->skipped_proc++;
		return false;
	}
	snprintf(out, size, "/proc/%s", rest);
	return true;
}

/* P below HOME, in folder DIR: a file right in HOME is itself, else the
 * first folder below HOME (never all of it). */
static void
fold_home(struct folder *f, enum osl_seen_kind kind, const char *p, const char *dir, char *out,
    size_t size)
{
	const char *home = f->o->home;
	char root[PATH_MAX];

	if (!strcmp(dir, home) && kind != OSL_SEEN_MKDIR &&
	    !(kind == OSL_SEEN_WRITE && made_by_run(f->l, p))) {
		snprintf(out, size, "%s", p);
		return;
	}
	first_below(f->l, home, !strcmp(dir, home) ? p : dir, false, root, sizeof(root));
	if (!strcmp(root, home))
		snprintf(out, size, "%s", p);
	else
		snprintf(out, size, "%s/**", root);
}

/* The rule (absolute) a seen path falls under, or false to leave it out. */
static bool
fold(struct folder *f, enum osl_seen_kind kind, const char *p, char *out, size_t size)
{
	const struct osl_learn_emit *o = f->o;
	char dir[PATH_MAX], root[PATH_MAX];
	struct stat st;
	const char *rest;

	if (!strcmp(p, "/")) {
		f->skipped_root++;	/* a rule on / would allow everything */
		return false;
	}
	/* a folder listed whose tree the run otherwise does not need: a rule
	 * on a folder allows everything below it (Landlock's rules are
	 * trees), so `ls ~` or `ls /proc` is left out, not all of HOME or of
	 * every process's /proc */
	if (kind == OSL_SEEN_READ && (!strcmp(p, "/proc") || !strcmp(p, "/sys") ||
	    !strcmp(p, "/dev") || !strcmp(p, "/run") || !strcmp(p, "/var") ||
	    (o->home && !strcmp(p, o->home)))) {
		f->skipped_list++;
		return false;
	}
	if ((rest = under(p, "/dev"))) {
		if (!strncmp(rest, "pts/", 4) || !strcmp(rest, "pts"))
			snprintf(out, size, "/dev/pts/**");
		else
			snprintf(out, size, "%s", p);
		return true;
	}
	if ((rest = under(p, "/proc"))) {
		if (*rest)
			return fold_proc(f, rest, out, size);
		f->skipped_list++;	/* not reached: listed above */
		return false;
	}
	/* the folder that holds it (a folder read is itself) */
	snprintf(dir, sizeof(dir), "%s", p);
	if (kind == OSL_SEEN_MKDIR || kind == OSL_SEEN_EXEC ||
	    !(stat(p, &st) == 0 && S_ISDIR(st.st_mode)))
		parent(dir);
	if (kind != OSL_SEEN_READ)
		while (strcmp(dir, "/") && made_by_run(f->l, dir))
			parent(dir);
	/* the workspace first: it may lie inside HOME or TMPDIR */
	if (under(p, o->pwd)) {
		/* programs and libraries the build makes do not exist on a
		 * clean tree when the sandbox is made: the whole workspace */
		if (kind == OSL_SEEN_READ || kind == OSL_SEEN_EXEC || !under(dir, o->pwd))
			snprintf(root, sizeof(root), "%s", o->pwd);
		else
			first_below(f->l, o->pwd, dir, true, root, sizeof(root));
		snprintf(out, size, "%s/**", root);
		return true;
	}
	for (size_t i = 0; system_tops[i]; i++)
		if (under(p, system_tops[i])) {
			bool whole = strcmp(system_tops[i], "/var") && strcmp(system_tops[i], "/run") &&
			    strcmp(system_tops[i], "/sys");

			/* /var, /run, /sys: the folder, not the whole tree (logs,
			 * other services' sockets, every device) */
			if (kind == OSL_SEEN_READ || kind == OSL_SEEN_EXEC) {
				if (whole)
					snprintf(out, size, "%s/**", system_tops[i]);
				else if (!strcmp(dir, system_tops[i]))
					snprintf(out, size, "%s", p);
				else
					snprintf(out, size, "%s/**", dir);
				return true;
			}
			break;
		}
	if (under(dir, f->tmpdir)) {
		snprintf(out, size, "%s/**", f->tmpdir);
		return true;
	}
	/* a write in a system folder (/etc, /srv, /usr/local): the file, or
	 * the folder below it the run made, never the whole folder */
	if (osl_system_folder(dir) && kind != OSL_SEEN_READ) {
		first_below(f->l, dir, p, false, root, sizeof(root));
		snprintf(out, size, "%s%s", root, strcmp(root, p) ? "/**" : "");
		return true;
	}
	if (under(p, o->home)) {
		fold_home(f, kind, p, dir, out, size);
		return true;
	}
	if (!strcmp(dir, "/")) {
		snprintf(out, size, "%s", p);
		return true;
	}
	snprintf(out, size, "%s/**", dir);
	return true;
}

static const struct osl_error *
agg_add(struct folder *f, enum osl_seen_kind kind, const char *abs, const struct osl_seen *s)
{
	struct agg *a = NULL;

	for (size_t i = 0; i < f->n; i++)
		if (f->a[i].kind == kind && !strcmp(f->a[i].abs, abs)) {
			a = &f->a[i];
			break;
		}
	if (!a) {
		if (f->n == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 32;

			if (!(a = reallocarray(f->a, cap, sizeof(*a))))
				return osl_error_nomem();
			f->a = a;
			f->cap = cap;
		}
		a = &f->a[f->n];
		memset(a, 0, sizeof(*a));
		a->kind = kind;
		if (!(a->abs = strdup(abs)))
			return osl_error_nomem();
		f->n++;
		snprintf(a->example, sizeof(a->example), "%s", s->what);
	}
	a->count++;
	for (size_t i = 0; i < 3 && s->by[0]; i++) {
		if (!strcmp(a->by[i], s->by))
			break;
		if (!a->by[i][0]) {
			snprintf(a->by[i], sizeof(a->by[i]), "%s", s->by);
			break;
		}
	}
	return NULL;
}

/* Rules inside another rule of their kind (a tree holds its folder and
 * everything below) are left out. */
static void
mark_covered(struct folder *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->n && !f->a[i].covered; j++) {
			const char *x = f->a[j].abs;
			size_t n = strlen(x);
			char pre[PATH_MAX];

			if (i == j || f->a[j].covered || f->a[j].kind != f->a[i].kind ||
			    n < 3 || strcmp(x + n - 3, "/**"))
				continue;
			snprintf(pre, sizeof(pre), "%.*s", (int)(n - 3), x);
			/* the workspace stays a rule of its own inside HOME or TMPDIR */
			if (under(f->a[i].abs, f->o->pwd) && !under(pre, f->o->pwd))
				continue;
			if (under(f->a[i].abs, pre) && strcmp(f->a[i].abs, x))
				f->a[i].covered = true;
		}
	}
}

/* ABS with ${PWD}, ${TMPDIR} or ${HOME} put back (the longest that fits),
 * double-quoted for YAML. */
static void
put_path(struct strbuf *sb, const struct folder *f, const char *abs)
{
	const char *vars[3][2] = { { "PWD", f->o->pwd }, { "TMPDIR", f->tmpdir },
		{ "HOME", f->o->home } };
	const char *best = NULL, *rest = abs;
	size_t blen = 0;

	for (size_t i = 0; i < 3; i++) {
		const char *v = vars[i][1], *r;

		if (v && strcmp(v, "/") && (r = under(abs, v)) && strlen(v) > blen) {
			best = vars[i][0];
			blen = strlen(v);
			rest = r;
		}
	}
	sb_addc(sb, '"');
	if (best)
		sb_addf(sb, "${%s}%s", best, *rest ? "/" : "");
	for (const char *c = rest; *c; c++) {
		if (*c == '"' || *c == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *c);
	}
	sb_addc(sb, '"');
}

/* S in a YAML comment: control characters (a newline would end the
 * comment) become '?'. */
static void
put_comment(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		sb_addc(sb, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static bool
plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || strchr("*?[]{}", *s))
			return false;
	return true;
}

static void
put_rules(struct strbuf *sb, struct folder *f, enum osl_seen_kind kind, const char *key)
{
	bool any = false;

	for (size_t i = 0; i < f->n; i++) {
		const struct agg *a = &f->a[i];

		if (a->kind != kind || a->covered)
			continue;
		if (!any)
			sb_addf(sb, "  %s:\n", key);
		any = true;
		sb_addf(sb, "    # %zu %s, e.g. ", a->count, a->count == 1 ? "path" : "paths");
		put_comment(sb, a->example);
		sb_adds(sb, "; by");
		for (size_t j = 0; j < 3 && a->by[j][0]; j++) {
			sb_adds(sb, j ? ", " : " ");
			put_comment(sb, a->by[j]);
		}
		sb_adds(sb, "\n    - ");
		put_path(sb, f, a->abs);
		sb_addc(sb, '\n');
	}
}

/* The name the run resolved to ADDR (no brackets), or NULL. */
static const char *
name_of(const struct osl_learn_emit *o, const char *addr)
{
	for (size_t i = 0; i < o->naddr_names; i++)
		if (!strcmp(o->addr_names[i][0], addr))
			return o->addr_names[i][1];
	return NULL;
}

/* Connects and binds; a connect to an address of a name the run resolved
 * is written as that name (the egress proxy holds a name in full, an
 * address by port only), with the addresses as a comment. */
static void
put_net(struct strbuf *sb, const struct osl_learn *l, const struct osl_learn_emit *o,
    enum osl_seen_kind kind, const char *key)
{
	bool any = false;

	for (size_t i = 0; i < l->n; i++) {
		const struct osl_seen *s = &l->seen[i];
		const char *port = strrchr(s->what, ':'), *name = NULL;
		char addr[INET6_ADDRSTRLEN + 2], rule[320];
		bool dup = false;

		if (s->kind != kind || s->refused || !port)
			continue;
		snprintf(addr, sizeof(addr), "%.*s", (int)(port - s->what), s->what);
		if (addr[0] == '[' && addr[strlen(addr) - 1] == ']') {
			memmove(addr, addr + 1, strlen(addr));
			addr[strlen(addr) - 1] = '\0';
		}
		if (kind == OSL_SEEN_CONNECT)
			name = name_of(o, addr);
		snprintf(rule, sizeof(rule), "%s%s", name ? name : s->what, name ? port : "");
		/* a name seen at several addresses: one rule */
		for (size_t j = 0; j < i && name; j++) {
			const char *pj = strrchr(l->seen[j].what, ':');
			char aj[INET6_ADDRSTRLEN + 2];
			const char *nj;

			if (l->seen[j].kind != kind || l->seen[j].refused || !pj || strcmp(pj, port))
				continue;
			snprintf(aj, sizeof(aj), "%.*s", (int)(pj - l->seen[j].what), l->seen[j].what);
			if (aj[0] == '[' && aj[strlen(aj) - 1] == ']') {
				memmove(aj, aj + 1, strlen(aj));
				aj[strlen(aj) - 1] = '\0';
			}
			nj = name_of(o, aj);
			dup = nj && !strcmp(nj, name);
			if (dup)
				break;
		}
		if (dup)
			continue;
		if (!any)
			sb_addf(sb, "  %s:\n", key);
		any = true;
		sb_addf(sb, "    - \"%s\"   # ", rule);
		if (name) {
			sb_adds(sb, "at ");
			put_comment(sb, s->what);
			sb_adds(sb, "; ");
		}
		sb_adds(sb, "by ");
		put_comment(sb, s->by);
		sb_addc(sb, '\n');
	}
}

static uint64_t
round_up(uint64_t v, uint64_t unit)
{
	return (v + unit - 1) / unit * unit;
}

/* A limit with its comment, unless the base has a lower one already (a
 * child can only lower limits). */
static void
put_limit(struct strbuf *sb, const struct osl_learn_emit *o, const char *key, uint64_t v,
    uint64_t base, const char *unit, const char *why)
{
	if (o->base && base != OSL_LIMIT_UNSET && base < v) {
		sb_addf(sb, "    # %s: the base's limit is lower than this run needed (%s)\n", key, why);
		return;
	}
	sb_addf(sb, "    %s: %llu%s   # %s\n", key, (unsigned long long)v, unit, why);
}

/* Fold every seen path into F's rules. */
static const struct osl_error *
collect(struct folder *f)
{
	const struct osl_learn *l = f->l;
	const struct osl_error *err;
	char rule[PATH_MAX];

	for (size_t i = 0; i < l->n; i++) {
		const struct osl_seen *s = &l->seen[i];
		enum osl_seen_kind k = s->kind == OSL_SEEN_MKDIR ? OSL_SEEN_WRITE : s->kind;

		if (k == OSL_SEEN_CONNECT || k == OSL_SEEN_BIND || k == OSL_SEEN_RESOLVE)
			continue;
		if (!plain(s->what) || !fold(f, s->kind, s->what, rule, sizeof(rule)))
			continue;
		if ((err = agg_add(f, k, rule, s)))
			return err;
		/* temporary files the run writes it reads back (on the next
		 * run too: a file left by this one is read, not made) */
		if (k == OSL_SEEN_WRITE && under(rule, f->tmpdir) && (err = agg_add(f, OSL_SEEN_READ,
		    rule, s)))
			return err;
		/* a pty's other end is opened from its master (TIOCGPTPEER): the
		 * kernel checks /dev/pts/N though no path was named */
		if (!strcmp(rule, "/dev/ptmx") && (err = agg_add(f, k, "/dev/pts/**", s)))
			return err;
	}
	mark_covered(f);
	return NULL;
}

/* The comment on where the policy came from, its name and what it extends. */
static void
put_head(struct strbuf *sb, const struct osl_learn *l, const struct osl_learn_emit *o)
{
	const char *name;

	name = o->argv && o->argv[0] ? strrchr(o->argv[0], '/') : NULL;
	name = name ? name + 1 : o->argv && o->argv[0] ? o->argv[0] : "command";
	sb_adds(sb, "# learned by `osl policy learn` from:");
	for (size_t i = 0; o->argv && o->argv[i] && i < 16; i++) {
		sb_addc(sb, ' ');
		put_comment(sb, o->argv[i]);
	}
	sb_addf(sb, "\n# exit status %d, %llu programs run, %zu paths seen; review before use\n",
	    l->status, (unsigned long long)l->nexec, l->n);
	sb_adds(sb, "version: 1\n");
	sb_adds(sb, "name: \"learned-");
	for (const char *c = name; *c; c++)
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    *c == '-' || *c == '_' || *c == '.')
			sb_addc(sb, *c);
	sb_adds(sb, "\"\n");
	if (o->extends || o->secrets) {
		sb_adds(sb, "extends: [");
		if (o->extends)
			put_path(sb, &(struct folder){ .o = &(struct osl_learn_emit){ 0 } }, o->extends);
		if (o->secrets)	/* keys, tokens, password hashes: denied whatever is allowed */
			sb_addf(sb, "%sbuiltin:secrets", o->extends ? ", " : "");
		sb_adds(sb, "]\n");
	}
}

static void
put_fs(struct strbuf *sb, struct folder *f)
{
	static const struct { enum osl_seen_kind kind; const char *key; } fs[] = {
		{ OSL_SEEN_READ, "read" }, { OSL_SEEN_WRITE, "write" }, { OSL_SEEN_EXEC, "exec" } };

	sb_adds(sb, "fs:\n");
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		put_rules(sb, f, fs[i].kind, fs[i].key);
	if (f->skipped_root)
		sb_adds(sb, "  # the run listed / itself: left out, a rule there would allow everything\n");
	if (f->skipped_list)
		sb_addf(sb, "  # %zu listings of /proc, /sys, /dev, /run, /var or HOME: left out (a rule on "
		    "a folder allows everything below it)\n", f->skipped_list);
	if (f->skipped_proc)
		sb_addf(sb, "  # %zu reads of other processes' /proc/PID entries: left out (their ids "
		    "change with every run; add a rule by hand if the build needs them)\n",
		    f->skipped_proc);
}

static void
put_net_all(struct strbuf *sb, const struct osl_learn *l, const struct osl_learn_emit *o)
{
	sb_adds(sb, "net:\n");
	put_net(sb, l, o, OSL_SEEN_CONNECT, "connect");
	put_net(sb, l, o, OSL_SEEN_BIND, "bind");
	sb_addf(sb, "  resolve: %s%s\n", l->resolved ? "true" : "false",
	    l->resolved ? "   # the run asked a name server (port 53)" : "");
	for (size_t i = 0, k = 0; i < l->n; i++) {
		if (l->seen[i].kind != OSL_SEEN_RESOLVE)
			continue;
		sb_adds(sb, k++ ? ", " : "  # names resolved (a connect rule may name them instead "
		    "of their addresses): ");
		put_comment(sb, l->seen[i].what);
		if (i + 1 == l->n || k == 64)
			break;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->seen[i].kind == OSL_SEEN_RESOLVE) {
			sb_addc(sb, '\n');
			break;
		}
}

/* limits: a margin above the peaks; memory is RLIMIT_AS (address space, far
 * above the resident size), so it is taken from VmPeak */
static void
put_limits(struct strbuf *sb, const struct osl_learn *l, const struct osl_learn_emit *o)
{
	const struct osl_limits *bl = o->base ? &o->base->limits : NULL;
	uint64_t mem, nofile, nproc, wall;
	char why[96];

	mem = round_up(l->peak_vm * 2, 64ULL << 20);
	mem = mem < (256ULL << 20) ? 256ULL << 20 : mem;	/* a floor: exits we miss (SIGKILL) */
	nofile = l->peak_fd * 2 < 256 ? 256 : round_up(l->peak_fd * 2, 256);
	nproc = l->peak_tasks * 4 < 256 ? 256 : round_up(l->peak_tasks * 4, 64);
	wall = l->duration_ns / 1000000000ULL * 10;
	wall = wall < 60 ? 60 : wall;
	sb_adds(sb, "proc:\n  limits:\n");
	if (l->peak_vm && mem > (16ULL << 30)) {
		/* runtimes reserve far more address space than they use (a JIT's
		 * heap cage): a limit on it would stop them, not a leak */
		sb_addf(sb, "    # memory: none learned: the run reserved %lluM of address space "
		    "(resident %lluM); RLIMIT_AS at twice that would hold nothing\n",
		    (unsigned long long)(l->peak_vm >> 20), (unsigned long long)(l->peak_rss >> 20));
	} else if (l->peak_vm) {
		snprintf(why, sizeof(why), "peak address space %lluM (resident %lluM): twice that, 256M at least",
		    (unsigned long long)(l->peak_vm >> 20), (unsigned long long)(l->peak_rss >> 20));
		put_limit(sb, o, "memory", mem >> 20, bl ? (bl->memory == OSL_LIMIT_UNSET ?
		    OSL_LIMIT_UNSET : bl->memory >> 20) : OSL_LIMIT_UNSET, "M", why);
	}
	snprintf(why, sizeof(why), "highest fd %llu", (unsigned long long)(l->peak_fd ?
	    l->peak_fd - 1 : 0));
	put_limit(sb, o, "nofile", nofile, bl ? bl->nofile : OSL_LIMIT_UNSET, "", why);
	snprintf(why, sizeof(why), "peak %llu processes and threads; the kernel counts "
	    "all of the user's", (unsigned long long)l->peak_tasks);
	put_limit(sb, o, "nproc", nproc, bl ? bl->nproc : OSL_LIMIT_UNSET, "", why);
	snprintf(why, sizeof(why), "the run took %llums",
	    (unsigned long long)(l->duration_ns / 1000000ULL));
	put_limit(sb, o, "wall", wall, bl ? (bl->wall_ns == OSL_LIMIT_UNSET ?
	    OSL_LIMIT_UNSET : bl->wall_ns / 1000000000ULL) : OSL_LIMIT_UNSET, "s", why);
}

const struct osl_error *
osl_learn_to_yaml(const struct osl_learn *l, const struct osl_learn_emit *o, struct strbuf *sb)
{
	const struct osl_error *err;
	struct folder f = { .l = l, .o = o };
	char rp[PATH_MAX];

	snprintf(f.tmpdir, sizeof(f.tmpdir), "%s", o->tmpdir && *o->tmpdir ? o->tmpdir : "/tmp");
	if (realpath(f.tmpdir, rp))	/* seen paths are resolved: compare like with like */
		snprintf(f.tmpdir, sizeof(f.tmpdir), "%s", rp);
	if ((err = collect(&f)) == NULL) {
		put_head(sb, l, o);
		sb_adds(sb, "mode: enforce\ndefault: deny\n");
		put_fs(sb, &f);
		put_net_all(sb, l, o);
		put_limits(sb, l, o);
		/* the run's own /proc (a /proc/self rule holds for every process
		 * of it only there) and only its own processes to see */
		sb_adds(sb, "  # a PID namespace: /proc/self rules hold for every process of the run "
		    "(man osl-proc(1), RULE PATHS)\n  namespaces: [pid]\n");
		if (sb->oom)
			err = osl_error_nomem();
	}
	for (size_t i = 0; i < f.n; i++)
		free(f.a[i].abs);
	free(f.a);
	return err;
}
