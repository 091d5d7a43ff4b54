/* Every setting of a policy, once: its key as man/osl-policy.5 (KEYS) names
 * it, its type, how files of an extends chain combine it, and where it lives
 * in struct osl_policy, and its default.  merge.c (merging and the hash) and emit.c (`osl
 * policy show`, YAML and JSON) walk this table; none of them names a
 * setting.  A new setting is a row here, its parsing in schema.c and its
 * paragraph in the man page (t-policy-merge checks that every row is in the
 * hash and in the man page).  The order is the order of `osl policy show`
 * and of the hash; rows of one map are together. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"
#include "util/parse.h"

#define AT(m) offsetof(struct osl_policy, m), sizeof(((struct osl_policy *)0)->m)
#define LIST(m, n) offsetof(struct osl_policy, m), 0, offsetof(struct osl_policy, n)

const char *const policy_mode_names[] = { "enforce", "audit", NULL };
const char *const policy_default_names[] = { "deny", "allow", NULL };
const char *const policy_signal_names[] = { "self", "children", "same-user", "any", NULL };
const char *const policy_seccomp_names[] = { "default", "strict", "none", NULL };
const char *const policy_tmp_names[] = { "private", "shared", NULL };
const char *const policy_ns_names[] = { "pid", NULL };
const char *const policy_level_names[] = { "debug", "info", "notice", "warn", "error",
	"critical", NULL };
const char *const policy_sync_names[] = { "none", "batch", "always", NULL };
const char *const policy_onfail_names[] = { "deny", "continue", NULL };

const struct setting settings[LF__COUNT] = {
	[LF_NAME] = { "name", ST_STR, SM_REPLACE, AT(name) },
	[LF_DESC] = { "description", ST_STR, SM_REPLACE, AT(description) },
	/* may only get stricter: a child cannot turn its parent's enforce
	 * into audit, nor its deny into allow */
	[LF_MODE] = { "mode", ST_ENUM, SM_STRICTER, AT(mode), .names = policy_mode_names,
		.arg = OSL_MODE_ENFORCE },
	[LF_DEFAULT] = { "default", ST_ENUM, SM_STRICTER, AT(dflt),
		.names = policy_default_names, .arg = OSL_DENY },
	/* rules of every file add up (merge.c appends them) */
	[LF_FS_READ] = { "fs.read", ST_RULES, SM_ADD, .arg = OSL_RULE_FS_READ },
	[LF_FS_WRITE] = { "fs.write", ST_RULES, SM_ADD, .arg = OSL_RULE_FS_WRITE },
	[LF_FS_EXEC] = { "fs.exec", ST_RULES, SM_ADD, .arg = OSL_RULE_FS_EXEC },
	[LF_FS_DENY] = { "fs.deny", ST_RULES, SM_ADD, .arg = OSL_RULE_FS_DENY },
	[LF_NET_CONNECT] = { "net.connect", ST_RULES, SM_ADD, .arg = OSL_RULE_NET_CONNECT },
	[LF_NET_BIND] = { "net.bind", ST_RULES, SM_ADD, .arg = OSL_RULE_NET_BIND },
	[LF_RESOLVE] = { "net.resolve", ST_BOOL, SM_REPLACE, AT(net_resolve) },
	[LF_NET_DENY] = { "net.deny", ST_RULES, SM_ADD, .arg = OSL_RULE_NET_DENY },
	/* allows add up */
	[LF_SIGNAL] = { "proc.signal", ST_BITS, SM_OR, AT(signal_scope),
		.names = policy_signal_names, .dflt = OSL_SIGNAL_SELF | OSL_SIGNAL_CHILDREN },
	/* limits may only get lower; OSL_LIMIT_UNSET is "not set" */
	[LF_LIM_CPU] = { "proc.limits.cpu", ST_DURATION, SM_LOWER, AT(limits.cpu_ns),
		.flags = S_LIMIT | S_POSITIVE, .max = UINT64_MAX - 1 },
	[LF_LIM_WALL] = { "proc.limits.wall", ST_DURATION, SM_LOWER, AT(limits.wall_ns),
		.flags = S_LIMIT | S_POSITIVE, .max = UINT64_MAX - 1 },
	[LF_LIM_MEMORY] = { "proc.limits.memory", ST_SIZE, SM_LOWER, AT(limits.memory),
		.flags = S_LIMIT, .max = UINT64_MAX - 1 },
	[LF_LIM_NOFILE] = { "proc.limits.nofile", ST_COUNT, SM_LOWER, AT(limits.nofile),
		.flags = S_LIMIT, .max = UINT64_MAX - 1 },
	[LF_LIM_NPROC] = { "proc.limits.nproc", ST_COUNT, SM_LOWER, AT(limits.nproc),
		.flags = S_LIMIT, .max = UINT64_MAX - 1 },
	[LF_LIM_FSIZE] = { "proc.limits.fsize", ST_SIZE, SM_LOWER, AT(limits.fsize),
		.flags = S_LIMIT, .max = UINT64_MAX - 1 },
	[LF_LIM_CORE] = { "proc.limits.core", ST_SIZE, SM_LOWER, AT(limits.core),
		.flags = S_LIMIT, .max = UINT64_MAX - 1 },
	/* lists add up; env.set: a later file's value for a name wins */
	[LF_ENV_KEEP] = { "proc.env.keep", ST_STRS, SM_ADD, LIST(env_keep, nenv_keep) },
	[LF_ENV_SET] = { "proc.env.set", ST_ENV, SM_ADD, LIST(env_set, nenv_set) },
	[LF_SECCOMP] = { "proc.seccomp.base", ST_ENUM, SM_REPLACE, AT(seccomp.base),
		.names = policy_seccomp_names },
	[LF_SC_DENY] = { "proc.seccomp.deny", ST_STRS, SM_ADD, LIST(seccomp.deny, seccomp.ndeny) },
	[LF_SC_ALLOW] = { "proc.seccomp.allow", ST_STRS, SM_ADD,
		LIST(seccomp.allow, seccomp.nallow) },
	/* the stricter wins: a file that names a list bounds what the files
	 * extending it may keep */
	[LF_CAPS] = { "proc.capabilities", ST_CAPS, SM_AND, AT(capabilities) },
	[LF_TMP] = { "proc.tmp", ST_ENUM, SM_REPLACE, AT(tmp), .names = policy_tmp_names },
	/* the stricter wins: what any file asks for */
	[LF_NAMESPACES] = { "proc.namespaces", ST_BITS, SM_OR, AT(namespaces),
		.names = policy_ns_names },
	[LF_LEVEL] = { "log.level", ST_ENUM, SM_REPLACE, AT(log.level),
		.names = policy_level_names, .dflt = OSL_LEVEL_INFO },
	[LF_SINK] = { "log.sink", ST_STR, SM_REPLACE, AT(log.sink), .flags = S_EXPANDED | S_NONE },
	[LF_SYNC] = { "log.sync", ST_ENUM, SM_REPLACE, AT(log.sync), .names = policy_sync_names,
		.dflt = OSL_SYNC_BATCH },
	[LF_CHAIN] = { "log.chain", ST_BOOL, SM_REPLACE, AT(log.chain), .dflt = true },
	[LF_ONFAIL] = { "log.on_failure", ST_ENUM, SM_REPLACE, AT(log.on_failure),
		.names = policy_onfail_names },
	[LF_ROT_SIZE] = { "log.rotate.size", ST_SIZE, SM_REPLACE, AT(log.rotate_size),
		.max = UINT64_MAX },
	[LF_ROT_KEEP] = { "log.rotate.keep", ST_COUNT, SM_REPLACE, AT(log.rotate_keep),
		.max = 100000, .dflt = 10 },
	[LF_CP_EVERY] = { "log.checkpoint.every", ST_COUNT, SM_REPLACE,
		AT(log.checkpoint_every), .max = UINT32_MAX, .dflt = 1000 },
	[LF_CP_INTERVAL] = { "log.checkpoint.interval", ST_DURATION, SM_REPLACE,
		AT(log.checkpoint_interval_ns), .max = UINT64_MAX },
	[LF_CP_KEY] = { "log.checkpoint.key", ST_STR, SM_REPLACE, AT(log.checkpoint_key),
		.flags = S_EXPANDED },
	[LF_CP_SINK] = { "log.checkpoint.sink", ST_STR, SM_REPLACE, AT(log.checkpoint_sink),
		.flags = S_EXPANDED },
};

