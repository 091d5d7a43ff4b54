/* Option parsing and help, both read from the verb's table so that -h can
 * never disagree with the parser. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/parse.h"

static const struct osl_opt *short_opt(const struct osl_opt *t, int c);

char cli_cmdpath[128] = "osl";
const struct osl_cmd *cli_verb;

/* getopt_long's state for one verb: its tables are built from the verb's
 * rows, inline, so nothing is left to release */
struct osl_getopt {
	const struct osl_cmd *cmd;
	int argc;
	char **argv;
	char *optarg;
	int optind;		/* after the loop: first operand */
	char shorts[128];
	struct option longs[OSL_OPT_MAX + 2];
	char bad[96];		/* why the table cannot be used, or "" */
};

/* Start parsing a verb's options; ARGV[0] is the verb. */
static void
cli_getopt_init(struct osl_getopt *g, const struct osl_cmd *cmd, int argc, char **argv)
{
	const struct osl_opt *o;
	size_t i = 0, s = 0;

	memset(g, 0, sizeof(*g));
	g->cmd = cmd;
	g->argc = argc;
	g->argv = argv;
	g->shorts[s++] = '+';
	g->shorts[s++] = ':';
	g->shorts[s++] = 'h';
	for (o = cmd->opts; o && (o->letter || o->name); o++) {
		if (i == OSL_OPT_MAX) {
			snprintf(g->bad, sizeof(g->bad), "more than %d options in the table", OSL_OPT_MAX);
			break;
		}
		if (!o->type) {
			/* a row without OPT_*: nothing would ever read it */
			snprintf(g->bad, sizeof(g->bad), "option %s is bound to nothing (an OPT_* row)",
			    cli_opt_name(o));
			break;
		}
		if (o->letter && s + 3 < sizeof(g->shorts)) {
			g->shorts[s++] = o->letter;
			if (o->arg)
				g->shorts[s++] = ':';
		}
		if (!o->name)
			continue;	/* short only (-R): a NULL name would end getopt's list */
		g->longs[i].name = o->name;
		g->longs[i].has_arg = o->arg ? required_argument : no_argument;
		/* a long-only option is 256 + its index in the table */
		g->longs[i].val = o->letter ? o->letter : 256 + (int)(o - cmd->opts);
		i++;
	}
	g->longs[i].name = "help";
	g->longs[i].val = 'h';
	g->shorts[s] = '\0';
}

/* The option getopt returned as VAL, as a message names it. */
static const char *
optname(const struct osl_cmd *cmd, int val)
{
	const struct osl_opt *o = val >= 256 ? &cmd->opts[val - 256] : short_opt(cmd->opts, val);
	static char buf[8];

	if (o)
		return cli_opt_name(o);
	snprintf(buf, sizeof(buf), "-%c", val);
	return buf;
}

/* Next option: its `val` (256 + its index for a long-only one); -1 at the
 * end; 'h' after printing help; '?' after printing a usage error. */
static int
cli_getopt(struct osl_getopt *g)
{
	int c, li = -1;

	if (g->bad[0]) {
		cli_error(osl_error_new(OSL_ESETUP, "%s", g->bad));
		return '?';
	}
	if (g->optind == 0)
		optind = 0;	/* glibc: full reset */
	opterr = 0;
	c = getopt_long(g->argc, g->argv, g->shorts, g->longs, &li);
	g->optind = optind;
	g->optarg = optarg;
	switch (c) {
	case -1:
		return -1;
	case 'h':
		cli_help(g->cmd, cli_cmdpath);
		return 'h';
	case ':':
		if (optopt)
			cli_usage("option '%s' needs an argument",
			    optname(g->cmd, optopt));
		else
			cli_usage("option '%s' needs an argument", g->argv[optind - 1]);
		return '?';
	case '?':
		if (optopt && optopt < 256)
			cli_usage("unknown option '-%c'", optopt);
		else
			cli_usage("unknown option '%s'", g->argv[optind - 1]);
		return '?';
	default:
		return c;
	}
}

