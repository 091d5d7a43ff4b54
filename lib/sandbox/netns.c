/* The sockets Landlock cannot see, for a child whose policy has connect or
 * bind rules and no egress proxy (osl-proc(1), NETWORK).  Landlock restricts
 * TCP by port only; UDP, raw and packet sockets are held by a private
 * network namespace with its own loopback when every rule stays on the
 * loopback, else by seccomp, else (the policy needs UDP for DNS) the report
 * says partial. */
#include <errno.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"

/* The report's line for these sockets. */
#define ENTRY "udp-raw-packet"

/* A block inside 127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104. */
static bool
loopback(const struct osl_netpat *np)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (np->host != OSL_NH_ADDR)
		return false;
	if (np->family == AF_INET)
		return np->prefix >= 8 && np->addr[0] == 127;
	return np->family == AF_INET6 && ((np->prefix == 128 && !memcmp(np->addr, v6lo, 16)) ||
	    (np->prefix >= 104 && !memcmp(np->addr, mapped, 12) && np->addr[12] == 127));
}

/* Do the first PLEN bits of A and B agree? */
static bool
same_prefix(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	for (unsigned i = 0; i < plen; i++)
		if (((a[i / 8] >> (7 - i % 8)) ^ (b[i / 8] >> (7 - i % 8))) & 1)
			return false;
	return true;
}

/* Could the deny rule's block hold an address on the loopback? */
static bool
reaches_loopback(const struct osl_netpat *np)
{
	static const uint8_t v4lo[4] = { 127 }, v6lo[16] = { [15] = 1 };
	static const uint8_t mapped[13] = { [10] = 0xff, [11] = 0xff, [12] = 127 };

	if (np->host == OSL_NH_ANY)
		return true;
	if (np->host != OSL_NH_ADDR)
		return false;	/* a name: nothing outside resolves to be reached */
	if (np->family == AF_INET)
		return same_prefix(np->addr, v4lo, np->prefix < 8 ? np->prefix : 8);
	return same_prefix(np->addr, v6lo, np->prefix) ||
	    same_prefix(np->addr, mapped, np->prefix < 104 ? np->prefix : 104);
}

/* In a namespace with only its own loopback, a deny rule for anything
 * beyond it is held: there is no route there. */
static void
denies_held(struct osl_sandbox_report *r, const struct osl_policy *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *ru = &p->rules[i];

		if (ru->kind != OSL_RULE_NET_DENY || reaches_loopback(&ru->net))
			continue;
		for (size_t k = 0; k < r->n; k++)
			if (strcmp(r->entries[k].kind, "net.deny") == 0 && r->entries[k].pattern &&
			    strcmp(r->entries[k].pattern, ru->pattern) == 0) {
				r->entries[k].level = OSL_ENF_FULL;
				if (!r->terse)
						snprintf(r->entries[k].reason,
					    sizeof(r->entries[k].reason), "%s", "beyond the loopback "
					    "of the child's private network namespace: no route there");
			}
	}
}

/* Every bind rule is on the loopback, and every connect rule too, to ports
 * within one bind rule's: the child talks to its own servers only.  A
 * connect to a loopback port no bind rule opens is a service of the host
 * (a database on 127.0.0.1:5432), which a private namespace would hide. */
bool
osl_sandbox_own_loopback(const struct osl_policy *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *c = &p->rules[i];
		bool opened = false;

		if (c->kind != OSL_RULE_NET_CONNECT && c->kind != OSL_RULE_NET_BIND)
			continue;
		if (!loopback(&c->net))
			return false;
		if (c->kind == OSL_RULE_NET_BIND)
			continue;
		for (size_t j = 0; j < p->nrules && !opened; j++) {
			const struct osl_rule *b = &p->rules[j];

			opened = b->kind == OSL_RULE_NET_BIND && b->net.port_lo <= c->net.port_lo &&
			    c->net.port_hi <= b->net.port_hi;
		}
		if (!opened)
			return false;
	}
	return true;
}

void
osl_sandbox_net_sockets(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok,
    bool serves, bool *tcp_only)
{
	struct osl_sandbox_report *r = &sb->report;
	bool own = osl_sandbox_own_loopback(p);
	const char *no_ns = !own ? "" : serves ? "; a service's binds serve the host's loopback: "
	    "no private one" : !ns_ok ? "; no network namespace can be made here" : "";

	if (own && ns_ok && !serves) {
		sb->ns_flags |= CLONE_NEWNET;
		sb->lo_up = true;
		osl_report_add(r, "net", ENTRY, NULL, OSL_ENF_FULL, "%s",
		    "a private network namespace with its own loopback: the child's servers "
		    "and clients meet there, no socket reaches the host's network");
		denies_held(r, p);
	} else if (p->net_resolve) {
		osl_report_add(r, "net", ENTRY, NULL, OSL_ENF_PARTIAL,
		    "landlock restricts tcp only and net.resolve: true needs udp (DNS): udp, "
		    "raw and packet sockets are not refused%s", no_ns);
	} else {
		*tcp_only = true;
		osl_report_add(r, "net", ENTRY, NULL, OSL_ENF_FULL,
		    "seccomp refuses udp, raw and packet sockets (landlock restricts tcp "
		    "only)%s", no_ns);
	}
}

int
osl_lo_up(void)
{
	struct ifreq ifr;
	int s, e = 0;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		e = errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (!e && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		e = errno;
	close(s);
	return e;
}

/* Without seccomp's family checks (seccomp: none, or socket in the
 * policy's allow list), a vsock socket reaches a virtual machine's host
 * past any network namespace: the lines that say the network is closed
 * by one are partial where this kernel has AF_VSOCK. */
void
osl_sandbox_vsock_report(struct osl_sandbox *sb, const struct osl_policy *p)
{
	static const char *const closed[] = { "no-network", ENTRY, "egress-proxy" };
	struct osl_sandbox_report *r = &sb->report;
	int s;

	if (osl_seccomp_refuses_families(&p->seccomp))
		return;
	if ((s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return;		/* no vsock here (EAFNOSUPPORT) */
	close(s);
	for (size_t i = 0; i < r->n; i++) {
		struct osl_enf_entry *e = &r->entries[i];
		size_t len = strlen(e->reason);

		for (size_t j = 0; j < sizeof(closed) / sizeof(closed[0]); j++) {
			if (strcmp(e->kind, "net") || strcmp(e->name, closed[j]) ||
			    e->level != OSL_ENF_FULL)
				continue;
			e->level = OSL_ENF_PARTIAL;
			snprintf(e->reason + len, sizeof(e->reason) - len, "%s",
			    "; but with no seccomp family check, vsock sockets reach the host "
			    "past the namespace");
		}
	}
}
