/* osl_denial_parse: Landlock's audit access records as the kernel writes
 * them (quoted paths, hex-encoded ones, net ports), and what is not one. */
#include <string.h>

#include "sandbox/denied.h"
#include "tap.h"

int
main(void)
{
	struct osl_denial d;
	unsigned long long dom = 0;

	ok(osl_denial_parse("domain=1edefe57d blockers=fs.read_file path=\"/etc/shadow\" dev=\"vda1\" "
	    "ino=1234", &dom, &d), "a file read");
	ok(dom == 0x1edefe57dULL, "the domain is hex");
	is_str(d.blockers, "fs.read_file", "blockers");
	is_str(d.path, "/etc/shadow", "quoted path");
	is_int((int)d.count, 1, "counted once");
	/* audit writes a path with a space as hex */
	ok(osl_denial_parse("domain=2a blockers=fs.make_reg path=2F746D702F6120622F63 dev=\"vda1\"",
	    &dom, &d), "a hex path");
	is_str(d.path, "/tmp/a b/c", "the hex decoded");
	ok(dom == 0x2a, "a short domain");
	ok(osl_denial_parse("domain=3 blockers=net.connect_tcp daddr=127.0.0.1 dest=8080", &dom, &d),
	    "a TCP connect");
	is_str(d.path, "", "no path");
	is_str(d.addr, "127.0.0.1 port 8080", "address and port");
	ok(!osl_denial_parse("domain=3 status=allocated mode=enforcing pid=5482", &dom, &d),
	    "a domain record is not an access");
	ok(!osl_denial_parse("arch=c000003e syscall=257 success=no exit=-13", &dom, &d),
	    "a syscall record is not an access");
	/* a key inside another key's name is not that key */
	ok(osl_denial_parse("domain=4 blockers=fs.read_file xpath=\"/no\" path=\"/yes\"", &dom, &d),
	    "xpath then path");
	is_str(d.path, "/yes", "the path, not xpath");
	return done_testing();
}
