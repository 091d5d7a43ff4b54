/* Private to lib/policy: the YAML tree, one file's settings (a layer), the
 * merge, variable expansion and the compiled index. */
#ifndef OSL_POLICY_INTERNAL_H
#define OSL_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/builtin.h"
#include "policy/policy.h"
#include "policy/yaml.h"
#include "util/strbuf.h"

/* The settings of a policy, one row each in settings.c, in the order of
 * `osl policy show` and of the hash; a layer's `set` and `pos` say which of
 * them one file sets, and where. */
enum lfield {
	LF_NAME, LF_DESC, LF_MODE, LF_DEFAULT,
	LF_FS_READ, LF_FS_WRITE, LF_FS_EXEC, LF_FS_DENY,
	LF_NET_CONNECT, LF_NET_BIND, LF_RESOLVE, LF_NET_DENY,
	LF_SIGNAL,
	LF_LIM_CPU, LF_LIM_WALL, LF_LIM_MEMORY, LF_LIM_NOFILE, LF_LIM_NPROC, LF_LIM_FSIZE,
	LF_LIM_CORE,
	LF_ENV_KEEP, LF_ENV_SET, LF_SECCOMP, LF_SC_DENY, LF_SC_ALLOW, LF_CAPS, LF_TMP,
	LF_NAMESPACES,
	LF_LEVEL, LF_SINK, LF_SYNC, LF_CHAIN, LF_ONFAIL, LF_ROT_SIZE, LF_ROT_KEEP,
	LF_CP_EVERY, LF_CP_INTERVAL, LF_CP_KEY, LF_CP_SINK,
	LF__COUNT
};
enum st_type {
	ST_STR,		/* char *, NULL when not set */
	ST_ENUM,	/* an enum member; names[value] */
	ST_BOOL,
	ST_BITS,	/* unsigned; bit N is names[N] */
	ST_CAPS,	/* uint64_t; bit N is capability N (osl_cap_name) */
	ST_DURATION,	/* uint64_t nanoseconds */
	ST_SIZE,	/* uint64_t bytes */
	ST_COUNT,	/* unsigned or uint64_t */
	ST_STRS,	/* char **, with a size_t count */
	ST_ENV,		/* struct osl_kv *, with a size_t count */
	ST_RULES,	/* the rules of kind `arg` (osl_policy.rules) */
};
/* How the files of an extends chain combine a setting. */
enum st_merge {
	SM_REPLACE,	/* a later file's value wins */
	SM_STRICTER,	/* the same, but `arg` (the strict value) may not be left */
	SM_LOWER,	/* the same, but never higher than an earlier file's */
	SM_OR,		/* bits add up */
	SM_AND,		/* only the bits every file that sets it names */
	SM_ADD,		/* lists and rules add up */
};
#define S_EXPANDED 1u	/* a value with variables expanded: '$' prints as "$$" */
#define S_NONE 2u	/* not set prints as "none" */
#define S_LIMIT 4u	/* OSL_LIMIT_UNSET is not set */
#define S_POSITIVE 8u	/* more than 0 */
struct setting {
	const char *key;		/* "proc.limits.cpu", as the man page names it */
	enum st_type type;
	enum st_merge merge;
	size_t off, size;		/* the member of struct osl_policy */
	size_t noff;			/* ST_STRS, ST_ENV: the member with the count */
	const char *const *names;	/* ST_ENUM, ST_BITS: NULL-terminated */
	int arg;			/* SM_STRICTER: the strict value; ST_RULES: the kind */
	unsigned flags;			/* S_* */
	uint64_t max;			/* ST_COUNT, ST_SIZE, ST_DURATION: the largest value */
	uint64_t dflt;			/* a number's value when no file sets it */
};
extern const struct setting settings[LF__COUNT];
extern const char *const policy_mode_names[], *const policy_default_names[],
    *const policy_signal_names[], *const policy_seccomp_names[], *const policy_tmp_names[],
    *const policy_ns_names[], *const policy_level_names[], *const policy_sync_names[],
    *const policy_onfail_names[];
uint64_t setting_num(const struct osl_policy *p, const struct setting *s);
void setting_set_num(struct osl_policy *p, const struct setting *s, uint64_t v);
void *setting_ptr(const struct osl_policy *p, const struct setting *s);
size_t *setting_count(const struct osl_policy *p, const struct setting *s);
const char *setting_leaf(const struct setting *s);
const char *setting_text(const struct setting *s, uint64_t v, char *buf, size_t n);

struct lpos { unsigned line, col; };
struct layer {
	const char *file;		/* display name, for messages */
	struct osl_policy p;		/* only what this file sets */
	size_t rules_cap;
	bool set[LF__COUNT];
	struct lpos pos[LF__COUNT];
};

