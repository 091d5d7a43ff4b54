/* The same two levels up: rename work/a away, remake work/a/b/osl. */
#include "probe.h"
int main(int argc, char **argv) {
	static const char *const dirs[] = { "work/a", "work/a/b", "work/a/b/osl", NULL };
	PROBE_ARGS(argc, argv);
	return result("fs_rename_deny_up2", plant_after_rename("work/a", dirs,
	    "work/a/b/osl/planted"));
}
