/*
 * emu_main.c: the board layer's test firmware for a plain Pico (no WiFi),
 * run under the rp2040js emulator by tests/emu/run.mjs.  It links the real
 * board_pico.c (pins, hardware alarms, UART, watchdog) and the core's
 * node_power.c (the fail-safe press), and takes commands on the console
 * UART (UART0, GP0/GP1, 115200) through board_uart_read/board_uart_write:
 *
 *	pMS\n	press the power button (GP2) for MS (clamped): "press ST\n"
 *	eTEXT\n	"echo TEXT\n"
 *	h\n	"hang\n", then the main loop stops for good (never feeding the
 *		watchdog; interrupts, and so the release alarm, still run)
 *
 * At start it prints "boot CAUSE\n" (enum np_reset).  The runner measures
 * the press on GP2 in emulated time and waits for the watchdog.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardware/sync.h"
#include "hardware/watchdog.h"
#include "pico/stdlib.h"

#include "board.h"
#include "node.h"
#include "port.h"

static struct node node;

/* What a plain Pico does not have: no network, no W-chip sensors. */
int board_tcp_connect(void) { return -1; }
int board_tcp_status(void) { return -1; }
long board_tcp_send(const uint8_t *p, size_t n) { (void)p; (void)n; return -1; }
long board_tcp_recv(uint8_t *p, size_t n) { (void)p; (void)n; return -1; }
void board_tcp_close(void) { }
void board_led(int on) { (void)on; }

void
board_info(struct board_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->temp_cdeg = board_pico_temp_cdeg();
}

static int	 nolink_open(void *c) { (void)c; return -1; }
static int	 nolink_poll(void *c) { (void)c; return -1; }
static long	 nolink_io(void *c, const uint8_t *p, size_t n)
		    { (void)c; (void)p; (void)n; return -1; }
static long	 nolink_rd(void *c, uint8_t *p, size_t n)
		    { (void)c; (void)p; (void)n; return -1; }
static void	 nolink_close(void *c) { (void)c; }
static const struct link_ops nolink = { nolink_open, nolink_poll, nolink_io,
    nolink_rd, nolink_close };

static void
say(const char *s)
{
	size_t n = strlen(s), off = 0;

	while (off < n)			/* the FIFO is 32 deep: wait for it */
		off += board_uart_write((const uint8_t *)s + off, n - off);
}

static void
run(char *cmd)
{
	char out[96];
	unsigned long ms;

	switch (cmd[0]) {
	case 'p':
		ms = strtoul(cmd + 1, NULL, 10);
		snprintf(out, sizeof(out), "press %d\n", node_press(&node,
		    NP_LINE_POWER, (uint32_t)ms, board_now_ms()));
		say(out);
		break;
	case 'e':
		snprintf(out, sizeof(out), "echo %s\n", cmd + 1);
		say(out);
		break;
	case 'h':
		say("hang\n");
		/* Stuck for good; waiting for interrupts rather than spinning
		 * only spares the emulator 150 million instructions a second. */
		for (;;)
			__wfi();
	}
}

int
main(void)
{
	struct node_conf nc;
	char line[64], out[32];
	size_t len = 0;

	settings_defaults(&settings);
	board_pico_init();
	board_uart_config(115200, 8, 0, 1);
	memset(&nc, 0, sizeof(nc));
	strcpy(nc.name, "emu");
	nc.pins = (struct np_pins){ 2, 3, NP_PIN_NONE, 0, 1, NP_PIN_NONE,
	    0, 0 };
	node_init(&node, &nc, &nolink, NULL, board_now_ms());
	snprintf(out, sizeof(out), "boot %u\n", board_reset_cause());
	say(out);
	watchdog_enable(500, false);
	for (;;) {
		uint8_t c;

		board_wdt_feed();		/* as node_poll does */
		node_power_poll(&node, board_now_ms());
		while (board_uart_read(&c, 1) == 1) {
			if (c == '\n') {
				line[len] = '\0';
				len = 0;
				run(line);
			} else if (len < sizeof(line) - 1)
				line[len++] = (char)c;
		}
	}
}