const char *
cli_opt_name(const struct osl_opt *o)
{
	static char buf[64];

	if (o->name)
		snprintf(buf, sizeof(buf), "--%s", o->name);
	else
		snprintf(buf, sizeof(buf), "-%c", o->letter);
	return buf;
}

int
cli_opt_apply(const struct osl_opt *o, const char *arg)
{
	uint64_t v;
	int w = 0;

	switch (o->type) {
	case OSL_OPT_BOOL:
		if (o->var.b)
			*o->var.b = o->set;
		return -1;
	case OSL_OPT_INT:
		*o->var.i = o->set;
		return -1;
	case OSL_OPT_STRING:
		*o->var.s = arg;
		return -1;
	case OSL_OPT_DURATION:
		if (!osl_parse_duration(arg, &v))
			return cli_bad_duration(arg);
		if (v < o->min)
			return cli_usage("'%s': %s must be more than 0", arg, cli_opt_name(o));
		*o->var.ns = v;
		return -1;
	case OSL_OPT_UINT:
		if (!osl_parse_uint(arg, o->max, &v) || v < o->min)
			return cli_usage("'%s': %s takes a number from %llu to %llu", arg,
			    cli_opt_name(o), (unsigned long long)o->min, (unsigned long long)o->max);
		*o->var.u = (unsigned)v;
		return -1;
	case OSL_OPT_CHOICE:
		for (const char *p = o->complete; *p; ) {
			size_t n = strcspn(p, " ");

			if (n == strlen(arg) && !strncmp(p, arg, n)) {
				*o->var.i = w;
				return -1;
			}
			p += n + (p[n] == ' ');
			w++;
		}
		return cli_usage("'%s': %s takes one of: %s%s", arg, cli_opt_name(o), o->complete,
		    cli_did_you_mean_words(o->complete, arg));
	case OSL_OPT_CALLBACK:
		return o->fn(o, arg);
	}
	return cli_error(osl_error_new(OSL_ESETUP, "%s: not bound to a variable", cli_opt_name(o)));
}

int
cli_parse(const struct osl_cmd *cmd, int *argc, char ***argv)
{
	const struct osl_opt *o;
	struct osl_getopt g;
	int c, r = -1;

	cli_getopt_init(&g, cmd, *argc, *argv);
	while (r == -1 && (c = cli_getopt(&g)) != -1) {
		if (c == 'h')
			return 0;
		if (c == '?')
			return OSL_EINPUT;
		o = c >= 256 ? &cmd->opts[c - 256] : short_opt(cmd->opts, c);
		r = cli_opt_apply(o, o->arg ? g.optarg : NULL);
	}
	if (r != -1 && r != CLI_OPT_END)
		return r;
	*argc -= g.optind;
	*argv += g.optind;
	return -1;
}

