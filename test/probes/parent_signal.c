/* Signal the process that started this one (osl under osl): SIGCONT,
 * which changes nothing but is delivered only if allowed. */
#include <signal.h>
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return result("parent_signal", TRY(kill(getppid(), SIGCONT)));
}
