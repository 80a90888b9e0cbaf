/*
 * main.c: the node firmware on a Pico W / Pico 2 W.  One main loop, no
 * RTOS: lwIP in poll mode, the USB console, WiFi, the setup access point
 * and the node core (../core, the same code as pmb-node-sim).
 *
 * Order at boot: settings come from flash; the button outputs are driven
 * released before anything else touches a pin (before USB, the console
 * UART, WiFi); the watchdog is armed next, with WDT_RADIO_MS for the
 * radio's start (its firmware load), then WDT_MS for the loop, the only
 * place that feeds it (node_poll).  A radio that does not come up leaves
 * the node on its USB console (LED dark: it is on the radio chip) and is
 * retried by a restart after RADIO_RETRY_MS.
 *
 * WiFi (docs/firmware.md): join the configured network and keep
 * rejoining; with no settings, or after JOIN_GIVE_UP_MS without a network,
 * the setup access point opens, and while it is open the station makes
 * no join attempts (one radio).  It closes when its settings are saved
 * (restart), after SETUP_IDLE_MS without a request, or when the station
 * is joined; then joining resumes.
 */
#include <stdio.h>
#include <string.h>

#include "hardware/gpio.h"
#include "hardware/watchdog.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "pico/cyw43_arch.h"
#include "pico/stdlib.h"

#include "board.h"
#include "link_tls.h"
#include "node.h"
#include "port.h"

#define WDT_MS		3000
#define WDT_RADIO_MS	8000	/* RP2040's watchdog counts to 8.3 s */
#define RADIO_RETRY_MS	60000
#define JOIN_RETRY_MS	10000
#define JOIN_GIVE_UP_MS	(3 * 60 * 1000)

static struct node node;
static struct link_tls tls;
static int wifi_joining;
static uint32_t wifi_since, wifi_tried, wifi_up_since;
static int radio_err;			/* the radio did not start */
static const char *bad_settings;	/* settings_check() at boot */

int
port_outputs_busy(void)
{
	return node_busy(&node);
}

int
port_radio_ok(void)
{
	return radio_err == 0;
}

/*
 * The radio: cyw43_arch_init, then the station interface up.  Neither the
 * SDK's cyw43_arch_enable_sta_mode() nor the driver's cyw43_wifi_set_up()
 * return the chip's errors; a chip that did not start leaves no interface
 * up (cyw43_ctrl.c), which is what can be checked.
 */
static int
radio_start(void)
{
	int r;

	if ((r = cyw43_arch_init()) != 0)
		return r;
	cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_STA, true,
	    cyw43_arch_get_country_code());
	return cyw43_state.itf_state & (1u << CYW43_ITF_STA) ? 0 : -1;
}

static const char *
link_name(enum node_link s)
{
	switch (s) {
	case NODE_DOWN:		return "down";
	case NODE_OPENING:	return "connecting";
	case NODE_HELLO:	return "hello sent";
	case NODE_UP:		return "up";
	}
	return "?";
}

void	 main_status(void (*)(const char *));

void
main_status(void (*out)(const char *))
{
	static const char *causes[] = { "power-on", "watchdog", "reboot",
	    "other" };
	struct netif *nif = &cyw43_state.netif[CYW43_ITF_STA];
	struct board_info bi;
	char line[160];
	int st;

	snprintf(line, sizeof(line), "firmware   %s on %s", NODE_FW_VERSION,
	    board_name());
	out(line);
	if (bad_settings != NULL) {
		snprintf(line, sizeof(line), "settings   not usable: %s",
		    bad_settings);
		out(line);
	}
	if (radio_err != 0) {
		snprintf(line, sizeof(line), "radio      failed to start (%d): "
		    "no WiFi, USB console only; restarting to retry",
		    radio_err);
		out(line);
		return;
	}
	st = cyw43_tcpip_link_status(&cyw43_state, CYW43_ITF_STA);
	board_info(&bi);
	snprintf(line, sizeof(line), "wifi       %s (status %d), address %s, "
	    "rssi %d dBm", settings.ssid[0] ? settings.ssid : "(none)", st,
	    ip4addr_ntoa(netif_ip4_addr(nif)), bi.rssi);
	out(line);
	snprintf(line, sizeof(line), "pmbd       %s, link %s, %lu links "
	    "since boot", settings.server[0] ? settings.server : "(none)",
	    link_name(node.state), (unsigned long)node.links);
	out(line);
	snprintf(line, sizeof(line), "setup ap   %s", setup_ap_active() ?
	    "open" : "closed");
	out(line);
	snprintf(line, sizeof(line), "uptime     %lu s, reset cause %s, "
	    "free memory %lu, temperature %d.%02d C, vsys %u mV",
	    (unsigned long)(board_now_ms() / 1000),
	    causes[board_reset_cause() & 3], (unsigned long)bi.free_mem,
	    bi.temp_cdeg / 100, (bi.temp_cdeg < 0 ? -bi.temp_cdeg :
	    bi.temp_cdeg) % 100, bi.vsys_mv);
	out(line);
}

