/* The one pipeline every operation goes through:
 *
 *     request -> policy decision -> log start -> do it -> log result
 *
 * A command fills a struct osl_op, calls osl_op_begin (decides; logs the start
 * at debug, or the denial at warn), does the operation when allowed, and calls
 * osl_op_end with its result (logs it at info).  Nothing bypasses this. */
#ifndef OSL_OP_H
#define OSL_OP_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "action.h"
#include "ctx.h"

struct osl_op {
	enum osl_action action;		/* event.action and its ECS category and type (action.h) */
	const char *target;		/* for messages: the path or HOST:PORT as the user gave it */
	struct osl_request req;		/* what the policy is asked */
	cJSON *fields;			/* ECS fields of both records (file.*, destination.*); owned by the op */
	enum osl_level level;		/* level of the result record (default info; a
					 * failure is warn, unless this is debug) */
	/* Set before osl_op_begin when the op reads no file the policy could
	 * name, only a descriptor the caller opened and handed over (standard
	 * input as a pipe or a terminal): the op is allowed by that, said here
	 * ("the caller's standard input"), and recorded, not decided. */
	const char *unnamed;
	/* filled by osl_op_begin */
	struct osl_decision decision;
	uint64_t t_start;		/* CLOCK_MONOTONIC ns */
	/* set by a caller that writes the result record later (a queue of
	 * records, lib/net/records.c): when the op ended, for event.duration;
	 * 0: when the record is written */
	uint64_t t_end;
};

/* Fresh op (fields = empty object), asking for ACTION's access. */
void osl_op_init(struct osl_op *op, enum osl_action action, const char *target);
void osl_op_release(struct osl_op *op);

/* Decide and log.  Returns NULL when the operation may go ahead, or an
 * OSL_EDENIED error whose message names the rule ("'PATH': denied by policy
 * (rule no-etc at FILE:LINE:COL)").  Also OSL_EDENIED when on_failure: deny
 * and the log cannot take the records. */
const struct osl_error *osl_op_begin(struct osl_ctx *ctx, struct osl_op *op);

/* Log the result: RESULT NULL is success, else outcome failure with
 * error.code (errno name) and error.message.  Returns RESULT, or an error of
 * its own when the record could not be written and on_failure is deny. */
const struct osl_error *osl_op_end(struct osl_ctx *ctx, struct osl_op *op,
    const struct osl_error *result);

/* An operation's record as fields (osl_log_emit_fields): the members of
 * each of op->fields' objects, then event.*, rule.*, osl.decision,
 * error.* and message, laid out as the cJSON object of the same members
 * would be.  PHASE "start" (debug, no outcome yet) or "deny" or NULL (the
 * result); NOW is CLOCK_MONOTONIC, for event.duration.  Pure: R holds
 * what the fields point to (but op->fields' values). */
struct osl_op_rec {
	struct osl_log_field f[64];
	size_t n;
	char paths[2048];	/* "file.path", ... */
	size_t used;
	const char *cat[1], *type[2];
	char reason[512], msg[2600];
};
void osl_op_record(struct osl_op_rec *r, const struct osl_policy *p, const struct osl_op *op,
    const char *phase, const struct osl_error *result, uint64_t now);

/* errno -> "ENOENT" (NULL if unknown). */
const char *osl_errno_name(int err);
uint64_t osl_now_mono_ns(void);

#endif
