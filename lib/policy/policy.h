/* The osl policy: loading (libyaml events, hard limits), `extends:` merging,
 * compilation into match tables, and decisions.  man/osl-policy.5 is the spec.
 *
 * Loading reads files (policy/load.c) and has the rule paths resolved by
 * the caller's osl_policy_env.resolve (the file system is the shell's);
 * everything after that — merging, compiling, matching, deciding — is pure:
 * no syscalls, no clocks, no globals.  A loaded policy is immutable and may be shared between threads.
 *
 * Part of libosl's public API (PUBLIC_HDRS in the Makefile): it includes
 * only public headers; `osl policy show`'s printers are in policy/show.h. */
#ifndef OSL_POLICY_H
#define OSL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "error.h"
#include "log/config.h"

enum osl_verdict { OSL_DENY = 0, OSL_ALLOW = 1 };
enum osl_mode { OSL_MODE_ENFORCE = 0, OSL_MODE_AUDIT = 1 };

/* What a rule grants or refuses. */
enum osl_rule_kind {
	OSL_RULE_FS_READ,
	OSL_RULE_FS_WRITE,
	OSL_RULE_FS_EXEC,
	OSL_RULE_FS_DENY,
	OSL_RULE_NET_CONNECT,
	OSL_RULE_NET_BIND,
	OSL_RULE_NET_DENY,
	OSL_RULE__COUNT
};


/* A network pattern: HOST:PORT (man/osl-policy.5.scd, NETWORK PATTERNS). */
enum osl_nethost { OSL_NH_ANY, OSL_NH_ADDR, OSL_NH_NAME, OSL_NH_SUFFIX };
struct osl_netpat {
	enum osl_nethost host;
	int family;		/* OSL_NH_ADDR: AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network byte order; v4 in the first 4 bytes */
	unsigned prefix;	/* CIDR length (32/128 for a single address) */
	char *name;		/* OSL_NH_NAME: lowercase name; OSL_NH_SUFFIX: "domain" of "*.domain" */
	uint16_t port_lo, port_hi;	/* "*" is 0-65535 */
};

/* A path an fs.deny rule does not cover (`except:`, man/osl-policy.5,
 * RULES): its strings share one allocation (pattern's); REAL as for
 * osl_rule.  An except is matched as an allow rule is: a folder variable
 * that cannot be used makes it INERT (why), and an inert one excepts
 * nothing, so the deny stays whole. */
struct osl_except {
	char *pattern, *expanded, *real;
	const char *inert;
};

/* A rule's strings share one allocation (where's). */
struct osl_rule {
	enum osl_rule_kind kind;
	char *id;		/* explicit `id:`, or NULL */
	char *where;		/* "FILE:LINE:COL" of the rule in its file */
	char *pattern;		/* as written */
	char *expanded;		/* fs: after variable expansion, absolute; net: as written */
	char *real;		/* fs: EXPANDED with its literal prefix resolved as
				 * osl_policy_env.resolve says (what requests, which are
				 * real paths, are matched against); else EXPANDED itself */
	struct osl_netpat net;	/* net rules only */
	void *priv;		/* compiled matcher (policy/match.c) */
	/* An allow rule whose path variable is unset, empty, relative, "/" or
	 * a system folder (or leads to one): why, e.g. "${PWD} is '/' — cd into
	 * the workspace".  Such a rule is inert: it is in osl_policy.inert,
	 * never in .rules, so it allows nothing (man/osl-policy.5, VARIABLES);
	 * EXPANDED is only what it would have covered ("" when not a path).
	 * NULL for a rule in force. */
	const char *inert;
	/* fs.deny only: the paths it yields to (`except:`), or none */
	struct osl_except *except;
	size_t nexcept;
	/* fs.deny only: this rule is the one before it, expanded with the
	 * account's own values (osl_policy_env.account_home), which differ
	 * from the environment's: same id, place and pattern */
	bool account;
};

/* The name a message uses for a rule: its id, else FILE:LINE:COL. */
const char *osl_rule_name(const struct osl_rule *r);

enum osl_signal_scope {
	OSL_SIGNAL_SELF = 1u << 0,
	OSL_SIGNAL_CHILDREN = 1u << 1,
	OSL_SIGNAL_SAME_USER = 1u << 2,
	OSL_SIGNAL_ANY = 1u << 3,
};

