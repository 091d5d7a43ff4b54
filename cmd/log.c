/* osl log: verify and show the activity log.
 *
 * These verbs read the files they are given and change nothing; they do not
 * go through the operation pipeline (a verifier must not depend on, or
 * append to, the log it checks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "fs/fs.h"
#include "op.h"

static int cmd_log_verify(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_log_show(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_log_keygen(int argc, char **argv, struct osl_ctx *ctx);

static struct {
	bool rotated;
	const char *key, *pins;
} verify_opt;
static const struct osl_opt verify_opts[] = {
	OPT_BOOL('r', "rotated", &verify_opt.rotated,
	    "the files are one log's rotations, oldest first (one chain)"),
	OPT_STRING('k', "key", &verify_opt.key, "PUB",
	    "check checkpoint signatures against this Ed25519 public key", "file"),
	OPT_STRING('c', "checkpoints", &verify_opt.pins, "FILE", "the log's checkpoint copies "
	    "(checkpoint_sink): catch a changed, replaced or truncated log", "file"),
	OPT_END
};

static struct {
	const char *action, *outcome, *decision, *since, *level;
} show_opt;
static const struct osl_opt show_opts[] = {
	OPT_STRING('a', "action", &show_opt.action, "A",
	    "only this event.action, or a group of them: 'fs' or 'fs.*'",
	    "fs net proc supervise log " OSL_ACTION_WORDS),
	OPT_STRING('o', "outcome", &show_opt.outcome, "O", "only success, failure or unknown",
	    "success failure unknown"),
	OPT_STRING('d', "decision", &show_opt.decision, "D",
	    "only what the policy allowed or denied (osl.decision)", "allow deny"),
	OPT_STRING('s', "since", &show_opt.since, "T",
	    "only records at or after T: RFC 3339, or a duration before now (10m)", NULL),
	OPT_STRING('L', "level", &show_opt.level, "L", "only records at least this level",
	    "debug info notice warn error critical"),
	OPT_END
};

const struct osl_cmd osl_log_cmds[] = {
	{ "verify", cmd_log_verify, "check the hash chain and checkpoints (exit 0 intact, 1 not)",
	  0, "[-r] [-k PUB] [-c FILE] FILE...", verify_opts, NULL, "file" },
	{ "keygen", cmd_log_keygen, "make an Ed25519 key pair for signed checkpoints",
	  0, "PRIVATE [PUBLIC]", NULL, NULL, "file" },
	{ "show", cmd_log_show, "print records as a table, filtered (-j: a JSON array)",
	  0, "[-a A] [-o O] [-d D] [-s T] [-L L] FILE", show_opts, NULL, "file" },
	{ NULL }
};

static int
cmd_log_verify(int argc, char **argv, struct osl_ctx *ctx)
{
	struct osl_verify *v = NULL;
	int status;

	(void)ctx;
	if ((status = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return status;
	status = 0;
	if (argc < 1)
		return cli_usage("a log file is needed");
	if (verify_opt.pins && argc > 1 && !verify_opt.rotated)
		return cli_usage("--checkpoints checks one log: give its files with -r, oldest first");

	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_error *err;
		const struct osl_verify_report *rep;
		char q[4200];

		if (!v || !verify_opt.rotated) {
			osl_verify_free(v);
			if (!(v = osl_verify_new()))
				return cli_error(osl_error_nomem());
			if (verify_opt.key && (err = osl_verify_set_key_file(v, verify_opt.key))) {
				/* a key that cannot be read is bad input, not tampering */
				out_fail("file", verify_opt.key, err);
				osl_verify_free(v);
				out_arr_close();
				return OSL_EINPUT;
			}
			/* the copies name the live log: the last file given */
			if (verify_opt.pins && (err = osl_verify_pins_file(v, verify_opt.pins, argv[argc - 1]))) {
				/* the failure goes in the array, before it is closed */
				int st = out_fail("file", verify_opt.pins, err);

				osl_verify_free(v);
				out_arr_close();
				return st;
			}
		} else
			osl_verify_next_file(v);
		out_quote(argv[i], q, sizeof(q));
		out_obj_open(NULL);
		out_str("file", NULL, argv[i]);
		if ((err = osl_verify_file(v, argv[i]))) {
			cli_error(err);
			out_error(err);
			out_bool("intact", NULL, false);
			out_obj_close();
			status = OSL_EINPUT;
			if (verify_opt.rotated)
				break;
			continue;
		}
		if (i == argc - 1)
			osl_verify_finish(v);
		rep = osl_verify_report(v);
		out_bool("intact", NULL, rep->bad_line == 0);
		out_u64("records", NULL, rep->records);
		out_u64("checkpoints", NULL, rep->checkpoints);
		out_u64("unvouched", NULL, rep->unvouched);
		out_u64("torn_lines", NULL, rep->torn_lines);
		out_u64("old_format", NULL, rep->old_format);
		if (verify_opt.pins) {
			out_u64("pinned", NULL, rep->pins);
			out_u64("pins_matched", NULL, rep->pins_matched);
		}
		if (rep->bad_line) {
			out_u64("bad_line", NULL, rep->bad_line);
			out_str("why", NULL, rep->why);
			out_bool("torn_tail", NULL, rep->torn_tail);
			fprintf(stderr, "%s: %s:%lu: %s\n", cli_cmdpath, q, rep->bad_line, rep->why);
			if (status == 0)
				status = 1;
		} else {
			out_text("%s: intact, %lu records, %lu checkpoints", q, rep->records,
			    rep->checkpoints);
			if (rep->torn_lines)
				out_text("; %lu torn line%s (line %lu) left by a crash, "
				    "the chain goes on past %s", rep->torn_lines,
				    rep->torn_lines == 1 ? "" : "s", rep->first_torn,
				    rep->torn_lines == 1 ? "it" : "them");
			if (rep->old_format)
				out_text("; %lu record%s (from line %lu) predate%s osl.chain: written by "
				    "an older osl with the chain at the top level, checked as such",
				    rep->old_format, rep->old_format == 1 ? "" : "s", rep->first_old,
				    rep->old_format == 1 ? "s" : "");
			if (verify_opt.pins && rep->pins)
				out_text("; %lu of %lu checkpoint copies matched%s", rep->pins_matched,
				    rep->pins, rep->pins_matched < rep->pins ?
				    " (the others are of older files)" : "");
			else if (verify_opt.pins)
				out_text("; '%s' has no checkpoint copy of this log", verify_opt.pins);
			if (rep->unvouched)
				out_text("; the last %lu records are after the last checkpoint "
				    "and cannot be vouched for against truncation", rep->unvouched);
			out_text("\n");
		}
		out_obj_close();
		if (verify_opt.rotated && rep->bad_line)
			break;
	}
	out_arr_close();
	osl_verify_free(v);
	return status;
}

