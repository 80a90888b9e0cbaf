/*
 * server_sim.c: the server pmb-node-sim's pins are wired to.  Its power
 * button toggles it at release when pressed at least toggle_ms, and a hold
 * of force_off_ms forces it off at that mark; a reset pulse reboots it if
 * it is on; the power LED (the node's sense input) follows its power.  Its
 * UART prints a boot log at power-on, echoes what it receives and, with
 * --flood, prints continuously.  A thread of its own: a hung node does not
 * stop the server.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

#define OUT_MAX		65536	/* UART bytes the node has not read */

static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static struct server_conf conf;
static int		 on;
static int		 power_down;	/* button pressed */
static uint64_t		 power_since;
static int		 forced;	/* this hold forced it off */
static int		 reset_down;
static uint8_t		 out[OUT_MAX];	/* ring, server -> node */
static size_t		 out_head, out_len;
static unsigned long	 overruns;
static uint64_t		 flood_line;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* With mtx held. */
static void
emit(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		if (out_len == OUT_MAX) {
			overruns++;	/* a UART overrun: lost */
			continue;
		}
		out[(out_head + out_len) % OUT_MAX] = b[i];
		out_len++;
	}
}

static void
emits(const char *s)
{
	emit(s, strlen(s));
}

static void
boot_log(void)
{
	emits("\r\npmb-node-sim server booting\r\n");
	emits("[    0.000000] Linux version 6.1.0-sim (pmb-node-sim)\r\n");
	emits("[    0.120000] console [ttyS0] enabled\r\n");
	emits("[    1.500000] systemd[1]: Reached target multi-user.\r\n");
	emits("\r\nsim login: ");
}

static void
set_power(int v)
{
	if (on == v)
		return;
	on = v;
	host_event("server %s", on ? "on" : "off");
	if (on)
		boot_log();
}

void
server_button(int line, int pressed)
{
	uint64_t held;

	pthread_mutex_lock(&mtx);
	if (line == 0) {
		if (pressed && !power_down) {
			power_down = 1;
			power_since = now_ms();
			forced = 0;
		} else if (!pressed && power_down) {
			power_down = 0;
			held = now_ms() - power_since;
			if (!forced && held >= conf.toggle_ms &&
			    held < conf.force_off_ms)
				set_power(!on);
		}
	} else {
		if (!pressed && reset_down && on) {
			host_event("server reset");
			boot_log();
		}
		reset_down = pressed;
	}
	pthread_mutex_unlock(&mtx);
}

int
server_power(void)
{
	int v;

	pthread_mutex_lock(&mtx);
	v = on;
	pthread_mutex_unlock(&mtx);
	return v;
}

void
server_uart_rx(const uint8_t *p, size_t len)
{
	pthread_mutex_lock(&mtx);
	if (on)
		emit(p, len);		/* the shell echoes */
	pthread_mutex_unlock(&mtx);
}

size_t
server_uart_tx(uint8_t *p, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&mtx);
	while (n < len && out_len > 0) {
		p[n++] = out[out_head];
		out_head = (out_head + 1) % OUT_MAX;
		out_len--;
	}
	pthread_mutex_unlock(&mtx);
	return n;
}

void
server_break(void)
{
	pthread_mutex_lock(&mtx);
	if (on)
		emits("\r\n[sysrq] BREAK\r\n");
	pthread_mutex_unlock(&mtx);
}

static void *
server_thread(void *arg)
{
	char line[128];
	uint64_t last = now_ms(), t;
	double budget = 0;
	int n;

	(void)arg;
	for (;;) {
		usleep(5000);
		t = now_ms();
		pthread_mutex_lock(&mtx);
		if (power_down && !forced && on &&
		    t - power_since >= conf.force_off_ms) {
			forced = 1;
			set_power(0);
		}
		if (power_down && t - power_since >= conf.force_off_ms)
			forced = 1;
		if (conf.flood && on) {
			budget += (double)(t - last) * conf.flood / 1000.0;
			while (budget >= 64) {
				n = snprintf(line, sizeof(line),
				    "flood %012llu abcdefghijklmnopqrstuvwxyz"
				    "0123456789ABCD\r\n",
				    (unsigned long long)flood_line++);
				emit(line, (size_t)n);
				budget -= n;
			}
		} else
			budget = 0;
		last = t;
		pthread_mutex_unlock(&mtx);
	}
	return NULL;
}

int
server_start(const struct server_conf *c)
{
	pthread_t t;

	conf = *c;
	on = 0;
	if (c->on) {
		pthread_mutex_lock(&mtx);
		set_power(1);
		pthread_mutex_unlock(&mtx);
	}
	if (pthread_create(&t, NULL, server_thread, NULL) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}
