/* libFuzzer: "PATTERN\nPATH" -> osl_path_match, and PATTERN as a network
 * pattern and a target.  The first line is also compiled as a one-rule
 * policy, and the index must agree with osl_path_match. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct osl_policy_env env = {
		.home = "/home/u", .pwd = "/work", .user = "u", .uid = "1000",
	};
	struct osl_netpat np;
	struct osl_request rq;
	struct osl_policy *p = NULL;
	struct osl_decision d;
	char *s, *path, buf[512], yaml[9000];
	const char *sep;
	int n;

	if (size > 4096)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	sep = memchr(s, '\n', size);
	path = sep ? (char *)sep + 1 : s + size;
	if (sep)
		*(char *)sep = '\0';
	(void)osl_path_match(s, path);
	if (osl_netpat_parse(s, &np) == NULL)
		osl_netpat_release(&np);
	for (int a = OSL_ACCESS_READ; a <= OSL_ACCESS_SIGNAL; a++)
		(void)osl_request_from_target((enum osl_access)a, path, &rq, buf, sizeof(buf));
	/* index vs matcher, for a normalised path and a quotable pattern */
	if (s[0] == '/' && !strpbrk(s, "\"\\$~") && path[0] == '/' &&
	    !strstr(path, "//") && !strstr(path, "/./") && !strstr(path, "/../") &&
	    (strlen(path) == 1 || path[strlen(path) - 1] != '/')) {
		n = snprintf(yaml, sizeof(yaml), "version: 1\nfs:\n  read: [\"%s\"]\n", s);
		if (n > 0 && (size_t)n < sizeof(yaml) &&
		    osl_policy_load_buf(&p, "/nonexistent-fuzz/m.yaml", yaml, (size_t)n,
		    &env) == NULL) {
			rq.access = OSL_ACCESS_READ;
			rq.path = path;
			osl_policy_decide(p, &rq, &d);
			if ((d.nmatched == 1) != osl_path_match(p->rules[0].expanded, path)) {
				fprintf(stderr, "index and matcher disagree: '%s' '%s'\n",
				    p->rules[0].expanded, path);
				abort();
			}
			osl_policy_free(p);
		}
	}
	free(s);
	return 0;
}
