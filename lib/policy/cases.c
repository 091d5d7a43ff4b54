/* The case file of `osl policy test`, and targets as requests. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/internal.h"
#include "util/parse.h"

static const struct osl_error *
bad(const char *target, const char *why)
{
	return osl_error_new(OSL_EINPUT, "'%.300s': %s", target, why);
}

static const struct osl_error *
net_target(enum osl_access access, const char *target, struct osl_request *rq,
    char *buf, size_t bufsize)
{
	char host[300];
	const char *port = NULL, *why;
	size_t hn;
	uint64_t v;

	if (target[0] == '[') {
		const char *rb = strchr(target, ']');

		if (!rb)
			return bad(target, "missing ']' after an IPv6 address");
		hn = (size_t)(rb - target - 1);
		if (hn >= sizeof(host))
			return bad(target, "invalid IPv6 address");
		memcpy(host, target + 1, hn);
		host[hn] = '\0';
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1])
			return bad(target, "expected :PORT after ']'");
		if (inet_pton(AF_INET6, host, rq->addr) != 1)
			return bad(target, "invalid IPv6 address");
		rq->family = AF_INET6;
	} else {
		const char *colon = strchr(target, ':');

		if (colon && strchr(colon + 1, ':')) {
			/* a bare IPv6 address: no port */
			if (inet_pton(AF_INET6, target, rq->addr) != 1)
				return bad(target, "invalid IPv6 address (write [ADDR]:PORT)");
			rq->family = AF_INET6;
		} else {
			hn = colon ? (size_t)(colon - target) : strlen(target);
			if (hn >= sizeof(host))
				return bad(target, "host name longer than 253 characters");
			memcpy(host, target, hn);
			host[hn] = '\0';
			if (colon)
				port = colon + 1;
			if (inet_pton(AF_INET, host, rq->addr) == 1)
				rq->family = AF_INET;
			else {
				if (bufsize < 256)
					return bad(target, "buffer too small");
				if (!host_name(host, hn, buf, &why))
					return bad(target, why);
				rq->host = buf;
			}
		}
	}
	if (port) {
		if (!osl_parse_uint(port, 65535, &v))
			return bad(target, "invalid port (0-65535)");
		rq->port = (uint16_t)v;
	} else if (access == OSL_ACCESS_CONNECT || access == OSL_ACCESS_BIND)
		return bad(target, "missing port (write HOST:PORT)");
	return NULL;
}

const struct osl_error *
osl_request_from_target(enum osl_access access, const char *target, struct osl_request *rq,
    char *buf, size_t bufsize)
{
	static const char *const scopes[] = { "self", "children", "same-user", "any" };
	struct strbuf sb = STRBUF_INIT;
	char emsg[256];

	memset(rq, 0, sizeof(*rq));
	rq->access = access;
	switch (access) {
	case OSL_ACCESS_READ:
	case OSL_ACCESS_WRITE:
	case OSL_ACCESS_EXEC:
		sb_adds(&sb, target);
		if (!path_normalise(&sb, emsg, sizeof(emsg))) {
			sb_release(&sb);
			return bad(target, emsg);
		}
		if (sb.oom || sb.len >= bufsize) {
			sb_release(&sb);
			return bad(target, "path too long");
		}
		memcpy(buf, sb.buf, sb.len + 1);
		sb_release(&sb);
		rq->path = buf;
		return NULL;
	case OSL_ACCESS_CONNECT:
	case OSL_ACCESS_BIND:
	case OSL_ACCESS_RESOLVE:
		return net_target(access, target, rq, buf, bufsize);
	case OSL_ACCESS_SIGNAL:
		for (int i = 0; i < 4; i++)
			if (strcmp(target, scopes[i]) == 0) {
				rq->signal = 1u << i;
				return NULL;
			}
		return bad(target, "expected self, children, same-user or any");
	case OSL_ACCESS_NONE:
		break;
	}
	return bad(target, "unknown access");
}

void
osl_policy_cases_free(struct osl_policy_cases *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ncases; i++) {
		free(c->cases[i].action);
		free(c->cases[i].target);
		free(c->cases[i].rule);
		free(c->cases[i].where);
	}
	free(c->cases);
	free(c->source);
	free(c->policy);
	free(c->policy_where);
	free(c);
}

static const struct osl_error *
want_str(const char *file, const struct ynode *n, const char *what)
{
	if (n->type == Y_SCALAR && !ynode_is_null(n))
		return NULL;
	return err_node(file, n, "%s: expected a string, got %s", what, ynode_type_name(n));
}

