/*
 * emu_main.c: the board layer's test firmware for a plain Pico (no WiFi),
 * run under the rp2040js emulator by tests/emu/run.mjs.  It links the real
 * board_pico.c (pins, hardware alarms, UART, watchdog), settings.c (flash),
 * boot.c (the pins at boot, in the firmware's order) and the core's
 * node_power.c (the fail-safe press), and takes commands on the console
 * UART (as the settings say; GP0/GP1 by default) through
 * board_uart_read/board_uart_write:
 *
 *	pMS\n	press the power button for MS (clamped): "press ST\n"
 *	s\n	the sensed power state: "sense ST\n" (enum np_pstate)
 *	SKEY VALUE\n	settings_set: "set ok\n" or "set WHY\n"
 *	w\n	settings_save(): "save R\n" (0, SETTINGS_BUSY -2, ...)
 *	eTEXT\n	"echo TEXT\n"
 *	h\n	"hang\n", then the main loop stops for good (never feeding the
 *		watchdog; interrupts, and so the release alarm, still run)
 *
 * At start it prints "boot CAUSE loaded L pin_power_at N\n" (enum
 * np_reset; L 0 from flash, -1 defaults; N the offset of pin_power in the
 * settings record, for the runner that writes one).  The runner measures
 * presses in emulated time, models the flash's erase time, the sense
 * input's wiring, and waits for the watchdog.
 */
#include <stddef.h>
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

int
port_outputs_busy(void)
{
	return node_busy(&node);
}

int
port_radio_ok(void)
{
	return 0;
}
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
	char out[128];
	unsigned long ms;

	switch (cmd[0]) {
	case 'p':
		ms = strtoul(cmd + 1, NULL, 10);
		snprintf(out, sizeof(out), "press %d\n", node_press(&node,
		    NP_LINE_POWER, (uint32_t)ms, board_now_ms()));
		say(out);
		break;
	case 's':
		snprintf(out, sizeof(out), "sense %u\n",
		    node_power_sensed(&node));
		say(out);
		break;
	case 'S': {
		char *v = strchr(cmd + 1, ' ');
		const char *why;

		if (v != NULL)
			*v++ = '\0';
		why = settings_set(cmd + 1, v != NULL ? v : "");
		snprintf(out, sizeof(out), "set %s\n", why ? why : "ok");
		say(out);
		break;
	}
	case 'w':
		snprintf(out, sizeof(out), "save %d\n", settings_save());
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
	char line[96], out[64];
	size_t len = 0;
	int loaded;

	/* main.c's order: settings, outputs released, board, console UART
	 * (not on an output's pin), the node. */
	loaded = settings_load();
	boot_release_outputs();
	board_pico_init();
	(void)boot_node_conf(&nc);
	board_uart_config(115200, 8, 0, 1);
	strcpy(nc.name, "emu");
	node_init(&node, &nc, &nolink, NULL, board_now_ms());
	snprintf(out, sizeof(out), "boot %u loaded %d pin_power_at %u\n",
	    board_reset_cause(), loaded,
	    (unsigned)offsetof(struct settings, pin_power));
	say(out);
	watchdog_enable(1000, false);
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
