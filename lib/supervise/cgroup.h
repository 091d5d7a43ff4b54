/* cgroup v2 containment of supervised children.  Where the supervisor's own
 * cgroup v2 folder is writable, it makes one folder for itself under it
 * (osl-supervise.PID) and one per child in that; a child is placed in its
 * folder before it execs (CLONE_INTO_CGROUP), stopping it reaches every
 * process in the folder, and its final kill is cgroup.kill, so a grandchild
 * that called setsid or double-forked cannot outlive it.  The policy's
 * memory and process limits become memory.max and pids.max where those
 * controllers can be had.  Elsewhere, containment is the process group
 * (and the subreaper), and the status says so. */
#ifndef OSL_SUPERVISE_CGROUP_H
#define OSL_SUPERVISE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct osl_sv_cgroup {
	int fd;			/* the supervisor's folder, or -1: no cgroup containment */
	char path[512];		/* its path */
	bool memory, pids;	/* the controllers the children's folders have */
	bool moved;		/* osl moved itself to PATH/supervisor to enable them */
	char why[256];		/* fd -1: why; else what the children cannot have */
};

/* Pure: the folder of the cgroup v2 hierarchy that /proc/self/cgroup's
 * "0::" line (SELF) names, from /proc/self/mountinfo's text.  False when
 * there is no such line or no cgroup2 mount holds it. */
bool osl_sv_cgroup_locate(const char *mountinfo, const char *self, char *out, size_t size);

/* Pure: whether NAME is a supervisor's folder, osl-supervise.PID, and its
 * PID. */
bool osl_sv_cgroup_owner(const char *name, pid_t *pid);

/* Set up CG (never fails: CG->fd is -1 and CG->why says why).  Removes
 * first the empty folders of supervisors that are gone (SIGKILL leaves
 * them). */
void osl_sv_cgroup_open(struct osl_sv_cgroup *cg);

/* The folder NAME for a child, made if needed, with MEMORY bytes and NPROC
 * processes as memory.max and pids.max where the controllers are there
 * (UINT64_MAX: no limit).  NOTE gets what was applied or why not (what
 * the supervisor's folder cannot do is in CG->why).  The folder's fd
 * (O_DIRECTORY), or -1. */
int osl_sv_cgroup_child(struct osl_sv_cgroup *cg, const char *name, uint64_t memory,
    uint64_t nproc, char *note, size_t size);

/* SIGKILL to every process in the folder (cgroup.kill); false when it could
 * not be written. */
bool osl_sv_cgroup_kill(int fd);
/* SIG to every process in the folder but those SKIP says have had it
 * already (SKIP NULL: none); true when the folder held a process. */
bool osl_sv_cgroup_signal(int fd, int sig, bool (*skip)(pid_t pid, const void *arg),
    const void *arg);
/* A number from a file of the folder (memory.current, pids.current), or -1. */
int64_t osl_sv_cgroup_read(int fd, const char *file);
/* Remove child folder NAME (it must be empty). */
void osl_sv_cgroup_remove(struct osl_sv_cgroup *cg, const char *name);
/* Remove the supervisor's folder (its children's must be gone). */
void osl_sv_cgroup_close(struct osl_sv_cgroup *cg);

#endif
