/* Crash with a core dump from a read-only folder (outside/): with
 * core_pattern a plain name, the kernel writes the core there.  Escape:
 * a core file appears in outside/. */
#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "probe.h"
static int cores(const char *dir, int rm) {
	char p[4096]; DIR *d; struct dirent *e; int n = 0;
	if (!(d = opendir(dir)))
		return 0;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "core", 4)) {
			n++;
			if (rm && snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) > 0)
				unlink(p);
		}
	closedir(d);
	return n;
}
int main(int argc, char **argv) {
	char pat[256] = "", dir[4096]; FILE *f; pid_t c; int st, n;
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
	PROBE_ARGS(argc, argv);
	if ((f = fopen("/proc/sys/kernel/core_pattern", "r"))) {
		if (!fgets(pat, sizeof(pat), f))
			pat[0] = 0;
		fclose(f);
	}
	if (pat[0] == '|' || pat[0] == '/' || !pat[0])
		return skip("core_dump", "core_pattern is not a plain name");
	at(dir, sizeof(dir), "outside");
	if (cores(dir, 0))
		return skip("core_dump", "a core file is already there");
	if ((c = fork()) == 0) {
		if (setrlimit(RLIMIT_CORE, &r) == -1) {
			r.rlim_cur = r.rlim_max;
			getrlimit(RLIMIT_CORE, &r);
			r.rlim_cur = r.rlim_max;
			setrlimit(RLIMIT_CORE, &r);
		}
		prctl(PR_SET_DUMPABLE, 1);
		if (chdir(dir) == -1)
			_exit(1);
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
		_exit(1);
	}
	waitpid(c, &st, 0);
	n = cores(dir, 1);
	return result("core_dump", n ? 0 : EACCES);
}
