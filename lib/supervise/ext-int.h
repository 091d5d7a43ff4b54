/* Between ext.c (the runner's hooks) and output.c (the children's output
 * as records); the runner's files (loop.h) use svo too. */
#ifndef OSL_SUPERVISE_EXT_INT_H
#define OSL_SUPERVISE_EXT_INT_H

#include "policy/policy.h"
#include "proc/proc.h"
#include "supervise/event.h"
#include "supervise/ext.h"

static inline cJSON *
svo(cJSON *r)
{
	return osl_log_obj(osl_log_obj(r, "osl"), "supervise");
}

/* Read child ID's pipe FD (ERR: its stderr) from now on. */
const struct osl_error *osl_sv_out_add(struct osl_sv_ext *e, size_t id, int fd, bool err);
/* Read what stream I has now: a share of it at a wake-up; all of it, every
 * line logged, when its child has ended (DRAIN) or at the end (FINAL). */
enum osl_sv_out_how { OSL_SV_OUT_WAKE, OSL_SV_OUT_DRAIN, OSL_SV_OUT_FINAL };
void osl_sv_out_read(struct osl_sv_ext *e, size_t i, enum osl_sv_out_how how);
/* Child ID has ended: its streams are read to what is there (DRAIN). */
void osl_sv_out_drain(struct osl_sv_ext *e, size_t id);
/* Its last line and the count of dropped ones, then it is closed. */
void osl_sv_out_close(struct osl_sv_ext *e, size_t i);

/* start.c: osl_proc_spawn of a child or of its ready/health command; with
 * a policy whose connect() osl decides (SP->sb's unix_decide), a pair of
 * its own and the thread that answers (lib/sandbox/unixconn.c), whose
 * refusals *UC then holds (osl_unixconn_release), unless UC is NULL. */
const struct osl_error *osl_sv_spawn(struct osl_spawn *sp, const struct osl_policy *p,
    struct osl_unixconn **uc);

#endif
