/* libFuzzer: control requests, one per line, against a small running tree
 * (the answers must be one JSON line each; the tree's own invariants hold
 * whatever sequence of commands arrives). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "supervise/ctl.h"
#include "supervise/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
add(struct osl_sv_tree *t, size_t parent, const char *name, bool sup)
{
	struct osl_sv_spec s;
	size_t id;

	osl_sv_spec_default(&s, name, sup);
	if (osl_sv_add(t, parent, &s, &id))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osl_sv_exec exec[6];
	struct osl_sv_runner r = { 0 };
	struct osl_sv_tree t;
	uint64_t now = 1000000000ULL;
	size_t off = 0;

	if (size > OSL_SV_CTL_MAX * 8)
		return 0;
	osl_sv_tree_init(&t, 1);
	add(&t, OSL_SV_NONE, "app", true);
	add(&t, 0, "a", false);
	add(&t, 0, "sub", true);
	add(&t, 2, "x", false);
	add(&t, 2, "y", false);
	add(&t, 0, "b", false);
	memset(exec, 0, sizeof(exec));
	r.tree = &t;
	r.exec = exec;
	osl_sv_begin(&t, now);
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data - off) : size - off;
		struct osl_sv_ctl_out out;
		char *a;
		cJSON *j;

		a = osl_sv_ctl_answer(&r, (const char *)data + off, len, now, now, &out);
		if (!a || a[strlen(a) - 1] != '\n' || !(j = cJSON_Parse(a)) || !cJSON_IsObject(j))
			abort();
		cJSON_Delete(j);
		free(a);
		if (out.sig_id != OSL_SV_NONE && (out.sig_id >= t.n || t.nodes[out.sig_id].spec.supervisor))
			abort();
		/* the "processes" obey at once, so the tree keeps moving */
		for (size_t i = 0; i < t.nact; i++)
			if (t.act[i].kind == OSL_SV_ACT_STOP || t.act[i].kind == OSL_SV_ACT_KILL) {
				osl_sv_exited(&t, t.act[i].id, false, 15, now);
				break;
			}
		now += 1000000ULL;
		off += len + 1;
	}
	osl_sv_tree_free(&t);
	return 0;
}
