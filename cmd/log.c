/* osl log: verify and show the activity log.
 *
 * These verbs read the files they are given and change nothing; they do not
 * go through the operation pipeline (a verifier must not depend on, or
 * append to, the log it checks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmd_log_verify(int argc, char **argv, struct osl_ctx *ctx);

static const struct osl_opt verify_opts[] = {
	{ 'r', "rotated", NULL, "the files are one log's rotations, oldest first (one chain)", NULL },
	{ 0 }
};

const struct osl_cmd osl_log_cmds[] = {
	{ "verify", cmd_log_verify, "check the hash chain and checkpoints (exit 0 intact, 1 not)",
	  OSL_CMD_JSON, "[-r] FILE...", verify_opts, NULL, "file" },
	{ NULL }
};

static int
cmd_log_verify(int argc, char **argv, struct osl_ctx *ctx)
{
	struct osl_verify *v = NULL;
	struct osl_getopt g;
	bool rotated = false;
	int c, status = 0;

	(void)ctx;
	cli_getopt_init(&g, &osl_log_cmds[0], argc, argv);
	while ((c = cli_getopt(&g)) != -1) {
		switch (c) {
		case 'r': rotated = true; break;
		case 'h': cli_getopt_release(&g); return 0;
		default: cli_getopt_release(&g); return OSL_EINPUT;
		}
	}
	cli_getopt_release(&g);
	argc -= g.optind;
	argv += g.optind;
	if (argc < 1)
		return cli_usage("a log file is needed");

	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		const struct osl_verify_report *rep;
		const struct osl_error *err;
		char q[4200];

		if (!v || !rotated) {
			osl_verify_free(v);
			if (!(v = osl_verify_new()))
				return cli_error(osl_error_nomem());
		} else
			osl_verify_next_file(v);
		out_quote(argv[i], q, sizeof(q));
		out_obj_open(NULL);
		out_str("file", NULL, argv[i]);
		if ((err = osl_verify_file(v, argv[i]))) {
			cli_error(err);
			out_str("error", NULL, err->msg);
			out_bool("intact", NULL, false);
			out_obj_close();
			status = OSL_EINPUT;
			if (rotated)
				break;
			continue;
		}
		rep = osl_verify_report(v);
		out_bool("intact", NULL, rep->bad_line == 0);
		out_u64("records", NULL, rep->records);
		out_u64("checkpoints", NULL, rep->checkpoints);
		out_u64("unvouched", NULL, rep->unvouched);
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
			if (rep->unvouched)
				out_text("; the last %lu records are after the last checkpoint "
				    "and cannot be vouched for against truncation", rep->unvouched);
			out_text("\n");
		}
		out_obj_close();
		if (rotated && rep->bad_line)
			break;
	}
	out_arr_close();
	osl_verify_free(v);
	return status;
}
