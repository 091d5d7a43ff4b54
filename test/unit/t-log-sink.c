/* The sinks, against temp files and sockets: sequence across opens, torn
 * lines, rotation, reopen, several processes, batches, checkpoints,
 * on_failure. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log/log-int.h"
#include "log/sink.h"
#include "log/wire.h"
#include "tap.h"

static char dir[] = "/tmp/t-log-sink.XXXXXX";
static char *argv0[] = { "osl", "test", NULL };
static struct osl_log_identity ident = {
	.uid = 1000, .executable = "/usr/bin/osl", .argc = 2, .argv = argv0, .hostname = "web1",
};

static void
config(struct osl_log_config *c, const char *sink)
{
	memset(c, 0, sizeof(*c));
	c->sink = (char *)sink;
	c->level = OSL_LEVEL_INFO;
	c->sync = OSL_SYNC_BATCH;
	c->chain = true;
	c->on_failure = OSL_ONFAIL_DENY;
	c->rotate_keep = 10;
}

static cJSON *
rec_of(const char *action, int i)
{
	cJSON *rec = cJSON_CreateObject();
	char msg[64];

	cJSON_AddStringToObject(osl_log_obj(rec, "event"), "action", action);
	snprintf(msg, sizeof(msg), "%s record %d", action, i);
	cJSON_AddStringToObject(rec, "message", msg);
	return rec;
}

static int
write_n(const struct osl_log_config *c, int n, const char *action)
{
	struct osl_log *log;
	int i, bad = 0;

	ident.pid = getpid();
	ident.ppid = getppid();
	if (osl_log_open(&log, c, &ident) != NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (osl_log_emit(log, OSL_LEVEL_INFO, rec_of(action, i)) != NULL)
			bad++;
	osl_log_close(log);
	return bad;
}

/* Verify files in order; returns the report's bad line (0 intact), -1 unreadable. */
static long
verify(const char *key, const char *f1, const char *f2, const char *f3,
    struct osl_verify_report *out)
{
	struct osl_verify *v = osl_verify_new();
	const char *files[] = { f1, f2, f3 };
	long r = 0;
	int i;

	if (key && osl_verify_set_key_file(v, key) != NULL)
		r = -1;
	for (i = 0; i < 3 && r == 0; i++)
		if (files[i] && osl_verify_file(v, files[i]) != NULL)
			r = -1;
	if (r == 0)
		r = (long)osl_verify_report(v)->bad_line;
	if (out)
		*out = *osl_verify_report(v);
	if (r)
		printf("# verify: %s\n", osl_verify_report(v)->why);
	osl_verify_free(v);
	return r;
}

static char *
slurp(const char *path, size_t *len)
{
	static char buf[1 << 20];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	n = fd == -1 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd != -1)
		close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

static int
count_lines(const char *path)
{
	const char *s = slurp(path, NULL);
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void
test_file_basics(void)
{
	struct osl_log_config c;
	struct osl_verify_report r;
	char sink[256], path[256];
	struct stat st;
	char *s;

	snprintf(path, sizeof(path), "%s/a/b/log.jsonl", dir);
	snprintf(sink, sizeof(sink), "file:%s", path);
	config(&c, sink);
	is_int(write_n(&c, 3, "fs.read"), 0, "three records written");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "file is 0600");
	snprintf(sink, sizeof(sink), "%s/a/b", dir);
	ok(stat(sink, &st) == 0 && (st.st_mode & 0777) == 0700, "parent folders are 0700");
	snprintf(sink, sizeof(sink), "file:%s", path);
	is_int(write_n(&c, 2, "fs.write"), 0, "two more from a second open");
	s = slurp(path, NULL);
	ok(strstr(s, "\"sequence\":1}") && strstr(s, "\"sequence\":5}") &&
	    !strstr(s, "\"sequence\":6}"), "sequence goes on across opens");
	is_int(verify(NULL, path, NULL, NULL, &r), 0, "the file verifies");
	is_int(r.records, 5, "five records");

	/* a writer died mid-record */
	{
		int fd = open(path, O_WRONLY | O_APPEND);
		ok(write(fd, "{\"@timestamp\":\"20", 17) == 17, "torn line appended");
		close(fd);
	}
	is_int(write_n(&c, 1, "fs.write"), 0, "a record after the torn line");
	s = slurp(path, NULL);
	ok(strstr(s, "{\"@timestamp\":\"20\n{\"@timestamp\"") != NULL,
	    "the torn line is ended, the record starts on a fresh line");
	ok(strstr(s, "\"sequence\":6}") != NULL, "sequence goes on from the last complete record");
	is_int(verify(NULL, path, NULL, NULL, &r), 0, "still verifies");
	is_int(r.torn_lines, 1, "one torn line counted");
	is_int(r.first_torn, 6, "on line 6");

	/* level filter */
	{
		struct osl_log *log;

		osl_log_open(&log, &c, &ident);
		ok(!osl_log_enabled(log, OSL_LEVEL_DEBUG) && osl_log_enabled(log, OSL_LEVEL_WARN),
		    "enabled by level");
		ok(osl_log_emit(log, OSL_LEVEL_DEBUG, rec_of("fs.read", 0)) == NULL, "debug dropped");
		osl_log_close(log);
		is_int(count_lines(path), 7, "nothing written for it");
	}
}

