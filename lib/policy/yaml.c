/* A policy document as a tree, from libyaml's event API.  Every limit of the
 * language is checked while the events arrive, so that hostile input (deep
 * nesting, aliases) stops the parser at once instead of being built first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "policy/internal.h"

const struct osl_error *
err_at(const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[OSL_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return osl_error_new(OSL_EINPUT, "%s:%u:%u: %s", file, line, col, msg);
}

const struct osl_error *
err_node(const char *file, const struct ynode *n, const char *fmt, ...)
{
	char msg[OSL_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return osl_error_new(OSL_EINPUT, "%s:%u:%u: %s", file, n->line, n->col, msg);
}

static char *
put_uint(char *p, unsigned v)
{
	char d[16];
	size_t n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = d[--n];
	return p;
}

/* Made for every rule and setting of every load: no printf. */
size_t
where_put(char *buf, const char *file, unsigned line, unsigned col)
{
	size_t n = strlen(file);
	char *p = buf + n;

	memcpy(buf, file, n);
	*p++ = ':';
	p = put_uint(p, line);
	*p++ = ':';
	p = put_uint(p, col);
	*p = '\0';
	return (size_t)(p - buf);
}

char *
where_at(const char *file, unsigned line, unsigned col)
{
	char *w = malloc(strlen(file) + 24);

	if (w)
		where_put(w, file, line, col);
	return w;
}

char *
where_of(const char *file, const struct ynode *n)
{
	return where_at(file, n->line, n->col);
}

/* A document's nodes, strings and kid arrays live in a few large blocks,
 * freed at once: a node cost three mallocs and three frees before.  The
 * first block holds the root, so that the root finds them. */
struct ychunk {
	struct ychunk *next;	/* the first block: every other one */
	size_t used, cap;
	struct ynode root;	/* the first block's: the document's root */
	uint64_t data[];
};

struct yarena {
	struct ychunk *first, *cur;
};

#define CHUNK_MAX ((size_t)1 << 20)

static bool
arena_init(struct yarena *a, size_t len)
{
	/* room for a typical document's tree, about 6 bytes of it per byte */
	size_t cap = len < CHUNK_MAX / 8 ? 8 * len + 1024 : CHUNK_MAX;

	if ((a->first = malloc(sizeof(*a->first) + cap)) == NULL)
		return false;
	memset(a->first, 0, sizeof(*a->first));
	a->first->cap = cap;
	a->cur = a->first;
	return true;
}

