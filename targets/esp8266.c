/*
 * esp8266.c: a target behind an ESP8266 relay board (ESP-01S relay module
 * and the like) running esp8266-universal-io-bridge, the setup pypmi's
 * Esp8266Bmc drives.  The relay is wired to the server's power button, an
 * input pin to its power LED, the ESP's UART to the server's console.
 *
 * The reply grammar is in esp8266_parse.c, the options in esp8266_conf.c.
 *
 * The ESP cannot time a press here: the daemon does.  Before a press is
 * sent, the release is scheduled in this driver's state (a timerfd and the
 * core's tick drive it); the release is retried until the ESP confirms the
 * released level.  A command that gets no reply closes the link; on every
 * (re)connect the output pins are checked and released before anything
 * else.  This is weaker than the Pico's own alarm: see docs/esp8266.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "esp8266.h"
#include "ipmi.h"
#include "log.h"

#define ESP_CMD_MS	1500	/* a reply takes longer: the link is dead */
#define ESP_CONNECT_MS	3000
#define ESP_BACKOFF_MIN	500
#define ESP_BACKOFF_MAX	10000
#define ESP_BAD_FW_MS	30000	/* retry after a protocol mismatch */
#define ESP_POLL_MS	500	/* sense pin poll, keeps the link alive */
#define ESP_KEEPALIVE_MS 10000	/* without a sense pin */
#define ESP_CYCLE_WAIT_MS 10000	/* cycle: the machine must go off by then */
#define ESP_CYCLE_GAP_MS 2000	/* off, then on after this */
#define ESP_DIAG_MS	ESP_PULSE_MIN_MS
#define ESP_RESET_MS	1000	/* reconnect after restarting the ESP */
/* A firmware that does not speak what we expect. */
#define CC_FIRMWARE	CC_DEST_UNAVAILABLE

enum { L_POWER, L_RESET, L_MAX };	/* the output lines */

enum esp_cmd {
	C_NONE,
	C_KEEPALIVE,
	C_PIN_CHECK,	/* im 0 P */
	C_PIN_MODE,	/* im 0 P doutput|dinput */
	C_PIN_FLAG,	/* isf|icf 0 P autostart|invert */
	C_RELEASE,	/* iw 0 P released */
	C_PRESS,	/* iw 0 P pressed */
	C_SENSE_READ,	/* ir 0 S */
	C_UART_READ,	/* ub 0, ud 0, us 0, up 0, bp */
	C_UART_SET,
	C_VERIFY,	/* ir 0 P: an output is at its released level */
	C_RESET,	/* r: restart the ESP (a new bridge port) */
};

enum uart_item { U_BAUD, U_DATA, U_STOP, U_PARITY, U_PORT, U_MAX };

struct esp_pin {
	int		 pin;		/* ESP_NO_PIN: not wired */
	int		 output;
	int		 invert;
	int		 check;		/* im 0 P due */
	int		 fix_mode;
	int		 fix_autostart;	/* isf/icf autostart due */
	int		 fix_invert;	/* icf invert due */
	int		 fw_invert;	/* the ESP's invert flag, in force now */
	int		 verify;	/* ir 0 P due before the link is ready */
	/* Outputs: the pin may be pressed until a release is confirmed. */
	int		 want_release;
	uint64_t	 release_at;
	int		 fails;		/* errors on release in a row */
};

struct esp_plan {
	int		 active;
	int		 line;
	unsigned	 ms;
	int		 has_token;
	uint32_t	 token;
	int		 boot;		/* a press that starts the machine */
};

struct esp {
	const struct esp_conf	*cf;
	struct target_src	*src;
	struct esp_console	*con;
	uint64_t		 now;
	/* Address. */
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct gaicb		*gai;	/* a lookup in progress */
	/* The command link. */
	int			 fd;
	void			*io;
	int			 connected;
	int			 ready;		/* set up: power actions go */
	int			 incompatible;	/* its replies made no sense */
	uint64_t		 deadline;	/* connect or reply */
	uint64_t		 retry_at;
	unsigned		 backoff;
	int			 down_logged;
	char			 out[96];
	size_t			 outlen;
	char			 in[ESP_LINE_MAX];
	size_t			 inlen;
	enum esp_cmd		 cmd;		/* in flight */
	int			 cmd_pin;	/* index into pins[] */
	int			 cmd_item;
	char			 cmd_text[64];
	/* Pins: the two outputs, then the sense input. */
	struct esp_pin		 pins[L_MAX + 1];
	int			 sense_valid;
	int			 sensed_on;
	int			 assumed_on;	/* without a sense pin */
	uint64_t		 poll_at;
	/* UART: what is to be read (1) or set (2). */
	int			 uart[U_MAX];
	unsigned		 want_baud;
	int			 reset_due;	/* r, once nothing is pressed */
	int			 bp_reset;	/* restarted for bp last link */
	/* Power. */
	struct esp_plan		 plan;
	int			 cycle;		/* 1: wait for off, 2: press at */
	uint64_t		 cycle_at;
	uint8_t			 last_event;
	/* The release timer. */
	int			 tfd;
	void			*tio;
};

