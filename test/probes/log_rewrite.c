/* Rewrite osl's own activity log, sent into the writable workspace by the
 * environment (XDG_STATE_HOME=BASE/work/state: a CI step can set it for
 * the steps after it).  Bare: the file is made. */
#include <fcntl.h>
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096];
	PROBE_ARGS(argc, argv);
	mkdir(at(p, sizeof(p), "work/state"), 0700);
	mkdir(at(p, sizeof(p), "work/state/osl"), 0700);
	return result("log_rewrite", TRY(open(at(p, sizeof(p), "work/state/osl/activity.jsonl"),
	    O_WRONLY | O_APPEND | O_CREAT, 0600)));
}
