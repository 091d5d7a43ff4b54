/* The sink grammar, once (man/osl-policy.5, log.sink): the policy's schema
 * checks a sink with it and the log opens one with it.  Pure. */
#include <string.h>

#include "log/config.h"

bool
osl_log_sink_parse(const char *s, enum osl_log_sink *kind, const char **path)
{
	static const struct { const char *word; enum osl_log_sink kind; bool path; } g[] = {
		{ "none", OSL_SINK_NONE, false }, { "stderr", OSL_SINK_STDERR, false },
		{ "syslog", OSL_SINK_SYSLOG, false }, { "journald", OSL_SINK_JOURNALD, false },
		{ "syslog:", OSL_SINK_SYSLOG, true }, { "file:", OSL_SINK_FILE, true },
	};

	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		size_t n = strlen(g[i].word);

		if (g[i].path ? strncmp(s, g[i].word, n) != 0 : strcmp(s, g[i].word) != 0)
			continue;
		*kind = g[i].kind;
		*path = g[i].path ? s + n : NULL;
		return true;
	}
	return false;
}
