/* bench-proc: where the start-up of `osl proc run` goes, phase by phase, in
 * one process (test/bench/bench-proc.sh times whole processes).  Prints the
 * minimum and the median of N rounds of each, in microseconds:
 *	proc.phase policy load (builtin:default): ...
 *	proc.phase seccomp filter, build-time copy / libseccomp tree / linear
 *	proc.phase sandbox prepare (landlock ruleset, report, filter)
 *	proc.phase seccomp attach in a child: default, strict
 *	proc.phase sandbox apply in a child: with / without the noexec mounts,
 *		without the private /tmp
 *	proc.phase spawn /bin/true: bare, sandboxed
 * Build: make bench (or cc -O2 -Ilib -Ithird_party -Ibuild/gen test/bench/bench-proc.c
 *	build/libosl-int.a -lyaml -lseccomp -lhogweed -lnettle) */
#include <linux/filter.h>
#include <sched.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "policy/policy.h"
#include "proc/proc.h"
#include "sandbox/sandbox.h"

#define N 100

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
print(const char *what, double *t)
{
	qsort(t, N, sizeof(*t), cmp);
	printf("proc.phase %s: min %.0f us, median %.0f us\n", what, t[0], t[N / 2]);
}

static void __attribute__((noreturn))
die(const char *what, const struct osl_error *err)
{
	fprintf(stderr, "bench-proc: %s: %s\n", what, err ? err->msg : "failed");
	exit(1);
}

/* FN(ARG) in a fresh child, which reports how long the call took. */
static double
child_us(int (*fn)(const void *), const void *arg)
{
	double d = -1;
	int p[2];
	pid_t c;

	if (pipe(p) == -1 || (c = fork()) == -1)
		die("fork", NULL);
	if (c == 0) {
		double t0 = now_us();

		if (fn(arg) == -1)
			_exit(1);
		d = now_us() - t0;
		_exit(write(p[1], &d, sizeof(d)) == sizeof(d) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &d, sizeof(d)) != sizeof(d))
		die("a call in a child", NULL);
	close(p[0]);
	waitpid(c, NULL, 0);
	return d;
}

/* Attach a seccomp program (no_new_privs first, as osl does). */
static int
attach(const void *prog)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
}

static int
apply(const void *sb)
{
	const char *step;

	return osl_sandbox_apply(sb, NULL, &step) ? -1 : 0;
}

static double
spawn_us(const struct osl_sandbox *sb)
{
	char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
	struct osl_spawn sp = { .path = "/bin/true", .argv = argv, .envp = envp, .setsid = true,
	    .sb = sb };
	struct osl_proc_result res;
	const struct osl_error *err;
	double t0 = now_us();

	if ((err = osl_proc_spawn(&sp)) || (err = osl_proc_wait(&sp, 0, 0, &res)))
		die("spawn", err);
	return now_us() - t0;
}

