/* Shared between cmd/fs*.c: the verbs and the steps every verb takes
 * (resolve once, decide on the resolved path, log). */
#ifndef OSL_CMD_FS_INT_H
#define OSL_CMD_FS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "fs/fs.h"
#include "op.h"

/* The options of the fs verbs, bound in osl_fs_cmds (cmd/fs.c) and set by
 * cli_parse: one verb runs per process, so one set serves them all. */
struct fs_opts {
	bool dereference, lng, all, recursive, bytes, nocreate, parents, symbolic, force;
	bool archive, noclobber, root_ok, mode_set;
	const char *algo;
	mode_t mode;		/* -m, when mode_set */
};
extern struct fs_opts fs_opt;
int fs_worst(int a, int b);

/* ECS file.* of a file: PATH as given, TARGET resolved, and ST when set. */
void fs_file_fields(cJSON *rec, const char *path, const char *target, const struct stat *st);
/* Resolve PATH and decide (begun: osl_op_end must follow). */
const struct osl_error *fs_begin_path(struct osl_ctx *ctx, struct osl_op *op,
    struct osl_fs_file *f, const char *path, unsigned flags, bool *begun);
/* fs_begin_dest: when the name is a folder, decide it with everything that
 * may ever lie beneath it (osl_request.tree; mv of a folder). */
#define FS_TREE_IF_DIR (1u << 16)
/* Resolve PATH's parent and decide on realparent/name. */
const struct osl_error *fs_begin_dest(struct osl_ctx *ctx, struct osl_op *op,
    struct osl_fs_dest *d, const char *path, unsigned flags, bool *begun);
/* Decide on a path already known to be real (inside a walk).  The records
 * of a walk go at LEVEL (debug); a denial is logged at warn whatever. */
const struct osl_error *fs_begin_real(struct osl_ctx *ctx, struct osl_op *op,
    const char *given, const char *real, const struct stat *st);
/* A failed PATH: the message, the -j entry {"path", "error"}, the status. */
void fs_fail(int *status, const char *path, const struct osl_error *err);
/* Finish an op: log the result, print an error, fold the status. */
void fs_end(struct osl_ctx *ctx, struct osl_op *op, const struct osl_error *err,
    bool begun, int *status);
/* A file other names share cannot be changed in place: one of them may be a
 * protected file (a hard link made before the policy).  NULL when nlink 1. */
const struct osl_error *fs_check_links(const char *given, const struct stat *st);
/* A file's metadata into the open JSON object (nothing in text): type,
 * size, blocks, blksize, dev, inode, nlink, mode, perms, uid, user, gid,
 * group, atime, mtime, ctime (osl(1), JSON OUTPUT).  Every verb's file. */
void fs_stat_json(const struct stat *st);
/* One JSON object (nothing in text) for a file a verb made or changed. */
void fs_print_result(const char *given, const char *real, int fd, const char *extra_key, uint64_t extra);
/* Refuse "/" for recursive removal and the like. */
bool fs_is_root(const char *real);
/* Parse MODE ("0644", "u+x,go-w", "a=r") against OLD (for symbolic). */
bool fs_parse_mode(const char *s, mode_t old, bool isdir, mode_t *out);
/* "-rw-r--r--" */
void fs_perms(mode_t m, char out[11]);
/* Progress of cp and mv on standard error (cmd/fs/progress.c): from start
 * (TOTAL bytes to copy, 0 when not known) to end, when stderr is a terminal
 * and -q is not given; the line is cleared at the end. */
void fs_progress_start(uint64_t total);
/* $OSL_PROGRESS_INTERVAL, read before anything is done: -1 when it is
 * unset or a duration, else the exit status of its error (osl(1)). */
int fs_progress_setting(void);
void fs_progress_end(void);
/* Summary fields (osl.files, osl.bytes, osl.errors) of a recursive op. */
void fs_summary(cJSON *fields, uint64_t files, uint64_t bytes, uint64_t errors);

int cmd_fs_stat(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_ls(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_cat(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_hash(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_du(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_write(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_append(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_touch(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_mkdir(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_rmdir(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_ln(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_chmod(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_chown(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_cp(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_mv(int argc, char **argv, struct osl_ctx *ctx);
int cmd_fs_rm(int argc, char **argv, struct osl_ctx *ctx);

#endif