static void
test_rotation(void)
{
	struct osl_log_config c;
	struct osl_verify_report r;
	char sink[256], path[256], p1[256], p2[256], p3[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/rot.jsonl", dir);
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p2, sizeof(p2), "%s.2", path);
	snprintf(p3, sizeof(p3), "%s.3", path);
	snprintf(sink, sizeof(sink), "file:%s", path);
	config(&c, sink);
	c.rotate_size = 2500;
	c.rotate_keep = 2;
	is_int(write_n(&c, 30, "fs.write"), 0, "30 records with rotation");
	ok(stat(path, &st) == 0 && st.st_size <= 2500, "the live file stays under size");
	ok(stat(p1, &st) == 0 && stat(p2, &st) == 0, "f.1 and f.2 kept");
	ok(stat(p3, &st) == -1 && errno == ENOENT, "f.3 never made (keep 2)");
	ok(stat(p1, &st) == 0 && (st.st_mode & 0200) == 0, "a rotated file is read-only");
	is_int(verify(NULL, p2, p1, path, &r), 0, "f.2 f.1 f verify as one chain");
	ok(strstr(slurp(path, NULL), "\"action\":\"log.rotate\"") != NULL,
	    "the new file starts with log.rotate");
	ok(verify(NULL, p1, p2, path, &r) > 0 && r.file_index == 2, "swapped files caught: %s",
	    r.why);
	ok(verify(NULL, p2, path, NULL, &r) > 0, "a missing file caught");
}

static void
test_reopen(void)
{
	struct osl_log_config c;
	struct osl_log *log;
	char sink[256], path[256], old[256];
	struct osl_verify_report r;

	snprintf(path, sizeof(path), "%s/reopen.jsonl", dir);
	snprintf(old, sizeof(old), "%s.old", path);
	snprintf(sink, sizeof(sink), "file:%s", path);
	config(&c, sink);
	ident.pid = getpid();
	ok(osl_log_open(&log, &c, &ident) == NULL, "open");
	osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.read", 1));
	osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.read", 2));
	ok(rename(path, old) == 0, "logrotate renames the file");
	ok(osl_log_reopen(log) == NULL, "reopen (SIGHUP)");
	osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.read", 3));
	osl_log_close(log);
	is_int(count_lines(old), 2, "old file has two records");
	is_int(count_lines(path), 1, "new file has the third");
	is_int(verify(NULL, old, path, NULL, &r), 0, "old then new verify as one chain");
}