void
cli_help(const struct osl_cmd *cmd, const char *path)
{
	const struct osl_opt *o;
	char left[96];

	printf("usage: %s %s\n", path, cmd->usage ? cmd->usage :
	    cli_is_group(cmd) ? "VERB [OPTIONS] [ARGS]" : "[OPTIONS]");
	if (cmd->summary)
		printf("\n%s\n", cmd->summary);
	if (cmd->sub) {
		printf("\nverbs:\n");
		for (const struct osl_cmd *c = cmd->sub; c->name; c++)
			printf("  %-12s %s\n", c->name, c->summary);
	}
	printf("\noptions:\n");
	for (o = cmd->opts; o && (o->letter || o->name); o++) {
		if (o->letter && !o->name)
			snprintf(left, sizeof(left), "-%c%s%s", o->letter,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		else if (o->letter)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->letter, o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-24s %s\n", left, o->help);
	}
	printf("  %-24s %s\n", "-h, --help", "show this help");
	if (cli_is_group(cmd))
		printf("\nSee '%s VERB -h' and man %s.\n", path,
		    strchr(path, ' ') ? "osl-GROUP" : "osl");
	else if (cmd->sub)
		printf("\nSee '%s VERB -h'.\n", path);
}

/* --- GNU argument order (cli_arrange) --- */

static const struct osl_opt help_opt = { .letter = 'h', .name = "help", .help = "show this help" };

static const struct osl_opt *
short_opt(const struct osl_opt *t, int c)
{
	OPT_EACH(o, t)
		if (o->letter == c)
			return o;
	return NULL;
}

/* The option --NAME (LEN bytes) of T: exact, else a unique prefix (as
 * getopt_long takes it). */
static const struct osl_opt *
long_opt(const struct osl_opt *t, const char *name, size_t len, bool exact)
{
	const struct osl_opt *found = NULL;
	int n = 0;

	OPT_EACH(o, t) {
		if (!o->name || strncmp(o->name, name, len))
			continue;
		if (o->name[len] == '\0')
			return o;
		found = o;
		n++;
	}
	return !exact && n == 1 ? found : NULL;
}

enum owner { NONE, VERB, GLOBAL };

struct arrange {
	const struct osl_cmd *group;
	const struct osl_cmd *verb;	/* NULL between the group and the verb */
	const struct osl_opt *globals;
	char **out;			/* the new argv */
	int nout;
	char *pool;			/* strings of split clusters */
	size_t npool;
};

static enum owner
owner_short(const struct arrange *a, int c, const struct osl_opt **op)
{
	if (a->verb && (c == 'h' || (*op = short_opt(a->verb->opts, c))))
		return c == 'h' ? (*op = &help_opt, VERB) : VERB;
	if ((*op = short_opt(a->globals, c)))
		return GLOBAL;
	return NONE;
}

static enum owner
owner_long(const struct arrange *a, const char *name, size_t len, const struct osl_opt **op)
{
	const struct osl_opt *vo = a->verb ? a->verb->opts : NULL;

	if (a->verb && len == 4 && !strncmp(name, "help", 4))
		return *op = &help_opt, VERB;
	if (a->verb && (*op = long_opt(vo, name, len, true)))
		return VERB;
	if ((*op = long_opt(a->globals, name, len, true)))
		return GLOBAL;
	if (a->verb && (*op = long_opt(vo, name, len, false)))
		return VERB;
	if ((*op = long_opt(a->globals, name, len, false)))
		return GLOBAL;
	return NONE;
}

static char *
pooled(struct arrange *a, int c, const char *rest)
{
	char *s = a->pool + a->npool;
	size_t n = strlen(rest);

	/* the pool was sized for every word split letter by letter */
	s[0] = '-';
	s[1] = (char)c;
	memcpy(s + 2, rest, n + 1);
	a->npool += n + 3;
	return s;
}

static int
global(struct arrange *a, const struct osl_opt *o, const char *arg, const char *as)
{
	if (a->verb && o->before_verb)
		return cli_usage("%s is taken only before the verb (osl %s ... %s%s%s ...): "
		    "among its arguments a file name could give it (a file named so goes after "
		    "'--')", cli_opt_name(o), cli_opt_name(o), a->group->name,
		    a->verb == a->group ? "" : " ", a->verb == a->group ? "" : a->verb->name);
	if (o->arg && !arg)
		return cli_usage("option '%s' needs an argument", as);
	return cli_opt_apply(o, arg);
}

/* Does the cluster ARG (-lR, -ofile, -jl) hold a global letter before its
 * first letter that takes an argument? */
static bool
cluster_has_global(const struct arrange *a, const char *arg)
{
	const struct osl_opt *o;

	for (const char *p = arg + 1; *p; p++) {
		enum owner w = owner_short(a, *p, &o);

		if (w == GLOBAL)
			return true;
		if (w == VERB && o->arg)
			return false;
	}
	return false;
}

/* Take ARGV[*I], an option: global ones are applied, the verb's go to
 * a->out.  -1 when done, -2 when it is neither (between the group and the
 * verb: the end of the global options), else an exit status. */
static int
take(struct arrange *a, int argc, char **argv, int *i)
{
	const struct osl_opt *o = NULL;
	char *arg = argv[*i], as[64];
	enum owner w;

	if (arg[1] == '-') {
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const char *val = eq ? eq + 1 : NULL;

		w = owner_long(a, name, len, &o);
		if (w == GLOBAL) {
			if (o->arg && !val && *i + 1 < argc)
				val = argv[++*i];
			snprintf(as, sizeof(as), "--%s", o->name);
			return global(a, o, val, as);
		}
		if (!a->verb)
			return -2;
		a->out[a->nout++] = arg;
		if (w == VERB && o->arg && !eq && *i + 1 < argc)
			a->out[a->nout++] = argv[++*i];
		return -1;
	}
	if (!cluster_has_global(a, arg)) {
		if (!a->verb)
			return -2;
		/* the verb's, as the user wrote it */
		a->out[a->nout++] = arg;
		for (const char *p = arg + 1; *p; p++)
			if (owner_short(a, *p, &o) == VERB && o->arg) {
				if (!p[1] && *i + 1 < argc)
					a->out[a->nout++] = argv[++*i];
				break;
			}
		return -1;
	}
	/* mixed: one letter at a time */
	for (const char *p = arg + 1; *p; p++) {
		const char *val = NULL;
		int r;

		w = owner_short(a, *p, &o);
		if (w != GLOBAL && !a->verb)
			return cli_usage("unknown option '-%c'", *p);
		if (w == GLOBAL) {
			if (o->arg)
				val = p[1] ? p + 1 : *i + 1 < argc ? argv[++*i] : NULL;
			snprintf(as, sizeof(as), "-%c", *p);
			if ((r = global(a, o, val, as)) != -1 || o->arg)
				return r;
			continue;
		}
		if (w == VERB && o->arg) {
			a->out[a->nout++] = pooled(a, *p, p + 1);
			if (!p[1] && *i + 1 < argc)
				a->out[a->nout++] = argv[++*i];
			return -1;
		}
		a->out[a->nout++] = pooled(a, *p, "");
	}
	return -1;
}

/* Is the option word ARG one of the global options (not the verb's)? */
static bool
global_first(const struct arrange *a, const char *arg)
{
	const struct osl_opt *o;

	if (arg[1] == '-') {
		const char *eq = strchr(arg + 2, '=');

		return owner_long(a, arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2), &o) == GLOBAL;
	}
	return owner_short(a, arg[1], &o) == GLOBAL;
}

