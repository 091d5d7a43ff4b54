/* `osl completion bash|zsh|fish`: the scripts are generated from the command
 * tables, so a new verb or option is completed without anyone remembering.
 * test/bats/03-completions.bats drives each script in its own shell.
 *
 * Completion kinds (struct osl_opt.complete, struct osl_cmd.operands):
 * "file", "dir", "none", "policy" (a file or builtin:NAME), "command" (a
 * command name as the first operand, then files), "group", "action", or a
 * list of words. */
#include <stdio.h>
#include <string.h>

#include "action.h"
#include "cli.h"
#include "policy/builtin.h"

extern const struct osl_cmd osl_top;

/* " builtin:ci builtin:default ...": the shipped policies, for "policy";
 * ESC_COLON for zsh's _arguments, where a colon ends the action. */
static void
builtin_words(bool esc_colon)
{
	for (const struct osl_builtin_policy *b = osl_builtin_policies; b->name; b++)
		printf(" builtin%s:%s", esc_colon ? "\\" : "", b->name);
}

static void
group_words(void)
{
	for (const struct osl_cmd *g = osl_groups; g->name; g++)
		printf(" %s", g->name);
}

/* "fs.read fs.write ...": the actions the policy decides (lib/action.h),
 * the ACTION of `policy explain`. */
static const char *
action_list(void)
{
	static char buf[2048];
	size_t o = 0;

	if (buf[0])
		return buf;
	for (unsigned a = 0; a < OSL_ACT__COUNT; a++)
		if (osl_action(a)->access != OSL_ACCESS_NONE && o < sizeof(buf))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? " " : "",
			    osl_action_name(a));
	return buf;
}

/* Escape for a single-quoted shell word. */
static void
sq(const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
}

static bool
is(const char *kind, const char *k)
{
	return !strcmp(kind, k);
}

/* Has C an option -L (NAME NULL) or --NAME of its own? */
static bool
defines(const struct osl_cmd *c, char l, const char *name)
{
	OPT_EACH(o, c->opts)
		if (name ? o->name && !strcmp(o->name, name) : o->letter == l)
			return true;
	return false;
}

/* Is the global option O, with an argument, to be completed after C's
 * verb: by its letter (L), by its name (N), not where C has that form, and
 * not one taken only before the verb (osl_opt.before_verb)?  C NULL:
 * between a group and its verb, where every one is. */
static bool
global_after(const struct osl_cmd *c, const struct osl_opt *o, bool *l, bool *n)
{
	*l = o->letter && (!c || !defines(c, o->letter, NULL));
	*n = o->name && (!c || !defines(c, 0, o->name));
	return o->arg && (!c || !o->before_verb) && (*l || *n);
}

static const char *
operand_kind(const struct osl_cmd *c)
{
	return c->operands ? c->operands : "file";
}

/* ------------------------------------------------------------------ bash --- */

static void
opt_words(const struct osl_opt *opts)
{
	OPT_EACH(o, opts) {
		if (o->letter)
			printf(" -%c", o->letter);
		if (o->name)
			printf(" --%s", o->name);
	}
	printf(" -h --help");
}

/* "-m|--mode" */
static void
bash_pattern(const struct osl_opt *o)
{
	if (o->letter)
		printf("-%c%s", o->letter, o->name ? "|" : "");
	if (o->name)
		printf("--%s", o->name);
}

/* Case arms for the global options with an argument: COMPLETE it, or
 * say that there is one (return 0); AFTER: only those taken after the
 * verb too (osl_opt.before_verb). */
static void
bash_global_arms(bool complete, bool after)
{
	OPT_EACH(o, osl_top.opts) {
		if (!o->arg || (after && o->before_verb))
			continue;
		printf("\t");
		bash_pattern(o);
		if (complete) {
			printf(") __osl_arg '");
			sq(o->complete ? o->complete : "none");
			printf("' ;;\n");
		} else
			printf(") return 0 ;;\n");
	}
}

/* The case arms of __osl_optarg (bash, or FISH) for one command: PATH is
 * "group/verb" ("supervise/" for a command's own options). */