static void
arena_free(struct ychunk *first)
{
	struct ychunk *c, *next;

	if (!first)
		return;
	for (c = first->next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(first);
}

static void *
arena_alloc(struct yarena *a, size_t n)
{
	struct ychunk *c = a->cur;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (c->cap - c->used < n) {
		size_t cap = c->cap < CHUNK_MAX / 2 ? c->cap * 2 : CHUNK_MAX;

		if (cap < n)
			cap = n;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->first->next;
		a->first->next = c;
		a->cur = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

void
ynode_free(struct ynode *root)
{
	if (root)
		arena_free((struct ychunk *)((char *)root - offsetof(struct ychunk, root)));
}

bool
ynode_is_null(const struct ynode *n)
{
	return n->type == Y_SCALAR && n->plain && n->len == 0;
}

const char *
ynode_type_name(const struct ynode *n)
{
	switch (n->type) {
	case Y_MAP:
		return "a map";
	case Y_SEQ:
		return "a list";
	default:
		return ynode_is_null(n) ? "nothing" : "a string";
	}
}

struct ynode *
ymap_get(const struct ynode *m, const char *key)
{
	if (!m || m->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < m->nkids; i += 2)
		if (strcmp(m->kids[i]->str, key) == 0)
			return m->kids[i + 1];
	return NULL;
}

/* Line and column (1-based) of byte OFF, for errors libyaml gives as offsets. */
static void
pos_of(const char *buf, size_t len, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80)
			c++;
	}
	*line = l;
	*col = c;
}

static const struct osl_error *
parser_error(const yaml_parser_t *ps, const char *name, const char *buf, size_t len)
{
	unsigned line, col;

	switch (ps->error) {
	case YAML_MEMORY_ERROR:
		return osl_error_nomem();
	case YAML_READER_ERROR:
		pos_of(buf, len, ps->problem_offset, &line, &col);
		if (ps->problem && strstr(ps->problem, "UTF-8"))
			return err_at(name, line, col, "invalid UTF-8 (%s #x%02x)",
			    ps->problem, (unsigned)ps->problem_value & 0xff);
		if (ps->problem && strstr(ps->problem, "control characters"))
			return err_at(name, line, col,
			    "binary data: control character #x%02x is not allowed",
			    (unsigned)ps->problem_value);
		return err_at(name, line, col, "cannot read YAML: %s",
		    ps->problem ? ps->problem : "unknown error");
	default:
		line = (unsigned)ps->problem_mark.line + 1;
		col = (unsigned)ps->problem_mark.column + 1;
		/* libyaml's words for a tab ("cannot start any token") hide the cause */
		if (ps->problem_mark.index < len && buf[ps->problem_mark.index] == '\t')
			return err_at(name, line, col, "invalid YAML: a tab is not allowed for "
			    "indentation in YAML (indent with spaces)");
		if (ps->context)
			return err_at(name, line, col, "invalid YAML: %s %s",
			    ps->problem ? ps->problem : "error", ps->context);
		return err_at(name, line, col, "invalid YAML: %s",
		    ps->problem ? ps->problem : "error");
	}
}

static int
keycmp(const void *a, const void *b)
{
	const struct ynode *x = *(struct ynode *const *)a, *y = *(struct ynode *const *)b;
	int c;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if ((c = memcmp(x->str, y->str, x->len)) != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/* Report the first (in file order) key that repeats an earlier one. */
static const struct osl_error *
check_dup_keys(const struct ynode *m, const char *name)
{
	size_t nk = m->nkids / 2;
	const struct ynode **keys, *dup = NULL, *first = NULL;

	if (nk < 2)
		return NULL;
	if (nk <= 16) {
		for (size_t i = 1; i < nk && !dup; i++)
			for (size_t j = 0; j < i; j++)
				if (m->kids[2 * i]->len == m->kids[2 * j]->len &&
				    memcmp(m->kids[2 * i]->str, m->kids[2 * j]->str,
				    m->kids[2 * i]->len) == 0) {
					dup = m->kids[2 * i];
					first = m->kids[2 * j];
					break;
				}
	} else {
		if ((keys = malloc(nk * sizeof(*keys))) == NULL)
			return osl_error_nomem();
		for (size_t i = 0; i < nk; i++)
			keys[i] = m->kids[2 * i];
		qsort(keys, nk, sizeof(*keys), keycmp);
		for (size_t i = 1; i < nk; i++) {
			if (keys[i]->len != keys[i - 1]->len ||
			    memcmp(keys[i]->str, keys[i - 1]->str, keys[i]->len))
				continue;
			if (keys[i - 1]->len == keys[i]->len && i >= 2 &&
			    keys[i - 2]->len == keys[i]->len &&
			    memcmp(keys[i]->str, keys[i - 2]->str, keys[i]->len) == 0)
				continue;	/* third and later copies */
			if (!dup || keys[i]->line < dup->line ||
			    (keys[i]->line == dup->line && keys[i]->col < dup->col)) {
				dup = keys[i];
				first = keys[i - 1];
			}
		}
		free(keys);
	}
	if (!dup)
		return NULL;
	return err_node(name, dup, "duplicate key '%s' (first at line %u)",
	    dup->str, first->line);
}

/* The first node is the root, in the first block's own slot. */
static struct ynode *
node_new(struct yarena *a, bool root, enum ytype t, const yaml_mark_t *mark)
{
	struct ynode *n = root ? &a->first->root : arena_alloc(a, sizeof(*n));

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->type = t;
	n->line = (unsigned)mark->line + 1;
	n->col = (unsigned)mark->column + 1;
	return n;
}

/* A container's kids are chained by `next` while it is open; at its end
 * they go into an array of the right size. */
static bool
close_kids(struct yarena *a, struct ynode *n)
{
	struct ynode *k = n->next;

	n->next = NULL;
	if (n->nkids == 0)
		return true;
	if ((n->kids = arena_alloc(a, n->nkids * sizeof(*n->kids))) == NULL)
		return false;
	for (size_t i = 0; i < n->nkids; i++, k = k->next)
		n->kids[i] = k;
	return true;
}

/* A libyaml mark as err_at's LINE, COL. */
#define AT(mk) (unsigned)(mk)->line + 1, (unsigned)(mk)->column + 1

static const struct osl_error *
check_props(const char *name, const yaml_mark_t *m, const yaml_char_t *anchor,
    const yaml_char_t *tag, bool implicit_tag)
{
	if (anchor)
		return err_at(name, AT(m),
		    "anchors and aliases are not allowed (&%s)", (const char *)anchor);
	if (tag && !implicit_tag)
		return err_at(name, AT(m),
		    "explicit tags are not allowed (%s)", (const char *)tag);
	return NULL;
}

/* The parser's state between events: the open containers, and the last
 * kid of each. */
struct yparse {
	const char *name;
	struct yarena a;
	struct ynode *stack[OSL_POLICY_MAX_DEPTH + 1], *last[OSL_POLICY_MAX_DEPTH + 1];
	struct ynode *root;
	int depth, ndocs;
};

/* Hang a new node under the innermost open container (or make it the root),
 * and open it if it is a container. */
static const struct osl_error *
attach(struct yparse *p, struct ynode *n)
{
	if (p->depth == 0) {
		p->root = n;
	} else {
		struct ynode *parent = p->stack[p->depth - 1];

		if (parent->type == Y_MAP && parent->nkids % 2 == 0 &&
		    n->type != Y_SCALAR)
			return err_node(p->name, n, "map keys must be strings, not %s",
			    ynode_type_name(n));
		if (parent->nkids++ == 0)
			parent->next = n;
		else
			p->last[p->depth - 1]->next = n;
		p->last[p->depth - 1] = n;
	}
	if (n->type != Y_SCALAR)
		p->stack[p->depth++] = n;
	return NULL;
}

static const struct osl_error *
on_scalar(struct yparse *p, const yaml_event_t *ev, struct ynode **np)
{
	const yaml_mark_t *mk = &ev->start_mark;
	const struct osl_error *err;
	struct ynode *n;

	if ((err = check_props(p->name, mk, ev->data.scalar.anchor, ev->data.scalar.tag,
	    ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit)))
		return err;
	if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length)
		return err_at(p->name, AT(mk), "binary data: NUL character in a string");
	if ((n = node_new(&p->a, !p->root, Y_SCALAR, mk)) == NULL)
		return osl_error_nomem();
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->len = ev->data.scalar.length;
	if ((n->str = arena_alloc(&p->a, n->len + 1)) == NULL)
		return osl_error_nomem();
	memcpy(n->str, ev->data.scalar.value, n->len + 1);
	*np = n;
	return NULL;
}

static const struct osl_error *
on_start(struct yparse *p, const yaml_event_t *ev, struct ynode **np)
{
	const yaml_mark_t *mk = &ev->start_mark;
	bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
	const struct osl_error *err;

	if (seq)
		err = check_props(p->name, mk, ev->data.sequence_start.anchor,
		    ev->data.sequence_start.tag, ev->data.sequence_start.implicit);
	else
		err = check_props(p->name, mk, ev->data.mapping_start.anchor,
		    ev->data.mapping_start.tag, ev->data.mapping_start.implicit);
	if (err)
		return err;
	if (p->depth == OSL_POLICY_MAX_DEPTH)
		return err_at(p->name, AT(mk), "nesting deeper than %d levels",
		    OSL_POLICY_MAX_DEPTH);
	if ((*np = node_new(&p->a, !p->root, seq ? Y_SEQ : Y_MAP, mk)) == NULL)
		return osl_error_nomem();
	return NULL;
}

/* One libyaml event; *end at the end of the stream. */
static const struct osl_error *
on_event(struct yparse *p, const yaml_event_t *ev, bool *end)
{
	const yaml_mark_t *mk = &ev->start_mark;
	const struct osl_error *err = NULL;
	struct ynode *n = NULL;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		*end = true;
		break;
	case YAML_DOCUMENT_START_EVENT:
		if (++p->ndocs > 1)
			return err_at(p->name, AT(mk), "more than one document");
		if (ev->data.document_start.tag_directives.start !=
		    ev->data.document_start.tag_directives.end)
			return err_at(p->name, AT(mk),
			    "explicit tags are not allowed (%%TAG directive)");
		break;
	case YAML_ALIAS_EVENT:
		return err_at(p->name, AT(mk), "anchors and aliases are not allowed (*%s)",
		    (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		err = on_scalar(p, ev, &n);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		err = on_start(p, ev, &n);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		p->depth--;
		if (!close_kids(&p->a, p->stack[p->depth]))
			return osl_error_nomem();
		if (p->stack[p->depth]->type == Y_MAP)
			err = check_dup_keys(p->stack[p->depth], p->name);
		break;
	default:	/* stream start, document end */
		break;
	}
	if (err || !n)
		return err;
	return attach(p, n);
}

const struct osl_error *
ydoc_parse(struct ynode **rootp, const char *name, const char *buf, size_t len)
{
	const struct osl_error *err = NULL;
	struct yparse p = { .name = name };
	yaml_parser_t ps;
	yaml_event_t ev;
	const char *nul;
	unsigned line, col;
	bool end = false;

	*rootp = NULL;
	if (len > OSL_POLICY_MAX_BYTES)
		return err_at(name, 1, 1, "policy is larger than 1 MiB (%zu bytes)", len);
	/* libyaml would stop at a NUL with a vaguer message. */
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		pos_of(buf, len, (size_t)(nul - buf), &line, &col);
		return err_at(name, line, col, "binary data: NUL byte is not allowed");
	}
	if (!arena_init(&p.a, len))
		return osl_error_nomem();
	if (!yaml_parser_initialize(&ps)) {
		arena_free(p.a.first);
		return osl_error_nomem();
	}
	yaml_parser_set_input_string(&ps, (const unsigned char *)buf, len);
	/* Never guess UTF-16 from a byte-order mark. */
	yaml_parser_set_encoding(&ps, YAML_UTF8_ENCODING);

	while (!end && !err) {
		if (!yaml_parser_parse(&ps, &ev)) {
			err = parser_error(&ps, name, buf, len);
			break;
		}
		err = on_event(&p, &ev, &end);
		yaml_event_delete(&ev);
	}
	if (!err && p.root) {
		*rootp = p.root;
		p.a.first = NULL;	/* the root owns the blocks now */
	}
	yaml_parser_delete(&ps);
	arena_free(p.a.first);
	return err;
}
