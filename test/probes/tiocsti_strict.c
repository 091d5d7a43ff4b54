/* TIOCSTI under the strict seccomp profile (test/probes/run runs the
 * *_strict probes under proc-probes-strict.yaml). */
#define NAME "tiocsti_strict"
#include "tiocsti.c"
