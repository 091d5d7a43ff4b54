/* `osl policy export`: see export.h.
 *
 * The seccomp part is read from osl_seccomp_profile(), the function osl's
 * own filter is built from, so the exported profile cannot drift from what
 * `osl proc run` enforces. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <cjson/cJSON.h>

#include "sandbox/export.h"
#include "sandbox/sandbox-int.h"

bool
osl_export_format_of(const char *name, enum osl_export_format *out)
{
	if (!strcmp(name, "oci-seccomp"))
		*out = OSL_EXPORT_OCI_SECCOMP;
	else if (!strcmp(name, "systemd"))
		*out = OSL_EXPORT_SYSTEMD;
	else
		return false;
	return true;
}

/* As osl_sandbox_prepare decides it: sockets other than AF_UNIX are refused
 * only when the policy has no net rule and is enforced with default deny. */
static bool
net_any(const struct osl_policy *p)
{
	return osl_sandbox_has_net_rules(p) || p->mode == OSL_MODE_AUDIT || p->dflt != OSL_DENY;
}

static const char *
errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	}
	return NULL;
}

/* --- OCI runtime-spec (github.com/opencontainers/runtime-spec, config-linux.md "Seccomp") / Docker --- */

static cJSON *
oci_group(char **names, size_t n, const char *action, int err)
{
	cJSON *o = cJSON_CreateObject(), *a;

	if (!o)
		return NULL;
	if (!(a = cJSON_AddArrayToObject(o, "names")))
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(names[i])))
			goto fail;
	if (!cJSON_AddStringToObject(o, "action", action))
		goto fail;
	if (err && !cJSON_AddNumberToObject(o, "errnoRet", err))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *
oci_argrule(const struct osl_seccomp_argrule *r)
{
	char *names[1] = { (char *)r->name };
	cJSON *o, *args, *a;

	if (!(o = oci_group(names, 1, "SCMP_ACT_ERRNO", r->err)))
		return NULL;
	if (!(args = cJSON_AddArrayToObject(o, "args")) || !(a = cJSON_CreateObject()) ||
	    !cJSON_AddItemToArray(args, a))
		goto fail;
	/* runc and libseccomp: for MASKED_EQ `value` is the mask, `valueTwo`
	 * what the masked argument is compared with */
	if (!cJSON_AddNumberToObject(a, "index", r->arg) ||
	    !cJSON_AddNumberToObject(a, "value", (double)r->a) ||
	    !cJSON_AddNumberToObject(a, "valueTwo", (double)r->b) ||
	    !cJSON_AddStringToObject(a, "op",
	    r->op == OSL_SCMP_NE ? "SCMP_CMP_NE" : r->op == OSL_SCMP_GT ? "SCMP_CMP_GT" :
	    "SCMP_CMP_MASKED_EQ"))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static const struct osl_error *
export_oci(const struct osl_policy *p, struct strbuf *out, struct strbuf *notes)
{
	const struct osl_error *err = NULL;
	struct osl_seccomp_profile pr;
	cJSON *doc = NULL, *arr, *g;
	char *text = NULL;

	if ((err = osl_seccomp_profile(&p->seccomp, net_any(p), &pr)))
		return err;
	if (!(doc = cJSON_CreateObject()))
		goto nomem;
	if (!cJSON_AddStringToObject(doc, "defaultAction",
	    pr.default_allow ? "SCMP_ACT_ALLOW" : "SCMP_ACT_ERRNO"))
		goto nomem;
	if (!pr.default_allow && !cJSON_AddNumberToObject(doc, "defaultErrnoRet", EPERM))
		goto nomem;
	if (!(arr = cJSON_AddArrayToObject(doc, "architectures")))
		goto nomem;
	for (size_t i = 0; pr.arches[i]; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(pr.arches[i])))
			goto nomem;
	if (!(arr = cJSON_AddArrayToObject(doc, "syscalls")))
		goto nomem;
	if (pr.nallow && (!(g = oci_group(pr.allow, pr.nallow, "SCMP_ACT_ALLOW", 0)) ||
	    !cJSON_AddItemToArray(arr, g)))
		goto nomem;
	if (pr.neperm && (!(g = oci_group(pr.eperm, pr.neperm, "SCMP_ACT_ERRNO", EPERM)) ||
	    !cJSON_AddItemToArray(arr, g)))
		goto nomem;
	if (pr.nenosys && (!(g = oci_group(pr.enosys, pr.nenosys, "SCMP_ACT_ERRNO", ENOSYS)) ||
	    !cJSON_AddItemToArray(arr, g)))
		goto nomem;
	for (size_t i = 0; i < pr.nargs; i++)
		if (!(g = oci_argrule(pr.args[i])) || !cJSON_AddItemToArray(arr, g))
			goto nomem;
	if (notes) {
		if (pr.empty)
			sb_addf(notes, "seccomp: none: the profile allows every call\n");
		sb_addf(notes, "seccomp: osl kills a process that makes a call of another "
		    "architecture; the OCI format leaves that action to the runtime\n");
		if (!pr.default_allow && pr.nargs)
			sb_addf(notes, "seccomp: strict: libseccomp (runc, crun) drops the argument "
			    "checks of a call the allow-list admits outright; osl loads them as a "
			    "second filter, which this format cannot say\n");
	}
	if (!(text = cJSON_Print(doc)))
		goto nomem;
	sb_adds(out, text);
	sb_addc(out, '\n');
	if (out->oom)
		goto nomem;
	goto done;
nomem:
	err = osl_error_nomem();
done:
	free(text);
	cJSON_Delete(doc);
	osl_seccomp_profile_release(&pr);
	return err;
}

