/* Per-child metrics (osl-supervise(8), METRICS): CPU time, memory (now and
 * its peak), processes, restarts, uptime, readiness and breaker state, read
 * from each child's cgroup where there is one; as Prometheus's text format
 * for `ctl metrics`.  The text is pure over the runner's tables; only the
 * sample reads the cgroup files. */
#ifndef OSL_SUPERVISE_METRICS_H
#define OSL_SUPERVISE_METRICS_H

#include <stdint.h>

#include "supervise/runner.h"

/* Read child X's cgroup counters into X (-1 where there are none). */
void osl_sv_metrics_sample(struct osl_sv_exec *x);
/* The tree's metrics at NOW (CLOCK_MONOTONIC ns), malloc'd; NULL when out
 * of memory. */
char *osl_sv_metrics_text(const struct osl_sv_runner *r, uint64_t now);

#endif