static void
optarg_arms(const char *path, const struct osl_cmd *c, bool fish)
{
	OPT_EACH(o, c->opts) {
		if (fish) {
			printf("\tcase");
			if (o->letter)
				printf(" '%s/-%c'", path, o->letter);
			if (o->name)
				printf(" '%s/--%s'", path, o->name);
			printf("\n\t\treturn %d\n", o->arg ? 0 : 1);
			continue;
		}
		printf("\t");
		if (o->letter)
			printf("%s/-%c%s", path, o->letter, o->name ? "|" : "");
		if (o->name)
			printf("%s/--%s", path, o->name);
		printf(") return %d ;;\n", o->arg ? 0 : 1);
	}
}

/* Every command's arms, and then the global options' (they go anywhere). */
static void
optarg_all_arms(bool fish)
{
	char path[64];

	for (const struct osl_cmd *g = osl_groups; g->name; g++) {
		if (!cli_is_group(g)) {
			snprintf(path, sizeof(path), "%s/", g->name);
			optarg_arms(path, g, fish);
		}
		for (const struct osl_cmd *v = g->sub; v && v->name; v++) {
			snprintf(path, sizeof(path), "%s/%s", g->name, v->name);
			optarg_arms(path, v, fish);
		}
	}
}

/* After an option of C that takes an argument: complete the argument. */
static void
bash_prev(const struct osl_cmd *c, const char *indent)
{
	printf("%scase $prev in\n", indent);
	OPT_EACH(o, c->opts) {
		printf("%s", indent);
		bash_pattern(o);
		if (o->arg) {
			printf(") __osl_arg '");
			sq(o->complete ? o->complete : "none");
			printf("'; return ;;\n");
		} else
			printf(") ;;\n");
	}
	printf("%s*) __osl_garg_after && return ;;\n%sesac\n", indent, indent);
}

/* C's options or its operands; FIRST is shell code that is 1 when the word
 * is the first operand; SUBS are words offered there too. */
static void
bash_words(const struct osl_cmd *c, const char *first, const char *indent)
{
	printf("%scase $cur in -*) COMPREPLY=($(compgen -W '", indent);
	opt_words(c->opts);
	printf("' -- \"$cur\")) ;;\n%s*) ", indent);
	if (c->sub && c->fn) {
		printf("[ %s = 1 ] && COMPREPLY=($(compgen -W '", first);
		for (const struct osl_cmd *v = c->sub; v->name; v++)
			printf(" %s", v->name);
		printf("' -- \"$cur\"))\n%s\t", indent);
	}
	printf("__osl_arg '");
	sq(operand_kind(c));
	printf("' %s ;;\n%sesac\n", first, indent);
}

