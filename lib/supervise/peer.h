/* The control socket's peers (peer.c): see osl-supervise(8), CONTROL. */
#ifndef OSL_SUPERVISE_PEER_H
#define OSL_SUPERVISE_PEER_H

#include <stdbool.h>
#include <stddef.h>

#include "supervise/runner.h"

/* May the peer of the accepted connection FD use the socket?  False with
 * WHY (one line) for a uid neither osl's nor root, or a process of the
 * supervised tree unless R->control_tree; *PID is the peer's (0: unknown). */
bool osl_sv_peer_allowed(const struct osl_sv_runner *r, int fd, int *pid, char *why,
    size_t size);

/* The refusal: a supervise.control record (failure, source.pid, the
 * reason) and the answer {"ok":false,"error":"permission denied: WHY"}. */
void osl_sv_peer_refused(const struct osl_sv_runner *r, int fd, int pid, const char *why);

/* Before child ID starts: a child with a policy gets the socket's folder
 * over-mounted (once; osl_sandbox_hide).  Where that cannot be done, its
 * report says so and the peer check still refuses the child. */
void osl_sv_peer_hide(struct osl_sv_runner *r, size_t id);

#endif