/* --- systemd [Service] drop-in (systemd.exec(5), systemd.resource-control(5)) --- */

/* A path systemd can take in a space-separated list: no spaces, quotes,
 * backslashes or control characters; '%' (specifiers) doubled. */
static bool
sd_path(struct strbuf *sb, const char *path)
{
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == '"' || *c == '\'' || *c == '\\' || *c == 0x7f)
			return false;
	for (const char *c = path; *c; c++) {
		if (*c == '%')
			sb_addc(sb, '%');
		sb_addc(sb, *c);
	}
	return true;
}

/* True when PREFIX is DIR or below it. */
static bool
below(const char *prefix, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(prefix, dir, n) && (prefix[n] == '\0' || prefix[n] == '/');
}

static bool
under_write_rule(const struct osl_policy *p, const char *prefix)
{
	char w[4096];

	for (size_t i = 0; i < p->nrules; i++) {
		if (p->rules[i].kind != OSL_RULE_FS_WRITE)
			continue;
		osl_landlock_prefix(p->rules[i].expanded, w, sizeof(w));
		if (below(prefix, w))
			return true;
	}
	return false;
}

/* One `KEY=-PREFIX` line per fs rule of KIND, each after a comment naming
 * the rule it came from.  A missing path is no error ('-'): a policy names
 * trees that may not exist on every host. */
static void
sd_fs(struct strbuf *sb, const struct osl_policy *p, enum osl_rule_kind kind, const char *key)
{
	char prefix[4096];

	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];
		enum osl_enf_level lvl;
		size_t mark;

		if (r->kind != kind)
			continue;
		lvl = osl_landlock_prefix(r->expanded, prefix, sizeof(prefix));
		sb_addf(sb, "# %s %s (%s)\n", osl_rule_kind_name(kind), r->pattern, osl_rule_name(r));
		if (kind == OSL_RULE_FS_READ && under_write_rule(p, prefix)) {
			sb_addf(sb, "#   inside a write rule: ReadWritePaths= holds it\n");
			continue;
		}
		if (kind == OSL_RULE_FS_DENY && osl_rule_excepts(r, prefix, true)) {
			sb_addf(sb, "#   within its except: it covers nothing here\n");
			continue;
		}
		if (kind == OSL_RULE_FS_DENY && osl_rule_except_within(r, prefix))
			sb_addf(sb, "#   its except is within it: hidden with it\n");
		if (kind == OSL_RULE_FS_DENY && lvl != OSL_ENF_FULL) {
			sb_addf(sb, "#   not expressible: systemd paths have no globs; "
			    "InaccessiblePaths=%s would hide too much\n", prefix);
			continue;
		}
		if (lvl != OSL_ENF_FULL)
			sb_addf(sb, "#   widened: systemd paths have no globs, so the whole of %s\n",
			    prefix);
		mark = sb->len;
		sb_addf(sb, "%s=-", key);
		if (!sd_path(sb, prefix)) {
			sb->len = mark;
			sb->buf[mark] = '\0';
			sb_addf(sb, "#   not expressible: the path has a space, quote or "
			    "control character\n");
			continue;
		}
		sb_addc(sb, '\n');
	}
}