static const struct osl_error *
one_case(const char *file, const struct ynode *m, struct osl_policy_case *c)
{
	static const char *const keys[] = { "action", "target", "expect", "rule", NULL };
	const struct osl_error *err;
	const struct ynode *action, *target, *expect, *rule;
	struct osl_request rq;
	char buf[4096];

	if (m->type != Y_MAP)
		return err_node(file, m, "cases: a case is a map, got %s", ynode_type_name(m));
	for (size_t i = 0; i < m->nkids; i += 2) {
		size_t k;

		for (k = 0; keys[k] && strcmp(keys[k], m->kids[i]->str); k++)
			;
		if (!keys[k])
			return err_node(file, m->kids[i], "unknown key '%.100s' in a case "
			    "(expected action, target, expect, rule)", m->kids[i]->str);
	}
	action = ymap_get(m, "action");
	target = ymap_get(m, "target");
	expect = ymap_get(m, "expect");
	rule = ymap_get(m, "rule");
	if (!action || !target || !expect)
		return err_node(file, m, "a case needs action, target and expect");
	if ((err = want_str(file, action, "action")) || (err = want_str(file, target, "target")) ||
	    (err = want_str(file, expect, "expect")) ||
	    (rule && (err = want_str(file, rule, "rule"))))
		return err;
	if (!osl_action_access(action->str, &c->access))
		return err_node(file, action, "unknown action '%.100s'", action->str);
	if ((err = osl_request_from_target(c->access, target->str, &rq, buf, sizeof(buf))))
		return err_node(file, target, "target: %s", err->msg);
	if (strcmp(expect->str, "allow") == 0)
		c->expect = OSL_ALLOW;
	else if (strcmp(expect->str, "deny") == 0)
		c->expect = OSL_DENY;
	else
		return err_node(file, expect, "expect: expected allow | deny, got '%.100s'",
		    expect->str);
	c->action = strdup(action->str);
	c->target = strdup(target->str);
	c->where = where_of(file, m);
	if (rule)
		c->rule = strdup(rule->str);
	if (!c->action || !c->target || !c->where || (rule && !c->rule))
		return osl_error_nomem();
	return NULL;
}

const struct osl_error *
osl_policy_cases_load_buf(struct osl_policy_cases **out, const char *name,
    const char *buf, size_t len)
{
	const struct osl_error *err;
	struct osl_policy_cases *c;
	struct ynode *root = NULL;
	const struct ynode *pol, *cases;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return osl_error_nomem();
	if ((c->source = strdup(name)) == NULL) {
		err = osl_error_nomem();
		goto done;
	}
	if ((err = ydoc_parse(&root, name, buf, len)))
		goto done;
	if (!root || root->type != Y_MAP) {
		err = root ? err_node(name, root, "a case file is a map, got %s",
		    ynode_type_name(root)) : err_at(name, 1, 1, "empty case file");
		goto done;
	}
	for (size_t i = 0; i < root->nkids; i += 2)
		if (strcmp(root->kids[i]->str, "policy") && strcmp(root->kids[i]->str, "cases")) {
			err = err_node(name, root->kids[i], "unknown key '%.100s' in the case file "
			    "(expected policy, cases)", root->kids[i]->str);
			goto done;
		}
	if ((pol = ymap_get(root, "policy")) != NULL) {
		const char *slash = strrchr(name, '/');
		struct strbuf sb = STRBUF_INIT;

		if ((err = want_str(name, pol, "policy")))
			goto done;
		if (pol->str[0] != '/' && strncmp(pol->str, "builtin:", 8) && slash)
			sb_add(&sb, name, (size_t)(slash - name + 1));
		sb_adds(&sb, pol->str);
		c->policy = sb_detach(&sb);
		c->policy_where = where_of(name, pol);
		if (!c->policy || !c->policy_where) {
			err = osl_error_nomem();
			goto done;
		}
	}
	if ((cases = ymap_get(root, "cases")) == NULL) {
		err = err_node(name, root, "cases: is required");
		goto done;
	}
	if (cases->type != Y_SEQ) {
		err = err_node(name, cases, "cases: expected a list, got %s", ynode_type_name(cases));
		goto done;
	}
	if (cases->nkids && (c->cases = calloc(cases->nkids, sizeof(*c->cases))) == NULL) {
		err = osl_error_nomem();
		goto done;
	}
	for (size_t i = 0; i < cases->nkids; i++) {
		c->ncases++;
		if ((err = one_case(name, cases->kids[i], &c->cases[i])))
			goto done;
	}
	*out = c;
	c = NULL;
done:
	ynode_free(root);
	osl_policy_cases_free(c);
	return err;
}

const struct osl_error *
osl_policy_cases_load(struct osl_policy_cases **out, const char *path)
{
	const struct osl_error *err = NULL;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return osl_error_errno("cannot open '%s'", path);
	if ((buf = malloc(OSL_POLICY_MAX_BYTES + 2)) == NULL) {
		close(fd);
		return osl_error_nomem();
	}
	/* the same bound as a policy: read one byte more than allowed */
	while (len <= OSL_POLICY_MAX_BYTES) {
		n = read(fd, buf + len, OSL_POLICY_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = osl_error_errno("cannot read '%s'", path);
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!err)
		err = osl_policy_cases_load_buf(out, path, buf, len);
	free(buf);
	return err;
}