static void
bash(void)
{
	const struct osl_cmd *g, *v;

	printf("# bash completion for osl; generated by 'osl completion bash'\n");
	printf("# $1: the kind; $2: 1 for the first operand\n"
	    "__osl_arg() {\n"
	    "\tcase \"$1\" in\n"
	    "\tfile) COMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n"
	    "\tdir) COMPREPLY+=($(compgen -d -- \"$cur\")) ;;\n"
	    "\tnone) ;;\n"
	    /* the child's command: its name first (or right after --), then files */
	    "\tcommand) if [ \"$prev\" = -- ] || [ \"$2\" = 1 ]; then "
	    "COMPREPLY+=($(compgen -c -- \"$cur\")); else COMPREPLY+=($(compgen -f -- \"$cur\")); fi ;;\n"
	    "\tpolicy) COMPREPLY+=($(compgen -f -- \"$cur\") $(compgen -W '");
	builtin_words(false);
	printf("' -- \"$cur\"))\n"
	    "\t\ttype __ltrim_colon_completions >/dev/null 2>&1 && __ltrim_colon_completions \"$cur\" ;;\n"
	    "\tgroup) COMPREPLY+=($(compgen -W '");
	group_words();
	printf("' -- \"$cur\")) ;;\n"
	    "\taction) COMPREPLY+=($(compgen -W '%s' -- \"$cur\")) ;;\n"
	    "\t*) COMPREPLY+=($(compgen -W \"$1\" -- \"$cur\")) ;;\n"
	    "\tesac\n}\n", action_list());

	/* the global options' arguments, after the verb too */
	printf("__osl_garg() {\n\tcase $prev in\n");
	bash_global_arms(true, false);
	printf("\t*) return 1 ;;\n\tesac\n\treturn 0\n}\n");
	printf("__osl_garg_after() {\n\tcase $prev in\n");
	bash_global_arms(true, true);
	printf("\t*) return 1 ;;\n\tesac\n\treturn 0\n}\n");

	/* does option $3 of GROUP/VERB take an argument (the next word)? */
	printf("__osl_optarg() {\n\tcase \"$1/$2/$3\" in\n");
	optarg_all_arms(false);
	printf("\tesac\n\tcase $3 in\n");
	bash_global_arms(false, false);
	printf("\tesac\n\treturn 1\n}\n");

	printf("_osl() {\n"
	    "\tlocal cur prev w i group= verb= n=0 dd=\n"
	    "\tCOMPREPLY=()\n"
	    "\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	    "\tprev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    /* osl-fs is osl fs */
	    "\tw=${COMP_WORDS[0]##*/}\n"
	    "\tcase $w in osl-?*) group=${w#osl-} ;; esac\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	    "\t\tw=${COMP_WORDS[i]}\n"
	    "\t\tif [ -z \"$dd\" ] && [ \"$w\" = -- ]; then dd=1; continue; fi\n"
	    "\t\tcase $dd$w in\n"
	    "\t\t-?*) __osl_optarg \"$group\" \"$verb\" \"$w\" && ((i++)) ;;\n"
	    "\t\t*) if [ -z \"$group\" ]; then group=$w; "
	    "elif [ -z \"$verb\" ]; then verb=$w; else ((n++)); fi ;;\n"
	    "\t\tesac\n"
	    "\tdone\n"
	    "\tif [ -z \"$group\" ]; then\n"
	    "\t\t__osl_garg && return\n"
	    "\t\tCOMPREPLY=($(compgen -W '");
	opt_words(osl_top.opts);
	group_words();
	printf("' -- \"$cur\"))\n\t\treturn\n\tfi\n");
	printf("\tcase $group in\n");
	for (g = osl_groups; g->name; g++) {
		printf("\t%s)\n", g->name);
		if (!cli_is_group(g)) {
			/* a command: "verb" is its first operand, or one of its verbs */
			for (v = g->sub; v && v->name; v++) {
				printf("\t\tif [ \"$verb\" = %s ]; then\n", v->name);
				bash_prev(v, "\t\t\t");
				bash_words(v, "$((n == 0))", "\t\t\t");
				printf("\t\t\treturn\n\t\tfi\n");
			}
			bash_prev(g, "\t\t");
			bash_words(g, "$([ -z \"$verb\" ] && echo 1)", "\t\t");
			printf("\t\t;;\n");
			continue;
		}
		/* between the group and the verb: the global options' arguments */
		printf("\t\tif [ -z \"$verb\" ]; then __osl_garg && return; "
		    "COMPREPLY=($(compgen -W '-h --help");
		for (v = g->sub; v->name; v++)
			printf(" %s", v->name);
		printf("' -- \"$cur\")); return; fi\n");
		printf("\t\tcase $verb in\n");
		for (v = g->sub; v->name; v++) {
			printf("\t\t%s)\n", v->name);
			bash_prev(v, "\t\t\t");
			bash_words(v, "$((n == 0))", "\t\t\t");
			printf("\t\t\t;;\n");
		}
		printf("\t\tesac ;;\n");
	}
	printf("\tesac\n}\ncomplete -F _osl osl\n");
	for (g = osl_groups; g->name; g++)
		if (g->sub)
			printf("complete -F _osl osl-%s 2>/dev/null\n", g->name);
}

/* ------------------------------------------------------------------- zsh --- */

static void
zsh_quoted(const char *s, const char *special)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else if (strchr(special, *s))
			printf("\\%c", *s);
		else
			putchar(*s);
	}
}

/* The action of _arguments for KIND (after "desc:"); BRACES: as code, to
 * go inside {...} with other code. */
static void
zsh_action(const char *kind, bool braces)
{
	if (is(kind, "file"))
		printf("_files");
	else if (is(kind, "dir"))
		printf("_files -/");
	else if (is(kind, "none"))
		printf(braces ? ":" : " ");
	else if (is(kind, "command"))
		printf("_command_names -e");
	else if (is(kind, "policy")) {
		printf(braces ? "_files; compadd --" : "{_files; compadd --");
		builtin_words(true);
		printf(braces ? "" : "}");
	} else {
		const char *w = is(kind, "group") ? NULL : is(kind, "action") ? action_list() : kind;

		printf(braces ? "compadd -- " : "(");
		if (w)
			zsh_quoted(w, ":");
		else
			group_words();
		printf(braces ? "" : ")");
	}
}

