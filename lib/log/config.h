/* How the activity log is set up: from the policy's `log:` section, with the
 * command line's --log on top. */
#ifndef OSL_LOG_CONFIG_H
#define OSL_LOG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

enum osl_level {
	OSL_LEVEL_DEBUG, OSL_LEVEL_INFO, OSL_LEVEL_NOTICE,
	OSL_LEVEL_WARN, OSL_LEVEL_ERROR, OSL_LEVEL_CRITICAL,
};
enum osl_log_sync { OSL_SYNC_NONE, OSL_SYNC_BATCH, OSL_SYNC_ALWAYS };
enum osl_log_onfail { OSL_ONFAIL_DENY, OSL_ONFAIL_CONTINUE };

struct osl_log_config {
	char *sink;		/* "file:PATH" (expanded) | "stderr" | "syslog" | "syslog:PATH" | "journald" | "none" */
	enum osl_level level;	/* default info */
	enum osl_log_sync sync;	/* default batch */
	bool chain;		/* default true */
	enum osl_log_onfail on_failure;	/* default deny */
	uint64_t rotate_size;	/* 0: no rotation by size */
	unsigned rotate_keep;	/* default 10 */
	unsigned checkpoint_every;	/* records; 0 = off; default 1000 */
	uint64_t checkpoint_interval_ns;	/* 0 = off */
	char *checkpoint_key;	/* Ed25519 private key file (expanded path), or NULL */
	char *checkpoint_sink;	/* a second sink that gets a copy of each checkpoint, or NULL */
};

/* A sink as log.sink and --log write it: "none", "stderr", "syslog",
 * "journald", "syslog:PATH" or "file:PATH" (*PATH then points at PATH in S,
 * possibly empty; else NULL).  False: not a sink. */
enum osl_log_sink { OSL_SINK_NONE, OSL_SINK_STDERR, OSL_SINK_SYSLOG, OSL_SINK_JOURNALD,
	OSL_SINK_FILE };
bool osl_log_sink_parse(const char *s, enum osl_log_sink *kind, const char **path);

const char *osl_level_name(enum osl_level l);
bool osl_level_parse(const char *s, enum osl_level *out);

#endif