struct show {
	struct osl_log_filter filter;
	unsigned long shown, bad, lineno;
	const char *file;
};

static const char *
jstr(const cJSON *rec, const char *a, const char *b)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, a);

	if (b)
		o = cJSON_GetObjectItemCaseSensitive(o, b);
	return cJSON_IsString(o) ? o->valuestring : "-";
}

static int
show_one(cJSON *rec, const char *line, size_t len, void *arg)
{
	struct show *sh = arg;
	char ts[32];

	sh->lineno++;
	if (!rec) {
		sh->bad++;
		return 0;
	}
	if (!osl_log_filter_match(&sh->filter, rec))
		return 0;
	if (out_is_json()) {
		/* the exact bytes that were written (and hashed), not a re-serialisation */
		fputs(sh->shown ? ",\n" : "[", stdout);
		fwrite(line, 1, len, stdout);
	} else {
		/* "2026-11-21T22:19:19.123456789Z" -> "2026-11-21T22:19:19.123Z" */
		snprintf(ts, sizeof(ts), "%.23s%s", jstr(rec, "@timestamp", NULL),
		    strlen(jstr(rec, "@timestamp", NULL)) > 23 ? "Z" : "");
		printf("%-24s %-6s %-17s %-8s %-5s ", ts, jstr(rec, "log", "level"),
		    jstr(rec, "event", "action"), jstr(rec, "event", "outcome"),
		    jstr(rec, "osl", "decision"));
		/* one record, one line: the message holds file names */
		cli_put_escaped(stdout, jstr(rec, "message", NULL));
		putchar('\n');
	}
	sh->shown++;
	return ferror(stdout) ? 1 : 0;
}

