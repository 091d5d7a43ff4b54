/* Who may use the tree's control socket (osl-supervise(8), CONTROL): a
 * process with osl's uid or root, and not one of the supervised tree (its
 * cgroup folder, or a descendant of the supervisor, which is the subreaper
 * of every orphan below it), unless the file says control: {tree: true}.
 * A child with a policy does not even see the socket's folder. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/proc.h"
#include "supervise/child.h"
#include "supervise/ctl.h"
#include "supervise/ext.h"
#include "supervise/peer.h"
#include "util/file.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77		/* Linux 6.5 */
#endif

/* Is PID in the tree's cgroup folder (osl-supervise.PID, cgroup.c)?  The
 * supervisor itself is in its "supervisor" folder there when it moved. */
static bool
in_tree_cgroup(const struct osl_sv_runner *r, pid_t pid)
{
	char path[64], buf[1024], needle[48], *p;

	if (r->cg.fd == -1)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (osl_read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	if (!(p = strstr(buf, "0::")))
		return false;
	p[strcspn(p, "\n")] = '\0';
	snprintf(needle, sizeof(needle), "/osl-supervise.%d/", (int)getpid());
	return (p = strstr(p, needle)) && strcmp(p + strlen(needle), "supervisor") != 0;
}

bool
osl_sv_peer_allowed(const struct osl_sv_runner *r, int fd, int *pid, char *why, size_t size)
{
	struct ucred cr;
	socklen_t cl = sizeof(cr), pl = sizeof(int);
	int pidfd = -1, in;
	bool ok = false;

	*pid = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == -1) {
		snprintf(why, size, "the peer's credentials cannot be read: %s", strerror(errno));
		return false;
	}
	*pid = cr.pid;
	if (cr.uid != 0 && cr.uid != geteuid()) {
		snprintf(why, size, "uid %u is neither osl's nor root", (unsigned)cr.uid);
		return false;
	}
	/* pid 0: a process outside osl's PID namespace, so not the tree's */
	if (r->control_tree || cr.pid <= 0)
		return true;
	/* the peer as a pidfd: its pid cannot be another process's by the
	 * time the check is done (without it, a peer that is gone is refused) */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &pl) == -1)
		pidfd = -1;
	if (in_tree_cgroup(r, cr.pid) || (in = osl_proc_descends(cr.pid, getpid())) == 1)
		snprintf(why, size, "pid %d is a process of the supervised tree "
		    "(control: {tree: true} lets it in)", (int)cr.pid);
	else if (in == -1 || (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == -1))
		snprintf(why, size, "pid %d was gone before it could be checked", (int)cr.pid);
	else
		ok = true;
	if (pidfd >= 0)
		close(pidfd);
	return ok;
}

void
osl_sv_peer_refused(const struct osl_sv_runner *r, int fd, int pid, const char *why)
{
	cJSON *rec = osl_sv_rec(OSL_ACT_SV_CONTROL, false, "control"), *o;
	char msg[320], *line;

	cJSON_AddNumberToObject(osl_log_obj(osl_log_obj(rec, "osl"), "supervise"), "peer_pid", pid);
	osl_log_add_text(osl_log_obj(rec, "event"), "reason", why);
	snprintf(msg, sizeof(msg), "supervise.control: a connection refused: %s", why);
	osl_sv_rec_emit(r->ctx, rec, OSL_LEVEL_WARN, msg);
	if (!(o = cJSON_CreateObject()))
		return;
	cJSON_AddFalseToObject(o, "ok");
	snprintf(msg, sizeof(msg), "permission denied: %s", why);
	cJSON_AddStringToObject(o, "error", msg);
	if ((line = osl_sv_ctl_line(o)))
		(void)!send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	free(line);
}

void
osl_sv_peer_hide(struct osl_sv_runner *r, size_t id)
{
	struct osl_sv_child *ch = r->child ? &r->child[id] : NULL;
	char dir[4096], *slash;

	if (!ch || !ch->policy || !r->socket_path || r->control_tree)
		return;
	snprintf(dir, sizeof(dir), "%s", r->socket_path);
	if (!(slash = strrchr(dir, '/')) || slash == dir)
		return;		/* a socket in / has no folder of its own to hide */
	*slash = '\0';
	if (osl_sandbox_hide(&ch->sb, dir, "control-socket"))
		osl_report_add(&ch->sb.report, "fs.deny", "control-socket", dir, OSL_ENF_NONE,
		    "%s", "the control socket's folder could not be over-mounted");
}
