/* File operations' OS layer: resolve a path once, decide on what it really
 * names, then operate on that very descriptor (no check-then-use race).
 *
 * Public (libosl's PUBLIC_HDRS), and it runs no policy step: the caller
 * decides between osl_fs_resolve and osl_fs_reopen, on `real`
 * (osl_policy_decide; in osl, the pipeline of lib/op.h, from cmd/fs).
 * lib/net's functions run the pipeline themselves, but they take an osl_ctx
 * and are not public: to a program linked with libosl, files and the
 * network are the same (README.md, HACKING, "Where the policy step runs"). */
#ifndef OSL_FS_H
#define OSL_FS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "error.h"

#include <stdint.h>
#include <sys/types.h>

enum {
	OSL_FS_NOFOLLOW = 1u << 0,	/* do not follow a symlink in the last component */
	OSL_FS_FOLLOW_LAST = 1u << 1,	/* osl_fs_resolve_parent: a final symlink names its target */
};

struct osl_fs_file {
	int fd;			/* O_PATH descriptor of the resolved file, -1 when closed */
	const char *given;	/* the path as the user gave it */
	char real[PATH_MAX];	/* the resolved absolute path (what the policy decides on) */
	struct stat st;
};

/* Resolve GIVEN (relative to the current directory) with openat2(O_PATH,
 * RESOLVE_NO_MAGICLINKS): /proc/self/fd/N, /proc/PID/root and the like are
 * refused, symlinks elsewhere are followed (the last one too unless
 * OSL_FS_NOFOLLOW), and `real` is the kernel's name for the file it reached. */
const struct osl_error *osl_fs_resolve(struct osl_fs_file *f, const char *given, unsigned flags);
/* Open the resolved file for I/O (O_RDONLY etc.): the same inode, never a
 * fresh lookup of the name. */
const struct osl_error *osl_fs_reopen(const struct osl_fs_file *f, int oflags, int *fd);
void osl_fs_close(struct osl_fs_file *f);

/* ST, a regular file with more than one link: is another of its names
 * denied by a deny rule of P?  A rule's literal path that is a file is
 * looked at directly, by (dev, ino); the folder before a pattern's first
 * glob is walked once per cache C (a command), on its own filesystem only,
 * through at most OSL_FS_LINK_SCAN entries, and only when ST is on that
 * filesystem.  A rule whose first component is a glob ("**" "/.env")
 * cannot be searched and is passed over.  A folder with more entries than
 * the bound is not searched: its rule goes into OUT->unsearched and the
 * search goes on (man/osl-fs.1, Hard links).
 * 1: OUT->rule denies the name in OUT->other; 0: none found; -2: out of
 * memory.  C starts zeroed; osl_fs_links_release frees it. */
#define OSL_FS_LINK_SCAN 4096
#define OSL_FS_LINK_UNSEARCHED 8
struct osl_policy;
struct osl_rule;
struct osl_fs_links {
	const struct osl_policy *p;	/* the policy the cache is for */
	struct links_rule *rules;	/* one per rule of P */
};
struct osl_fs_link_found {
	const struct osl_rule *rule;	/* 1: the deny rule */
	char other[PATH_MAX];		/* 1: the name it denies */
	/* rules whose folders were too big to search (the first ones) */
	const struct osl_rule *unsearched[OSL_FS_LINK_UNSEARCHED];
	size_t nunsearched;		/* may exceed the array */
};
int osl_fs_link_denied(struct osl_fs_links *c, const struct osl_policy *p,
    const struct stat *st, struct osl_fs_link_found *out);
void osl_fs_links_release(struct osl_fs_links *c);

/* The lexical absolute form of PATH: the current directory prepended, "."
 * and ".." and "//" folded, no symlink followed.  For deciding about a path
 * that does not (yet) exist. */
const struct osl_error *osl_fs_abspath(const char *path, char *buf, size_t size);

/* Copy all of IN to OUT (sendfile/splice where the kernel can, else
 * read/write with one buffer); *copied gets the byte count. */
const struct osl_error *osl_fs_copy_fd(int in, int out, unsigned long long *copied, int *which_failed);

/* A name to create, replace or remove: its parent directory resolved once
 * (openat2 O_PATH, RESOLVE_NO_MAGICLINKS) and the name inside it.  The
 * decision is made on `real` (the parent's real path + "/" + name) and the
 * operation is done relative to `dirfd`, so a parent swapped for a symlink
 * after the decision cannot redirect it. */
