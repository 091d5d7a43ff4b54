/* ~ and ${VAR} in patterns and paths, and the normal form of a pattern.
 * Values come from struct osl_policy_env, and where they lead from its
 * resolver: the core never reads the environment or the file system itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

/* Values may hold glob characters ("/home/a*b"); in a pattern they are
 * escaped so that they match only themselves. */
static void
add_value(struct strbuf *out, const char *v, bool glob)
{
	size_t n;

	while (*v) {
		n = glob ? strcspn(v, "*?[]\\") : strlen(v);
		sb_add(out, v, n);
		if (!v[n])
			break;
		sb_addc(out, '\\');
		sb_addc(out, v[n]);
		v += n + 1;
	}
}

/* The folders a path variable may not be, as written or once its symlinks
 * are resolved, where a rule that allows (or the default log sink) uses it:
 * a rule made from one would cover the whole system, a system folder or
 * every user's home, so it is inert instead (man/osl-policy.5, VARIABLES).
 * Sorted. */
static const char *const system_folders[] = {
	"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64",
	"/libx32", "/opt", "/proc", "/run", "/run/user", "/sbin", "/srv", "/sys", "/usr",
	"/usr/bin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/local", "/usr/sbin",
	"/usr/share", "/var", "/var/cache", "/var/lib", "/var/log", "/var/spool", NULL
};

bool
osl_system_folder(const char *path)
{
	for (size_t i = 0; system_folders[i]; i++)
		if (strcmp(system_folders[i], path) == 0)
			return true;
	return false;
}

/* What the user can do about a variable that may not be used. */
static const char *
var_hint(const char *name, size_t n)
{
	if (n == 3 && memcmp(name, "PWD", 3) == 0)
		return "cd into the workspace";
	if (n == 4 && memcmp(name, "HOME", 4) == 0)
		return "set HOME to a home folder of its own";
	if (n == 6 && memcmp(name, "TMPDIR", 6) == 0)
		return "set TMPDIR to a folder of its own, or unset it for /tmp";
	return "set it to a folder of its own, or unset it";
}

/* Does folder DIR hold PATH (or is it PATH)? */
static bool
holds(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	return !strncmp(dir, path, n) && (path[n] == '/' || path[n] == '\0');
}

/* A temporary or runtime folder (TMPDIR, XDG_RUNTIME_DIR) that is the
 * account's home or holds it (TMPDIR=~): a rule for temporary files would
 * write the home (~/.bashrc).  The home as written or where it leads. */
static bool
holds_home(const char *name, size_t n, const char *v, const char *real,
    const struct osl_policy_env *env)
{
	char hreal[4096];
	const char *h = env->account_home;

	if (!h || h[0] != '/' || !((n == 6 && !memcmp(name, "TMPDIR", 6)) ||
	    (n == 15 && !memcmp(name, "XDG_RUNTIME_DIR", 15))))
		return false;
	if (holds(v, h) || (real && holds(real, h)))
		return true;
	return env->real_path && env->real_path(h, hreal, sizeof(hreal)) &&
	    (holds(v, hreal) || (real && holds(real, hreal)));
}

/* A path variable where it widens what a rule allows: not "/", not a system
 * folder, as written or where its symlinks lead (env->real_path); TMPDIR
 * and XDG_RUNTIME_DIR not the account's home or above it.  False: EMSG
 * says why. */
static bool
var_own_folder(const char *name, size_t n, const char *v, const struct osl_policy_env *env,
    char *emsg, size_t esz, char *lead, size_t lsz)
{
	struct strbuf sb = STRBUF_INIT;
	char real[4096], tmp[128], via[4200] = "";
	const char *bad = NULL;

	/* "//", "/./", a trailing "/": the folder it names; ".." is left to
	 * the resolver, and refused in the rule when there is none */
	sb_adds(&sb, v);
	if (sb.oom) {
		snprintf(emsg, esz, "out of memory");
		return false;
	}
	if (path_normalise(&sb, tmp, sizeof(tmp)) && osl_system_folder(sb.buf))
		bad = sb.buf;
	else if (env->real_path && env->real_path(v, real, sizeof(real)) && osl_system_folder(real)) {
		bad = real;
		snprintf(via, sizeof(via), ", which leads to '%s'", real);
	}
	if (!bad && holds_home(name, n, sb.buf, env->real_path && env->real_path(v, real,
	    sizeof(real)) ? real : NULL, env)) {
		snprintf(emsg, esz, "${%.*s} is '%.200s', which holds the home folder '%.200s'",
		    (int)n, name, v, env->account_home);
		if (lsz > strlen(sb.buf))
			memcpy(lead, sb.buf, strlen(sb.buf) + 1);
		sb_release(&sb);
		return false;
	}
	if (bad) {
		snprintf(emsg, esz, "${%.*s} is '%.200s'%s%s", (int)n, name, v, via,
		    strcmp(bad, "/") == 0 ? "" : ", a system folder");
		if (lsz > strlen(bad))	/* what the rule would have covered */
			memcpy(lead, bad, strlen(bad) + 1);
	}
	sb_release(&sb);
	return !bad;
}