/* GROUP's verb NAME, or NULL. */
static const struct osl_cmd *
find_verb(const struct osl_cmd *group, const char *name)
{
	for (const struct osl_cmd *v = group->sub; v && v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

static bool
is_option(const char *s)
{
	return s[0] == '-' && s[1] != '\0' && strcmp(s, "--");
}

/* cli_arrange's words: they live as long as the run (argv points into them) */
static char **arranged_out, *arranged_pool;

void
cli_arrange_release(void)
{
	free(arranged_out);
	free(arranged_pool);
	arranged_out = NULL;
	arranged_pool = NULL;
}

int
cli_arrange(const struct osl_cmd *group, const struct osl_opt *globals, int *argc, char ***argv)
{
	char **out;
	char *pool;
	struct arrange a = { group, NULL, globals, NULL, 0, NULL, 0 };
	char **av = *argv, **operands;
	size_t bytes = 0, words = 2;
	int ac = *argc, i = 1, nops = 0, r;
	bool dashdash = false;

	/* a split cluster gives a word per letter ("-" + letter + rest) */
	for (int k = 0; k < ac; k++) {
		bytes += 4 * strlen(av[k]) + 4;
		words += strlen(av[k]) + 1;
	}
	cli_arrange_release();
	out = arranged_out = calloc(words, sizeof(*out));
	operands = calloc((size_t)ac + 1, sizeof(*operands));
	pool = arranged_pool = malloc(bytes);
	if (!out || !operands || !pool) {
		free(operands);
		return cli_error(osl_error_nomem());
	}
	a.out = out;
	a.pool = pool;
	a.out[a.nout++] = av[0];
	if (cli_is_group(group)) {
		/* osl proc -j ps: global options before the verb */
		for (; i < ac && is_option(av[i]); i++) {
			if ((r = take(&a, ac, av, &i)) == -2)
				break;
			if (r != -1)
				goto done;
		}
		if (i >= ac || !(a.verb = find_verb(group, av[i])))
			goto rest;
		a.out[a.nout++] = av[i++];
	} else {
		a.verb = group;
		/* osl supervise -j ctl: global options (not the command's own)
		 * before a command's verb; a verb after its own options or --
		 * is a program's name */
		for (; group->sub && i < ac && is_option(av[i]) && global_first(&a, av[i]); i++)
			if ((r = take(&a, ac, av, &i)) != -1)
				goto done;
		if (group->sub && i < ac && find_verb(group, av[i]))
			a.verb = find_verb(group, av[i]);
		if (a.verb != group)
			a.out[a.nout++] = av[i++];
	}
	for (; i < ac; i++) {
		if (!strcmp(av[i], "--")) {
			dashdash = true;
			if (a.verb->flags & OSL_CMD_VERBATIM)
				break;
			i++;
			break;
		}
		if (!is_option(av[i])) {
			if (a.verb->flags & OSL_CMD_VERBATIM)
				break;
			operands[nops++] = av[i];
			continue;
		}
		if ((r = take(&a, ac, av, &i)) != -1)
			goto done;
	}
	if (a.verb->flags & OSL_CMD_VERBATIM)
		goto rest;
	if (dashdash)
		a.out[a.nout++] = "--";
	for (int k = 0; k < nops; k++)
		a.out[a.nout++] = operands[k];
rest:
	while (i < ac)
		a.out[a.nout++] = av[i++];
	a.out[a.nout] = NULL;
	*argc = a.nout;
	*argv = a.out;
	r = -1;
done:
	free(operands);
	return r;
}

/* --- did you mean --- */

/* Optimal string alignment distance (a letter changed, added, dropped, or
 * two neighbours swapped), for short names; 99 when either is too long. */
static int
distance(const char *a, const char *b)
{
	int d[33][33];
	size_t la = strlen(a), lb = strlen(b);

	if (la > 32 || lb > 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

static char suggestion[96];

/* Keep CAND (LEN bytes) in `suggestion` when it is nearer NAME than *BEST. */
static void
consider(const char *name, const char *cand, size_t len, int *best)
{
	char w[33];
	int d;

	if (len >= sizeof(w))
		return;
	memcpy(w, cand, len);
	w[len] = '\0';
	d = distance(name, w);
	if (d < *best && d <= (strlen(name) >= 4 ? 2 : 1)) {
		*best = d;
		snprintf(suggestion, sizeof(suggestion), "; did you mean '%s'?", w);
	}
}

const char *
cli_did_you_mean(const struct osl_cmd *table, const char *name)
{
	int best = 99;

	suggestion[0] = '\0';
	for (const struct osl_cmd *c = table; c && c->name; c++)
		consider(name, c->name, strlen(c->name), &best);
	return suggestion;
}

const char *
cli_did_you_mean_words(const char *words, const char *name)
{
	int best = 99;

	suggestion[0] = '\0';
	for (const char *p = words; *p; ) {
		size_t n = strcspn(p, " ");

		consider(name, p, n, &best);
		p += n + (p[n] == ' ');
	}
	return suggestion;
}

bool
cli_word_in(const char *words, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = words; *p; ) {
		size_t k = strcspn(p, " ");

		if (k == n && n && !strncmp(p, name, n))
			return true;
		p += k + (p[k] == ' ');
	}
	return false;
}

int
cli_bad_duration(const char *arg)
{
	return cli_usage("'%s': " OSL_BAD_DURATION, arg);
}