static void
sd_names(struct strbuf *sb, const char *key, const char *neg, char **names, size_t n,
    const char *suffix)
{
	if (!n)
		return;
	sb_addf(sb, "%s=%s", key, neg);
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s%s%s", i ? " " : "", names[i], suffix);
	sb_addc(sb, '\n');
}

static void
sd_seccomp(struct strbuf *sb, const struct osl_seccomp_profile *pr)
{
	bool ns = false, mknod = false;
	int fam = 0;

	sb_addf(sb, "\n# seccomp: %s\n", pr->base);
	sb_adds(sb, "SystemCallArchitectures=native\n");
	if (pr->empty) {
		sb_adds(sb, "# seccomp: none: no system call filter\n");
		return;
	}
	sb_adds(sb, "SystemCallErrorNumber=EPERM\n");
	if (!pr->default_allow) {
		sb_adds(sb, "# strict: only these calls; any other fails with EPERM\n");
		sd_names(sb, "SystemCallFilter", "", pr->allow, pr->nallow, "");
	}
	sd_names(sb, "SystemCallFilter", "~", pr->eperm, pr->neperm, "");
	/* ENOSYS, so that libc falls back (clone3 -> clone) */
	sd_names(sb, "SystemCallFilter", "~", pr->enosys, pr->nenosys, ":ENOSYS");
	for (size_t i = 0; i < pr->nargs; i++) {
		const struct osl_seccomp_argrule *a = pr->args[i];
		const char *how = "not expressible (systemd filters no arguments)";

		if (!strcmp(a->name, "clone")) {
			how = "held by RestrictNamespaces=yes";
			ns = true;
		} else if (!strncmp(a->name, "mknod", 5)) {
			how = "held by CapabilityBoundingSet=~CAP_MKNOD";
			mknod = true;
		} else if (!strcmp(a->name, "socket")) {
			how = "held by RestrictAddressFamilies=";
			/* the family list: one line for all its entries */
			if (a->op != OSL_SCMP_NE && fam++)
				continue;
			if (a->op != OSL_SCMP_NE) {
				sb_addf(sb, "# socket(arg0 not unix, inet, inet6, netlink or packet) "
				    "fails with %s: %s\n", errno_name(a->err), how);
				continue;
			}
		}
		if (a->op == OSL_SCMP_NE || a->op == OSL_SCMP_GT)
			sb_addf(sb, "# %s(arg%u %s %llu) fails with %s: %s\n", a->name, a->arg,
			    a->op == OSL_SCMP_NE ? "!=" : ">", (unsigned long long)a->a,
			    errno_name(a->err), how);
		else
			sb_addf(sb, "# %s((arg%u & 0x%llx) == 0x%llx) fails with %s: %s\n", a->name,
			    a->arg, (unsigned long long)a->a, (unsigned long long)a->b,
			    errno_name(a->err), how);
	}
	if (ns)
		sb_adds(sb, "RestrictNamespaces=yes\n");
	if (mknod)
		sb_adds(sb, "CapabilityBoundingSet=~CAP_MKNOD\n");
}