/* Resolve one variable; a NULL member takes its documented default, built
 * in TMP.  With VARS_OWN (a rule that allows) a path variable that is
 * unset, empty, relative, "/" or a system folder makes the rule inert:
 * *INERT is set, EMSG says why (the first such variable) and the value
 * returned ("" when unset; where a link leads, in TMP) serves only to tell
 * what the rule would have covered.  Without it, unset, empty and relative are errors: "${HOME}/x"
 * would be "/x". */
static const char *
var_value(const char *name, size_t n, const struct osl_policy_env *env, unsigned flags,
    char *tmp, size_t tsz, char *emsg, size_t esz, bool *inert)
{
	const char *v = NULL, *what = NULL, *h;
	char why[512];
	bool path = true;

#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
	if (IS("HOME")) {
		v = env->home;
	} else if (IS("PWD")) {
		v = env->pwd;
	} else if (IS("TMPDIR")) {
		v = env->tmpdir ? env->tmpdir : "/tmp";
	} else if (IS("USER")) {
		v = env->user;
		path = false;
	} else if (IS("UID")) {
		v = env->uid;
		path = false;
	} else if (IS("XDG_CONFIG_HOME") || IS("XDG_STATE_HOME")) {
		v = IS("XDG_CONFIG_HOME") ? env->xdg_config_home : env->xdg_state_home;
		if (!v && env->home) {
			/* made from HOME: HOME must be good for it */
			if ((h = var_value("HOME", 4, env, flags, NULL, 0, emsg, esz, inert)) == NULL)
				return NULL;
			snprintf(tmp, tsz, "%s/%s", h,
			    IS("XDG_CONFIG_HOME") ? ".config" : ".local/state");
			v = tmp;
		} else if (!v)
			what = "HOME";
	} else if (IS("XDG_RUNTIME_DIR")) {
		v = env->xdg_runtime_dir;
		if (!v && env->uid) {
			snprintf(tmp, tsz, "/run/user/%s", env->uid);
			v = tmp;
		} else if (!v)
			what = "UID";
	} else {
		snprintf(emsg, esz, "unknown variable ${%.*s}", (int)(n > 64 ? 64 : n), name);
		return NULL;
	}
#undef IS
	why[0] = '\0';
	if (!v)
		snprintf(why, sizeof(why), "${%.*s} is not set%s%s%s", (int)n, name,
		    what ? " (nor " : "", what ? what : "", what ? ")" : "");
	else if (!*v)
		snprintf(why, sizeof(why), "${%.*s} is empty", (int)n, name);
	else if (path && v[0] != '/')
		snprintf(why, sizeof(why), "${%.*s} is not an absolute path ('%.200s')", (int)n,
		    name, v);
	else if (path && (flags & VARS_OWN) &&
	    !var_own_folder(name, n, v, env, why, sizeof(why), tmp, tmp ? tsz : 0)) {
		if (strcmp(why, "out of memory") == 0) {
			snprintf(emsg, esz, "%s", why);
			return NULL;
		}
		if (tmp && tsz)
			v = tmp;
	}
	if (!why[0])
		return v;
	if (!path || !(flags & VARS_OWN)) {
		snprintf(emsg, esz, "%s", why);
		return NULL;
	}
	if (!*inert)
		snprintf(emsg, esz, "%s — %s", why, var_hint(name, n));
	*inert = true;
	return v ? v : "";
}

