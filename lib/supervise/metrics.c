/* Per-child metrics (see metrics.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervise/child.h"
#include "supervise/metrics.h"
#include "util/strbuf.h"

/* KEY's number in a "key value" file of folder FD (cpu.stat), or -1. */
static int64_t
keyed(int fd, const char *file, const char *key)
{
	char buf[1024], *p;
	size_t kl = strlen(key);
	ssize_t n;
	int f;

	if (fd < 0 || (f = openat(fd, file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return strtoll(p + kl + 1, NULL, 10);
	return -1;
}

void
osl_sv_metrics_sample(struct osl_sv_exec *x)
{
	x->memory = osl_sv_cgroup_read(x->cgfd, "memory.current");
	x->memory_peak = osl_sv_cgroup_read(x->cgfd, "memory.peak");
	x->pids = osl_sv_cgroup_read(x->cgfd, "pids.current");
	x->cpu_usec = keyed(x->cgfd, "cpu.stat", "usage_usec");
}

/* A family of metrics: its HELP and TYPE once. */
struct family {
	const char *name, *type, *help;
};

static const struct family fam[] = {
	{ "up", "gauge", "1 when the child's process is running" },
	{ "ready", "gauge", "1 when the child is up and ready" },
	{ "restarts_total", "counter", "restarts of the child by its supervisor" },
	{ "uptime_seconds", "gauge", "how long the child's current run has been running" },
	{ "cpu_seconds_total", "counter", "CPU time of the child's cgroup" },
	{ "memory_bytes", "gauge", "memory in use by the child's cgroup" },
	{ "memory_peak_bytes", "gauge", "the most memory the child's cgroup has used" },
	{ "pids", "gauge", "processes in the child's cgroup" },
	{ "breaker_state", "gauge", "1 for the state the child's circuit breaker is in" },
};
enum { F_UP, F_READY, F_RESTARTS, F_UPTIME, F_CPU, F_MEM, F_PEAK, F_PIDS, F_BREAKER, F_N };

/* Node ID's path of names below the root ("workers/w-1"), as a label
 * value: backslash, double quote and newline escaped. */
static void
label(struct strbuf *sb, const struct osl_sv_tree *t, size_t id)
{
	size_t path[64], n = 0;

	for (size_t i = id; i != 0 && i != OSL_SV_NONE && n < 64; i = t->nodes[i].parent)
		path[n++] = i;
	sb_add(sb, "name=\"", 6);
	while (n--) {
		for (const char *c = t->nodes[path[n]].spec.name; *c; c++) {
			if (*c == '\\' || *c == '"')
				sb_addf(sb, "\\%c", *c);
			else if (*c == '\n')
				sb_add(sb, "\\n", 2);
			else
				sb_add(sb, c, 1);
		}
		if (n)
			sb_add(sb, "/", 1);
	}
	sb_add(sb, "\"", 1);
}

/* Family F's value for child I, or false when it has none. */
static bool
value(const struct osl_sv_runner *r, size_t i, int f, uint64_t now, double *v)
{
	const struct osl_sv_node *nd = &r->tree->nodes[i];
	const struct osl_sv_exec *x = &r->exec[i];
	bool cg = x->cg_made && x->cgfd >= 0;

	switch (f) {
	case F_UP: *v = x->pid > 0; return true;
	case F_READY: *v = x->pid > 0 && nd->state == OSL_SV_UP && nd->started; return true;
	case F_RESTARTS: *v = nd->restarts; return true;
	case F_UPTIME:
		*v = x->pid > 0 && nd->started_at <= now ? (double)(now - nd->started_at) / 1e9 : 0;
		return true;
	case F_CPU: *v = (double)x->cpu_usec / 1e6; return cg && x->cpu_usec >= 0;
	case F_MEM: *v = (double)x->memory; return cg && x->memory >= 0;
	case F_PEAK: *v = (double)x->memory_peak; return cg && x->memory_peak >= 0;
	case F_PIDS: *v = (double)x->pids; return cg && x->pids >= 0;
	default: return false;
	}
}

char *
osl_sv_metrics_text(const struct osl_sv_runner *r, uint64_t now)
{
	static const enum osl_sv_brk_state states[] = { OSL_SV_BRK_CLOSED, OSL_SV_BRK_OPEN,
		OSL_SV_BRK_HALF_OPEN };
	const struct osl_sv_tree *t = r->tree;
	struct strbuf sb = STRBUF_INIT;

	for (int f = 0; f < F_N; f++) {
		bool head = false;

		for (size_t i = 1; i < t->n; i++) {
			const struct osl_sv_node *nd = &t->nodes[i];
			double v = 0;

			if (nd->spec.supervisor || nd->removed || nd->gone ||
			    (f == F_BREAKER ? !nd->spec.breaker.failures : !value(r, i, f, now, &v)))
				continue;
			if (!head)
				sb_addf(&sb, "# HELP osl_supervise_%s %s\n# TYPE osl_supervise_%s %s\n",
				    fam[f].name, fam[f].help, fam[f].name, fam[f].type);
			head = true;
			for (size_t s = 0; f == F_BREAKER && s < 3; s++) {
				sb_addf(&sb, "osl_supervise_%s{", fam[f].name);
				label(&sb, t, i);
				sb_addf(&sb, ",state=\"%s\"} %d\n", osl_sv_breaker_state_name(states[s]),
				    nd->brk.state == states[s]);
			}
			if (f == F_BREAKER)
				continue;
			sb_addf(&sb, "osl_supervise_%s{", fam[f].name);
			label(&sb, t, i);
			/* counts as integers, times to the microsecond */
			sb_addf(&sb, v == (double)(int64_t)v ? "} %.0f\n" : "} %.6f\n", v);
		}
	}
	if (sb.oom) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}