static void
zsh_spec(const struct osl_opt *o)
{
	printf("\t\t'");
	if (o->letter && !o->name)
		printf("-%c", o->letter);
	else if (o->letter)
		printf("(-%c --%s)'{-%c,--%s}'", o->letter, o->name, o->letter, o->name);
	else
		printf("--%s", o->name);
	printf("[");
	zsh_quoted(o->help, "[]");
	printf("]");
	if (o->arg) {
		printf(": :");
		zsh_action(o->complete ? o->complete : "none", false);
	}
	printf("' \\\n");
}

/* _arguments for command C: its options, then its operands (and, for a
 * command with verbs of its own, those verbs as its first operand). */
/* After a global option that takes an argument (given after the verb),
 * its argument; not for a form C has itself (fs ls -l) */
static void
zsh_global_args(const struct osl_cmd *c, const char *indent)
{
	printf("%scase $words[CURRENT-1] in\n", indent);
	OPT_EACH(o, osl_top.opts) {
		bool l, n;

		if (!global_after(c, o, &l, &n))
			continue;
		printf("%s", indent);
		if (l)
			printf("-%c%s", o->letter, n ? "|" : "");
		if (n)
			printf("--%s", o->name);
		printf(") ");
		zsh_action(o->complete ? o->complete : "none", true);
		printf("; return ;;\n");
	}
	printf("%sesac\n", indent);
}

static void
zsh_arguments(const struct osl_cmd *c, const char *indent)
{
	const char *k = operand_kind(c);

	zsh_global_args(c, indent);

	printf("%s_arguments -s -S \\\n", indent);
	OPT_EACH(o, c->opts)
		zsh_spec(o);
	printf("\t\t'(-h --help)'{-h,--help}'[show help]' \\\n");
	if (c->sub && c->fn) {
		printf("\t\t'1: :{compadd --");
		for (const struct osl_cmd *v = c->sub; v->name; v++)
			printf(" %s", v->name);
		printf("; ");
		zsh_action(k, true);
		printf("}' '*: :_files'\n");
	} else if (is(k, "none"))
		printf("\n");
	else if (is(k, "command"))
		printf("\t\t'1: :_command_names -e' '*: :_files'\n");
	else {
		printf("\t\t'*: :");
		zsh_action(k, false);
		printf("'\n");
	}
}

static void
zsh_desc(const char *s)
{
	zsh_quoted(s, ":");
}

static void
zsh(void)
{
	const struct osl_cmd *g, *v;

	printf("#compdef osl");
	for (g = osl_groups; g->name; g++)
		if (g->sub)
			printf(" osl-%s", g->name);
	printf("\n# zsh completion for osl; generated by 'osl completion zsh'\n\n");
	for (g = osl_groups; g->name; g++) {
		printf("_osl_%s() {\n", g->name);
		if (!cli_is_group(g)) {
			for (v = g->sub; v && v->name; v++) {
				printf("\tif [[ $words[2] == %s ]] && (( CURRENT > 2 )); then\n"
				    "\t\tshift words; (( CURRENT-- ))\n", v->name);
				zsh_arguments(v, "\t\t");
				printf("\t\treturn\n\tfi\n");
			}
			zsh_arguments(g, "\t");
			printf("}\n\n");
			continue;
		}
		printf("\tlocal -a verbs\n\tverbs=(\n");
		for (v = g->sub; v->name; v++) {
			printf("\t\t'%s:", v->name);
			zsh_desc(v->summary);
			printf("'\n");
		}
		printf("\t)\n\tif (( CURRENT == 2 )); then _describe verb verbs; return; fi\n");
		printf("\tcurcontext=\"${curcontext%%:*}-$words[2]:\"\n");
		printf("\tcase $words[2] in\n");
		for (v = g->sub; v->name; v++) {
			printf("\t%s)\n\t\tshift words; (( CURRENT-- ))\n", v->name);
			zsh_arguments(v, "\t\t");
			printf("\t\t;;\n");
		}
		printf("\tesac\n}\n\n");
	}
	printf("_osl() {\n\tlocal curcontext=\"$curcontext\" state line\n");
	printf("\tcase $service in\n");
	for (g = osl_groups; g->name; g++)
		if (g->sub)
			printf("\tosl-%s) _osl_%s; return ;;\n", g->name, g->name);
	printf("\tesac\n\t_arguments -s -S -C \\\n");
	OPT_EACH(o, osl_top.opts)
		zsh_spec(o);
	printf("\t\t'(-h --help)'{-h,--help}'[show help]' \\\n");
	printf("\t\t'1: :->group' '*:: :->args'\n");
	printf("\tcase $state in\n\tgroup)\n\t\tlocal -a groups\n\t\tgroups=(\n");
	for (g = osl_groups; g->name; g++) {
		printf("\t\t\t'%s:", g->name);
		zsh_desc(g->summary);
		printf("'\n");
	}
	printf("\t\t)\n\t\t_describe group groups ;;\n\targs)\n\t\tcase $words[1] in\n");
	for (g = osl_groups; g->name; g++)
		printf("\t\t%s) _osl_%s ;;\n", g->name, g->name);
	printf("\t\tesac ;;\n\tesac\n}\n\n_osl \"$@\"\n");
}