#define SENSE	L_MAX

static void esp_poll(struct esp *);

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the command link ------------------------------------------------ */

static int
released_level(const struct esp_pin *p)
{
	return p->invert ? 1 : 0;
}

/*
 * The value iw writes, ir reads and the pin dump shows for a physical
 * level: the firmware inverts them when its invert flag is set (io_gpio.c
 * read_pin/write_pin).  The driver clears that flag, but until it has, a
 * release must still be a release.
 */
static int
logical(const struct esp_pin *p, int level)
{
	return level ^ (p->fw_invert != 0);
}

static void
printable(char *dst, size_t max, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < max && s[i] != '\0'; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[i] = '\0';
}

static void
esp_arm(struct esp *e)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	uint64_t when = 0;

	if (e->tfd < 0)
		return;
	/*
	 * Every pending release has its deadline: the earliest still to come
	 * (one already due goes out as soon as the command in flight is
	 * answered, and the reply re-arms this for the next one).
	 */
	for (int i = 0; i < L_MAX; i++)
		if (e->pins[i].want_release && e->pins[i].release_at > e->now &&
		    (when == 0 || e->pins[i].release_at < when))
			when = e->pins[i].release_at;
	if (e->cycle == 2 && e->cycle_at > e->now &&
	    (when == 0 || e->cycle_at < when))
		when = e->cycle_at;
	if (when != 0) {
		its.it_value.tv_sec = (time_t)(when / 1000);
		its.it_value.tv_nsec = (long)(when % 1000) * 1000000;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(e->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
esp_want(struct esp *e)
{
	const struct target_env *env = e->src->t->env;

	if (e->io != NULL && env->io_want != NULL)
		env->io_want(e->io, e->connected, !e->connected ||
		    e->outlen > 0);
}

static void
plan_answer(struct esp *e, int cc)
{
	if (e->plan.has_token)
		target_done(e->src->t, e->plan.token, cc);
	e->plan.has_token = 0;
}

/* Close the command link; every output is released first once back. */
static void
esp_drop(struct esp *e, const char *why, unsigned retry_ms)
{
	const struct target_env *env = e->src->t->env;

	if (e->io != NULL && env->io_del != NULL)
		env->io_del(e->io);
	e->io = NULL;
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	if (e->plan.active) {
		/* sent and unconfirmed: nobody knows; not sent: offline */
		plan_answer(e, e->cmd == C_PRESS ? CC_TIMEOUT :
		    e->incompatible ? CC_FIRMWARE : CC_NOT_SUPPORTED_STATE);
		e->plan.active = 0;
	}
	e->cycle = 0;
	for (int i = 0; i <= L_MAX; i++) {
		struct esp_pin *p = &e->pins[i];

		if (p->pin == ESP_NO_PIN)
			continue;
		p->check = 1;
		p->fix_mode = p->fix_autostart = p->fix_invert = 0;
		if (p->output) {
			p->want_release = 1;	/* whatever it was doing */
			p->release_at = 0;
			p->verify = 1;
		}
	}
	/* The ESP may have restarted, or been replaced: read it all again. */
	for (int i = 0; i < U_MAX; i++)
		e->uart[i] = e->cf->bridge_port != 0;
	e->reset_due = 0;
	if (e->ready)
		target_event(e->src->t, TARGET_EV_LINK_DOWN);
	if (e->ready || !e->down_logged)
		log_warnx("target %s: esp8266 %s:%u: %s; reconnecting in %u "
		    "ms", e->src->t->name, e->cf->host, e->cf->command_port,
		    why, retry_ms);
	e->down_logged = 1;
	e->connected = e->ready = 0;
	e->sense_valid = 0;
	e->cmd = C_NONE;
	e->outlen = e->inlen = 0;
	e->retry_at = e->now + retry_ms;
}

static void
esp_fail(struct esp *e, const char *why)
{
	unsigned b = e->backoff;

	e->backoff = b == 0 ? ESP_BACKOFF_MIN : b * 2 > ESP_BACKOFF_MAX ?
	    ESP_BACKOFF_MAX : b * 2;
	esp_drop(e, why, b == 0 ? ESP_BACKOFF_MIN : e->backoff);
}

/* A reply that is not what this firmware should say. */
static void
esp_protocol(struct esp *e, const char *line, int refused)
{
	char l[128], why[320];
	int old = strstr(line, "invalid mode") != NULL ||
	    strstr(line, "command unknown") != NULL;

	printable(l, sizeof(l), line);
	log_warnx("target %s: esp8266 %s: %s \"%s\": \"%s\"%s",
	    e->src->t->name, e->cf->host, refused ? "the ESP refused" :
	    "unexpected reply to", e->cmd_text, l, old ? "; this needs "
	    "esp8266-universal-io-bridge from 2018 or later (pin modes "
	    "dinput/doutput), see docs/esp8266.md" : "");
	e->incompatible = 1;
	snprintf(why, sizeof(why), "firmware not understood");
	plan_answer(e, CC_FIRMWARE);
	e->plan.active = 0;
	e->down_logged = 0;
	esp_drop(e, why, ESP_BAD_FW_MS);
}

static void
esp_flush(struct esp *e)
{
	ssize_t n;

	if (e->fd < 0 || e->outlen == 0)
		return;
	n = send(e->fd, e->out, e->outlen, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		esp_fail(e, "send failed");
		return;
	}
	memmove(e->out, e->out + n, e->outlen - (size_t)n);
	e->outlen -= (size_t)n;
}

static void
esp_send(struct esp *e, enum esp_cmd cmd, int pin, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
esp_send(struct esp *e, enum esp_cmd cmd, int pin, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->cmd_text, sizeof(e->cmd_text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 > sizeof(e->out))
		return;
	log_debug("target %s: esp8266 > %s", e->src->t->name, e->cmd_text);
	memcpy(e->out, e->cmd_text, (size_t)n);
	memcpy(e->out + n, "\r\n", 2);
	e->outlen = (size_t)n + 2;
	e->cmd = cmd;
	e->cmd_pin = pin;
	e->deadline = e->now + ESP_CMD_MS;
	esp_flush(e);
	esp_want(e);
}

static int
sense_level_on(const struct esp *e, long level)
{
	return (level != 0) != (e->pins[SENSE].invert != 0);
}

static void
sensed(struct esp *e, int on)
{
	if (e->sense_valid && on && !e->sensed_on) {
		e->last_event = 0;
		target_event(e->src->t, TARGET_EV_BOOT);
	}
	if (e->sense_valid && on != e->sensed_on)
		log_info("target %s: esp8266: power is %s", e->src->t->name,
		    on ? "on" : "off");
	e->sensed_on = on;
	e->sense_valid = 1;
}

static const char *const uart_cmd[U_MAX] = { "ub 0", "ud 0", "us 0",
    "up 0", "bp" };

/* Our wish for UART item i, as the firmware prints it. */
static void
uart_want(const struct esp *e, int i, char *buf, size_t n)
{
	switch (i) {
	case U_BAUD:
		snprintf(buf, n, "%u", e->want_baud);
		break;
	case U_DATA:
		snprintf(buf, n, "%u", e->cf->data_bits);
		break;
	case U_STOP:
		snprintf(buf, n, "%u", e->cf->stop_bits);
		break;
	case U_PARITY:
		snprintf(buf, n, "%s", e->cf->parity);
		break;
	default:
		snprintf(buf, n, "%u", e->cf->bridge_port);
		break;
	}
}

/* A complete reply to the command in flight (the line that ends it). */
static void
esp_reply(struct esp *e, const struct esp_parsed *r, const char *line)
{
	struct esp_pin *p = e->cmd_pin >= 0 ? &e->pins[e->cmd_pin] : NULL;
	enum esp_cmd cmd = e->cmd;
	char want[16], got[24];
	int ok;

	switch (cmd) {
	case C_KEEPALIVE:
		ok = r->kind == ESP_R_EMPTY || (r->kind == ESP_R_ERROR &&
		    strstr(line, ": command unknown") != NULL);
		if (!ok)
			goto unexpected;
		break;
	case C_PIN_CHECK:
	case C_PIN_MODE:
		if (r->kind != ESP_R_PIN_DUMP || r->pin != p->pin)
			goto unexpected;
		ok = strcmp(r->mode, p->output ? "digital output" :
		    "digital input") == 0;
		if (!ok && cmd == C_PIN_MODE)
			goto unexpected;
		p->check = 0;
		p->fix_mode = !ok;
		if (p->fix_mode)
			log_info("target %s: esp8266: GPIO %d is \"%s\", "
			    "setting %s", e->src->t->name, p->pin, r->mode,
			    p->output ? "doutput" : "dinput");
		p->fw_invert = esp8266_flag_set(r->flags, "invert");
		p->fix_autostart = p->output && esp8266_flag_set(r->flags,
		    "autostart") != released_level(p);
		p->fix_invert = p->fw_invert;
		if (cmd == C_PIN_MODE && p->output) {
			/*
			 * A mode change deletes the pin's stored flags but
			 * leaves those in RAM (io.c): store them again, or the
			 * next boot forgets autostart.  And the pin is now at
			 * the firmware's off level (io_gpio.c init_pin_mode):
			 * physically low, pressed for an inverted relay.
			 */
			p->fix_autostart = released_level(p) ||
			    esp8266_flag_set(r->flags, "autostart");
			p->want_release = 1;
			p->release_at = 0;
		}
		if (ok && !p->output && r->state >= 0)
			sensed(e, sense_level_on(e, r->state));
		if (ok && p->output && r->state >= 0 &&
		    r->state != logical(p, released_level(p)))
			log_warnx("target %s: esp8266: GPIO %d was found "
			    "pressed; releasing it", e->src->t->name, p->pin);
		break;
	case C_PIN_FLAG:
		if (r->kind != ESP_R_FLAGS || r->pin != p->pin)
			goto unexpected;
		p->fw_invert = esp8266_flag_set(r->flags, "invert");
		if (p->output) {
			/* The flag change re-ran init_pin_mode: the pin is at
			 * the firmware's off level, pressed for an inverted
			 * relay.  Release it again, before anything else. */
			p->want_release = 1;
			p->release_at = 0;
		}
		if (p->fix_invert)
			p->fix_invert = esp8266_flag_set(r->flags, "invert");
		else
			p->fix_autostart = p->output &&
			    esp8266_flag_set(r->flags, "autostart") !=
			    released_level(p);
		if (p->fix_invert || p->fix_autostart)
			goto unexpected;
		break;
	case C_RELEASE:
		if (r->kind != ESP_R_VALUE || strcmp(r->mode,
		    "digital output") != 0 ||
		    r->value != logical(p, released_level(p)))
			goto unexpected;
		p->want_release = 0;
		p->release_at = 0;
		p->fails = 0;
		log_debug("target %s: esp8266: GPIO %d released",
		    e->src->t->name, p->pin);
		break;
	case C_PRESS:
		if (r->kind != ESP_R_VALUE || strcmp(r->mode,
		    "digital output") != 0 ||
		    r->value == logical(p, released_level(p)))
			goto unexpected;
		plan_answer(e, CC_OK);
		e->last_event = 0;
		if (e->plan.boot && (e->plan.line == L_RESET ||
		    e->pins[SENSE].pin == ESP_NO_PIN))
			target_event(e->src->t, TARGET_EV_BOOT);
		e->plan.active = 0;
		break;
	case C_VERIFY:
		if (r->kind != ESP_R_VALUE || strcmp(r->mode,
		    "digital output") != 0)
			goto unexpected;
		p->verify = 0;
		if (r->value != logical(p, released_level(p))) {
			log_warnx("target %s: esp8266: GPIO %d reads %ld after "
			    "the set-up, not released; releasing it again",
			    e->src->t->name, p->pin, r->value);
			p->want_release = 1;
			p->release_at = 0;
			p->verify = 1;
		}
		break;
	case C_RESET:
		if (r->kind != ESP_R_RESET)
			goto unexpected;
		e->cmd = C_NONE;
		e->reset_due = 0;
		e->bp_reset = 1;
		esp_drop(e, "restarted to open its new bridge port",
		    ESP_RESET_MS);
		return;
	case C_SENSE_READ:
		if (r->kind != ESP_R_VALUE || strcmp(r->mode,
		    "digital input") != 0 || (r->value != 0 && r->value != 1))
			goto unexpected;
		sensed(e, sense_level_on(e, r->value));
		break;
	case C_UART_READ:
	case C_UART_SET: {
		static const enum esp_reply kinds[U_MAX] = { ESP_R_BAUD,
		    ESP_R_DATA_BITS, ESP_R_STOP_BITS, ESP_R_PARITY,
		    ESP_R_PORT };
		int i = e->cmd_item;

		if (cmd == C_UART_SET && r->kind == ESP_R_ERROR &&
		    strstr(line, "cannot") != NULL && strstr(line,
		    "config") != NULL) {
			/* pypmi accepts these: the value may be the default */
			log_warnx("target %s: esp8266: \"%s\" answered \"%s\"",
			    e->src->t->name, e->cmd_text, "cannot set config");
			e->uart[i] = 0;
			break;
		}
		if (r->kind != kinds[i])
			goto unexpected;
		if (r->kind == ESP_R_PARITY)
			snprintf(got, sizeof(got), "%s", r->word);
		else
			snprintf(got, sizeof(got), "%ld", r->value);
		uart_want(e, i, want, sizeof(want));
		if (strcmp(got, want) == 0) {
			e->uart[i] = 0;
			if (i == U_PORT && cmd == C_UART_SET) {
				/* dispatch.c opens the bridge only at boot */
				if (!e->bp_reset)
					e->reset_due = 1;
				else
					log_warnx("target %s: esp8266: the bridge "
					    "port was set again after a restart "
					    "(does this firmware keep it?); not "
					    "restarting it again",
					    e->src->t->name);
			} else if (i == U_PORT)
				e->bp_reset = 0;
		} else if (cmd == C_UART_READ) {
			log_info("target %s: esp8266: %s is %s, setting %s",
			    e->src->t->name, uart_cmd[i], got, want);
			e->uart[i] = 2;
		} else
			goto unexpected;
		break;
	}
	default:
		goto unexpected;
	}
	e->cmd = C_NONE;
	return;
unexpected:
	if (cmd == C_RELEASE && r->kind == ESP_R_ERROR && ++p->fails < 3) {
		/* try again; the release stays due */
		log_warnx("target %s: esp8266: release of GPIO %d refused: "
		    "\"%s\"; retrying", e->src->t->name, p->pin, line);
		e->cmd = C_NONE;
		return;
	}
	esp_protocol(e, line, r->kind == ESP_R_ERROR);
}

static void
esp_line(struct esp *e, const char *line)
{
	struct esp_parsed r;

	if (line[0] == '\0' || strcmp(line, "\r") == 0)
		return;			/* blank lines carry nothing */
	esp8266_parse(line, &r);
	if (r.kind == ESP_R_IO_HEADER && (e->cmd == C_PIN_CHECK ||
	    e->cmd == C_PIN_MODE))
		return;			/* the dump's first line */
	if (e->cmd == C_NONE) {
		snprintf(e->cmd_text, sizeof(e->cmd_text), "(nothing)");
		esp_protocol(e, line, 0);
		return;
	}
	esp_reply(e, &r, line);
}

static void
esp_read(struct esp *e)
{
	char buf[1024];
	ssize_t n;

	n = recv(e->fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		esp_fail(e, n == 0 ? "closed by the ESP" : "receive failed");
		return;
	}
	for (ssize_t i = 0; i < n && e->fd >= 0; i++) {
		if (buf[i] == '\n') {
			e->in[e->inlen] = '\0';
			e->inlen = 0;
			esp_line(e, e->in);
		} else if (e->inlen + 1 >= sizeof(e->in)) {
			snprintf(e->cmd_text, sizeof(e->cmd_text), "%s",
			    e->cmd == C_NONE ? "(nothing)" : e->cmd_text);
			e->inlen = 0;
			esp_protocol(e, "(a line longer than 512 bytes)", 0);
		} else
			e->in[e->inlen++] = buf[i];
	}
}

static void
esp_connected(struct esp *e)
{
	int err = 0, one = 1;
	socklen_t len = sizeof(err);

	if (getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		char why[128];

		snprintf(why, sizeof(why), "connect: %s", strerror(err ? err :
		    errno));
		esp_fail(e, why);
		return;
	}
	setsockopt(e->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	e->connected = 1;
	e->cmd = C_NONE;
	log_debug("target %s: esp8266 %s: connected", e->src->t->name,
	    e->cf->host);
}

static void
esp_io_cb(void *arg, int readable, int writable)
{
	struct esp *e = arg;

	e->now = now_ms();
	if (!e->connected) {
		if (writable || readable)
			esp_connected(e);
	} else {
		if (writable)
			esp_flush(e);
		if (readable && e->fd >= 0)
			esp_read(e);
	}
	if (e->fd >= 0)
		esp_poll(e);
	if (e->fd >= 0)
		esp_want(e);
}

static void
esp_timer_cb(void *arg, int readable, int writable)
{
	struct esp *e = arg;
	uint64_t n;

	(void)writable;
	if (readable && read(e->tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug("esp8266: timerfd read failed");
	e->now = now_ms();
	esp_poll(e);
}

static void
gai_free(struct gaicb *g)
{
	if (g == NULL)
		return;
	free((void *)(uintptr_t)g->ar_request);
	free((void *)(uintptr_t)g->ar_name);
	free(g);
}

/* The host's address: numeric at once, a name through getaddrinfo_a. */
static int
esp_resolve(struct esp *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICHOST }, *res = NULL, *h;
	struct gaicb *list[1];
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	int rc;

	if (e->gai != NULL) {
		rc = gai_error(e->gai);
		if (rc == EAI_INPROGRESS)
			return 1;
		res = e->gai->ar_result;
		if (rc == 0 && res != NULL) {
			memcpy(&e->ss, res->ai_addr, res->ai_addrlen);
			e->sslen = res->ai_addrlen;
		}
		if (res != NULL)
			freeaddrinfo(res);
		gai_free(e->gai);
		e->gai = NULL;
		return rc == 0 && e->sslen > 0 ? 0 : -1;
	}
	if (getaddrinfo(e->cf->host, NULL, &hints, &res) == 0) {
		memcpy(&e->ss, res->ai_addr, res->ai_addrlen);
		e->sslen = res->ai_addrlen;
		freeaddrinfo(res);
		return 0;
	}
	if ((e->gai = calloc(1, sizeof(*e->gai))) == NULL)
		return -1;
	e->gai->ar_name = strdup(e->cf->host);
	if ((h = calloc(1, sizeof(*h))) != NULL)
		h->ai_socktype = SOCK_STREAM;
	e->gai->ar_request = h;
	list[0] = e->gai;
	if (e->gai->ar_name == NULL || h == NULL ||
	    getaddrinfo_a(GAI_NOWAIT, list, 1, &sev) != 0) {
		gai_free(e->gai);
		e->gai = NULL;
		return -1;
	}
	return 1;
}

static void
esp_connect(struct esp *e)
{
	const struct target_env *env = e->src->t->env;
	struct sockaddr_storage ss;
	int rc;

	if (e->sslen == 0) {
		if ((rc = esp_resolve(e)) == 1)
			return;		/* looking it up */
		if (rc != 0) {
			esp_fail(e, "cannot resolve the host");
			return;
		}
		if (e->con != NULL)
			esp_console_addr(e->con, &e->ss, e->sslen);
	}
	ss = e->ss;
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port =
		    htons(e->cf->command_port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port =
		    htons(e->cf->command_port);
	e->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (e->fd < 0) {
		esp_fail(e, "socket failed");
		return;
	}
	if (connect(e->fd, (struct sockaddr *)&ss, e->sslen) != 0 &&
	    errno != EINPROGRESS) {
		char why[128];

		snprintf(why, sizeof(why), "connect: %s", strerror(errno));
		esp_fail(e, why);
		return;
	}
	if (env->io_add != NULL && (e->io = env->io_add(env->ioarg, e->fd,
	    esp_io_cb, e)) == NULL) {
		esp_fail(e, "cannot watch the socket");
		return;
	}
	e->connected = 0;
	e->deadline = e->now + ESP_CONNECT_MS;
	esp_want(e);
}

/* The next command, when none is in flight: releases come first. */
static void
esp_next(struct esp *e)
{
	struct esp_pin *p;
	char want[16];

	for (int i = 0; i < L_MAX; i++) {
		p = &e->pins[i];
		if (p->pin != ESP_NO_PIN && p->want_release && !p->check &&
		    !p->fix_mode && e->now >= p->release_at) {
			esp_send(e, C_RELEASE, i, "iw 0 %d %d", p->pin,
			    logical(p, released_level(p)));
			return;
		}
	}
	for (int i = 0; i <= L_MAX; i++) {
		p = &e->pins[i];
		if (p->pin == ESP_NO_PIN)
			continue;
		if (p->check) {
			esp_send(e, C_PIN_CHECK, i, "im 0 %d", p->pin);
			return;
		}
		if (p->fix_mode) {
			esp_send(e, C_PIN_MODE, i, "im 0 %d %s", p->pin,
			    p->output ? "doutput" : "dinput");
			return;
		}
	}
	for (int i = 0; i <= L_MAX; i++) {
		p = &e->pins[i];
		if (p->pin == ESP_NO_PIN)
			continue;
		if (p->fix_invert) {
			esp_send(e, C_PIN_FLAG, i, "icf 0 %d invert", p->pin);
			return;
		}
		if (p->fix_autostart) {
			esp_send(e, C_PIN_FLAG, i, "%s 0 %d autostart",
			    released_level(p) ? "isf" : "icf", p->pin);
			return;
		}
	}
	for (int i = 0; i < U_MAX; i++) {
		if (e->uart[i] == 1) {
			e->cmd_item = i;
			esp_send(e, C_UART_READ, -1, "%s", uart_cmd[i]);
			return;
		}
		if (e->uart[i] == 2) {
			uart_want(e, i, want, sizeof(want));
			e->cmd_item = i;
			esp_send(e, C_UART_SET, -1, "%s %s", uart_cmd[i], want);
			return;
		}
	}
	if (e->reset_due) {
		/* Only here: every release is confirmed, nothing pressed. */
		for (int i = 0; i < L_MAX; i++)
			if (e->pins[i].pin != ESP_NO_PIN &&
			    e->pins[i].want_release)
				return;
		log_info("target %s: esp8266 %s: bridge port set to %u: "
		    "restarting the ESP (r) so that it opens it; no button "
		    "is pressed", e->src->t->name, e->cf->host,
		    e->cf->bridge_port);
		esp_send(e, C_RESET, -1, "r");
		return;
	}
	/* Last: every output reads back released (a flag change may have
	 * moved it after its release; docs/esp8266.md). */
	for (int i = 0; i < L_MAX; i++) {
		p = &e->pins[i];
		if (p->pin != ESP_NO_PIN && p->verify) {
			esp_send(e, C_VERIFY, i, "ir 0 %d", p->pin);
			return;
		}
	}
	if (!e->ready) {
		e->ready = 1;
		e->incompatible = 0;
		e->backoff = 0;
		e->poll_at = e->now;
		log_info("target %s: esp8266 %s:%u: ready", e->src->t->name,
		    e->cf->host, e->cf->command_port);
		e->down_logged = 0;
		target_event(e->src->t, TARGET_EV_LINK_UP);
	}
	/* cycle: the hold is over, wait for off, then press */
	if (e->cycle == 1 && !e->plan.active &&
	    !e->pins[L_POWER].want_release &&
	    ((e->sense_valid && !e->sensed_on) || e->now >= e->cycle_at)) {
		if (e->sense_valid && !e->sensed_on)
			e->cycle_at = e->now + ESP_CYCLE_GAP_MS / 2;
		else if (e->pins[SENSE].pin != ESP_NO_PIN)
			e->cycle = 0;	/* never went off: give up */
		if (e->cycle != 0)
			e->cycle = 2;
		esp_arm(e);
	}
	if (e->cycle == 2 && !e->plan.active && e->now >= e->cycle_at) {
		e->cycle = 0;
		e->plan = (struct esp_plan){ .active = 1, .line = L_POWER,
		    .ms = e->cf->press_ms, .boot = 1 };
	}
	if (e->plan.active && !e->pins[e->plan.line].want_release) {
		p = &e->pins[e->plan.line];
		/* the release is scheduled before the press is sent */
		p->want_release = 1;
		p->release_at = e->now + e->plan.ms;
		esp_arm(e);
		esp_send(e, C_PRESS, e->plan.line, "iw 0 %d %d", p->pin,
		    logical(p, !released_level(p)));
		return;
	}
	if (e->now >= e->poll_at) {
		if (e->pins[SENSE].pin != ESP_NO_PIN) {
			e->poll_at = e->now + ESP_POLL_MS;
			esp_send(e, C_SENSE_READ, SENSE, "ir 0 %d",
			    e->pins[SENSE].pin);
		} else {
			e->poll_at = e->now + ESP_KEEPALIVE_MS;
			e->cmd_text[0] = '\0';
			esp_send(e, C_KEEPALIVE, -1, "%s", "");
		}
	}
}

static void
esp_poll(struct esp *e)
{
	if (e->fd < 0) {
		if (e->gai != NULL || e->now >= e->retry_at)
			esp_connect(e);
		return;
	}
	if (!e->connected) {
		if (e->now >= e->deadline)
			esp_fail(e, "connect timed out");
		return;
	}
	if (e->cmd != C_NONE) {
		if (e->now >= e->deadline) {
			char why[128];

			snprintf(why, sizeof(why), "no reply to \"%s\" in %d "
			    "ms", e->cmd_text, ESP_CMD_MS);
			esp_fail(e, why);
		}
		return;
	}
	esp_next(e);
	if (e->fd >= 0)
		esp_want(e);
	esp_arm(e);
}

/* ---- the driver ------------------------------------------------------- */

static void
pin_init(struct esp_pin *p, int pin, int output, int invert)
{
	memset(p, 0, sizeof(*p));
	p->pin = pin;
	p->output = output;
	p->invert = invert;
	p->check = pin != ESP_NO_PIN;
	p->want_release = output && pin != ESP_NO_PIN;
	p->verify = p->want_release;
}

static int
esp_start(struct target_src *src, uint64_t now)
{
	const struct target_env *env = src->t->env;
	struct esp *e = calloc(1, sizeof(*e));
	const struct esp_conf *c = src->dconf;

	if (e == NULL)
		return -1;
	e->cf = c;
	e->src = src;
	e->now = now;
	e->fd = -1;
	e->tfd = -1;
	pin_init(&e->pins[L_POWER], c->power_pin, 1, c->power_invert);
	pin_init(&e->pins[L_RESET], c->reset_pin, 1, c->reset_invert);
	pin_init(&e->pins[SENSE], c->sense_pin, 0, c->sense_invert);
	if (c->bridge_port != 0)
		for (int i = 0; i < U_MAX; i++)
			e->uart[i] = 1;
	e->want_baud = c->baud;
	if (env->io_add != NULL) {
		e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
		    TFD_CLOEXEC);
		if (e->tfd >= 0 && (e->tio = env->io_add(env->ioarg, e->tfd,
		    esp_timer_cb, e)) != NULL)
			env->io_want(e->tio, 1, 0);
	}
	/* the console is ours: the same instance, or console = { ... } */
	if (c->bridge_port != 0 && src->t->con.dconf == c &&
	    src->t->con.drv == src->drv)
		e->con = esp_console_new(src, c, now);
	src->dstate = e;
	esp_connect(e);
	return 0;
}

static void
esp_stop(struct target_src *src)
{
	struct esp *e = src->dstate;
	const struct target_env *env = src->t->env;

	if (e == NULL)
		return;
	if (e->plan.active)
		plan_answer(e, CC_NOT_SUPPORTED_STATE);
	e->plan.active = 0;
	e->ready = 0;
	/*
	 * A button may be held: send its release on the way out (best effort:
	 * the firmware takes one command at a time, so the first held line;
	 * the next connection releases every line before anything else).
	 */
	for (int i = 0; i < L_MAX && e->fd >= 0 && e->connected; i++) {
		const struct esp_pin *p = &e->pins[i];
		char cmd[32];
		int n;

		if (p->pin == ESP_NO_PIN || !p->want_release)
			continue;
		n = snprintf(cmd, sizeof(cmd), "iw 0 %d %d\r\n", p->pin,
		    released_level(p));
		if (send(e->fd, cmd, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n)
			log_info("target %s: esp8266: GPIO %d released on stop",
			    src->t->name, p->pin);
		break;
	}
	if (e->io != NULL && env->io_del != NULL)
		env->io_del(e->io);
	if (e->fd >= 0)
		close(e->fd);
	if (e->tio != NULL && env->io_del != NULL)
		env->io_del(e->tio);
	if (e->tfd >= 0)
		close(e->tfd);
	if (e->gai != NULL) {
		int rc = gai_cancel(e->gai);

		if (rc == EAI_ALLDONE && e->gai->ar_result != NULL)
			freeaddrinfo(e->gai->ar_result);
		if (rc == EAI_CANCELED || rc == EAI_ALLDONE)
			gai_free(e->gai);
	}
	/* else: still running in glibc's thread, which writes to it */
	for (int i = 0; i < L_MAX; i++)
		if (e->pins[i].pin != ESP_NO_PIN && e->pins[i].want_release &&
		    e->connected)
			log_warnx("target %s: esp8266: stopping while GPIO %d "
			    "may be pressed", src->t->name, e->pins[i].pin);
	esp_console_free(e->con);
	free(e);
	src->dstate = NULL;
}

static void
esp_tick(struct target_src *src, uint64_t now)
{
	struct esp *e = src->dstate;

	e->now = now;
	esp_poll(e);
	if (e->con != NULL)
		esp_console_tick(e->con, now);
}

static int
is_on(const struct esp *e)
{
	if (e->pins[SENSE].pin != ESP_NO_PIN)
		return e->sense_valid && e->sensed_on;
	return e->assumed_on;
}

static void
esp_status(struct target_src *src, uint64_t now, struct target_status *st)
{
	struct esp *e = src->dstate;

	(void)now;
	st->has_link = 1;
	st->link_up = e->ready;
	st->power_known = e->ready && e->pins[SENSE].pin != ESP_NO_PIN &&
	    e->sense_valid;
	st->power_on = is_on(e);
	st->last_event = e->last_event;
}

static int
esp_power(struct target_src *src, uint64_t now, enum target_power a,
    uint32_t tok)
{
	struct esp *e = src->dstate;
	int sense = e->pins[SENSE].pin != ESP_NO_PIN, line = L_POWER, boot = 0;
	unsigned ms;

	e->now = now;
	if (!e->ready)
		return e->incompatible ? CC_FIRMWARE : CC_NOT_SUPPORTED_STATE;
	if (e->pins[L_POWER].pin == ESP_NO_PIN)
		return CC_INVALID_CMD;
	if (e->plan.active || e->cycle != 0)
		return CC_NODE_BUSY;
	if (sense && !e->sense_valid)
		return CC_NODE_BUSY;	/* the first read is on its way */
	/* Refused before anything changes: a busy line is no plan. */
	if (e->pins[a == TARGET_POWER_RESET || a == TARGET_POWER_DIAG ?
	    L_RESET : L_POWER].want_release)
		return CC_NODE_BUSY;	/* that button is still pressed */
	switch (a) {
	case TARGET_POWER_ON:
		if (sense && e->sensed_on)
			return CC_OK;
		ms = e->cf->press_ms;
		e->assumed_on = 1;
		boot = 1;
		break;
	case TARGET_POWER_OFF:
		if (sense && !e->sensed_on)
			return CC_OK;
		ms = e->cf->hold_ms;
		e->assumed_on = 0;
		break;
	case TARGET_POWER_SOFT:
		if (sense && !e->sensed_on)
			return CC_NOT_SUPPORTED_STATE;
		ms = e->cf->press_ms;
		e->assumed_on = 0;
		break;
	case TARGET_POWER_RESET:
	case TARGET_POWER_DIAG:
		if (e->pins[L_RESET].pin == ESP_NO_PIN)
			return CC_INVALID_FIELD;
		line = L_RESET;
		ms = a == TARGET_POWER_DIAG ? ESP_DIAG_MS : e->cf->reset_ms;
		boot = 1;
		break;
	case TARGET_POWER_CYCLE:
		if (sense && !e->sensed_on) {
			ms = e->cf->press_ms;
			boot = 1;
		} else {
			ms = e->cf->hold_ms;
			e->cycle = 1;
			e->cycle_at = now + ms + (sense ? ESP_CYCLE_WAIT_MS :
			    ESP_CYCLE_GAP_MS);
		}
		e->assumed_on = 1;
		break;
	default:
		return CC_INVALID_FIELD;
	}
	if (e->pins[line].want_release)
		return CC_NODE_BUSY;	/* that button is still pressed */
	e->plan = (struct esp_plan){ .active = 1, .line = line, .ms = ms,
	    .has_token = 1, .token = tok, .boot = boot };
	log_info("target %s: esp8266: %s: GPIO %d for %u ms", src->t->name,
	    a == TARGET_POWER_ON ? "on" : a == TARGET_POWER_OFF ? "off" :
	    a == TARGET_POWER_SOFT ? "soft" : a == TARGET_POWER_CYCLE ?
	    "cycle" : "reset", e->pins[line].pin, ms);
	if (e->cmd == C_NONE && e->connected)
		esp_poll(e);
	return TARGET_PENDING;
}

static size_t
esp_write(struct target_src *src, const uint8_t *p, size_t n)
{
	struct esp *e = src->dstate;

	return e->con != NULL ? esp_console_write(e->con, p, n) : 0;
}

static int
esp_baud(struct target_src *src, unsigned baud)
{
	struct esp *e = src->dstate;

	if (baud < 300 || baud > 921600)
		return -1;
	e->want_baud = baud;
	if (e->uart[U_BAUD] == 0)
		e->uart[U_BAUD] = 1;	/* read it, set it if it differs */
	return 0;
}

const struct target_driver esp8266_driver = {
	.name		= "esp8266",
	.conf_new	= esp8266_conf_new,
	.conf_set	= esp8266_conf_set,
	.conf_check	= esp8266_conf_check,
	.conf_free	= esp8266_conf_free,
	.start		= esp_start,
	.stop		= esp_stop,
	.tick		= esp_tick,
	.status		= esp_status,
	.power		= esp_power,
	.console_write	= esp_write,
	.console_baud	= esp_baud,
};
