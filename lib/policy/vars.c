/* ~ and ${VAR} in patterns and paths, and the normal form of a pattern.
 * Values come from struct osl_policy_env: the core never reads the
 * environment itself. */
#include <stdio.h>
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

/* Resolve one variable; a NULL member takes its documented default, built
 * in TMP. */
static const char *
var_value(const char *name, size_t n, const struct osl_policy_env *env,
    char *tmp, size_t tsz, char *emsg, size_t esz)
{
	const char *v = NULL, *what = NULL;
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
			snprintf(tmp, tsz, "%s/%s", env->home,
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
	if (!v) {
		snprintf(emsg, esz, "${%.*s} is not set%s%s", (int)n, name,
		    what ? " (nor " : "", what ? what : "");
		if (what)
			strncat(emsg, ")", esz - strlen(emsg) - 1);
		return NULL;
	}
	if (path && v[0] != '/') {
		snprintf(emsg, esz, "${%.*s} is not an absolute path ('%.200s')", (int)n, name, v);
		return NULL;
	}
	return v;
}

bool
vars_expand(const char *s, const struct osl_policy_env *env, bool glob,
    struct strbuf *out, char *emsg, size_t esz)
{
	char tmp[4096];
	const char *v, *end;

	sb_reset(out);
	if (s[0] == '~') {
		if (s[1] != '\0' && s[1] != '/') {
			snprintf(emsg, esz, "'~user' is not supported, only '~' and '~/'");
			return false;
		}
		if ((v = var_value("HOME", 4, env, tmp, sizeof(tmp), emsg, esz)) == NULL)
			return false;
		add_value(out, v, glob);
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
			return false;
		}
		if ((v = var_value(s + 2, (size_t)(end - s - 2), env, tmp, sizeof(tmp),
		    emsg, esz)) == NULL)
			return false;
		add_value(out, v, glob);
		s = end;
	}
	if (out->oom) {
		snprintf(emsg, esz, "out of memory");
		return false;
	}
	return true;
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

bool
pattern_expand(const char *s, const struct osl_policy_env *env,
    struct strbuf *out, char *emsg, size_t esz)
{
	struct strbuf tmp = STRBUF_INIT;
	bool ok;

	if (!vars_expand(s, env, true, out, emsg, esz))
		return false;
	/* "**" / "**\/x" at the front: at any depth below the root. */
	if (out->len >= 2 && out->buf[0] == '*' && out->buf[1] == '*' &&
	    (out->buf[2] == '/' || out->buf[2] == '\0')) {
		sb_addc(&tmp, '/');
		sb_add(&tmp, out->buf, out->len);
		sb_reset(out);
		sb_add(out, tmp.buf, tmp.len);
		sb_release(&tmp);
	}
	if (out->len && out->buf[0] != '/') {
		snprintf(emsg, esz, "not an absolute path after expansion ('%.200s')",
		    out->buf);
		return false;
	}
	ok = path_normalise(out, emsg, esz);
	if (ok)
		collapse_stars(out);
	if (ok && out->oom) {
		snprintf(emsg, esz, "out of memory");
		return false;
	}
	return ok;
}