struct osl_fs_dest {
	int dirfd;			/* O_PATH descriptor of the resolved parent, -1 when closed */
	const char *given;		/* as the user gave it */
	char name[NAME_MAX + 1];	/* the last component */
	char real[PATH_MAX];		/* real parent + "/" + name */
	bool exists;			/* `name` existed in the parent when resolved */
	struct stat st;			/* its lstat, when it exists */
};

/* Resolve the parent of GIVEN.  A trailing "/" is ignored; a last component
 * of "." or ".." (or "/" itself) is EINVAL.  With OSL_FS_FOLLOW_LAST a final
 * symlink is followed to the name it points at (up to 40 links), so writing
 * to a link replaces its target, as cp(1) and shells do. */
const struct osl_error *osl_fs_resolve_parent(struct osl_fs_dest *d, const char *given, unsigned flags);
void osl_fs_dest_close(struct osl_fs_dest *d);
/* Build "DIR/NAME" into BUF, one slash between them ("a/" and "x" make "a/x";
 * "/" and "x" make "/x"). */
const struct osl_error *osl_fs_join(char *buf, size_t size, const char *dir, const char *name);

/* A new file's contents, made beside its final name and put in place in one
 * step: O_TMPFILE (no name until linkat) where the filesystem has it, else a
 * hidden ".NAME.osl-XXXXXXXX" created O_EXCL|O_NOFOLLOW and renamed.  A crash
 * or a full disk leaves the old file whole and no half-written new one. */
struct osl_fs_tmp {
	int fd;				/* O_RDWR descriptor of the new file, -1 when none */
	int dirfd;			/* borrowed */
	bool named;			/* fallback: `tmpname` exists in dirfd */
	char tmpname[NAME_MAX + 1];
};
const struct osl_error *osl_fs_tmp_open(struct osl_fs_tmp *t, int dirfd, const char *name, mode_t mode);
/* Make the file NAME in the directory: fsync first when SYNC; REPLACE an
 * existing NAME atomically, else fail with EEXIST if one appeared. */
const struct osl_error *osl_fs_tmp_commit(struct osl_fs_tmp *t, const char *name, bool replace, bool sync);
/* Throw it away (close, remove a named temp).  Safe after commit. */
void osl_fs_tmp_abort(struct osl_fs_tmp *t);
/* Random hidden name for NAME: ".NAME.osl-XXXXXXXX", cut to fit NAME_MAX. */
void osl_fs_tmp_name(char *buf, size_t size, const char *name);

/* Copy a regular file's data IN -> OUT (OUT empty, at offset 0):
 * copy_file_range (reflinks where the filesystem can), then sendfile, then
 * read/write with one buffer; holes stay holes (SEEK_DATA/SEEK_HOLE).
 * On an error, *READING says whether reading IN failed (else writing OUT). */
const struct osl_error *osl_fs_copy_data(int in, int out, const struct stat *st, uint64_t *copied,
    bool *reading);
/* While FN is set, every data copy calls it with the bytes of each step, in
 * steps of at most 8 MiB, so that a long copy can be followed (osl fs cp's
 * progress); NULL: no calls, steps up to 1 GiB.  One for the process. */
void osl_fs_copy_progress(void (*fn)(void *arg, uint64_t bytes), void *arg);
/* Keep owner, mode, extended attributes and times of ST (read from IN) on
 * OUT; ownership is kept only when we may (root), as cp -a does. */
const struct osl_error *osl_fs_copy_meta(int in, int out, const struct stat *st);
/* The same for a name that cannot be opened (a symlink): owner and times. */
const struct osl_error *osl_fs_copy_meta_at(int dirfd, const char *name, const struct stat *st);

/* Copy one non-directory NAME of SDIR (its lstat in ST) to DNAME in DDIR:
 * a regular file's data, a symlink as a symlink, a fifo or device as one.
 * Without OSL_FS_CP_REPLACE the new name is created O_EXCL (inside a fresh
 * tree nobody sees yet); with it the file is made aside and renamed over
 * (and with OSL_FS_CP_NOCLOBBER never over an existing name).  MODE is the
 * mode without OSL_FS_CP_META.  Messages name SPATH or DPATH.  SNAME NULL:
 * SDIR is the source file itself, open for reading (a regular file). */
enum {
	OSL_FS_CP_META = 1u << 0,	/* keep owner, mode, times, xattrs (cp -a) */
	OSL_FS_CP_REPLACE = 1u << 1,
	OSL_FS_CP_NOCLOBBER = 1u << 2,
	OSL_FS_CP_SYNC = 1u << 3,	/* fsync the data before it gets its name */
};
const struct osl_error *osl_fs_copy_at(int sdir, const char *sname, const struct stat *st,
    int ddir, const char *dname, unsigned flags, mode_t mode,
    const char *spath, const char *dpath, uint64_t *bytes);

