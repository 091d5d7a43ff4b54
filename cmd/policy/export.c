/* osl policy export: the policy in another enforcer's format (lib/sandbox/export.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy-int.h"
#include "sandbox/export.h"
#include "util/strbuf.h"

static const char *format;
const struct osl_opt policy_export_opts[] = {
	OPT_STRING('f', "format", &format, "FORMAT", "oci-seccomp or systemd", "oci-seccomp systemd"),
	OPT_END
};

int
cmd_policy_export(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_policy *p = NULL;
	struct strbuf out = STRBUF_INIT, notes = STRBUF_INIT;
	enum osl_export_format f;
	bool owned;
	int status;

	if ((status = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return status;
	status = 0;
	if (!format)
		return cli_usage("--format is needed: oci-seccomp or systemd");
	if (!osl_export_format_of(format, &f))
		return cli_usage("unknown format '%s' (oci-seccomp, systemd)", format);
	if (argc > 1)
		return cli_usage("one policy file at most");
	owned = argc > 0;
	err = owned ? osl_policy_load(&p, argv[0], &ctx->env) : osl_ctx_policy(ctx, &p);
	if (err)
		return cli_error(err);
	if ((err = osl_policy_export(p, f, &out, &notes))) {
		status = cli_error(err);
		goto done;
	}
	if (cli_verbosity >= 0 && notes.len) {
		/* one warning per line of the notes */
		for (char *l = notes.buf, *nl; l && *l; l = nl) {
			if ((nl = strchr(l, '\n')))
				*nl++ = '\0';
			cli_warn("%s", l);
		}
	}
	fwrite(sb_str(&out), 1, out.len, stdout);
done:
	sb_release(&out);
	sb_release(&notes);
	if (owned)
		osl_policy_free(p);
	return status;
}
