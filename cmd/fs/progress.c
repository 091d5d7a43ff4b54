/* osl fs cp and mv: progress on standard error while data is copied, when
 * it is a terminal and -q is not given (osl-fs(1), cp). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs-int.h"
#include "util/parse.h"
#include "util/time.h"

enum { DEFAULT_INTERVAL_NS = 250000000 };	/* 4 updates a second */

static struct fs_progress {
	uint64_t done, total, start_ns, last_ns, interval_ns;
	bool shown;
} pg;

/* $OSL_PROGRESS_INTERVAL, read by fs_progress_setting */
static uint64_t interval_ns = DEFAULT_INTERVAL_NS;

/* "12.3 MiB" */
static const char *
human(uint64_t n, char *buf, size_t size)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

static void
show(uint64_t now)
{
	char d[32], t[32], r[32], of[48] = "", eta[32] = "";
	double secs = (double)(now - pg.start_ns) / 1e9;
	double rate = secs > 0 ? (double)pg.done / secs : 0;

	/* "8.0 MiB of 28.6 MiB (27%), 619.8 MiB/s, 0:01 left" */
	if (pg.total && pg.done <= pg.total) {
		snprintf(of, sizeof(of), " of %s (%u%%)", human(pg.total, t, sizeof(t)),
		    (unsigned)(pg.done * 100 / pg.total));
		if (rate > 0) {
			uint64_t left = (uint64_t)((double)(pg.total - pg.done) / rate);

			snprintf(eta, sizeof(eta), ", %llu:%02llu left",
			    (unsigned long long)(left / 60), (unsigned long long)(left % 60));
		}
	}
	fprintf(stderr, "\r%s%s, %s/s%s\033[K", human(pg.done, d, sizeof(d)), of,
	    human((uint64_t)rate, r, sizeof(r)), eta);
	fflush(stderr);
	pg.shown = true;
}

static void
step(void *arg, uint64_t bytes)
{
	uint64_t now = osl_now_mono_ns();

	(void)arg;
	pg.done += bytes;
	if (now - pg.last_ns < pg.interval_ns)
		return;
	pg.last_ns = now;
	show(now);
}

int
fs_progress_setting(void)
{
	const char *iv = getenv("OSL_PROGRESS_INTERVAL");
	uint64_t ns = DEFAULT_INTERVAL_NS;

	/* set and empty is unset, as for $OSL_POLICY */
	if (!iv || !*iv || osl_parse_duration(iv, &ns)) {
		interval_ns = ns;
		return -1;
	}
	return cli_error(osl_error_new(OSL_EINPUT, "$OSL_PROGRESS_INTERVAL: '%.100s': "
	    OSL_BAD_DURATION, iv));
}

void
fs_progress_start(uint64_t total)
{
	if (cli_verbosity < 0 || !isatty(STDERR_FILENO))
		return;
	pg = (struct fs_progress){ .total = total, .interval_ns = interval_ns };
	pg.start_ns = pg.last_ns = osl_now_mono_ns();
	osl_fs_copy_progress(step, NULL);
}

void
fs_progress_end(void)
{
	osl_fs_copy_progress(NULL, NULL);
	if (pg.shown)
		fputs("\r\033[K", stderr);
	pg.shown = false;
}
