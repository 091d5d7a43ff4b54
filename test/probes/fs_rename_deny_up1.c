/* Rename the folder above a denied one away, make the denied path again
 * and write there (mv ~/.config aside; mkdir -p ~/.config/osl; write). */
#include "probe.h"
int main(int argc, char **argv) {
	static const char *const dirs[] = { "work/cfg", "work/cfg/osl", NULL };
	PROBE_ARGS(argc, argv);
	return result("fs_rename_deny_up1", plant_after_rename("work/cfg", dirs,
	    "work/cfg/osl/planted"));
}