static void
sd_net(struct strbuf *sb, const struct osl_policy *p)
{
	bool by_addr = true, any_connect = false, any_bind = false;
	char host[INET6_ADDRSTRLEN];

	sb_adds(sb, "\n# network\n");
	if (!osl_sandbox_has_net_rules(p)) {
		if (p->dflt == OSL_DENY && p->mode == OSL_MODE_ENFORCE) {
			sb_adds(sb, "# no connect or bind rule: no network, UNIX sockets only\n"
			    "PrivateNetwork=yes\nRestrictAddressFamilies=AF_UNIX\n");
		}
		return;
	}
	sb_adds(sb, "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n");
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];

		if (r->kind == OSL_RULE_NET_CONNECT) {
			any_connect = true;
			if (r->net.host != OSL_NH_ADDR)
				by_addr = false;
		} else if (r->kind == OSL_RULE_NET_BIND)
			any_bind = true;
	}
	if (any_connect && by_addr && p->dflt == OSL_DENY) {
		sb_adds(sb, "IPAddressDeny=any\n");
		for (size_t i = 0; i < p->nrules; i++) {
			const struct osl_rule *r = &p->rules[i];

			if (r->kind != OSL_RULE_NET_CONNECT)
				continue;
			inet_ntop(r->net.family, r->net.addr, host, sizeof(host));
			sb_addf(sb, "# net.connect %s (%s)%s\n", r->pattern, osl_rule_name(r),
			    r->net.port_lo == 0 && r->net.port_hi == 65535 ? "" :
			    "; systemd cannot limit the port");
			sb_addf(sb, "IPAddressAllow=%s/%u\n", host, r->net.prefix);
		}
	} else if (any_connect) {
		sb_adds(sb, "# not expressible: connect rules by host name (systemd filters "
		    "addresses only; osl resolves names through its egress proxy):\n");
		for (size_t i = 0; i < p->nrules; i++)
			if (p->rules[i].kind == OSL_RULE_NET_CONNECT)
				sb_addf(sb, "#   net.connect %s (%s)\n", p->rules[i].pattern,
				    osl_rule_name(&p->rules[i]));
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];

		if (r->kind != OSL_RULE_NET_DENY)
			continue;
		sb_addf(sb, "# net.deny %s (%s)\n", r->pattern, osl_rule_name(r));
		if (r->net.host != OSL_NH_ADDR) {
			sb_adds(sb, "#   not expressible: a host name\n");
			continue;
		}
		if (r->net.port_lo != 0 || r->net.port_hi != 65535)
			sb_adds(sb, "#   widened: systemd cannot limit the port, every port is denied\n");
		inet_ntop(r->net.family, r->net.addr, host, sizeof(host));
		/* systemd: an IPAddressAllow= match wins over IPAddressDeny= */
		sb_addf(sb, "IPAddressDeny=%s/%u\n", host, r->net.prefix);
	}
	if (p->dflt == OSL_DENY)
		sb_adds(sb, "SocketBindDeny=any\n");
	if (!any_bind)
		return;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];

		if (r->kind != OSL_RULE_NET_BIND)
			continue;
		sb_addf(sb, "# net.bind %s (%s)%s\n", r->pattern, osl_rule_name(r),
		    r->net.host == OSL_NH_ANY ? "" : "; systemd cannot limit the address");
		if (r->net.port_lo == r->net.port_hi)
			sb_addf(sb, "SocketBindAllow=tcp:%u\n", r->net.port_lo);
		else
			sb_addf(sb, "SocketBindAllow=tcp:%u-%u\n", r->net.port_lo, r->net.port_hi);
	}
}

static void
sd_limit(struct strbuf *sb, const char *key, uint64_t v)
{
	if (v != OSL_LIMIT_UNSET)
		sb_addf(sb, "%s=%llu\n", key, (unsigned long long)v);
}

