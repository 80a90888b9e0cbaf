/* log.c: stderr in the foreground, syslog (the journal) otherwise. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "clock.h"
#include "log.h"

#define LOG_RL_BURST	5
#define LOG_RL_WINDOW	10

static int log_fg = 1;
static int log_v;
static void (*log_out)(int, const char *);

void
log_sink(void (*fn)(int, const char *))
{
	log_out = fn;
}

void
log_init(int foreground, int verbose)
{
	log_fg = foreground;
	log_v = verbose;
	if (!foreground)
		openlog("pmbd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_verbose(void)
{
	return log_v;
}

static void
vlog(int pri, const char *fmt, va_list ap, int with_errno)
{
	char msg[1024];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		size_t n = strlen(msg);

		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	if (log_out != NULL)
		log_out(pri, msg);
	else if (log_fg) {
		static const char *const tag[] = {
			[LOG_ERR] = "error", [LOG_WARNING] = "warning",
			[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
		};
		if (log_v > 0) {	/* debugging: time of day, ms */
			struct timespec ts;
			struct tm tm;

			clock_gettime(CLOCK_REALTIME, &ts);
			localtime_r(&ts.tv_sec, &tm);
			fprintf(stderr, "%02d:%02d:%02d.%03ld ", tm.tm_hour,
			    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
		}
		fprintf(stderr, "pmbd: %s: %s\n", tag[pri] ? tag[pri] : "",
		    msg);
	} else
		syslog(pri, "%s", msg);
	errno = saved;
}

#define LOG_BODY(pri, e) do {			\
	va_list ap;				\
	va_start(ap, fmt);			\
	vlog((pri), fmt, ap, (e));		\
	va_end(ap);				\
} while (0)

void log_warn(const char *fmt, ...) { LOG_BODY(LOG_WARNING, 1); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_WARNING, 0); }
void log_info(const char *fmt, ...) { LOG_BODY(LOG_INFO, 0); }

void
log_debug(const char *fmt, ...)
{
	if (log_v > 0)
		LOG_BODY(LOG_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, 1);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, 0);
	exit(1);
}

void
log_rl(struct log_rl *rl, const char *fmt, ...)
{
	uint64_t win;

	win = clock_ms() / 1000 / LOG_RL_WINDOW;
	if (win != rl->window) {
		if (rl->dropped > 0)
			log_warnx("%s: %u similar messages suppressed",
			    rl->what, rl->dropped);
		rl->window = win;
		rl->count = 0;
		rl->dropped = 0;
	}
	if (rl->count >= LOG_RL_BURST) {
		rl->dropped++;
		return;
	}
	rl->count++;
	LOG_BODY(rl->info ? LOG_INFO : LOG_WARNING, 0);
}

const char *
log_escape(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return out;
	for (size_t i = 0; i < n && o + 5 < outlen; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x",
			    p[i]);
	}
	out[o] = '\0';
	return out;
}
