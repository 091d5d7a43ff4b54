/* Text and JSON from one code path (iproute2's print_* style over cJSON):
 * a command says each value once, with a key for JSON and a format for text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "cli.h"
#include "log/log.h"
#include "op.h"

#define DEPTH 32

static bool json;
static struct osl_error last;	/* the last error said on stderr, for out_finish */
static cJSON *root;
static cJSON *stack[DEPTH];
static int top = -1;

void
out_init(bool j)
{
	json = j;
}

bool
out_is_json(void)
{
	return json;
}

static void
attach(const char *key, cJSON *item)
{
	cJSON *parent;

	if (!item)
		return;
	if (top < 0) {
		if (!root)
			root = item;
		else
			cJSON_Delete(item);	/* a second top-level value is a bug */
		return;
	}
	parent = stack[top];
	if (cJSON_IsArray(parent))
		cJSON_AddItemToArray(parent, item);
	else
		cJSON_AddItemToObject(parent, key ? key : "?", item);
}

static void
push(const char *key, cJSON *c)
{
	if (!c)
		return;
	attach(key, c);
	if (top + 1 < DEPTH)
		stack[++top] = c;
}

void
out_obj_open(const char *key)
{
	if (json)
		push(key, cJSON_CreateObject());
}

void
out_arr_open(const char *key)
{
	if (json)
		push(key, cJSON_CreateArray());
}

void
out_obj_close(void)
{
	if (json && top >= 0)
		top--;
}

void
out_arr_close(void)
{
	out_obj_close();
}

void
out_str(const char *key, const char *fmt, const char *val)
{
	if (json) {
		if (!val)
			attach(key, cJSON_CreateNull());
		else {
			char *t = osl_log_text(val, strlen(val));
			attach(key, t ? cJSON_CreateString(t) : NULL);
			free(t);
		}
	} else if (fmt)
		printf(fmt, val ? val : "-");
}

void
out_u64(const char *key, const char *fmt, uint64_t val)
{
	if (json) {
		if (val > (1ULL << 53)) {
			char buf[24];
			snprintf(buf, sizeof(buf), "%" PRIu64, val);
			attach(key, cJSON_CreateString(buf));
		} else
			attach(key, cJSON_CreateNumber((double)val));
	} else if (fmt)
		printf(fmt, val);
}

void
out_i64(const char *key, const char *fmt, int64_t val)
{
	if (json)
		attach(key, cJSON_CreateNumber((double)val));
	else if (fmt)
		printf(fmt, val);
}

void
out_bool(const char *key, const char *fmt, bool val)
{
	if (json)
		attach(key, cJSON_CreateBool(val));
	else if (fmt)
		printf(fmt, val ? "true" : "false");
}

void
out_null(const char *key)
{
	if (json)
		attach(key, cJSON_CreateNull());
}

void
out_json_item(const char *key, cJSON *item)
{
	if (json)
		attach(key, item);
	else
		cJSON_Delete(item);
}

void
out_text(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* error.code: the errno's name when the system said no, else a word for
 * the exit status (osl(1), JSON OUTPUT). */
static const char *
error_code(const struct osl_error *e)
{
	const char *name = e->sys_errno ? osl_errno_name(e->sys_errno) : NULL;

	if (name)
		return name;
	switch (e->status) {
	case OSL_EINPUT: return "invalid";
	case OSL_EDENIED: return "denied";
	case OSL_ETIMEOUT: return "timeout";
	case OSL_ESETUP: return "setup";
	case OSL_ENOEXEC: return "noexec";
	case OSL_ENOCMD: return "nocmd";
	default: return "failed";
	}
}

void
out_error_into(cJSON *o, const struct osl_error *e)
{
	cJSON *x;

	if (!o || !e)
		return;
	if ((x = cJSON_AddObjectToObject(o, "error"))) {
		cJSON_AddStringToObject(x, "code", error_code(e));
		osl_log_add_text(x, "message", e->msg);
	}
	if (*e->rule && (x = cJSON_AddObjectToObject(o, "rule"))) {
		osl_log_add_text(x, "id", e->rule);
		if (*e->rule_where)
			osl_log_add_text(x, "where", e->rule_where);
		else
			cJSON_AddNullToObject(x, "where");
	}
}

void
out_error(const struct osl_error *e)
{
	if (json && top >= 0 && cJSON_IsObject(stack[top]))
		out_error_into(stack[top], e);
}

void
out_note_error(const struct osl_error *e)
{
	osl_error_keep(&last, e);
}

int
out_fail(const char *key, const char *operand, const struct osl_error *e)
{
	int status = cli_error(e);

	if (json) {
		out_obj_open(NULL);
		out_str(key, NULL, operand);
		out_error(e);
		out_obj_close();
	}
	return status;
}

int
out_finish(int status)
{
	int err = 0;

	/* every outcome gives a document: a verb that failed before it had
	 * one says why in {"error": ...} */
	if (json && !root && status && last.status) {
		out_obj_open(NULL);
		out_error(&last);
		out_obj_close();
	}

	if (json && root) {
		char *s = cJSON_PrintUnformatted(root);

		if (s) {
			fputs(s, stdout);
			fputc('\n', stdout);
			free(s);
		} else
			err = ENOMEM;
		cJSON_Delete(root);
		root = NULL;
		top = -1;
	}
	/* git's check: a write error on stdout (EPIPE, ENOSPC) is a failure */
	if (fflush(stdout) != 0 || ferror(stdout))
		err = err ? err : errno ? errno : EIO;
	if (fclose(stdout) != 0 && !err)
		err = errno;
	if (err && err != EPIPE) {
		cli_error(osl_error_sys(OSL_EFAIL, err, "cannot write to standard output"));
		return status ? status : 1;
	}
	if (err == EPIPE)
		return status ? status : 1;
	return status;
}

const char *
out_quote(const char *name, char *buf, size_t size)
{
	const unsigned char *p;
	size_t n = 0;
	bool plain = *name != '\0';

	for (p = (const unsigned char *)name; *p; p++)
		if (*p < 0x21 || *p == 0x7f || strchr("'\"\\$`", *p))
			plain = false;
	if (plain) {
		/* valid UTF-8 text prints as is; anything else is escaped below */
		char *t = osl_log_text(name, strlen(name));
		plain = t && strcmp(t, name) == 0;
		free(t);
	}
	if (plain) {
		snprintf(buf, size, "%s", name);
		return buf;
	}
#define PUT(...) do { int k_ = snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__); \
	if (k_ > 0) n += (size_t)k_; } while (0)
	PUT("$'");
	for (p = (const unsigned char *)name; *p && n < size; p++) {
		if (*p == '\n')
			PUT("\\n");
		else if (*p == '\t')
			PUT("\\t");
		else if (*p == '\'' || *p == '\\')
			PUT("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f || *p >= 0x80)
			PUT("\\x%02x", *p);
		else
			PUT("%c", *p);
	}
	PUT("'");
#undef PUT
	if (n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}