/* proc.namespaces beyond those every sandboxed child has */
enum { OSL_NS_PID = 1u << 0 };

/* A limit that is not set is OSL_LIMIT_UNSET. */
#define OSL_LIMIT_UNSET UINT64_MAX
struct osl_limits {
	uint64_t cpu_ns, wall_ns, memory, nofile, nproc, fsize, core;
};

struct osl_kv { char *key, *value; };

enum osl_seccomp_base { OSL_SECCOMP_DEFAULT, OSL_SECCOMP_STRICT, OSL_SECCOMP_NONE };
struct osl_seccomp {
	enum osl_seccomp_base base;
	char **deny;  size_t ndeny;	/* syscall names or @groups */
	char **allow; size_t nallow;
};

/* A variable the rules of a policy use, and its value (`osl policy
 * explain` and `check` show them); REAL is where the value leads, when the
 * environment's resolver tells and it differs, else NULL. */
struct osl_policy_var {
	const char *name;
	char *value, *real;
	/* the account's own value (osl_policy_env.account_home) where it is
	 * another: the deny rules cover both; else NULL */
	char *account;
};
/* proc.tmp: a fresh /tmp for each sandboxed program, or the machine's. */
enum osl_tmp { OSL_TMP_PRIVATE, OSL_TMP_SHARED };

struct osl_policy {
	char *name;
	char *description;
	char *source;		/* the top file ("builtin:default" for the built-in one) */
	char **files;		/* every file of the extends chain, parents first */
	size_t nfiles;
	enum osl_mode mode;
	enum osl_verdict dflt;
	char *dflt_where;	/* FILE:LINE:COL of the `default:` that is in force, or NULL */

	struct osl_rule *rules;	/* every rule of the chain, parents first, in file order */
	size_t nrules;
	/* The inert allow rules (osl_rule.inert), in the same order: nothing
	 * decides, enforces or learns from them; check, explain, the report
	 * and a denial they would have allowed show them. */
	struct osl_rule *inert;
	size_t ninert;

	bool net_resolve;	/* net.resolve (default false) */
	unsigned signal_scope;	/* OSL_SIGNAL_* bits; default OSL_SIGNAL_SELF|OSL_SIGNAL_CHILDREN */
	struct osl_limits limits;
	char **env_keep; size_t nenv_keep;
	struct osl_kv *env_set; size_t nenv_set;
	struct osl_seccomp seccomp;
	uint64_t capabilities;	/* proc.capabilities: bit N keeps capability N */
	enum osl_tmp tmp;	/* proc.tmp (default private) */
	unsigned namespaces;	/* proc.namespaces: OSL_NS_* asked for */
	struct osl_log_config log;

	char hash[72];		/* "sha256:" + 64 hex of the merged policy */
	void *index;		/* compiled lookup tables (policy/match.c) */
	struct osl_policy_var *vars;	/* the variables its fs rules use, by name */
	size_t nvars;
};

/* "/", "/etc", "/usr/lib", the homes' folder...: too wide for a rule made
 * from a variable, suggested by a denial or learned from one write
 * (vars.c). */
bool osl_system_folder(const char *path);

/* The rules of P as its files write them: a deny rule in force twice (for
 * the account's values, osl_rule.account) counts once. */
size_t osl_policy_rules_written(const struct osl_policy *p);

/* Values for ${VAR} expansion, passed in so that the core stays pure.
 * NULL members take their usual defaults (TMPDIR=/tmp, XDG_STATE_HOME=
 * $HOME/.local/state, XDG_CONFIG_HOME=$HOME/.config, XDG_RUNTIME_DIR=
 * /run/user/$UID); an empty one is an error.  RESOLVE, when set, tells
 * where a path leads once its symlinks are resolved (into BUF; NULL when it
 * cannot tell): a path variable that leads to "/" or a system folder cannot
 * be used where a rule allows (man/osl-policy.5, VARIABLES). */