/* An action of the table (action.h), or a group of them: "fs" or "fs.*". */
static bool
known_action(const char *a)
{
	size_t n = strlen(a);
	enum osl_action id;

	if (osl_action_by_name(a, &id))
		return true;
	if (n >= 2 && strcmp(a + n - 2, ".*") == 0)
		n -= 2;
	if (!n || memchr(a, '.', n))
		return false;
	for (unsigned i = 0; i < OSL_ACT__COUNT; i++)
		if (strncmp(osl_action_name(i), a, n) == 0 && osl_action_name(i)[n] == '.')
			return true;
	return false;
}

static int
cmd_log_show(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct show sh = { 0 };
	struct timespec now;
	int r;

	(void)ctx;
	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc != 1)
		return cli_usage("one log file is needed (- for standard input)");
	clock_gettime(CLOCK_REALTIME, &now);
	if (show_opt.action && !known_action(show_opt.action))
		return cli_usage("unknown action '%s': an event.action, or a group (fs, net, proc, "
		    "supervise, log) alone or as 'fs.*'", show_opt.action);
	err = osl_log_filter_init(&sh.filter, show_opt.action, show_opt.outcome,
	    show_opt.since, show_opt.level,
	    (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec);
	if (!err)
		err = osl_log_filter_decision(&sh.filter, show_opt.decision);
	if (err)
		return cli_error(err);
	sh.file = argv[0];
	if (!out_is_json())
		printf("%-24s %-6s %-17s %-8s %-5s %s\n", "TIME", "LEVEL", "ACTION", "OUTCOME",
		    "DEC", "MESSAGE");
	err = osl_log_read(argv[0], show_one, &sh);
	/* a log that cannot be read at all is {"error": ...} (out_finish) */
	if (out_is_json() && (sh.shown || !err))
		fputs(sh.shown ? "]\n" : "[]\n", stdout);
	if (err)
		return cli_error(err);
	if (sh.bad)
		cli_warn("'%s': %lu line%s not a JSON record, skipped (osl log verify says which)",
		    argv[0], sh.bad, sh.bad == 1 ? " is" : "s are");
	return 0;
}

/* Making a key writes files: the private key goes through the pipeline as
 * fs.create (the public one is derived from it and goes beside it). */
static int
cmd_log_keygen(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_op op;
	char abs[PATH_MAX];
	int r;

	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (argc < 1 || argc > 2)
		return cli_usage("a private key file is needed, and at most a public one");
	if ((err = osl_fs_abspath(argv[0], abs, sizeof(abs))))
		return cli_error(err);
	osl_op_init(&op, OSL_ACT_FS_CREATE, argv[0]);
	op.req.path = abs;
	osl_log_add_text(osl_log_obj(op.fields, "file"), "path", abs);
	if (!(err = osl_op_begin(ctx, &op))) {
		err = osl_log_keygen(argv[0], argc > 1 ? argv[1] : NULL);
		err = osl_op_end(ctx, &op, err);
	}
	osl_op_release(&op);
	if (err)
		return cli_error(err);
	out_obj_open(NULL);
	out_str("private", "private key: %s (keep it secret; log.checkpoint.key)\n", argv[0]);
	out_str("public", argc > 1 ? "public key:  %s (osl log verify --key)\n" : NULL,
	    argc > 1 ? argv[1] : NULL);
	out_obj_close();
	return 0;
}
