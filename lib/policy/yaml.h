/* The YAML reader of policies (policy/yaml.c), which supervision trees
 * (lib/supervise/config.c) and case files read with too: one document as a
 * small tree, every limit of man/osl-policy.5 (THE DOCUMENT) checked while
 * parsing, and FILE:LINE:COL messages.  It needs nothing else of lib/policy. */
#ifndef OSL_POLICY_YAML_H
#define OSL_POLICY_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };
struct ynode {
	enum ytype type;
	unsigned line, col;	/* 1-based */
	bool plain;		/* an unquoted scalar */
	char *str;		/* scalars: NUL-terminated (no NUL inside) */
	size_t len;
	struct ynode **kids;	/* seq: items; map: key, value, key, value, ... */
	size_t nkids;
	struct ynode *next;	/* only while parsing: the next sibling */
};

/* Parse BUF (the limits: size, depth, anchors, tags, duplicate keys, one
 * document, UTF-8).  *root is NULL for an empty stream. */
const struct osl_error *ydoc_parse(struct ynode **root, const char *name,
    const char *buf, size_t len);
/* Free a tree from ydoc_parse (all of it, at once: give it the root). */
void ynode_free(struct ynode *root);
/* An empty plain scalar: YAML's null (`key:` with nothing after it). */
bool ynode_is_null(const struct ynode *n);
const char *ynode_type_name(const struct ynode *n);
/* The value of KEY in map M, or NULL. */
struct ynode *ymap_get(const struct ynode *m, const char *key);

/* "FILE:LINE:COL: message", status OSL_EINPUT. */
const struct osl_error *err_at(const char *file, unsigned line, unsigned col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const struct osl_error *err_node(const char *file, const struct ynode *n,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "FILE:LINE:COL", malloc'd; NULL when out of memory. */
char *where_at(const char *file, unsigned line, unsigned col);
/* The same into BUF (strlen(FILE) + 24 bytes); returns its length. */
size_t where_put(char *buf, const char *file, unsigned line, unsigned col);
char *where_of(const char *file, const struct ynode *n);

#endif
