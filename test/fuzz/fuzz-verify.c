/* libFuzzer harness for the log verifier: the input is split into lines, fed
 * to osl_verify_line (the last one unterminated if it has no '\n').
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -Ithird_party \
 *     test/fuzz/fuzz-verify.c lib/log/[a-z]*.c lib/error.c lib/util/strbuf.c \
 *     lib/util/parse.c third_party/cjson/cJSON.c \
 *     -lhogweed -lnettle -o build/fuzz-verify
 *   build/fuzz-verify -max_total_time=20 test/fuzz/corpus/verify */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pub[32] = { 0x3d, 0x40, 0x17, 0xc3 };
	const char *p = (const char *)data, *end = p + size, *nl;
	struct osl_verify *v;
	char buf[512];

	if ((v = osl_verify_new()) == NULL)
		return 0;
	/* half the inputs check signatures too */
	if (size && (data[0] & 1))
		osl_verify_set_pubkey(v, pub);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			osl_verify_line(v, p, (size_t)(end - p), false);
			break;
		}
		if (nl - p == 1 && *p == '\f')
			osl_verify_next_file(v);	/* a form feed line: next file */
		else if (!osl_verify_line(v, p, (size_t)(nl - p), true))
			break;
		p = nl + 1;
	}
	osl_verify_summary(v, buf, sizeof(buf));
	osl_verify_free(v);
	return 0;
}