/* ------------------------------------------------------------------ fish --- */

/* -a/-F/-r for completing KIND; REQ: an option's argument */
static void
fish_kind(const char *kind, bool req)
{
	if (is(kind, "file"))
		printf(req ? " -r -F" : " -F");
	else if (is(kind, "dir"))
		printf("%s -a '(__fish_complete_directories)'", req ? " -r" : "");
	else if (is(kind, "none"))
		printf(req ? " -x" : "");
	else if (is(kind, "command"))
		printf(" -a '(__fish_complete_command)' -F");
	else if (is(kind, "policy")) {
		printf("%s -F -a '", req ? " -r" : "");
		builtin_words(false);
		printf("'");
	} else {
		printf("%s -a '", req ? " -x" : "");
		if (is(kind, "group"))
			group_words();
		else
			sq(is(kind, "action") ? action_list() : kind);
		printf("'");
	}
}

static void
fish_opt(const char *cond, const struct osl_opt *o)
{
	printf("complete -c osl -n '%s'", cond);
	if (o->letter)
		printf(" -s %c", o->letter);
	if (o->name)
		printf(" -l %s", o->name);
	if (o->arg)
		fish_kind(o->complete ? o->complete : "none", true);
	printf(" -d '");
	sq(o->help);
	printf("'\n");
}

/* After a global option that takes an argument (given after the verb),
 * its argument; not for a form C has itself (fs ls -l); C NULL: between
 * the group and the verb */
static void
fish_global_args(const char *cond, const struct osl_cmd *c)
{
	OPT_EACH(o, osl_top.opts) {
		bool l, n;

		if (!global_after(c, o, &l, &n))
			continue;
		printf("complete -c osl -n '%s; and __osl_prev", cond);
		if (l)
			printf(" -%c", o->letter);
		if (n)
			printf(" --%s", o->name);
		printf("'");
		fish_kind(o->complete ? o->complete : "none", false);
		printf("\n");
	}
}

/* C's options, its verbs and its operands under the condition COND */
static void
fish_cmd(const char *cond, const struct osl_cmd *c)
{
	const char *k = operand_kind(c);

	fish_global_args(cond, c);

	OPT_EACH(o, c->opts)
		fish_opt(cond, o);
	printf("complete -c osl -n '%s' -s h -l help -d 'show this help'\n", cond);
	for (const struct osl_cmd *v = c->fn ? c->sub : NULL; v && v->name; v++) {
		printf("complete -c osl -n '%s' -a %s -d '", cond, v->name);
		sq(v->summary);
		printf("'\n");
	}
	if (is(k, "command")) {
		/* a command name as the first operand, files after it */
		printf("complete -c osl -n '%s; and __osl_first' -a '(__fish_complete_command)'\n", cond);
		printf("complete -c osl -n '%s' -F\n", cond);
	} else if (!is(k, "none")) {
		printf("complete -c osl -n '%s'", cond);
		fish_kind(k, false);
		printf("\n");
	}
}

