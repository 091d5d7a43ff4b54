/* The enforcement report: what the kernel holds of each rule.  Pure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "sandbox/sandbox.h"

const char *
osl_enf_level_name(enum osl_enf_level l)
{
	return l == OSL_ENF_FULL ? "full" : l == OSL_ENF_PARTIAL ? "partial" : "none";
}

/* Out of memory drops the entry and marks the report not full, so that
 * --require-full can never pass on a report that lost a line. */
struct osl_enf_entry *
osl_report_add(struct osl_sandbox_report *r, const char *kind, const char *name,
    const char *pattern, enum osl_enf_level level, const char *fmt, ...)
{
	struct osl_enf_entry *e;
	va_list ap;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct osl_enf_entry *n = reallocarray(r->entries, cap, sizeof(*n));

		if (!n) {
			r->lost = true;
			return NULL;
		}
		r->entries = n;
		r->cap = cap;
	}
	e = &r->entries[r->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	e->name = name ? strdup(name) : NULL;
	e->pattern = pattern ? strdup(pattern) : NULL;
	if ((name && !e->name) || (pattern && !e->pattern)) {
		free(e->name);
		free(e->pattern);
		r->lost = true;
		return NULL;
	}
	e->level = level;
	if (!r->terse) {
		va_start(ap, fmt);
		vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
		va_end(ap);
	}
	r->n++;
	return e;
}

void
osl_report_release(struct osl_sandbox_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->entries[i].name);
		free(r->entries[i].pattern);
	}
	free(r->entries);
	r->entries = NULL;
	r->n = r->cap = 0;
}

bool
osl_report_full(const struct osl_sandbox_report *r)
{
	if (r->lost)
		return false;
	for (size_t i = 0; i < r->n; i++)
		if (r->entries[i].level != OSL_ENF_FULL)
			return false;
	return true;
}

cJSON *
osl_report_json(const struct osl_sandbox_report *r)
{
	const struct { bool on; const char *name; } nss[] = { { r->ns_user, "user" },
		{ r->ns_mount, "mount" }, { r->ns_net, "net" }, { r->ns_ipc, "ipc" },
		{ r->ns_uts, "uts" }, { r->ns_pid, "pid" } };
	cJSON *arr = cJSON_CreateArray(), *o, *ns;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct osl_enf_entry *e = &r->entries[i];

		if (!(o = cJSON_CreateObject()))
			goto fail;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "kind", e->kind);
		if (e->name)
			osl_log_add_text(o, "rule", e->name);
		if (e->pattern)
			osl_log_add_text(o, "pattern", e->pattern);
		cJSON_AddStringToObject(o, "enforcement", osl_enf_level_name(e->level));
		osl_log_add_text(o, "reason", e->reason);
	}
	if (!(o = cJSON_CreateObject()))
		goto fail;
	cJSON_AddItemToArray(arr, o);
	cJSON_AddStringToObject(o, "kind", "sandbox");
	cJSON_AddNumberToObject(o, "landlock_abi", r->landlock_abi);
	cJSON_AddStringToObject(o, "seccomp", r->seccomp ? r->seccomp : "none");
	ns = cJSON_AddArrayToObject(o, "namespaces");
	for (size_t i = 0; i < sizeof(nss) / sizeof(nss[0]); i++)
		if (nss[i].on)
			cJSON_AddItemToArray(ns, cJSON_CreateString(nss[i].name));
	ns = cJSON_AddArrayToObject(o, "capabilities");
	for (int i = 0; i < 64; i++)
		if ((r->caps & (1ULL << i)) && osl_cap_name(i))
			cJSON_AddItemToArray(ns, cJSON_CreateString(osl_cap_name(i)));
	cJSON_AddBoolToObject(o, "full", osl_report_full(r));
	return arr;
fail:
	cJSON_Delete(arr);
	return NULL;
}

void
osl_report_summary(const struct osl_sandbox_report *r, cJSON *o)
{
	size_t cnt[3] = { 0, 0, 0 };

	if (!o)
		return;
	for (size_t i = 0; i < r->n; i++)
		cnt[r->entries[i].level]++;
	cJSON_AddNumberToObject(o, "landlock_abi", r->landlock_abi);
	cJSON_AddStringToObject(o, "seccomp", r->seccomp ? r->seccomp : "none");
	cJSON_AddNumberToObject(o, "full", (double)cnt[OSL_ENF_FULL]);
	cJSON_AddNumberToObject(o, "partial", (double)cnt[OSL_ENF_PARTIAL]);
	cJSON_AddNumberToObject(o, "none", (double)cnt[OSL_ENF_NONE]);
}