static void
wifi_join(uint32_t now)
{
	int r;

	wifi_tried = now;
	wifi_joining = 1;
	r = cyw43_arch_wifi_connect_async(settings.ssid, settings.wifi_pass,
	    settings.wifi_pass[0] ? CYW43_AUTH_WPA2_AES_PSK : CYW43_AUTH_OPEN);
	if (r != 0) {
		printf("wifi: cannot start joining %s (%d); trying again in "
		    "%u s\r\n", settings.ssid, r, JOIN_RETRY_MS / 1000);
		wifi_joining = 0;
	}
}

static void
wifi_poll(uint32_t now)
{
	int st;

	if (settings.ssid[0] == '\0')
		return;
	st = cyw43_tcpip_link_status(&cyw43_state, CYW43_ITF_STA);
	if (setup_ap_active()) {
		/* One radio: no join attempts while the page is open.  A
		 * station already joined closes it (setup_ap_poll). */
		setup_ap_joined(st == CYW43_LINK_UP);
		wifi_since = now;
		wifi_joining = 0;
		return;
	}
	if (st == CYW43_LINK_UP) {
		if (wifi_up_since == 0)
			printf("wifi: joined %s, address %s\r\n", settings.ssid,
			    ip4addr_ntoa(netif_ip4_addr(
			    &cyw43_state.netif[CYW43_ITF_STA])));
		wifi_up_since = now;
		wifi_since = now;
		wifi_joining = 0;
		return;
	}
	if (wifi_up_since != 0) {
		printf("wifi: lost %s (status %d)\r\n", settings.ssid, st);
		wifi_up_since = 0;
		wifi_since = now;
	}
	/* Failed, or taking too long: try again. */
	if (now - wifi_tried >= JOIN_RETRY_MS || !wifi_joining)
		wifi_join(now);
	if (now - wifi_since >= JOIN_GIVE_UP_MS) {
		printf("wifi: no network for %u s: opening the setup access "
		    "point; no join attempts while it is open\r\n",
		    JOIN_GIVE_UP_MS / 1000);
		cyw43_wifi_leave(&cyw43_state, CYW43_ITF_STA);
		if (setup_ap_start() != 0)
			printf("setup: the access point did not start\r\n");
		wifi_since = now;
	}
}

static void
led_poll(uint32_t now)
{
	if (setup_ap_active())
		board_pico_led_mode(PORT_LED_SETUP);
	else if (!settings_complete())
		board_pico_led_mode(PORT_LED_ERROR);
	else if (cyw43_tcpip_link_status(&cyw43_state, CYW43_ITF_STA) !=
	    CYW43_LINK_UP)
		board_pico_led_mode(PORT_LED_WIFI);
	else
		board_pico_led_mode(PORT_LED_CORE);
	board_pico_led_poll(now);
}

int
main(void)
{
	struct node_conf nc;
	int loaded, console;
	uint32_t t;

	loaded = settings_load();
	boot_release_outputs();		/* first: nothing else touched a pin */
	board_pico_init();
	/* Armed before USB and the radio: a hang there is a restart.  Long
	 * enough for the radio's firmware load; the loop uses WDT_MS. */
	watchdog_enable(WDT_RADIO_MS, true);
	stdio_init_all();
	bad_settings = settings_check(&settings);

	/* Outputs are ours before any peripheral touches a pin: the console
	 * UART only on pins that are not an output's. */
	console = boot_node_conf(&nc);
	if (console)
		board_uart_config(settings.baud, 8, 0, 1);
	node_init(&node, &nc, &link_tls_ops, &tls, board_now_ms());
	printf("\r\n%s on %s: %s; type help\r\n", NODE_FW_VERSION,
	    board_name(), loaded == 0 ? "settings loaded" :
	    "no settings (defaults)");
	if (bad_settings != NULL)
		printf("settings: %s (%s)\r\n", bad_settings, console ?
		    "fix them and save" : "console UART off until fixed");

	if ((radio_err = radio_start()) != 0) {
		printf("radio: failed to start (%d): no WiFi; USB console "
		    "only; restarting in %u s\r\n", radio_err,
		    RADIO_RETRY_MS / 1000);
		watchdog_enable(WDT_MS, true);
		for (t = board_now_ms();
		    board_now_ms() - t < RADIO_RETRY_MS;) {
			shell_poll();
			board_wdt_feed();
			sleep_ms(1);
		}
		board_reboot();
	}
	net_set_server();
	if (settings_complete() && link_tls_init(&tls, settings.name,
	    settings.psk) != 0)
		printf("tls: cannot set up (bad key?)\r\n");
	if (!settings_complete()) {
		printf("setup: not configured: opening the setup access "
		    "point\r\n");
		if (setup_ap_start() != 0)
			printf("setup: the access point did not start\r\n");
	} else
		wifi_join(board_now_ms());
	wifi_since = board_now_ms();

	watchdog_enable(WDT_MS, true);
	for (;;) {
		uint32_t now = board_now_ms();

		cyw43_arch_poll();
		shell_poll();
		setup_ap_poll();
		wifi_poll(now);
		if (settings_complete())
			node_poll(&node, now);
		else
			board_wdt_feed();	/* nothing to do but setup */
		led_poll(now);
		cyw43_arch_wait_for_work_until(make_timeout_time_ms(1));
	}
}