void
vars_account_env(const struct osl_policy_env *env, struct osl_policy_env *a)
{
	*a = *env;
	a->home = env->account_home;
	a->user = env->account_user;
	a->tmpdir = a->xdg_config_home = a->xdg_state_home = a->xdg_runtime_dir = NULL;
}

enum vx
vars_expand(const char *s, const struct osl_policy_env *env, unsigned flags,
    struct strbuf *out, char *emsg, size_t esz)
{
	char tmp[4096];
	const char *v, *end;
	bool inert = false;

	sb_reset(out);
	if (s[0] == '~') {
		if (s[1] != '\0' && s[1] != '/') {
			snprintf(emsg, esz, "'~user' is not supported, only '~' and '~/'");
			return VX_ERROR;
		}
		if ((v = var_value("HOME", 4, env, flags, tmp, sizeof(tmp), emsg, esz,
		    &inert)) == NULL)
			return VX_ERROR;
		add_value(out, v, flags & VARS_GLOB);
		s++;
	}
	for (; *s; s++) {
		if (*s != '$') {
			end = strchrnul(s, '$');
			sb_add(out, s, (size_t)(end - s));
			s = end - 1;
			continue;
		}
		if (s[1] == '$') {	/* "$$" is a literal '$' */
			sb_addc(out, '$');
			s++;
			continue;
		}
		if (s[1] != '{' || (end = strchr(s + 2, '}')) == NULL) {
			snprintf(emsg, esz, "'$' must start ${NAME} (write '$$' for a '$')");
			return VX_ERROR;
		}
		if ((v = var_value(s + 2, (size_t)(end - s - 2), env, flags, tmp, sizeof(tmp),
		    emsg, esz, &inert)) == NULL)
			return VX_ERROR;
		add_value(out, v, flags & VARS_GLOB);
		s = end;
	}
	if (out->oom) {
		snprintf(emsg, esz, "out of memory");
		return VX_ERROR;
	}
	return inert ? VX_INERT : VX_OK;
}

bool
path_normalise(struct strbuf *sb, char *emsg, size_t esz)
{
	char *s = sb->buf, *w, *r;

	if (!s || s[0] != '/') {
		snprintf(emsg, esz, "not an absolute path");
		return false;
	}
	for (w = r = s; *r; ) {
		if (*r == '/') {
			while (r[1] == '/')
				r++;
			if (r[1] == '.' && (r[2] == '/' || r[2] == '\0')) {
				r += 2;		/* "/." */
				continue;
			}
			if (r[1] == '.' && r[2] == '.' && (r[3] == '/' || r[3] == '\0')) {
				snprintf(emsg, esz, "'..' is not allowed in a path");
				return false;
			}
		}
		*w++ = *r++;
	}
	if (w > s + 1 && w[-1] == '/')
		w--;
	if (w == s)
		*w++ = '/';
	*w = '\0';
	sb->len = (size_t)(w - s);
	return true;
}

/* A component of stars is "**", and "**" twice in a row is "**" once: the
 * same matches, and no chains for the matcher to backtrack through. */
static void
collapse_stars(struct strbuf *sb)
{
	char *r = sb->buf, *w = sb->buf;
	bool prev = false;

	while (*r == '/') {
		char *e = r + 1;
		size_t n;

		while (*e == '*')
			e++;
		n = (size_t)(e - r - 1);
		if (n >= 2 && (*e == '/' || *e == '\0')) {
			if (!prev) {
				memcpy(w, "/**", 3);
				w += 3;
			}
			prev = true;
			r = e;
			continue;
		}
		prev = false;
		for (e = r + 1; *e && *e != '/'; e++)
			;
		memmove(w, r, (size_t)(e - r));
		w += e - r;
		r = e;
	}
	*w = '\0';
	sb->len = (size_t)(w - sb->buf);
}

enum vx
pattern_expand(const char *s, const struct osl_policy_env *env, unsigned flags,
    struct strbuf *out, char *emsg, size_t esz)
{
	struct strbuf tmp = STRBUF_INIT;
	char nmsg[256];
	enum vx r;
	bool ok;