/* Walk a tree without ever following a symlink: every directory is opened
 * O_DIRECTORY|O_NOFOLLOW relative to its parent's descriptor and checked to
 * be the inode that was listed.  Names are read before any is visited, so a
 * callback may remove them. */
enum osl_fs_visit { OSL_FS_PRE, OSL_FS_POST, OSL_FS_LEAF };
struct osl_fs_ent {
	int dirfd;		/* the parent directory */
	int fd;			/* PRE/POST: the directory itself (O_RDONLY), else -1 */
	const char *name;	/* in dirfd */
	const char *path;	/* real path (the root's real path + names) */
	struct stat st;		/* lstat */
	int depth;		/* 0 for the root */
	int error;		/* for the error callback: the errno */
};
/* Return an error to stop the walk; set *SKIP in PRE not to descend. */
typedef const struct osl_error *osl_fs_walk_fn(void *arg, struct osl_fs_ent *e,
    enum osl_fs_visit v, bool *skip);
/* Walk NAME in DIRFD (whose real path is REAL).  Errors opening or reading
 * a directory go to ERRFN (which may return NULL to go on). */
const struct osl_error *osl_fs_walk(int dirfd, const char *name, const char *real,
    osl_fs_walk_fn *fn, osl_fs_walk_fn *errfn, void *arg);
/* Remove NAME in DIRFD and all below it, never following a symlink: for
 * osl's own temporary trees (the caller decided on them). */
const struct osl_error *osl_fs_remove_tree(int dirfd, const char *name);
/* Every name in the directory FD, sorted bytewise; *N names, free with
 * osl_fs_names_free.  "." and ".." are left out. */
const struct osl_error *osl_fs_names(int fd, char ***names, size_t *n);
void osl_fs_names_free(char **names, size_t n);

/* chmod/chown the very file an O_PATH descriptor holds (through
 * /proc/self/fd: never a fresh lookup of its name). */
const struct osl_error *osl_fs_chmod(int fd, const char *given, mode_t mode);
const struct osl_error *osl_fs_chown(int fd, const char *given, uid_t uid, gid_t gid);
/* Set the times of that file to now. */
const struct osl_error *osl_fs_touch(int fd, const char *given);

/* "regular file", "directory", ... and the short names for JSON ("file", "dir"). */
const char *osl_fs_type_name(mode_t m);
const char *osl_fs_type_word(mode_t m);

/* A rule's literal path resolved once (lib/fs/chase.c, man/osl-proc.1
 * "RULE PATHS"): each component looked at in turn, a symlink followed when
 * nobody but root can change it (it is root's, in folders only root can
 * write, up from "/", and not below a folder of UNTRUSTED, NULL-terminated
 * absolute paths), or with OSL_FS_CHASE_ALL any symlink (for deny rules:
 * following one can only deny more).  Where a component does not exist the
 * rest is taken as written.  An untrusted link is not followed: `stopped`,
 * and `real` goes on through the link's own name, which no resolved path
 * ever passes. */
enum { OSL_FS_CHASE_ALL = 1u << 0 };
struct osl_fs_chase {
	char real[PATH_MAX];
	bool followed;		/* a symlink was followed */
	bool proc;		/* stopped at a procfs link (/proc/self): kept as written */
	bool stopped;		/* an untrusted symlink was not followed: */
	char link[PATH_MAX];	/* its path, */
	char target[PATH_MAX];	/* what it points to, */
	uid_t owner;		/* its owner */
	char link_dir[PATH_MAX];/* the folder above it that others than root can
				 * write, or of UNTRUSTED ("" when its owner is not root) */
};
/* 0, or an errno (ENAMETOOLONG, ELOOP, or readlink's). */
int osl_fs_chase(const char *path, unsigned flags, const char *const *untrusted,
    struct osl_fs_chase *c);
/* osl_policy_env.resolve: osl_fs_chase into OUT, no link below the env's
 * ${PWD}, ${HOME}, ${TMPDIR}, /tmp, /var/tmp or /dev/shm trusted (a
 * checkout, a user or any program can put one there, root-owned or not);
 * false when nothing changed.  Within a batch of calls (a policy's rules)
 * a folder found clean is not opened again; a NULL PREFIX begins a batch
 * (ALL true) or ends it (false). */
struct osl_policy_env;
bool osl_fs_rule_resolve(const struct osl_policy_env *env, const char *prefix, bool all,
    char *out, size_t size);

#endif
