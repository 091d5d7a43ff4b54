/* The action catalogue: every event.action osl writes, declared once.
 *
 * A row gives the name, the access the policy decides it as (NONE: not a
 * decision, only a record), its ECS event.category and event.type (a type
 * ECS lists for that category), and what its operand is.  osl_op_init takes
 * an enum osl_action, so an operation cannot name an action that has no
 * row; the decider, `policy explain`, the completions, the ECS test and the
 * man-page check (test/unit/t-action.c) all read this table.  man/osl-log.5
 * lists the actions for people. */
#ifndef OSL_ACTION_H
#define OSL_ACTION_H

#include <stdbool.h>

/* What an operation asks the policy for.  0 is no access: a request left
 * zeroed is refused ("an unknown access"), never decided as a read. */
enum osl_access {
	OSL_ACCESS_NONE = 0,
	OSL_ACCESS_READ,
	OSL_ACCESS_WRITE,
	OSL_ACCESS_EXEC,
	OSL_ACCESS_CONNECT,
	OSL_ACCESS_BIND,
	OSL_ACCESS_RESOLVE,
	OSL_ACCESS_SIGNAL,
};

/* What the operand of an action is (the TARGET of `policy explain`). */
enum osl_operand {
	OSL_OPERAND_NONE,
	OSL_OPERAND_PATH,	/* a file path */
	OSL_OPERAND_HOSTPORT,	/* HOST:PORT or a unix socket path */
	OSL_OPERAND_NAME,	/* a host name */
	OSL_OPERAND_PID,	/* a process id */
};

/* X(ID, name, access, ECS category, ECS type, operand) */
#define OSL_ACTIONS(X) \
	X(FS_READ,	"fs.read",	READ,	 "file",	"access",	PATH) \
	X(FS_WRITE,	"fs.write",	WRITE,	 "file",	"change",	PATH) \
	X(FS_CREATE,	"fs.create",	WRITE,	 "file",	"creation",	PATH) \
	X(FS_DELETE,	"fs.delete",	WRITE,	 "file",	"deletion",	PATH) \
	X(FS_COPY,	"fs.copy",	WRITE,	 "file",	"creation",	PATH) \
	X(FS_MOVE,	"fs.move",	WRITE,	 "file",	"change",	PATH) \
	X(FS_LINK,	"fs.link",	WRITE,	 "file",	"creation",	PATH) \
	X(FS_CHMOD,	"fs.chmod",	WRITE,	 "file",	"change",	PATH) \
	X(FS_CHOWN,	"fs.chown",	WRITE,	 "file",	"change",	PATH) \
	X(FS_EXEC,	"fs.exec",	EXEC,	 "file",	"access",	PATH) \
	X(NET_CONNECT,	"net.connect",	CONNECT, "network",	"connection",	HOSTPORT) \
	X(NET_BIND,	"net.bind",	BIND,	 "network",	"start",	HOSTPORT) \
	X(NET_ACCEPT,	"net.accept",	BIND,	 "network",	"connection",	HOSTPORT) \
	X(NET_RESOLVE,	"net.resolve",	RESOLVE, "network",	"protocol",	NAME) \
	X(NET_WAIT,	"net.wait",	CONNECT, "network",	"connection",	HOSTPORT) \
	X(PROC_EXEC,	"proc.exec",	EXEC,	 "process",	"start",	PATH) \
	X(PROC_EXIT,	"proc.exit",	NONE,	 "process",	"end",		NONE) \
	X(PROC_SIGNAL,	"proc.signal",	SIGNAL,	 "process",	"change",	PID) \
	X(PROC_DENIED,	"proc.denied",	NONE,	 "intrusion_detection", "denied", NONE) \
	X(SV_START,	"supervise.start",    EXEC, "process",	"start",	PATH) \
	X(SV_EXIT,	"supervise.exit",     NONE, "process",	"end",		NONE) \
	X(SV_RESTART,	"supervise.restart",  NONE, "process",	"start",	NONE) \
	X(SV_BACKOFF,	"supervise.backoff",  NONE, "process",	"info",		NONE) \
	X(SV_GIVEUP,	"supervise.giveup",   NONE, "process",	"end",		NONE) \
	X(SV_SHUTDOWN,	"supervise.shutdown", NONE, "process",	"end",		NONE) \
	X(SV_READY,	"supervise.ready",    NONE, "process",	"info",		NONE) \
	X(SV_HEALTH,	"supervise.health",   NONE, "process",	"info",		NONE) \
	X(SV_NOTIFY,	"supervise.notify",   NONE, "process",	"info",		NONE) \
	X(SV_OUTPUT,	"supervise.output",   NONE, "process",	"info",		NONE) \
	X(SV_CONTROL,	"supervise.control",  NONE, "network",	"connection",	NONE) \
	X(SV_RELOAD,	"supervise.reload",   NONE, "configuration", "change",	NONE) \
	X(SV_BREAKER,	"supervise.breaker",  NONE, "process",	"change",	NONE) \
	X(SV_ROLL,	"supervise.roll",     NONE, "process",	"change",	NONE) \
	X(LOG_ROTATE,	"log.rotate",	NONE,	 "file",	"creation",	NONE) \
	X(LOG_CHECKPOINT, "log.checkpoint", NONE, "file",	"info",		NONE)

enum osl_action {
#define OSL_ACTION_ENUM(id, name, access, cat, type, operand) OSL_ACT_##id,
	OSL_ACTIONS(OSL_ACTION_ENUM)
#undef OSL_ACTION_ENUM
	OSL_ACT__COUNT
};

/* "fs.read fs.write ... ", a string literal (for completion lists). */
#define OSL_ACTION_WORD(id, name, access, cat, type, operand) name " "
#define OSL_ACTION_WORDS OSL_ACTIONS(OSL_ACTION_WORD)

struct osl_action_def {
	const char *name;		/* event.action */
	enum osl_access access;		/* OSL_ACCESS_NONE: a record, not a decision */
	const char *category;		/* ECS event.category */
	const char *type;		/* ECS event.type, one of the category's */
	enum osl_operand operand;
};

/* The row of A (A < OSL_ACT__COUNT). */
const struct osl_action_def *osl_action(enum osl_action a);
const char *osl_action_name(enum osl_action a);
/* "fs.write" -> OSL_ACT_FS_WRITE; false for a name that is no action. */
bool osl_action_by_name(const char *name, enum osl_action *out);
/* The access of the action named NAME; false when there is no such action
 * or it is no decision (its access is NONE). */
bool osl_action_access(const char *name, enum osl_access *out);
/* A record of action A: a new object {"event":{"category":[..],"type":[..],
 * "action":..,"outcome":OUTCOME}}, or NULL when out of memory. */
struct cJSON *osl_action_record(enum osl_action a, const char *outcome);
/* "read", "write", ..., "none". */
const char *osl_access_name(enum osl_access a);

#endif
