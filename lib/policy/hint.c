/* What a policy could add to allow a request that no rule matched: the
 * next step a denial names (no rule matched: default deny; a rule that
 * would allow it: fs.exec: ["/app/" + "**"]).  Pure. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"

/* The folder of PATH (absolute, normalised) as a pattern for all beneath it:
 * "/app/server" -> all beneath "/app"; a path in a system folder ("/etc",
 * "/usr/bin", "/") -> itself, never the whole folder. */
static void
folder_pattern(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	char dir[512];

	snprintf(dir, sizeof(dir), "%.*s", slash && slash != path ? (int)(slash - path) : 1, path);
	if (!slash || osl_system_folder(dir))
		snprintf(buf, size, "%s", path);
	else
		snprintf(buf, size, "%s/**", dir);
}

size_t
osl_policy_hint(const struct osl_request *r, char *buf, size_t size)
{
	static const char *const key[] = {
		[OSL_ACCESS_READ] = "fs.read", [OSL_ACCESS_WRITE] = "fs.write",
		[OSL_ACCESS_EXEC] = "fs.exec", [OSL_ACCESS_CONNECT] = "net.connect",
		[OSL_ACCESS_BIND] = "net.bind",
	};
	char target[600], host[INET6_ADDRSTRLEN + 2], a[INET6_ADDRSTRLEN];
	int n;

	buf[0] = '\0';
	if (r->access == OSL_ACCESS_RESOLVE) {
		n = snprintf(buf, size, "net.resolve: true");
		return n < 0 ? 0 : (size_t)n;
	}
	if ((unsigned)r->access >= sizeof(key) / sizeof(key[0]) || !key[r->access])
		return 0;
	if (r->access <= OSL_ACCESS_EXEC) {
		if (!r->path || r->path[0] != '/')
			return 0;
		folder_pattern(r->path, target, sizeof(target));
	} else {
		if (r->host)
			snprintf(host, sizeof(host), "%s", r->host);
		else if (r->family && inet_ntop(r->family, r->addr, a, sizeof(a)))
			snprintf(host, sizeof(host), r->family == AF_INET6 ? "[%s]" : "%s", a);
		else
			return 0;
		snprintf(target, sizeof(target), "%s:%u", host, r->port);
	}
	n = snprintf(buf, size, "%s: [\"%s\"]%s", key[r->access], target,
	    r->access == OSL_ACCESS_CONNECT && r->host ? " (with net.resolve: true)" : "");
	return n < 0 ? 0 : (size_t)n;
}
