/*
 * log.h: the one logging vocabulary (relayd style).  log_warn adds
 * strerror(errno), log_warnx does not; fatal/fatalx exit.  Anything a
 * remote peer can trigger goes through a struct log_rl rate limiter.
 * Secrets (passwords, keys) are never passed to these functions.
 */
#ifndef PMBD_LOG_H
#define PMBD_LOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_FMT(a, b)	__attribute__((format(printf, a, b)))

void	log_init(int foreground, int verbose);
/* Send every line here instead (the journal, with fields), or NULL. */
void	log_sink(void (*)(int priority, const char *));
int	log_verbose(void);
void	log_warn(const char *, ...) LOG_FMT(1, 2);
void	log_warnx(const char *, ...) LOG_FMT(1, 2);
void	log_info(const char *, ...) LOG_FMT(1, 2);
void	log_debug(const char *, ...) LOG_FMT(1, 2);
_Noreturn void fatal(const char *, ...) LOG_FMT(1, 2);
_Noreturn void fatalx(const char *, ...) LOG_FMT(1, 2);

/* At most `burst` lines per 10 s window; the rest are counted and reported. */
struct log_rl {
	const char	*what;
	uint64_t	 window;
	unsigned	 count;
	unsigned	 dropped;
	int		 info;		/* log at info level, not warning */
};
#define LOG_RL_INIT(w)	{ (w), 0, 0, 0, 0 }
#define LOG_RL_INFO(w)	{ (w), 0, 0, 0, 1 }
void	log_rl(struct log_rl *, const char *, ...) LOG_FMT(2, 3);

/* Escape untrusted bytes (user names, peer text) into printable text. */
const char *log_escape(const uint8_t *, size_t, char *, size_t);

#endif