struct osl_policy_env {
	const char *home, *pwd, *tmpdir, *user, *uid;
	const char *xdg_config_home, *xdg_state_home, *xdg_runtime_dir;
	/* The account's own home and name, from the password database of the
	 * real uid (NULL: none there).  A deny rule covers the paths its
	 * variables give with the environment's values and with the account's
	 * (HOME and USER these, TMPDIR and the XDG folders their defaults):
	 * HOME=/tmp/decoy does not take ~/.ssh out of it (man/osl-policy.5,
	 * VARIABLES). */
	const char *account_home, *account_user;
	/* where PATH leads (realpath): the variables' checks (vars.c) */
	const char *(*real_path)(const char *path, char *buf, size_t size);
	/* The shell's resolver of an fs rule's literal prefix (osl_fs_rule_resolve
	 * in lib/fs/chase.c): OUT gets PREFIX with the symlinks it may follow
	 * followed (ALL: any, for deny rules; else trusted ones only, never one
	 * below the folders of this env).  False: PREFIX stays.  NULL: every
	 * rule names its path as written.  Called with a NULL PREFIX before
	 * (ALL true) and after (false) a policy's rules: what it learned of
	 * the file system between the two (folders without links) it may
	 * keep, not longer. */
	bool (*resolve)(const struct osl_policy_env *env, const char *prefix, bool all,
	    char *out, size_t size);
};

/* Limits the loader enforces (man/osl-policy.5.scd, THE DOCUMENT). */
#define OSL_POLICY_MAX_BYTES (1u << 20)
#define OSL_POLICY_MAX_DEPTH 64
#define OSL_POLICY_MAX_EXTENDS 16

/* Load PATH ("builtin:NAME" for a shipped policy), follow extends:, merge,
 * compile.  Errors are OSL_EINPUT with "FILE:LINE:COL: message", or OSL_EFAIL
 * when a file cannot be read. */
const struct osl_error *osl_policy_load(struct osl_policy **out, const char *path,
    const struct osl_policy_env *env);
/* Can the policy PATH names be opened (a file that can be read, or a
 * built-in one)?  NULL, or the error osl_policy_load would give (osl(1):
 * a policy named by -p or $OSL_POLICY that cannot be opened stops every
 * verb, even one that never reads it). */
const struct osl_error *osl_policy_openable(const char *path);
/* Same from a buffer; NAME is used in messages and as `source`; relative
 * extends: are resolved against the directory of NAME. */
const struct osl_error *osl_policy_load_buf(struct osl_policy **out, const char *name,
    const char *buf, size_t len, const struct osl_policy_env *env);
void osl_policy_free(struct osl_policy *p);

/* A question to the policy. */
struct osl_request {
	enum osl_access access;
	const char *path;	/* fs: absolute, normalised (no ., .., //) — the resolved path */
	const char *host;	/* net: the name asked for, or NULL for a bare address */
	int family;		/* net: AF_INET/AF_INET6 of addr, or 0 when there is no address */
	uint8_t addr[16];
	uint16_t port;
	unsigned signal;	/* OSL_ACCESS_SIGNAL: OSL_SIGNAL_* bits that describe the target
				 * (e.g. CHILDREN|SAME_USER); allowed when one is in proc.signal */
	bool tree;		/* fs: the path and all that may ever lie beneath it (a folder
				 * renamed whole): also denied by a deny rule that could match
				 * a path beneath it, where the folder's place decides */
};

#define OSL_DECISION_MAX_RULES 8
struct osl_decision {
	enum osl_verdict verdict;	/* what is carried out */
	bool audit;		/* allowed only because of mode: audit (would be denied) */
	bool by_default;	/* no rule decided: `default` applied */
	const struct osl_rule *rule;	/* the deciding rule, NULL when by_default */
	const struct osl_rule *matched[OSL_DECISION_MAX_RULES];	/* most specific first */
	size_t nmatched;	/* may exceed the array; the array holds the first ones */
	const char *setting;	/* decided by a setting, not a rule: "net.resolve: true",
				 * "proc.signal", "a relative path"; else NULL */
	const struct osl_rule *inert;	/* denied by default: an inert rule (of
				 * osl_policy.inert) that would have allowed it, or NULL */
	bool beneath;		/* rq->tree: RULE denies a path beneath, not the path */
};

/* Decide.  Pure and fast (compiled tables: no scan of every rule). */
void osl_policy_decide(const struct osl_policy *p, const struct osl_request *rq,
    struct osl_decision *d);