static void
sd_limits(struct strbuf *sb, const struct osl_policy *p)
{
	const struct osl_limits *l = &p->limits;

	sb_adds(sb, "\n# proc.limits\n");
	if (l->cpu_ns != OSL_LIMIT_UNSET)
		sd_limit(sb, "LimitCPU", (l->cpu_ns + 999999999ULL) / 1000000000ULL);
	if (l->wall_ns != OSL_LIMIT_UNSET)
		sb_addf(sb, "RuntimeMaxSec=%llums\n",
		    (unsigned long long)((l->wall_ns + 999999ULL) / 1000000ULL));
	sd_limit(sb, "LimitAS", l->memory);
	sd_limit(sb, "LimitNOFILE", l->nofile);
	sd_limit(sb, "LimitNPROC", l->nproc);
	sd_limit(sb, "LimitFSIZE", l->fsize);
	sd_limit(sb, "LimitCORE", l->core);
	if (p->nenv_keep) {
		sb_adds(sb, "\n# proc.env.keep:");
		for (size_t i = 0; i < p->nenv_keep; i++)
			sb_addf(sb, " %s", p->env_keep[i]);
		sb_adds(sb, "\n#   systemd starts a service with a clean environment: "
		    "pass these with PassEnvironment= if the manager has them\n");
	}
	for (size_t i = 0; i < p->nenv_set; i++) {
		const char *v = p->env_set[i].value;

		if (strpbrk(v, "\"\\%\n") || strpbrk(p->env_set[i].key, "\"\\%\n ")) {
			sb_addf(sb, "# not expressible here: proc.env.set %s (quotes, "
			    "backslashes or %% in the value)\n", p->env_set[i].key);
			continue;
		}
		sb_addf(sb, "Environment=\"%s=%s\"\n", p->env_set[i].key, v);
	}
}

static const struct osl_error *
export_systemd(const struct osl_policy *p, struct strbuf *sb)
{
	const struct osl_error *err;
	struct osl_seccomp_profile pr;
	bool enforce = p->dflt == OSL_DENY && p->mode == OSL_MODE_ENFORCE;
	bool any_exec = false;

	if ((err = osl_seccomp_profile(&p->seccomp, net_any(p), &pr)))
		return err;
	sb_addf(sb, "# osl policy export --format systemd: %s (%s)\n", p->name ? p->name : "",
	    p->hash);
	sb_addf(sb, "# from %s; a drop-in: put it in /etc/systemd/system/UNIT.d/osl.conf\n",
	    p->source);
	sb_adds(sb, "# osl resolves paths when the policy is loaded: export on the host "
	    "that runs the service\n");
	sb_adds(sb, "[Service]\nNoNewPrivileges=yes\n");
	if (p->mode == OSL_MODE_AUDIT)
		sb_adds(sb, "# mode: audit: osl logs what it would deny; systemd has no "
		    "audit mode, so only deny rules follow\n");

	sb_adds(sb, "\n# file system\n");
	if (enforce) {
		sb_adds(sb, "# writes only where a write rule allows\nProtectSystem=strict\n");
		sb_adds(sb, "# not expressible: reads outside the read rules (osl: default deny); "
		    "systemd keeps them readable\n");
		sd_fs(sb, p, OSL_RULE_FS_READ, "ReadOnlyPaths");
		sd_fs(sb, p, OSL_RULE_FS_WRITE, "ReadWritePaths");
	}
	sd_fs(sb, p, OSL_RULE_FS_DENY, "InaccessiblePaths");
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == OSL_RULE_FS_EXEC)
			any_exec = true;
	if (enforce && any_exec) {
		sb_adds(sb, "# execute only where an exec rule allows\nNoExecPaths=/\n");
		sd_fs(sb, p, OSL_RULE_FS_EXEC, "ExecPaths");
		/* noexec also stops mmap(PROT_EXEC), which Landlock's EXECUTE
		 * right does not: shared libraries must stay mappable */
		sb_adds(sb, "# shared libraries (osl lets any readable library be mapped)\n"
		    "ExecPaths=-/usr/lib -/usr/lib64 -/lib -/lib64 -/usr/libexec\n");
	}

	sd_net(sb, p);
	sd_seccomp(sb, &pr);
	sd_limits(sb, p);
	if (p->signal_scope & (OSL_SIGNAL_SAME_USER | OSL_SIGNAL_ANY))
		sb_adds(sb, "# proc.signal beyond children: systemd does not restrict kill(2)\n");
	osl_seccomp_profile_release(&pr);
	return sb->oom ? osl_error_nomem() : NULL;
}

const struct osl_error *
osl_policy_export(const struct osl_policy *p, enum osl_export_format f, struct strbuf *out,
    struct strbuf *notes)
{
	switch (f) {
	case OSL_EXPORT_OCI_SECCOMP:
		return export_oci(p, out, notes);
	case OSL_EXPORT_SYSTEMD:
		return export_systemd(p, out);
	}
	return osl_error_new(OSL_EINPUT, "unknown export format");
}
