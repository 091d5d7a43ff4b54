/* libFuzzer: bytes -> osl_policy_load_buf -> decide a few requests -> show
 * -> free.  The name sits in a folder that does not exist, so a relative
 * extends: cannot reach real files. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "policy/policy.h"
#include "policy/show.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct osl_policy_env env = {
		.home = "/home/u", .pwd = "/work", .user = "u", .uid = "1000",
	};
	static const char *const paths[] = { "/", "/etc/passwd", "/home/u/.ssh/id_rsa",
		"/srv/app/x/.env", "/work/build/a.o" };
	struct osl_policy *p = NULL;
	struct osl_request rq = { 0 };
	struct osl_decision d;
	struct strbuf sb = STRBUF_INIT;
	char buf[256];

	if (osl_policy_load_buf(&p, "/nonexistent-fuzz/p.yaml", (const char *)data, size,
	    &env) != NULL)
		return 0;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		rq.access = (enum osl_access)(i % 3);
		rq.path = paths[i];
		osl_policy_decide(p, &rq, &d);
		osl_decision_reason(p, &d, buf, sizeof(buf));
	}
	rq.access = OSL_ACCESS_CONNECT;
	rq.host = "a.example.com";
	rq.family = 2;	/* AF_INET */
	rq.addr[0] = 10;
	rq.port = 443;
	osl_policy_decide(p, &rq, &d);
	osl_decision_reason(p, &d, buf, sizeof(buf));
	/* what show prints must load again */
	if (osl_policy_to_yaml(p, &sb) == NULL) {
		struct osl_policy *q = NULL;

		if (osl_policy_load_buf(&q, "/nonexistent-fuzz/shown.yaml", sb.buf, sb.len,
		    &env) != NULL)
			abort();
		osl_policy_free(q);
	}
	sb_release(&sb);
	cJSON_Delete(osl_policy_to_json(p));
	osl_policy_free(p);
	return 0;
}