	if ((r = vars_expand(s, env, flags | VARS_GLOB, out, emsg, esz)) == VX_ERROR)
		return VX_ERROR;
	/* "**" / "**\/x" at the front: at any depth below the root. */
	if (out->len >= 2 && out->buf[0] == '*' && out->buf[1] == '*' &&
	    (out->buf[2] == '/' || out->buf[2] == '\0')) {
		sb_addc(&tmp, '/');
		sb_add(&tmp, out->buf, out->len);
		sb_reset(out);
		sb_add(out, tmp.buf, tmp.len);
		sb_release(&tmp);
	}
	if (r == VX_INERT) {
		/* what it would have covered, shown only: "" when not a path */
		if (!out->len || out->buf[0] != '/' || !path_normalise(out, nmsg, sizeof(nmsg)))
			sb_reset(out);
		else
			collapse_stars(out);
		if (!sb_grow(out, 1)) {
			snprintf(emsg, esz, "out of memory");
			return VX_ERROR;
		}
		return VX_INERT;
	}
	if (out->len && out->buf[0] != '/') {
		snprintf(emsg, esz, "not an absolute path after expansion ('%.200s')",
		    out->buf);
		return VX_ERROR;
	}
	ok = path_normalise(out, emsg, esz);
	if (ok)
		collapse_stars(out);
	if (ok && out->oom) {
		snprintf(emsg, esz, "out of memory");
		return VX_ERROR;
	}
	return ok ? VX_OK : VX_ERROR;
}

/* True when pattern S uses variable NAME (read as vars_expand reads it). */
static bool
uses_var(const char *s, const char *name)
{
	size_t n = strlen(name);
	const char *end;

	if (s[0] == '~' && strcmp(name, "HOME") == 0)
		return true;
	for (; (s = strchr(s, '$')) != NULL; s++) {
		if (s[1] == '$') {
			s++;
			continue;
		}
		if (s[1] != '{' || (end = strchr(s + 2, '}')) == NULL)
			return false;
		if ((size_t)(end - s - 2) == n && memcmp(s + 2, name, n) == 0)
			return true;
		s = end;
	}
	return false;
}

/* Does a rule of P (an inert one too) use variable NAME?  TWINS: only a
 * deny rule in force a second time for the account's values. */
static bool
used_by(const struct osl_policy *p, const char *name, bool twins)
{
	for (size_t r = 0; r < p->nrules; r++) {
		if (p->rules[r].kind > OSL_RULE_FS_DENY || (twins && !p->rules[r].account))
			continue;
		if (uses_var(p->rules[r].pattern, name))
			return true;
		for (size_t x = 0; x < p->rules[r].nexcept && !twins; x++)
			if (uses_var(p->rules[r].except[x].pattern, name))
				return true;
	}
	for (size_t r = 0; r < p->ninert && !twins; r++)
		if (uses_var(p->inert[r].pattern, name))
			return true;
	return false;
}

const struct osl_error *
osl_policy_vars(struct osl_policy *p, const struct osl_policy_env *env)
{
	static const char *const names[] = { "HOME", "PWD", "TMPDIR", "USER", "UID",
		"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", NULL };
	char tmp[4096], real[4096], emsg[512];
	struct osl_policy_env acct;

	vars_account_env(env, &acct);
	for (size_t i = 0; names[i]; i++) {
		struct osl_policy_var *v;
		const char *val;
		bool inert = false;

		if (!used_by(p, names[i], false) || (val = var_value(names[i], strlen(names[i]),
		    env, 0, tmp, sizeof(tmp), emsg, sizeof(emsg), &inert)) == NULL)
			continue;
		if ((v = realloc(p->vars, (p->nvars + 1) * sizeof(*v))) == NULL)
			return osl_error_nomem();
		p->vars = v;
		v = &p->vars[p->nvars++];
		v->name = names[i];
		v->real = v->account = NULL;
		if ((v->value = strdup(val)) == NULL)
			return osl_error_nomem();
		if (val[0] == '/' && env->real_path && env->real_path(val, real, sizeof(real)) &&
		    strcmp(real, val) && (v->real = strdup(real)) == NULL)
			return osl_error_nomem();
		/* the value a deny rule in force twice has as well */
		if (used_by(p, names[i], true) && (val = var_value(names[i], strlen(names[i]),
		    &acct, 0, tmp, sizeof(tmp), emsg, sizeof(emsg), &inert)) != NULL &&
		    strcmp(val, v->value) && (v->account = strdup(val)) == NULL)
			return osl_error_nomem();
	}
	return NULL;
}
