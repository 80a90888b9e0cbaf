/*
 * pmb-node-sim: the node firmware's core on Linux, wired to a simulated
 * server, calling home to pmbd over TLS 1.2 PSK like a Pico W would.
 *
 *	pmb-node-sim --server ADDR:PORT --name NAME --psk HEX [--press-ms MS]
 *	    [--hold-ms MS] [--reset-ms MS] [--no-sense] [--flood BYTES_PER_S]
 *	    [--server-on] [--toggle-ms 100] [--force-off-ms 4000]
 *	    [--sense-active-high] [--sense-pull auto|up|down|none]
 *
 * ADDR is IPv4 (127.0.0.1:7000) or bracketed IPv6 ([::1]:7000).  The
 * simulated server: the power button toggles it at release when pressed
 * --toggle-ms or longer, a hold of --force-off-ms forces it off at that
 * mark, a reset pulse reboots it when on; its power LED is the sense
 * input (none with --no-sense: power unknown) through an optocoupler that
 * pulls the pin low while the server is on (to 3.3 V with
 * --sense-active-high) and leaves it to the pin's pull otherwise: with
 * --sense-pull none it floats and reads noise; at power-on its console
 * prints a boot log ending in "login: ", it echoes what it receives and,
 * with --flood, prints that many bytes a second while on.
 *
 * stdout: one event per line, line-buffered, each starting with the
 * CLOCK_MONOTONIC time in seconds with 6 decimals (Python's
 * time.monotonic() on the same host), then one of:
 *
 *	12.345678 pin power 1		power button asserted (pressed)
 *	12.645678 pin power 0		power button released
 *	12.345678 pin reset 1|0		reset button
 *	12.345678 pin gpioN 1|0		a generic pin (PIN_WRITE, its revert)
 *	12.345678 server on|off		the simulated server's power
 *	12.345678 server reset		a reset pulse rebooted the server
 *	12.345678 link up|down		welcomed by pmbd / link lost
 *	12.345678 watchdog reboot	not fed for 2 s: outputs released,
 *					the core restarts (reset cause 1)
 *	12.345678 reboot		NP_REBOOT: the core restarts (cause 2)
 *	12.345678 hang			SIGUSR1: the main loop stops for good
 *	12.345678 save refused		SIGUSR2 while a release is due
 *	12.345678 flash write		SIGUSR2: a settings save, as the
 *	12.345678 flash written		Pico's: alarms and loop stall for
 *					--flash-ms (400: a sector's max)
 *
 * Press lengths are measured between "pin X 1" and "pin X 0".  SIGUSR1
 * hangs the main loop (never feeding the watchdog): the release alarm
 * still releases a held button on time, then the watchdog reboots the
 * node.  SIGTERM and SIGINT release every output, then exit 0.
 * Diagnostics go to stderr.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "host.h"
#include "link_tls.h"
#include "node.h"

static volatile sig_atomic_t	 quit, hang, save;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		hang = 1;
	else if (sig == SIGUSR2)
		save = 1;
	else
		quit = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pmb-node-sim --server ADDR:PORT --name NAME "
	    "--psk HEX [--press-ms MS]\n"
	    "\t[--hold-ms MS] [--reset-ms MS] [--no-sense] "
	    "[--flood BYTES_PER_S] [--server-on]\n"
	    "\t[--toggle-ms MS] [--force-off-ms MS] [--sense-active-high]\n"
	    "\t[--sense-pull auto|up|down|none] [--flash-ms MS]\n");
	exit(2);
}

static int
parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *res;
	char host[128];
	const char *port;
	size_t n;

	if (s[0] == '[') {
		port = strstr(s, "]:");
		if (port == NULL)
			return -1;
		n = (size_t)(port - s - 1);
		port += 2;
		s++;
	} else {
		port = strrchr(s, ':');
		if (port == NULL)
			return -1;
		n = (size_t)(port - s);
		port++;
	}
	if (n == 0 || n >= sizeof(host) || *port == '\0')
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static uint32_t
number(const char *s, uint32_t max)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "pmb-node-sim: bad number: %s\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "server",	  required_argument, NULL, 's' },
		{ "name",	  required_argument, NULL, 'n' },
		{ "psk",	  required_argument, NULL, 'k' },
		{ "press-ms",	  required_argument, NULL, 'p' },
		{ "hold-ms",	  required_argument, NULL, 'H' },
		{ "reset-ms",	  required_argument, NULL, 'r' },
		{ "no-sense",	  no_argument,	     NULL, 'S' },
		{ "flood",	  required_argument, NULL, 'f' },
		{ "server-on",	  no_argument,	     NULL, 'o' },
		{ "toggle-ms",	  required_argument, NULL, 't' },
		{ "force-off-ms", required_argument, NULL, 'F' },
		{ "sense-active-high", no_argument, NULL, 'A' },
		{ "sense-pull",	  required_argument, NULL, 'P' },
		{ "flash-ms",	  required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	static struct node node;	/* large: not on the stack */
	static struct link_tls tls;
	struct sockaddr_storage ss;
	struct server_conf sc = { 100, 4000, 0, 0 };
	struct node_conf nc;
	struct sigaction sa;
	socklen_t sslen = 0;
	const char *server = NULL, *psk = NULL, *name = NULL;
	uint32_t try = 0;
	int c, no_sense = 0, up = 0, st, r, sense_high = 0;
	uint32_t flash_ms = 400;
	static const char *const pulls[] = { "auto", "up", "down", "none" };

	memset(&nc, 0, sizeof(nc));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case 'n': name = optarg; break;
		case 'k': psk = optarg; break;
		case 'p': nc.press_ms = (uint16_t)number(optarg, 65535); break;
		case 'H': nc.hold_ms = (uint16_t)number(optarg, 65535); break;
		case 'r': nc.reset_ms = (uint16_t)number(optarg, 65535); break;
		case 'S': no_sense = 1; break;
		case 'f': sc.flood = number(optarg, 100000000); break;
		case 'o': sc.on = 1; break;
		case 't': sc.toggle_ms = number(optarg, 600000); break;
		case 'F': sc.force_off_ms = number(optarg, 600000); break;
		case 'A': sense_high = 1; break;
		case 'W': flash_ms = number(optarg, 10000); break;
		case 'P':
			for (r = 0; r < 4 && strcmp(optarg, pulls[r]) != 0; r++)
				;
			if (r == 4)
				usage();
			nc.sense_pull = (uint8_t)r;	/* enum node_pull */
			break;
		default: usage();
		}
	}
	if (optind != argc || server == NULL || psk == NULL || name == NULL)
		usage();
	if (parse_addr(server, &ss, &sslen) != 0) {
		fprintf(stderr, "pmb-node-sim: bad --server %s\n", server);
		return 2;
	}
	if (strlen(name) >= sizeof(nc.name) || name[0] == '\0') {
		fprintf(stderr, "pmb-node-sim: --name: 1..31 characters\n");
		return 2;
	}
	strncpy(nc.name, name, sizeof(nc.name) - 1);
	nc.pins.uart_tx = HOST_PIN_UART_TX;
	nc.pins.uart_rx = HOST_PIN_UART_RX;
	nc.pins.power = HOST_PIN_POWER;
	nc.pins.reset = HOST_PIN_RESET;
	nc.pins.sense = no_sense ? NP_PIN_NONE : HOST_PIN_SENSE;
	nc.pins.led = HOST_PIN_LED;
	nc.pins.sense_active_low = sense_high ? 0 : 1;	/* as the Pico's */
	nc.pins.out_active_low = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (link_tls_init(&tls, name, psk) != 0) {
		fprintf(stderr, "pmb-node-sim: --psk: 64 hex digits "
		    "(or mbedTLS setup failed: -0x%x)\n", (unsigned)-tls.err);
		return 2;
	}
	if (board_host_init(&ss, sslen, &nc.pins) != 0 ||
	    server_start(&sc) != 0) {
		fprintf(stderr, "pmb-node-sim: cannot start threads\n");
		return 1;
	}
	node_init(&node, &nc, &link_tls_ops, &tls, board_now_ms());
	try = node.next_try;

	while (!quit) {
		if (hang) {
			host_event("hang");
			/* A hung loop: only the watchdog gets us out. */
			while (!quit && board_host_reboot_pending() !=
			    NP_RST_WATCHDOG + 1)
				usleep(10000);
			hang = 0;
		}
		if ((r = board_host_reboot_pending()) != 0) {
			if (r == NP_RST_REBOOT + 1)
				host_event("reboot");
			node_shutdown(&node);
			board_host_release_all();
			board_host_set_cause((uint8_t)(r - 1));
			board_host_reboot_done();
			node_init(&node, &nc, &link_tls_ops, &tls,
			    board_now_ms());
			try = node.next_try;
		}
		if (save) {
			/* The Pico's rule (settings_save): never while a
			 * release is due, no alarm fires during the write. */
			save = 0;
			if (node_busy(&node))
				host_event("save refused");
			else
				board_host_flash_write(flash_ms);
		}
		st = node.state;
		node_poll(&node, board_now_ms());
		if ((node.state == NODE_UP) != up) {
			up = node.state == NODE_UP;
			host_event("link %s", up ? "up" : "down");
		}
		/* next_try moves when an attempt failed or a link dropped. */
		if (node.next_try != try && st != NODE_UP) {
			if (tls.err != 0)
				fprintf(stderr, "pmb-node-sim: link failed: "
				    "mbedTLS -0x%04x\n", (unsigned)-tls.err);
			else
				fprintf(stderr, "pmb-node-sim: link failed: "
				    "no connection, or no WELCOME; next in "
				    "%lu ms\n", (unsigned long)(node.next_try -
				    board_now_ms()));
		}
		if (node.next_try != try) {
			try = node.next_try;
			tls.err = 0;
		}
		usleep(2000);
	}
	node_shutdown(&node);
	board_host_release_all();
	if (up)
		host_event("link down");
	link_tls_free(&tls);
	return 0;
}