static void
test_processes(void)
{
	struct osl_log_config c;
	struct osl_verify_report r;
	char sink[256], path[256];
	int i, st, okc = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/many.jsonl", dir);
	snprintf(sink, sizeof(sink), "file:%s", path);
	config(&c, sink);
	c.checkpoint_every = 0;
	for (i = 0; i < 4; i++) {
		if ((pid = fork()) == 0)
			_exit(write_n(&c, 50, "proc.exec") == 0 ? 0 : 1);
	}
	for (i = 0; i < 4; i++)
		if (wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			okc++;
	is_int(okc, 4, "4 processes wrote 50 records each");
	is_int(count_lines(path), 200, "200 lines");
	is_int(verify(NULL, path, NULL, NULL, &r), 0, "one valid chain");
	is_int(r.records, 200, "200 records in it");
}

/* N records from fields, in batches of B (osl_log_hold); 0 or the number
 * of failures. */
static int
write_batches(const struct osl_log_config *c, int n, int b)
{
	static const char *const cat[] = { "process" };
	struct osl_log *log;
	char msg[32];
	int i, bad = 0;

	ident.pid = getpid();
	ident.ppid = getppid();
	if (osl_log_open(&log, c, &ident) != NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct osl_log_field f[] = {
			OSL_LOG_STRS("event.category", cat, 1),
			OSL_LOG_STR("event.action", "supervise.output"),
			OSL_LOG_STR("osl.supervise.name", "w"),
			OSL_LOG_STRN("message", msg, (size_t)snprintf(msg, sizeof(msg), "%d", i)),
		};

		if (i % b == 0)
			osl_log_hold(log);
		if (osl_log_emit_fields(log, OSL_LEVEL_INFO, f, 4) != NULL)
			bad++;
		if ((i % b == b - 1 || i == n - 1) && osl_log_release(log) != NULL)
			bad++;
	}
	osl_log_close(log);
	return bad;
}

/* PATH.K ... PATH.1 PATH as one chain; the report's bad line (0 intact). */
static long
verify_rotated(const char *path, struct osl_verify_report *out)
{
	struct osl_verify *v = osl_verify_new();
	char f[300];
	struct stat st;
	long r = 0;
	int k;

	for (k = 1; k < 1000; k++) {
		snprintf(f, sizeof(f), "%s.%d", path, k);
		if (stat(f, &st) == -1)
			break;
	}
	while (r == 0 && k-- > 0) {
		if (k)
			snprintf(f, sizeof(f), "%s.%d", path, k);
		else
			snprintf(f, sizeof(f), "%s", path);
		if (osl_verify_file(v, f) != NULL)
			r = -1;
		osl_verify_next_file(v);
	}
	if (r == 0)
		r = (long)osl_verify_report(v)->bad_line;
	*out = *osl_verify_report(v);
	if (r)
		printf("# verify: %s\n", out->why);
	osl_verify_free(v);
	return r;
}

/* Batches: the lock is held until the release and the records go out
 * together; writers in batches and one record at a time, in several
 * processes, with rotation under way, still make one chain. */
static void
test_batches(void)
{
	struct osl_log_config c;
	struct osl_verify_report r;
	char sink[256], path[256];
	struct osl_log *log;
	struct stat st, st2;
	int i, fd, okc = 0, status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/batch.jsonl", dir);
	snprintf(sink, sizeof(sink), "file:%s", path);
	config(&c, sink);
	ident.pid = getpid();
	ok(osl_log_open(&log, &c, &ident) == NULL, "batch: open");
	osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.read", 0));
	stat(path, &st);
	osl_log_hold(log);
	osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.read", 1));
	osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.read", 2));
	stat(path, &st2);
	ok(st2.st_size == st.st_size, "batch: nothing written while held");
	fd = open(path, O_RDONLY);
	ok(flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK,
	    "batch: the file stays locked while held");
	ok(osl_log_release(log) == NULL, "batch: released");
	ok(flock(fd, LOCK_EX | LOCK_NB) == 0, "batch: the lock is let go at the release");
	close(fd);
	is_int(count_lines(path), 3, "batch: written at the release");
	osl_log_close(log);
	/* a writer died mid-record: the batch starts on a fresh line */
	fd = open(path, O_WRONLY | O_APPEND);
	ok(write(fd, "{\"@timestamp\":\"20", 17) == 17, "batch: torn line appended");
	close(fd);
	is_int(write_batches(&c, 10, 4), 0, "batch: 10 records in batches of 4");
	ok(strstr(slurp(path, NULL), "{\"@timestamp\":\"20\n{\"@timestamp\"") != NULL,
	    "batch: the torn line is ended, not extended");
	ok(verify(NULL, path, NULL, NULL, &r) == 0 && r.records == 13 && r.torn_lines == 1,
	    "batch: 13 records, the torn line named");

	/* a batch cut short (here by RLIMIT_FSIZE, as by a full disk or a
	 * crash): its complete records stay, one torn line, and the next
	 * writer starts a fresh line and chains to the last complete record */
	if ((pid = fork()) == 0) {
		struct rlimit rl;

		signal(SIGXFSZ, SIG_IGN);
		stat(path, &st);
		rl.rlim_cur = rl.rlim_max = (rlim_t)st.st_size + 100000;
		_exit(setrlimit(RLIMIT_FSIZE, &rl) == 0 && write_batches(&c, 2000, 2000) > 0 ? 0 : 1);
	}
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "batch: a batch cut at the file size limit fails");
	is_int(write_n(&c, 1, "fs.write"), 0, "batch: a record after it");
	is_int(verify(NULL, path, NULL, NULL, &r), 0, "batch: still one chain");
	ok(r.torn_lines == 2 && r.records > 14 && r.records < 14 + 400,
	    "batch: %lu records, the cut line named", r.records);
	ok(strstr(slurp(path, NULL), "fs.write record 0") != NULL, "batch: the record after it is there");

	/* checkpoint copies in the log itself: refused (a batch would wait on
	 * its own lock to write them) */
	c.checkpoint_every = 5;
	c.checkpoint_sink = sink;
	ok(osl_log_open(&log, &c, &ident) != NULL,
	    "batch: the log as its own checkpoint sink is refused");
	c.checkpoint_sink = NULL;

	/* 4 processes in batches, 2 one record at a time, rotation under way */
	snprintf(path, sizeof(path), "%s/batches.jsonl", dir);
	snprintf(sink, sizeof(sink), "file:%s", path);
	config(&c, sink);
	c.rotate_size = 200 * 1024;
	c.rotate_keep = 100;
	for (i = 0; i < 6; i++)
		if ((pid = fork()) == 0)
			_exit((i < 4 ? write_batches(&c, 3000, 500) : write_n(&c, 300, "fs.stat")) ?
			    1 : 0);
	for (i = 0; i < 6; i++)
		if (wait(&status) > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			okc++;
	is_int(okc, 6, "batches: 6 writers done");
	snprintf(sink, sizeof(sink), "%s.2", path);
	ok(stat(sink, &st) == 0, "batches: the log rotated");
	is_int(verify_rotated(path, &r), 0, "batches: every file, one chain");
	/* 12,600 records and a log.rotate at the start of each file but the first */
	ok(r.records > 12600 + 10, "batches: %lu records", r.records);
	is_int(r.torn_lines, 0, "batches: no torn line");
}

/* sync: batch: what a sync put on disk leaves the page cache but the last
 * 8 MiB (lib/log/syncer.c): a busy log does not fill memory.  Records
 * written unsynced, then one sync on the syncer's thread, waited for. */
static void
test_page_cache(void)
{
	static const char *const cat[] = { "process" };
	struct osl_log_config c;
	struct osl_log *log;
	char sink[300], path[256], msg[32];
	unsigned char *vec;
	size_t pages, early, i, resident = 0;
	struct statfs fs;
	struct stat st;
	void *map;
	int fd, bad = 0;

	snprintf(path, sizeof(path), "%s/cache.jsonl", dir);
	snprintf(sink, sizeof(sink), "file:%s", path);
	config(&c, sink);
	c.sync = OSL_SYNC_NONE;
	/* tmpfs pages are the file itself: nothing to drop */
	if (statfs(dir, &fs) == 0 && fs.f_type == 0x01021994) {
		ok(1, "# SKIP page cache: %s is on tmpfs", dir);
		return;
	}
	if (osl_log_open(&log, &c, &ident) != NULL) {
		ok(0, "page cache: log opened");
		return;
	}
	osl_log_hold(log);
	for (i = 0; i < 60000; i++) {
		struct osl_log_field f[] = {
			OSL_LOG_STRS("event.category", cat, 1),
			OSL_LOG_STR("event.action", "supervise.output"),
			OSL_LOG_STRN("message", msg, (size_t)snprintf(msg, sizeof(msg), "%zu", i)),
		};

		bad += osl_log_emit_fields(log, OSL_LEVEL_INFO, f, 3) != NULL;
	}
	bad += osl_log_release(log) != NULL;
	/* the sync: batch thread's sync of all of it; close waits for it */
	bad += osl_log_sync_start(log) != 0;
	osl_log_close(log);
	is_int(bad, 0, "page cache: 60,000 records, then one sync");
	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1 ||
	    st.st_size < 16 << 20) {
		ok(0, "page cache: a log of 16 MiB or more");
		return;
	}
	pages = (size_t)(st.st_size + 4095) / 4096;
	/* (pages the range ends in, and the kernel's batches, aside) */
	early = (size_t)(st.st_size - (8 << 20) - (64 << 10)) / 4096;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	vec = malloc(pages);
	if (map != MAP_FAILED && vec && mincore(map, (size_t)st.st_size, vec) == 0)
		for (i = 0; i < early; i++)
			resident += vec[i] & 1;
	/* a folio the kernel holds at that moment stays (seen: 4 pages once);
	 * without the drop, every page stays */
	ok(map != MAP_FAILED && vec && resident <= early / 50,
	    "page cache: %zu of the %zu pages before the last 8 MiB still cached", resident, early);
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	free(vec);
	close(fd);
}

