/* The control protocol: one JSON object per line in, one per line out.
 * Pure over the tree and the runner's table of pids: it never makes a system
 * call; what needs one (a signal) is handed back to the runner. */
#ifndef OSL_SUPERVISE_CTL_H
#define OSL_SUPERVISE_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "supervise/runner.h"

#define OSL_SV_CTL_MAX 4096	/* a request line, newline included */

struct osl_sv_ctl_out {
	size_t sig_id;		/* OSL_SV_NONE, or the child to signal */
	int sig;
	bool reload;		/* `reload`: the runner answers (reload.c) */
	char start_new[OSL_SV_CTL_MAX];	/* `start` of a child only the file has:
					 * its name, the runner answers (reload.c) */
};

/* Answer request LINE (LEN bytes, no newline).  Returns a malloc'd JSON
 * line ending in '\n' (NULL only when out of memory). */
char *osl_sv_ctl_answer(struct osl_sv_runner *r, const char *line, size_t len,
    uint64_t now_mono, uint64_t now_real, struct osl_sv_ctl_out *out);

/* {"ok":false,"error":MSG} as an answer line (malloc'd; NULL when out of
 * memory). */
char *osl_sv_ctl_error(const char *msg);

/* O as an answer line (malloc'd, ending in '\n'; NULL when out of memory);
 * O is freed. */
char *osl_sv_ctl_line(cJSON *o);

/* The default socket: $XDG_RUNTIME_DIR/osl/supervise.sock, else
 * /run/osl/supervise.sock for root, else /tmp/osl-UID/supervise.sock. */
const char *osl_sv_ctl_default_path(char *buf, size_t size);

/* The client's connection to the control socket PATH, into *FD: only to a
 * server it may trust (man/osl-supervise.8, CONTROL).  The folder is opened
 * (not a symlink) and must be osl's user's or root's and writable by no
 * one else; the socket is reached through that open folder, and the
 * listener's uid (SO_PEERCRED) must be osl's user's or root's.  Else
 * OSL_EFAIL, one line that says which, and nothing was sent. */
const struct osl_error *osl_sv_ctl_connect(const char *path, int *fd);

#endif
