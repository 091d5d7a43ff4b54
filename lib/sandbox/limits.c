/* The policy's proc.limits: parsed, merged (the lower wins) and made the
 * rlimits a sandboxed program gets (osl-policy(5), proc.limits). */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"
#include "util/parse.h"

void
osl_limits_unset(struct osl_limits *l)
{
	l->cpu_ns = l->wall_ns = l->memory = l->nofile = l->nproc = l->fsize = l->core =
	    OSL_LIMIT_UNSET;
}

static void
lower(uint64_t *dst, uint64_t src)
{
	if (src < *dst)
		*dst = src;
}

void
osl_limits_lower(struct osl_limits *dst, const struct osl_limits *src)
{
	lower(&dst->cpu_ns, src->cpu_ns);
	lower(&dst->wall_ns, src->wall_ns);
	lower(&dst->memory, src->memory);
	lower(&dst->nofile, src->nofile);
	lower(&dst->nproc, src->nproc);
	lower(&dst->fsize, src->fsize);
	lower(&dst->core, src->core);
}

const struct osl_error *
osl_limit_parse(const char *kv, struct osl_limits *l)
{
	const char *eq = strchr(kv, '=');
	const char *v;
	uint64_t n;
	size_t klen;
	bool ok;

	if (!eq || eq == kv || !eq[1])
		return osl_error_new(OSL_EINPUT, "'%s': a limit is KEY=VALUE", kv);
	klen = (size_t)(eq - kv);
	v = eq + 1;
#define KEY(s) (klen == sizeof(s) - 1 && !strncmp(kv, s, klen))
	if (KEY("cpu") || KEY("wall")) {
		ok = osl_parse_duration(v, &n) && n > 0;
		if (ok)
			lower(KEY("cpu") ? &l->cpu_ns : &l->wall_ns, n);
	} else if (KEY("memory") || KEY("fsize") || KEY("core")) {
		ok = osl_parse_size(v, &n) && n != OSL_LIMIT_UNSET;
		if (ok)
			lower(KEY("memory") ? &l->memory : KEY("fsize") ? &l->fsize : &l->core, n);
	} else if (KEY("nofile") || KEY("nproc")) {
		ok = osl_parse_uint(v, 1u << 30, &n);
		if (ok)
			lower(KEY("nofile") ? &l->nofile : &l->nproc, n);
	} else {
		return osl_error_new(OSL_EINPUT, "'%.*s': unknown limit (cpu, memory, nofile, "
		    "nproc, fsize, core, wall)", (int)klen, kv);
	}
	if (!ok && (KEY("cpu") || KEY("wall")))
		return osl_error_new(OSL_EINPUT, "'%s': " OSL_BAD_DURATION " for limit '%.*s'",
		    v, (int)klen, kv);
#undef KEY
	if (!ok)
		return osl_error_new(OSL_EINPUT, "'%s': bad value for limit '%.*s'", v, (int)klen, kv);
	return NULL;
}

static void
add_rlimit(struct osl_sandbox *sb, int res, uint64_t v)
{
	struct rlimit cur;

	if (v == OSL_LIMIT_UNSET || sb->nrlim == OSL_SANDBOX_MAX_RLIMITS)
		return;
	/* only ever lower: raising a hard limit is not osl's to do */
	if (getrlimit(res, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && v > cur.rlim_max)
		v = cur.rlim_max;
	sb->rlim[sb->nrlim].res = res;
	sb->rlim[sb->nrlim].rl.rlim_cur = v;
	sb->rlim[sb->nrlim].rl.rlim_max = v;
	sb->nrlim++;
}

void
osl_sandbox_limits_prepare(struct osl_sandbox *sb, const struct osl_limits *l)
{
	struct osl_sandbox_report *r = &sb->report;

	if (l->cpu_ns != OSL_LIMIT_UNSET)
		add_rlimit(sb, RLIMIT_CPU, (l->cpu_ns + 999999999ULL) / 1000000000ULL);
	add_rlimit(sb, RLIMIT_AS, l->memory);
	add_rlimit(sb, RLIMIT_NOFILE, l->nofile);
	add_rlimit(sb, RLIMIT_NPROC, l->nproc);
	add_rlimit(sb, RLIMIT_FSIZE, l->fsize);
	add_rlimit(sb, RLIMIT_CORE, l->core);
	if (sb->nrlim)
		osl_report_add(r, "limits", "proc.limits", NULL, OSL_ENF_FULL,
		    "%zu rlimits set%s", sb->nrlim,
		    l->nproc != OSL_LIMIT_UNSET && geteuid() == 0 ? " (nproc does not bind root)" : "");
}
