/* Private to lib/proc: the learner's reading of a traced process (its
 * memory, its /proc entries, the paths it names), in learn-tracee.c, for
 * the tracer in learn.c. */
#ifndef OSL_PROC_LEARN_INT_H
#define OSL_PROC_LEARN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* LEN bytes at ADDR of PID (process_vm_readv): false unless all of them. */
bool learn_read_mem(pid_t pid, unsigned long addr, void *buf, size_t len);
/* A NUL-terminated string, read page by page (a string may end just
 * before an unmapped page). */
bool learn_read_str(pid_t pid, unsigned long addr, char *buf, size_t size);
/* /proc/PID/WHAT's target (cwd, fd/N, exe) when it is a path. */
bool learn_proc_link(pid_t pid, const char *what, char *buf, size_t size);
/* PID's command name (/proc/PID/comm), "" when gone. */
void learn_comm_of(pid_t pid, char *buf, size_t size);
/* The task that made thread PID, as the tracer's /proc shows it: its
 * process (Tgid) for a thread, else its parent (PPid); 0 if unknown. */
pid_t learn_maker_of(pid_t pid);
/* PATH as the tracee named it, relative to DIRFD, made absolute and
 * resolved as far as it exists (the last component may be gone: an
 * unlink, the source of a rename). */
bool learn_resolve_at(pid_t pid, long dirfd, const char *path, char *out, size_t size);
/* /proc/N/... of the process itself as /proc/self/..., of the thread
 * itself as /proc/thread-self/... (in place): a rule that holds on the next
 * run, whatever the process ids are then. */
void learn_proc_self(pid_t pid, char *path, size_t size);

#endif