static void
test_checkpoints(void)
{
	struct osl_log_config c;
	struct osl_verify_report r;
	char sink[256], path[256], key[256], pub[256], other[256], opub[256], cps[256], cpsink[300];

	snprintf(path, sizeof(path), "%s/cp.jsonl", dir);
	snprintf(key, sizeof(key), "%s/key", dir);
	snprintf(pub, sizeof(pub), "%s/key.pub", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(opub, sizeof(opub), "%s/other.pub", dir);
	snprintf(cps, sizeof(cps), "%s/checkpoints.jsonl", dir);
	snprintf(sink, sizeof(sink), "file:%s", path);
	snprintf(cpsink, sizeof(cpsink), "file:%s", cps);

	config(&c, sink);
	c.checkpoint_every = 5;
	is_int(write_n(&c, 12, "fs.read"), 0, "12 records, unsigned checkpoints every 5");
	is_int(verify(NULL, path, NULL, NULL, &r), 0, "verifies");
	is_int(r.checkpoints, 2, "two checkpoints");
	is_int(r.unvouched, 3, "three records after the last one");
	unlink(path);

	ok(osl_log_keygen(key, pub) == NULL && osl_log_keygen(other, opub) == NULL, "keygen");
	ok(osl_log_keygen(key, NULL) != NULL, "keygen does not overwrite");
	c.checkpoint_key = key;
	c.checkpoint_sink = cpsink;
	is_int(write_n(&c, 10, "fs.read"), 0, "10 records, signed checkpoints");
	is_int(verify(pub, path, NULL, NULL, &r), 0, "signatures hold");
	is_int(r.signed_checkpoints, 2, "two signed checkpoints");
	is_int(r.unvouched, 1, "one record after the last checkpoint (seq 12; 10 was pinned by 11)");
	ok(verify(opub, path, NULL, NULL, &r) > 0 && strstr(r.why, "another key"),
	    "the wrong key fails: %s", r.why);
	is_int(count_lines(cps), 2, "each checkpoint copied to the checkpoint sink");
	is_int(verify(NULL, cps, NULL, NULL, &r), 0, "the checkpoint sink is a chain of its own");
	chmod(key, 0644);
	{
		struct osl_log *log;

		ok(osl_log_open(&log, &c, &ident) != NULL, "a key readable by others is refused");
	}
}

static void
test_stderr_and_sockets(void)
{
	struct osl_log_config c;
	struct sockaddr_un sa;
	struct strbuf sb = STRBUF_INIT;
	char sock[256], sink[300], buf[8192], pid[32];
	int fds[2], saved, s;
	ssize_t n;

	ok(pipe(fds) == 0, "pipe");
	saved = dup(2);
	dup2(fds[1], 2);
	config(&c, "stderr");
	is_int(write_n(&c, 1, "net.connect"), 0, "stderr sink");
	dup2(saved, 2);
	close(saved);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	buf[n > 0 ? n : 0] = '\0';
	ok(n > 0 && buf[n - 1] == '\n' && strstr(buf, "\"action\":\"net.connect\"") &&
	    strncmp(buf, "{\"@timestamp\":", 14) == 0, "one JSON line on stderr");

	snprintf(sock, sizeof(sock), "%s/log.sock", dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	ok(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0, "a syslog socket");
	snprintf(sink, sizeof(sink), "syslog:%s", sock);
	config(&c, sink);
	is_int(write_n(&c, 1, "fs.write"), 0, "syslog sink");
	n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(pid, sizeof(pid), " web1 osl %ld fs.write - {", (long)getpid());
	ok(n > 0 && strncmp(buf, "<14>1 20", 8) == 0 && strstr(buf, pid) &&
	    buf[n - 1] == '}', "RFC 5424: <14>1 TIME HOST osl PID ACTION - JSON");
	close(s);

	osl_wire_journald(&sb, OSL_LEVEL_ERROR, "two\nlines", "{}", 2);
	ok(sb.len == 8 + 8 + 9 + 1 + 11 + 22 + 18 + 14 &&
	    memcmp(sb.buf, "MESSAGE\n\x09\0\0\0\0\0\0\0two\nlines\nPRIORITY=3\n", 37) == 0 &&
	    strstr(sb.buf + 37, "SYSLOG_IDENTIFIER=osl\n") &&
	    memcmp(sb.buf + sb.len - 14, "OSL_RECORD={}\n", 14) == 0,
	    "journald: binary-safe MESSAGE, PRIORITY, OSL_RECORD");
	sb_release(&sb);
	config(&c, "bogus");
	{
		struct osl_log *log;
		const struct osl_error *e = osl_log_open(&log, &c, &ident);

		ok(e && e->status == OSL_EINPUT, "unknown sink refused");
	}
}

static void
test_full_disk(void)
{
	struct osl_log_config c;
	struct osl_log *log;
	const struct osl_error *e = NULL;
	char mnt[256], sink[300], fill[300];
	static char big[4096];
	int i, fd, saved, devnull;

	snprintf(mnt, sizeof(mnt), "%s/small", dir);
	mkdir(mnt, 0700);
	if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=256k") != 0) {
		ok(1, "# SKIP full disk: needs root to mount a small tmpfs");
		return;
	}
	snprintf(sink, sizeof(sink), "file:%s/log.jsonl", mnt);
	snprintf(fill, sizeof(fill), "%s/fill", mnt);
	config(&c, sink);
	ok(osl_log_open(&log, &c, &ident) == NULL, "open on a small tmpfs");
	ok(osl_log_reserve(log) == NULL, "space reserved");
	fd = open(fill, O_WRONLY | O_CREAT, 0600);
	memset(big, 'x', sizeof(big));
	while (write(fd, big, sizeof(big)) > 0)
		;
	close(fd);
	for (i = 0; i < 50 && (e = osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.write", i))) == NULL; i++)
		;
	ok(i >= 40, "the reserved space took the records (%d)", i);
	for (i = 0; i < 200 && e == NULL; i++)
		e = osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.write", i));
	ok(e && e->status == OSL_EDENIED && strstr(e->msg, "No space left on device") &&
	    strstr(e->msg, "operation refused (on_failure: deny)"), "deny: %s", e ? e->msg : "");
	e = osl_log_reserve(log);
	ok(e && e->status == OSL_EDENIED, "reserve refuses the operation up front");
	osl_log_close(log);

	c.on_failure = OSL_ONFAIL_CONTINUE;
	osl_log_open(&log, &c, &ident);
	saved = dup(2);
	devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 2);
	e = osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.write", 1));
	osl_log_emit(log, OSL_LEVEL_INFO, rec_of("fs.write", 2));
	dup2(saved, 2);
	close(saved);
	close(devnull);
	ok(e == NULL && osl_log_failures(log) == 2, "continue: counted, not refused");
	osl_log_close(log);
	umount2(mnt, MNT_DETACH);
}

int
main(void)
{
	char cmd[300];

	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return 1;
	test_file_basics();
	test_rotation();
	test_reopen();
	test_processes();
	test_batches();
	test_page_cache();
	test_checkpoints();
	test_stderr_and_sockets();
	test_full_disk();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return done_testing();
}
