/* The hash chain: pure.  osl.chain.hash = SHA-256(prev || the line's bytes
 * up to ,"chain":), so a verifier hashes exactly what was written. */
#include "log/log-int.h"

#include <string.h>

#include <nettle/sha2.h>

void
osl_chain_hash(const uint8_t prev[32], const char *line, size_t len, uint8_t out[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, 32, prev);
	sha256_update(&c, len, (const uint8_t *)line);
	sha256_digest(&c, 32, out);
}

/* The two lowercase digits of each byte value (two hashes in each record) */
static const char hex_pairs[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void
osl_hex(char *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		memcpy(dst + 2 * i, hex_pairs + 2 * src[i], 2);
}

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* lowercase only: one spelling per hash */
}

bool
osl_unhex(uint8_t *dst, const char *src, size_t n)
{
	size_t i;
	int h, l;

	for (i = 0; i < n; i++) {
		if ((h = nibble(src[2 * i])) < 0 || (l = nibble(src[2 * i + 1])) < 0)
			return false;
		dst[i] = (uint8_t)(h << 4 | l);
	}
	return true;
}

/* The chain field: HEAD <64 hex> MID <64 hex> END, the last member of osl,
 * the record's last member (OSL_CHAIN_TAG, log-int.h, names it); a record
 * from before osl.chain ends in one brace less */
static const char head[] = OSL_CHAIN_TAG "{\"prev\":\"", mid[] = "\",\"hash\":\"", end[] = "\"}}}";
#define HEAD_LEN (sizeof(head) - 1)
#define MID_AT (HEAD_LEN + 64)
#define HASH_AT (MID_AT + sizeof(mid) - 1)
#define END_AT (HASH_AT + 64)
_Static_assert(END_AT + sizeof(end) - 1 == OSL_CHAIN_SUFFIX_LEN, "the chain field's length");

void
osl_chain_seal(struct strbuf *out, size_t start, const uint8_t prev[32], uint8_t hash[32])
{
	char *p;

	osl_chain_hash(prev, out->buf + start, out->len - start, hash);
	if (!sb_grow(out, OSL_CHAIN_SUFFIX_LEN + 1))
		return;
	p = out->buf + out->len;
	memcpy(p, head, HEAD_LEN);
	osl_hex(p + HEAD_LEN, prev, 32);
	memcpy(p + MID_AT, mid, sizeof(mid) - 1);
	osl_hex(p + HASH_AT, hash, 32);
	memcpy(p + END_AT, end, sizeof(end) - 1);
	p[OSL_CHAIN_SUFFIX_LEN] = '\n';
	p[OSL_CHAIN_SUFFIX_LEN + 1] = '\0';
	out->len += OSL_CHAIN_SUFFIX_LEN + 1;
}

bool
osl_chain_split(const char *line, size_t len, size_t *prefix_len,
    uint8_t prev[32], uint8_t hash[32], bool *top)
{
	/* the old top-level chain ends "}}, osl.chain "}}} */
	size_t n = len >= 4 && memcmp(line + len - 4, "\"}}}", 4) == 0 ?
	    OSL_CHAIN_SUFFIX_LEN : OSL_CHAIN_SUFFIX_LEN - 1;
	const char *p;

	if (len < n + 1)
		return false;
	p = line + len - n;
	if (memcmp(p, head, HEAD_LEN) != 0 || memcmp(p + MID_AT, mid, sizeof(mid) - 1) != 0 ||
	    memcmp(p + END_AT, end, n - END_AT) != 0 ||
	    !osl_unhex(prev, p + HEAD_LEN, 32) || !osl_unhex(hash, p + HASH_AT, 32))
		return false;
	*prefix_len = len - n;
	if (top)
		*top = n < OSL_CHAIN_SUFFIX_LEN;
	return true;
}

size_t
osl_checkpoint_message(char *buf, uint64_t seq, const uint8_t hash[32])
{
	size_t n;

	memcpy(buf, "osl-checkpoint-v1\n", 18);
	n = 18 + osl_fmt_u64(buf + 18, seq);
	buf[n++] = '\n';
	osl_hex(buf + n, hash, 32);
	n += 64;
	buf[n] = '\0';
	return n;
}

void
osl_key_fingerprint(char *buf, const uint8_t pub[32])
{
	struct sha256_ctx c;
	uint8_t d[32];

	sha256_init(&c);
	sha256_update(&c, 32, pub);
	sha256_digest(&c, 32, d);
	memcpy(buf, "sha256:", 7);
	osl_hex(buf + 7, d, 32);
	buf[71] = '\0';
}
