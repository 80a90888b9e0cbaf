/*
 * main.c: the node firmware on a Pico W / Pico 2 W.  One main loop, no
 * RTOS: lwIP in poll mode, the USB console, WiFi, the setup access point
 * and the node core (../core, the same code as pmb-node-sim).
 *
 * Order at boot: the button outputs are driven released before anything
 * else (before USB, before WiFi); settings come from flash; the watchdog
 * starts just before the loop, which is the only place that feeds it
 * (node_poll).  WiFi: join the configured network and keep rejoining; with
 * no settings, or after JOIN_GIVE_UP_MS without a network, the setup access
 * point opens as well (docs/firmware.md).
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
#define JOIN_RETRY_MS	10000
#define JOIN_GIVE_UP_MS	(3 * 60 * 1000)

static struct node node;
static struct link_tls tls;
static int wifi_joining;
static uint32_t wifi_since, wifi_tried, wifi_up_since;

/* Before anything else: an undriven or stray-high output must not press. */
static void
release_outputs(void)
{
	uint8_t pins[2] = { settings.pin_power, settings.pin_reset };

	for (int i = 0; i < 2; i++) {
		if (!board_pin_ok(pins[i]))
			continue;
		gpio_init(pins[i]);
		gpio_put(pins[i], settings.out_active_low ? 1 : 0);
		gpio_set_dir(pins[i], GPIO_OUT);
	}
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
	int st = cyw43_tcpip_link_status(&cyw43_state, CYW43_ITF_STA);

	board_info(&bi);
	snprintf(line, sizeof(line), "firmware   %s on %s", NODE_FW_VERSION,
	    board_name());
	out(line);
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
	wifi_tried = now;
	wifi_joining = 1;
	cyw43_arch_wifi_connect_async(settings.ssid, settings.wifi_pass,
	    settings.wifi_pass[0] ? CYW43_AUTH_WPA2_AES_PSK : CYW43_AUTH_OPEN);
}

static void
wifi_poll(uint32_t now)
{
	int st = cyw43_tcpip_link_status(&cyw43_state, CYW43_ITF_STA);

	if (settings.ssid[0] == '\0')
		return;
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
	if (!wifi_joining || st < 0 || now - wifi_tried >= JOIN_RETRY_MS) {
		if (now - wifi_tried >= JOIN_RETRY_MS || !wifi_joining)
			wifi_join(now);
	}
	if (now - wifi_since >= JOIN_GIVE_UP_MS && !setup_ap_active()) {
		printf("wifi: no network for %u s: opening the setup access "
		    "point\r\n", JOIN_GIVE_UP_MS / 1000);
		setup_ap_start();
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
	int loaded;

	loaded = settings_load();
	release_outputs();
	board_pico_init();
	stdio_init_all();
	if (cyw43_arch_init() != 0) {
		/* No radio: keep the outputs released, let the watchdog
		 * try again. */
		watchdog_enable(WDT_MS, true);
		for (;;)
			tight_loop_contents();
	}
	cyw43_arch_enable_sta_mode();
	net_set_server();
	board_uart_config(settings.baud, 8, 0, 1);

	memset(&nc, 0, sizeof(nc));
	memcpy(nc.name, settings.name, sizeof(nc.name));
	nc.pins.power = settings.pin_power;
	nc.pins.reset = settings.pin_reset;
	nc.pins.sense = settings.pin_sense;
	nc.pins.uart_tx = settings.pin_uart_tx;
	nc.pins.uart_rx = settings.pin_uart_rx;
	nc.pins.led = NP_PIN_NONE;		/* on the WiFi chip */
	nc.pins.sense_active_low = settings.sense_active_low;
	nc.pins.out_active_low = settings.out_active_low;
	nc.sense_pull = settings.sense_pull;
	nc.press_ms = settings.press_ms;
	nc.hold_ms = settings.hold_ms;
	nc.reset_ms = settings.reset_ms;
	if (settings_complete() && link_tls_init(&tls, settings.name,
	    settings.psk) != 0)
		printf("tls: cannot set up (bad key?)\r\n");
	node_init(&node, &nc, &link_tls_ops, &tls, board_now_ms());

	printf("\r\n%s on %s: %s; type help\r\n", NODE_FW_VERSION,
	    board_name(), loaded == 0 ? "settings loaded" :
	    "no settings (defaults)");
	if (!settings_complete()) {
		printf("setup: not configured: opening the setup access "
		    "point\r\n");
		setup_ap_start();
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