int
main(void)
{
	struct osl_policy_env env = { .home = getenv("HOME"), .pwd = "/tmp", .uid = "0",
	    .user = "bench" };
	struct osl_seccomp sec[2] = { { .base = OSL_SECCOMP_DEFAULT }, { .base = OSL_SECCOMP_STRICT } };
	static double t[N];
	const struct osl_error *err;
	struct osl_sandbox_opts so = { 0 };
	struct osl_sandbox sb;
	struct osl_policy *p = NULL;
	unsigned short len;
	const char *prof;
	void *bpf;

	for (int i = 0; i < N; i++) {
		double t0 = now_us();

		osl_policy_free(p);
		if ((err = osl_policy_load(&p, "builtin:default", &env)))
			die("policy load", err);
		t[i] = now_us() - t0;
	}
	print("policy load (builtin:default)", t);
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < N; i++) {
			double t0 = now_us();

			err = k == 0 ? osl_seccomp_build(&sec[0], true, false, &bpf, &len, &prof) :
			    osl_seccomp_compile(&sec[0], true, false, k == 1, &bpf, &len);
			if (err)
				die("seccomp", err);
			t[i] = now_us() - t0;
			free(bpf);
		}
		print(k == 0 ? "seccomp default filter, build-time copy" : k == 1 ?
		    "seccomp default filter, libseccomp tree" :
		    "seccomp default filter, libseccomp linear", t);
	}
	so.limits = p->limits;
	for (int i = 0; i < N; i++) {
		double t0 = now_us();

		if ((err = osl_sandbox_prepare(&sb, p, &so)))
			die("sandbox prepare", err);
		t[i] = now_us() - t0;
		osl_sandbox_release(&sb);
	}
	print("sandbox prepare (landlock ruleset, report, filter)", t);
	for (int k = 0; k < 2; k++) {
		struct sock_fprog prog;

		if ((err = osl_seccomp_build(&sec[k], true, false, &bpf, &len, &prof)))
			die("seccomp", err);
		prog.len = len;
		prog.filter = bpf;
		for (int i = 0; i < N; i++)
			t[i] = child_us(attach, &prog);
		free(bpf);
		print(k ? "seccomp attach in a child, strict" : "seccomp attach in a child, default", t);
	}
	if ((err = osl_sandbox_prepare(&sb, p, &so)))
		die("sandbox prepare", err);
	{
		/* the same sandbox but for the exec trees (the namespace and the
		 * deny over-mounts stay), rounds interleaved */
		struct osl_sandbox noex = sb, notmp = sb;
		static double u[N], v[N];

		noex.nexec_trees = 0;
		notmp.tmp_dirs = 0;	/* proc.tmp: shared */
		for (int i = 0; i < N; i++) {
			t[i] = child_us(apply, &sb);
			u[i] = child_us(apply, &noex);
			v[i] = child_us(apply, &notmp);
		}
		printf("proc.phase (%zu exec trees)\n", sb.nexec_trees);
		print("sandbox apply in a child, with the noexec mounts (builtin:default)", t);
		print("sandbox apply in a child, without them", u);
		print("sandbox apply in a child, without the private /tmp (proc.tmp: shared)", v);
	}
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < N; i++)
			t[i] = spawn_us(k ? &sb : NULL);
		print(k ? "spawn+wait /bin/true, sandboxed (builtin:default)" :
		    "spawn+wait /bin/true, bare", t);
	}
	{
		/* what the IPC and UTS namespaces and the capability drop add,
		 * the private /tmp (its tmpfs torn down at exit too), and a PID
		 * namespace with osl as its init (proc.namespaces: [pid]): the
		 * same sandbox with and without each, rounds interleaved */
		struct osl_sandbox without = sb, notmp = sb, pid;
		static double u[N], v[N], w[N];
		unsigned saved = p->namespaces;

		without.ns_flags &= ~(unsigned)(CLONE_NEWIPC | CLONE_NEWUTS);
		without.caps_drop = false;
		notmp.tmp_dirs = 0;
		p->namespaces |= OSL_NS_PID;
		if ((err = osl_sandbox_prepare(&pid, p, &so)))
			die("sandbox prepare", err);
		p->namespaces = saved;
		for (int i = 0; i < N; i++) {
			t[i] = spawn_us(&sb);
			u[i] = spawn_us(&without);
			w[i] = spawn_us(&notmp);
			v[i] = spawn_us(&pid);
		}
		print("spawn+wait /bin/true, sandboxed, with ipc+uts namespaces and the capability drop", t);
		print("spawn+wait /bin/true, sandboxed, without them", u);
		print("spawn+wait /bin/true, sandboxed, shared /tmp (proc.tmp: shared)", w);
		print("spawn+wait /bin/true, sandboxed, and a PID namespace (osl its init)", v);
		osl_sandbox_release(&pid);
	}
	osl_sandbox_release(&sb);
	osl_policy_free(p);
	return 0;
}
