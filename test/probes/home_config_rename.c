/* The policy plant of issue 13: rename ~/.config away, make ~/.config/osl
 * again and write a policy there (run under builtin:default, -P). */
#include "probe.h"
int main(int argc, char **argv) {
	static const char *const dirs[] = { ".config", ".config/osl", NULL };
	PROBE_ARGS(argc, argv);
	return result("home_config_rename", plant_after_rename(".config", dirs,
	    ".config/osl/policy.yaml"));
}