/* A number setting's value (bool, enum, unsigned or uint64_t member). */
uint64_t
setting_num(const struct osl_policy *p, const struct setting *s)
{
	const char *at = (const char *)p + s->off;
	uint64_t v8;
	uint32_t v4;
	uint8_t v1;

	switch (s->size) {
	case 1:
		memcpy(&v1, at, 1);
		return v1;
	case 4:
		memcpy(&v4, at, 4);
		return v4;
	default:
		memcpy(&v8, at, 8);
		return v8;
	}
}

void
setting_set_num(struct osl_policy *p, const struct setting *s, uint64_t v)
{
	char *at = (char *)p + s->off;
	uint32_t v4 = (uint32_t)v;
	uint8_t v1 = (uint8_t)v;

	if (s->size == 1)
		memcpy(at, &v1, 1);
	else if (s->size == 4)
		memcpy(at, &v4, 4);
	else
		memcpy(at, &v, 8);
}

/* The member itself: char * for ST_STR, char ** or struct osl_kv * for lists. */
void *
setting_ptr(const struct osl_policy *p, const struct setting *s)
{
	return (char *)p + s->off;
}

size_t *
setting_count(const struct osl_policy *p, const struct setting *s)
{
	return (size_t *)((char *)p + s->noff);
}

/* "cpu" of "proc.limits.cpu": the key within its map. */
const char *
setting_leaf(const struct setting *s)
{
	const char *d = strrchr(s->key, '.');

	return d ? d + 1 : s->key;
}

/* A number setting's value as `osl policy show` and messages write it:
 * "10s", "64M", "256", "audit". */
const char *
setting_text(const struct setting *s, uint64_t v, char *buf, size_t n)
{
	switch (s->type) {
	case ST_DURATION:
		return osl_format_duration(v, buf, n);
	case ST_SIZE:
		return osl_format_size(v, buf, n);
	case ST_ENUM:
		return s->names[v];
	case ST_BOOL:
		return v ? "true" : "false";
	default:
		snprintf(buf, n, "%llu", (unsigned long long)v);
		return buf;
	}
}

/* proc.capabilities: capabilities(7)'s names, lower case and without "cap_",
 * by number */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid",
	"setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
	"net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
	"sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
	"audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore", NULL
};

int
osl_cap_parse(const char *name)
{
	if (!strncasecmp(name, "cap_", 4))
		name += 4;
	for (int i = 0; cap_names[i]; i++)
		if (!strcasecmp(cap_names[i], name))
			return i;
	return -1;
}

const char *
osl_cap_name(int cap)
{
	return cap >= 0 && cap < (int)(sizeof(cap_names) / sizeof(cap_names[0])) - 1 ?
	    cap_names[cap] : NULL;
}
