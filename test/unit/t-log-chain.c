/* The chain: known answers, sealing and splitting a line. */
#include <stdlib.h>
#include <string.h>

#include "log/log-int.h"
#include "tap.h"

static const char *
hexof(const uint8_t *b, char *buf)
{
	osl_hex(buf, b, 32);
	buf[64] = '\0';
	return buf;
}

int
main(void)
{
	uint8_t zero[32] = { 0 }, seq[32], h[32], prev[32], hash[32];
	struct strbuf sb = STRBUF_INIT;
	char hx[65], m[128], fpr[72];
	size_t pl;
	bool top;
	int i;

	for (i = 0; i < 32; i++)
		seq[i] = (uint8_t)i;
	osl_chain_hash(zero, "abc", 3, h);
	is_str(hexof(h, hx), "365aa7d8f7f9402c4b9434502b4cc89ddb09fe50d7cd95b493b834c62d5a5370",
	    "SHA-256(32 zero bytes || \"abc\")");
	osl_chain_hash(seq, "{\"a\":1", 6, h);
	is_str(hexof(h, hx), "50edc1d6f5f2f8d65d7fc0c46312f1f55a9177fb6bf16360104f055b3b576233",
	    "SHA-256(00..1f || '{\"a\":1')");

	osl_chain_hash(seq, "{\"osl\":{\"a\":1", 13, h);
	sb_adds(&sb, "{\"osl\":{\"a\":1");
	osl_chain_seal(&sb, 0, seq, hash);
	ok(memcmp(h, hash, 32) == 0, "the hash covers the bytes before ,\"chain\":");
	ok(strncmp(sb.buf, "{\"osl\":{\"a\":1,\"chain\":{\"prev\":"
	    "\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","
	    "\"hash\":\"", 105) == 0, "sealed line: prefix, osl.chain last, newline");
	ok(sb.len > 4 && memcmp(sb.buf + sb.len - 5, "\"}}}\n", 5) == 0,
	    "the chain closes osl and the record");
	ok(osl_chain_split(sb.buf, sb.len - 1, &pl, prev, h, &top) && pl == 13 && !top &&
	    memcmp(prev, seq, 32) == 0 && memcmp(h, hash, 32) == 0, "split finds prev and hash");
	sb.buf[35] = 'X';
	ok(!osl_chain_split(sb.buf, sb.len - 1, &pl, prev, h, NULL), "a damaged hex digit is refused");
	ok(!osl_chain_split("{}", 2, &pl, prev, h, NULL), "no chain field");
	/* a line written before osl.chain: the chain at the top level */
	osl_chain_hash(seq, "{\"a\":1", 6, hash);
	sb_reset(&sb);
	sb_adds(&sb, "{\"a\":1,\"chain\":{\"prev\":"
	    "\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","
	    "\"hash\":\"50edc1d6f5f2f8d65d7fc0c46312f1f55a9177fb6bf16360104f055b3b576233\"}}");
	ok(osl_chain_split(sb.buf, sb.len, &pl, prev, h, &top) && pl == 6 && top &&
	    memcmp(h, hash, 32) == 0, "an old top-level chain is still split, and told apart");
	sb_reset(&sb);
	sb_adds(&sb, "{\"a\":1,\"chain\":{\"prev\":"
	    "\"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\","
	    "\"hash\":\"50edc1d6f5f2f8d65d7fc0c46312f1f55a9177fb6bf16360104f055b3b576233\"}}");
	ok(!osl_chain_split(sb.buf, sb.len, &pl, prev, h, NULL), "uppercase hex refused: one spelling");

	osl_checkpoint_message(m, 1000, seq);
	is_str(m, "osl-checkpoint-v1\n1000\n"
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	    "checkpoint signing message");
	osl_key_fingerprint(fpr, zero);
	ok(strncmp(fpr, "sha256:66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925", 71) == 0,
	    "key fingerprint is sha256 of the public key");
	sb_release(&sb);
	return done_testing();
}