static void
fish(void)
{
	const struct osl_cmd *g, *v;
	char cond[96];

	printf("# fish completion for osl; generated by 'osl completion fish'\n");
	/* does option $3 of GROUP/VERB take an argument (the next word)? */
	printf("function __osl_optarg\n\tswitch \"$argv[1]/$argv[2]/$argv[3]\"\n");
	optarg_all_arms(true);
	printf("\tend\n\tcontains -- $argv[3]");
	OPT_EACH(o, osl_top.opts) {
		if (!o->arg)
			continue;
		if (o->letter)
			printf(" -%c", o->letter);
		if (o->name)
			printf(" --%s", o->name);
	}
	printf("\nend\n");
	/* the group and the verb (or a command's first operand) so far */
	printf("function __osl_group\n"
	    "\tset -l w (commandline -opc)\n"
	    "\tset -e w[1]\n"
	    "\tset -l g\n\tset -l v\n\tset -l dd\n\tset -l n 0\n"
	    "\twhile set -q w[1]\n"
	    "\t\tif test -z \"$dd\"; and test \"$w[1]\" = --\n"
	    "\t\t\tset dd 1\n"
	    "\t\telse if test -z \"$dd\"; and string match -q -- '-?*' $w[1]\n"
	    "\t\t\t__osl_optarg \"$g\" \"$v\" $w[1]; and set -e w[1]\n"
	    "\t\telse if test -z \"$g\"\n"
	    "\t\t\tset g $w[1]\n"
	    "\t\telse if test -z \"$v\"\n"
	    "\t\t\tset v $w[1]\n"
	    "\t\telse\n"
	    "\t\t\tset n (math $n + 1)\n"
	    "\t\tend\n"
	    "\t\tset -e w[1]\n"
	    "\tend\n"
	    "\ttest -n \"$g\"; and echo $g\n"
	    "\ttest -n \"$v\"; and echo $v; and echo $n\n"
	    "end\n");
	/* the word completed is the verb's first operand */
	printf("function __osl_first\n\tset -l gv (__osl_group)\n"
	    "\ttest -z \"$gv[3]\"; or test \"$gv[3]\" = 0\nend\n");
	printf("function __osl_at\n\tset -l gv (__osl_group)\n"
	    "\ttest \"$gv[1]\" = \"$argv[1]\"; or return 1\n"
	    "\ttest (count $argv) -eq 1; and test (count $gv) -eq 1; and return 0\n"
	    "\ttest (count $argv) -eq 2; and test \"$gv[2]\" = \"$argv[2]\"\nend\n");
	/* is the word before the one completed one of ARGV? */
	printf("function __osl_prev\n\tset -l w (commandline -opc)\n"
	    "\tcontains -- \"$w[-1]\" $argv\nend\n");
	/* no group yet; (...) inside double quotes is not expanded by fish */
	printf("function __osl_top\n\tset -l g (__osl_group)\n\ttest (count $g) -eq 0\nend\n");
	printf("complete -c osl -f\n");
	OPT_EACH(o, osl_top.opts)
		fish_opt("__osl_top", o);
	for (g = osl_groups; g->name; g++) {
		printf("complete -c osl -n __osl_top -a %s -d '", g->name);
		sq(g->summary);
		printf("'\n");
		snprintf(cond, sizeof(cond), "__osl_at %s", g->name);
		if (!cli_is_group(g)) {
			fish_cmd(cond, g);
			for (v = g->sub; v && v->name; v++) {
				snprintf(cond, sizeof(cond), "__osl_at %s %s", g->name, v->name);
				fish_cmd(cond, v);
			}
			continue;
		}
		fish_global_args(cond, NULL);
		for (v = g->sub; v->name; v++) {
			printf("complete -c osl -n '%s' -a %s -d '", cond, v->name);
			sq(v->summary);
			printf("'\n");
		}
		for (v = g->sub; v->name; v++) {
			snprintf(cond, sizeof(cond), "__osl_at %s %s", g->name, v->name);
			fish_cmd(cond, v);
		}
	}
	/* osl-fs is osl fs */
	for (g = osl_groups; g->name; g++)
		if (g->sub)
			printf("complete -c osl-%s -w 'osl %s'\n", g->name, g->name);
}

int cmd_completion(int argc, char **argv, struct osl_ctx *ctx);

int
cmd_completion(int argc, char **argv, struct osl_ctx *ctx)
{
	int r;

	(void)ctx;
	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc != 1)
		return cli_usage("a shell is needed: bash, zsh or fish");
	if (!strcmp(argv[0], "bash"))
		bash();
	else if (!strcmp(argv[0], "zsh"))
		zsh();
	else if (!strcmp(argv[0], "fish"))
		fish();
	else
		return cli_usage("unknown shell '%s' (bash, zsh, fish)", argv[0]);
	return 0;
}