/* Why rule R, in force in P, can never allow anything (a host-name
 * connect rule without net.resolve; an allow beneath a deny of a whole
 * folder), into BUF; NULL when it can (lib/policy/lint.c). */
const char *osl_rule_never(const struct osl_policy *p, const struct osl_rule *r, char *buf,
    size_t size);
/* The rule a policy could add to allow R (an exec of /app/server: fs.exec
 * of all beneath /app), for a denial that no rule decided; "" (0) when
 * there is none to suggest (lib/policy/hint.c). */
size_t osl_policy_hint(const struct osl_request *r, char *buf, size_t size);
/* "allowed by rule build-dir (/etc/osl/ci.yaml:14:5)", "denied by rule
 * no-shadow (...)", "no rule matched: default deny (FILE:LINE:COL)",
 * "no rule matched: default deny; allowed by audit mode". */
const char *osl_decision_reason(const struct osl_policy *p, const struct osl_decision *d,
    char *buf, size_t size);

/* Does an except of deny rule R (one in force) cover PATH?  With TREE,
 * all that may lie beneath PATH as well (an except ending in / and two
 * stars that matches PATH).  The sandbox asks it of a deny's folder. */
bool osl_rule_excepts(const struct osl_rule *r, const char *path, bool tree);
/* Could an except of R (in force) cover a path at or beneath DIR?  Then a
 * deny of DIR's tree, over-mounted whole, hides what the policy allows. */
bool osl_rule_except_within(const struct osl_rule *r, const char *dir);

/* Pattern helpers, exposed for the sandbox and the tests. */
bool osl_path_match(const char *pattern, const char *path);	/* wildmatch semantics */
bool osl_path_proc_self(const char *path);	/* /proc/self, /proc/thread-self, below */
/* Parse "HOST:PORT" (policy syntax) into a netpat; errors are one line. */
const struct osl_error *osl_netpat_parse(const char *s, struct osl_netpat *out);
void osl_netpat_release(struct osl_netpat *np);

/* proc.capabilities' names (policy/settings.c): the number of a
 * capability's name ("net_bind_service", "CAP_NET_RAW"), or -1; the name of
 * a number, lower case without "cap_", or NULL. */
int osl_cap_parse(const char *name);
const char *osl_cap_name(int cap);

/* True when NAME is the rule's id or its FILE:LINE:COL. */
bool osl_rule_is(const struct osl_rule *r, const char *name);
/* "fs.read", "fs.write", "fs.exec", "fs.deny", "net.connect", "net.bind", "net.deny". */
const char *osl_rule_kind_name(enum osl_rule_kind k);

/* Parse the target of `osl policy explain/test` into RQ, without DNS: a path
 * for fs (absolute; normalised into BUF), "HOST:PORT", "[V6]:PORT", an
 * address or a name for net (the name, lowercased, goes into BUF; the port is
 * required for connect and bind), self|children|same-user|any for signal.
 * OSL_EINPUT with a one-line message on bad input. */
const struct osl_error *osl_request_from_target(enum osl_access access, const char *target,
    struct osl_request *rq, char *buf, size_t bufsize);

/* The case file of `osl policy test`:
 *	policy: child.yaml		# relative to the case file; may be builtin:NAME
 *	cases:
 *	  - { action: fs.read, target: /srv/secret/k, expect: deny, rule: no-secret }
 * Same limits and error style as a policy. */
struct osl_policy_case {
	char *action;		/* "fs.read" */
	enum osl_access access;
	char *target;
	enum osl_verdict expect;
	char *rule;		/* expected deciding rule (id or FILE:LINE:COL), or NULL */
	char *where;		/* FILE:LINE:COL of the case */
};
struct osl_policy_cases {
	char *source;		/* the case file */
	char *policy;		/* path resolved against the case file's folder, or NULL when absent */
	char *policy_where;
	struct osl_policy_case *cases;
	size_t ncases;
};
const struct osl_error *osl_policy_cases_load(struct osl_policy_cases **out, const char *path);
const struct osl_error *osl_policy_cases_load_buf(struct osl_policy_cases **out, const char *name,
    const char *buf, size_t len);
void osl_policy_cases_free(struct osl_policy_cases *c);

#endif