/* schema.c: the tree of one file into a layer (everything but extends:);
 * its rules are rules.c's. */
struct sctx {
	struct layer *l;
	const char *file;
	const struct osl_policy_env *env;
	struct strbuf tmp;	/* a rule's expanded pattern, reused */
};
const struct osl_error *schema_check_keys(const struct sctx *c, const struct ynode *m,
    const char *what, const char *const *keys);
const struct osl_error *schema_want_list(const struct sctx *c, const struct ynode *n,
    const char *what);
const struct osl_error *schema_want_str(const struct sctx *c, const struct ynode *n,
    const char *what);
/* The rules of kind KIND in list N ("fs.read" for messages: WHAT). */
const struct osl_error *rule_list(struct sctx *c, enum osl_rule_kind kind, const struct ynode *n,
    const char *what);
/* Two rules of the file with one id: an error. */
const struct osl_error *check_ids(struct sctx *c);
const struct osl_error *schema_layer(struct layer *l, const struct ynode *root,
    const struct osl_policy_env *env);
void layer_release(struct layer *l);
void rule_release(struct osl_rule *r);

/* merge.c: the accumulated policy while a chain is loaded. */
struct merge {
	struct osl_policy *p;
	size_t rules_cap;
	bool set[LF__COUNT];
	char *where[LF__COUNT];		/* FILE:LINE:COL of each set scalar */
};
void merge_init(struct merge *m, struct osl_policy *p);
void merge_release(struct merge *m);
const struct osl_error *merge_layer(struct merge *m, struct layer *l);
/* The hash of the merged policy: SHA-256 of what it does (merge.c). */
const struct osl_error *policy_hash(struct osl_policy *p);
/* Defaults of a policy that sets nothing (the table's). */
void policy_defaults(struct osl_policy *p);

/* vars.c: ~ and ${VAR}.  VARS_GLOB escapes glob characters in the values;
 * VARS_OWN is for what allows (and the default log sink): a path variable
 * that is unset, empty, relative, "/" or a system folder, as written or
 * where its symlinks lead, gives VX_INERT (EMSG says which and what to do;
 * OUT what the rule would have covered, or "").  Without VARS_OWN unset,
 * empty and relative are errors. */
#define VARS_GLOB 1u
#define VARS_OWN 2u
enum vx { VX_ERROR, VX_OK, VX_INERT };
enum vx vars_expand(const char *s, const struct osl_policy_env *env, unsigned flags,
    struct strbuf *out, char *emsg, size_t esz);
/* ENV with the account's own values (osl_policy_env.account_home): HOME
 * and USER from the password database, TMPDIR and the XDG folders unset
 * (their defaults), into A. */
void vars_account_env(const struct osl_policy_env *env, struct osl_policy_env *a);
/* Absolute, no "..", "//", "/." or trailing "/" (a final "**" stays). */
bool path_normalise(struct strbuf *sb, char *emsg, size_t esz);
/* The variables P's fs rules (inert ones too) use, with their values, into
 * p->vars. */
const struct osl_error *osl_policy_vars(struct osl_policy *p, const struct osl_policy_env *env);
/* A pattern: expand, normalise; a leading "**" gets a "/" before it. */
enum vx pattern_expand(const char *s, const struct osl_policy_env *env, unsigned flags,
    struct strbuf *out, char *emsg, size_t esz);

/* match.c */
bool wildmatch_path(const char *pattern, const char *text);
bool glob_has_meta(const char *s, size_t len);
/* A host name, validated and lowercased into OUT (>= 254 bytes). */
bool host_name(const char *s, size_t n, char *out, const char **why);

/* beneath.c: could PATTERN match a path strictly beneath DIR, where DIR's
 * place decides it (osl_request.tree)? */
bool osl_pattern_beneath(const char *pattern, const char *dir);

/* index.c: compiled tables.  Built after merging; pure. */
const struct osl_error *index_build(struct osl_policy *p);
void index_free(void *index);
struct hit {
	const struct osl_rule *rule;
	unsigned score;
};
struct hits {
	const struct osl_rule *deny, *allow;
	unsigned deny_score, allow_score;
	struct hit top[OSL_DECISION_MAX_RULES];
	size_t n;
};
void index_fs(const void *index, enum osl_rule_kind kind, const char *path, struct hits *h);
void index_net(const void *index, enum osl_rule_kind kind, const struct osl_request *rq,
    bool resolve, struct hits *h);
void hits_add(struct hits *h, const struct osl_rule *r, unsigned score);

/* load.c */
const struct osl_builtin_policy *builtin_find(const char *name);

/* Names shared by the schema, the emitters and the messages. */
const char *kind_key(enum osl_rule_kind k);	/* "fs.read", ... */
bool is_id(const char *s);

#endif
