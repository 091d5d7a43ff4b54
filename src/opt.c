/* Option parsing and help, both read from the verb's table so that -h can
 * never disagree with the parser. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

char cli_cmdpath[128] = "osl";
const struct osl_cmd *cli_verb;

int
cli_no_options(int *argc, char ***argv)
{
	struct osl_getopt g;
	int c;

	cli_getopt_init(&g, cli_verb, *argc, *argv);
	c = cli_getopt(&g);
	if (c == 'h')
		return 0;
	if (c != -1)
		return OSL_EINPUT;
	*argc -= g.optind;
	*argv += g.optind;
	return -1;
}

void
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
	for (o = cmd->opts; o && o->val; o++) {
		if (i == OSL_OPT_MAX) {
			g->too_many = true;
			break;
		}
		if (o->val < 256 && s + 3 < sizeof(g->shorts)) {
			g->shorts[s++] = (char)o->val;
			if (o->arg)
				g->shorts[s++] = ':';
		}
		g->longs[i].name = o->name;
		g->longs[i].has_arg = o->arg ? required_argument : no_argument;
		g->longs[i].val = o->val;
		i++;
	}
	g->longs[i].name = "help";
	g->longs[i].val = 'h';
	g->shorts[s] = '\0';
}

static const char *
optname(const struct osl_cmd *cmd, int val, char *buf, size_t size)
{
	for (const struct osl_opt *o = cmd->opts; o && o->val; o++) {
		if (o->val == val && o->name) {
			snprintf(buf, size, "--%s", o->name);
			return buf;
		}
	}
	snprintf(buf, size, "-%c", val);
	return buf;
}

int
cli_getopt(struct osl_getopt *g)
{
	char name[64];
	int c, li = -1;

	if (g->too_many) {
		cli_error(osl_error_new(OSL_ESETUP, "more than %d options in the table", OSL_OPT_MAX));
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
			    optname(g->cmd, optopt, name, sizeof(name)));
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

void
cli_help(const struct osl_cmd *cmd, const char *path)
{
	const struct osl_opt *o;
	char left[96];

	printf("usage: %s %s\n", path, cmd->usage ? cmd->usage :
	    cmd->sub ? "VERB [OPTIONS] [ARGS]" : "[OPTIONS]");
	if (cmd->summary)
		printf("\n%s\n", cmd->summary);
	if (cmd->sub) {
		printf("\nverbs:\n");
		for (const struct osl_cmd *c = cmd->sub; c->name; c++)
			printf("  %-12s %s\n", c->name, c->summary);
	}
	printf("\noptions:\n");
	for (o = cmd->opts; o && o->val; o++) {
		if (o->val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->val, o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-24s %s\n", left, o->help);
	}
	printf("  %-24s %s\n", "-h, --help", "show this help");
	if (cmd->sub)
		printf("\nSee '%s VERB -h' and man %s.\n", path,
		    strchr(path, ' ') ? "osl-GROUP" : "osl");
}
