/*
 * setup_ap.c: when the node has no WiFi settings, or cannot join its
 * network for a few minutes, it opens an access point "pmb-node-XXXXXX"
 * with a setup page at http://192.168.4.1/.  The access point's WPA2
 * passphrase is also the page's password; both are random per start and
 * printed on the USB console (and nowhere else).  The page sets the same
 * settings as the console; it never shows the PSK or the WiFi password
 * back (an empty field keeps them).  Saving writes flash and restarts.
 *
 * The page is served on the access point's interface only, never on the
 * network the station joins.  While the access point is open main.c makes
 * no join attempts; it closes after SETUP_IDLE_MS without a request (when
 * there are settings to go back to) or once the station is joined.
 *
 * HTTP: CONNS connections (a new one evicts the oldest when all are
 * taken), each closed after IDLE_POLLS quiet polls; requests up to 2 KiB;
 * GET / and POST /save.  lwIP's rule: a callback that aborted its pcb
 * returns ERR_ABRT.
 */
#include <stdio.h>
#include <string.h>

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "pico/cyw43_arch.h"
#include "pico/unique_id.h"

#include "board.h"
#include "port.h"
#include "setup_msg.h"

#define REQ_MAX		2048
#define CONNS		3
#define POLL_EVERY	2		/* lwIP coarse ticks: 1 s */
#define IDLE_POLLS	10		/* 10 s without a byte: closed */
#define PW_LEN		12
#define MAX_TRIES	5
#define LOCKOUT_MS	60000
#define SETUP_IDLE_MS	(10 * 60 * 1000)

struct conn {
	struct tcp_pcb	*pcb;
	char		 req[REQ_MAX + 1];
	size_t		 len;
	int		 done;
	unsigned	 idle;		/* polls without a byte */
	uint32_t	 since;		/* accepted at */
};

static struct tcp_pcb *listener;
static struct conn conns[CONNS];
static char password[PW_LEN + 1];
static char ssid[24];
static int active;
static unsigned tries;
static uint32_t locked_until, reboot_at, last_use;

int
setup_ap_active(void)
{
	return active;
}

const char *
setup_ap_password(void)
{
	return password;
}

/* Constant time: the page password. */
static int
pw_ok(const char *s)
{
	unsigned diff = (unsigned)(strlen(s) ^ PW_LEN);

	for (size_t i = 0; i < PW_LEN; i++)
		diff |= (unsigned)(s[i < strlen(s) ? i : 0] ^ password[i]);
	return diff == 0;
}

static void
send_text(struct conn *c, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		u16_t room = tcp_sndbuf(c->pcb), take;

		if (room == 0)
			break;			/* the page is smaller than this */
		take = n < room ? (u16_t)n : room;
		if (tcp_write(c->pcb, s, take, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		s += take;
		n -= take;
	}
	tcp_output(c->pcb);
}

static void
page(struct conn *c, const char *msg)
{
	static char body[3000];
	static char e_name[3 * NP_TEXT_MAX], e_ssid[3 * 33], e_server[3 * 64],
	    e_msg[400];
	char pins[160];

	/* Settings are typed by people and shown in HTML: escaped. */
	html_escape(e_name, sizeof(e_name), settings.name);
	html_escape(e_ssid, sizeof(e_ssid), settings.ssid);
	html_escape(e_server, sizeof(e_server), settings.server);
	html_escape(e_msg, sizeof(e_msg), msg);
	if (settings.pin_sense == NP_PIN_NONE)
		snprintf(pins, sizeof(pins), "%u, %u, none", settings.pin_power,
		    settings.pin_reset);
	else
		snprintf(pins, sizeof(pins), "%u, %u, %u", settings.pin_power,
		    settings.pin_reset, settings.pin_sense);
	snprintf(body, sizeof(body),
	    "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n"
	    "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
	    "<!doctype html><html><head><meta name=viewport "
	    "content='width=device-width'><title>pmb node setup</title>"
	    "</head><body><h1>pmb node %s</h1><p>%s</p>"
	    "<form method=post action=/save>"
	    "<p>Setup password (USB console) <input name=setup_pw "
	    "type=password required></p>"
	    "<p>WiFi network <input name=ssid value='%s'></p>"
	    "<p>WiFi password <input name=wifi_pass type=password "
	    "placeholder='%s'></p>"
	    "<p>pmbd HOST:PORT <input name=server value='%s'></p>"
	    "<p>Node name <input name=name value='%s'></p>"
	    "<p>PSK, 64 hex digits <input name=psk type=password "
	    "placeholder='%s'></p>"
	    "<p>Power, reset, sense GPIO (now %s): <input name=pin_power "
	    "size=3> <input name=pin_reset size=3> <input name=pin_sense "
	    "size=4></p>"
	    "<p>Press, hold, reset ms (now %u, %u, %u): <input name=press_ms "
	    "size=5> <input name=hold_ms size=5> <input name=reset_ms "
	    "size=5></p>"
	    "<p>Console baud (now %lu) <input name=baud size=7></p>"
	    "<p><button>Save and restart</button></p></form></body></html>",
	    e_name, e_msg, e_ssid,
	    settings.wifi_pass[0] ? "unchanged" : "not set", e_server,
	    e_name, settings.psk[0] ? "unchanged" : "not set", pins,
	    settings.press_ms, settings.hold_ms, settings.reset_ms,
	    (unsigned long)settings.baud);
	send_text(c, body);
}

static void
save(struct conn *c, char *body)
{
	static char msg[256];
	struct settings old = settings;
	char *field, *next;
	int authed = 0, bad = 0;
	uint32_t now = board_now_ms();

	if (locked_until != 0 && (int32_t)(now - locked_until) < 0) {
		page(c, "Too many wrong passwords: wait a minute.");
		return;
	}
	msg[0] = '\0';
	for (field = body; field != NULL && *field != '\0'; field = next) {
		char *eq;

		if ((next = strchr(field, '&')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(field, '=')) == NULL)
			continue;
		*eq++ = '\0';
		if (form_decode(eq) != 0) {
			bad = 1;
			snprintf(msg, sizeof(msg), "%.32s: control characters "
			    "or a broken %%-escape", field);
			continue;
		}
		if (strcmp(field, "setup_pw") == 0) {
			authed = pw_ok(eq);
			continue;
		}
		if (*eq == '\0')
			continue;		/* empty: keep */
		const char *why = settings_set(field, eq);

		if (why != NULL) {
			bad = 1;
			snprintf(msg, sizeof(msg), "%s: %s", field, why);
		}
	}
	if (!authed) {
		settings = old;
		if (++tries >= MAX_TRIES) {
			tries = 0;
			locked_until = now + LOCKOUT_MS;
		}
		page(c, "Wrong setup password: nothing changed.");
		return;
	}
	tries = 0;
	if (!bad && settings_check(&settings) != NULL) {
		bad = 1;
		snprintf(msg, sizeof(msg), "%s", settings_check(&settings));
	}
	if (bad) {
		settings = old;
		page(c, msg);
		return;
	}
	switch (settings_save()) {
	case 0:
		break;
	case SETTINGS_BUSY:
		settings = old;
		page(c, "A button is being pressed or held: nothing saved. "
		    "Save again in a few seconds.");
		return;
	default:
		settings = old;
		page(c, "Flash write failed: nothing changed.");
		return;
	}
	page(c, "Saved. The node restarts and joins the network.");
	reboot_at = now + 1500;
}

static void
handle(struct conn *c)
{
	char *end = strstr(c->req, "\r\n\r\n"), *cl;
	size_t need = 0;

	if (end == NULL)
		return;				/* headers not complete */
	if (strncmp(c->req, "GET ", 4) == 0) {
		page(c, active ? "Connected to the setup access point." :
		    "Settings");
		c->done = 1;
		return;
	}
	if (strncmp(c->req, "POST /save ", 11) != 0) {
		send_text(c, "HTTP/1.0 404 Not Found\r\nConnection: close"
		    "\r\n\r\n");
		c->done = 1;
		return;
	}
	if ((cl = strstr(c->req, "Content-Length:")) != NULL ||
	    (cl = strstr(c->req, "content-length:")) != NULL) {
		unsigned long v = 0;

		for (cl += 15; *cl == ' '; cl++)
			;
		while (*cl >= '0' && *cl <= '9' && v < REQ_MAX)
			v = v * 10 + (unsigned long)(*cl++ - '0');
		need = v;
	}
	if ((size_t)(c->req + c->len - (end + 4)) < need)
		return;				/* body not complete */
	end[4 + need] = '\0';
	save(c, end + 4);
	c->done = 1;
}

/* Close c: ERR_OK, or ERR_ABRT when it had to be aborted (a callback on
 * its pcb must then return ERR_ABRT). */
static err_t
conn_close(struct conn *c)
{
	err_t r = ERR_OK;

	if (c->pcb != NULL) {
		tcp_arg(c->pcb, NULL);
		tcp_recv(c->pcb, NULL);
		tcp_err(c->pcb, NULL);
		tcp_poll(c->pcb, NULL, 0);
		if (tcp_close(c->pcb) != ERR_OK) {
			tcp_abort(c->pcb);
			r = ERR_ABRT;
		}
	}
	c->pcb = NULL;
	c->len = 0;
	c->done = 0;
	return r;
}

static err_t
conn_abort(struct conn *c)
{
	struct tcp_pcb *pcb = c->pcb;

	if (pcb != NULL) {
		tcp_arg(pcb, NULL);
		tcp_recv(pcb, NULL);
		tcp_err(pcb, NULL);
		tcp_poll(pcb, NULL, 0);
		tcp_abort(pcb);
	}
	c->pcb = NULL;
	c->len = 0;
	c->done = 0;
	return ERR_ABRT;
}

/* Every POLL_EVERY ticks: a connection quiet for IDLE_POLLS goes. */
static err_t
on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct conn *c = arg;

	(void)pcb;
	if (c == NULL || c->pcb == NULL)
		return ERR_OK;
	if (++c->idle >= IDLE_POLLS)
		return conn_abort(c);
	return ERR_OK;
}

static void
on_err(void *arg, err_t err)
{
	struct conn *c = arg;

	(void)err;
	if (c != NULL) {
		c->pcb = NULL;
		c->len = 0;
	}
}

static err_t
on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct conn *c = arg;

	if (c == NULL) {			/* closed meanwhile */
		if (p != NULL)
			pbuf_free(p);
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	if (p == NULL || err != ERR_OK) {
		if (p != NULL)
			pbuf_free(p);
		return conn_close(c);
	}
	if (c->len + p->tot_len > REQ_MAX) {
		pbuf_free(p);
		send_text(c, "HTTP/1.0 413 Too Large\r\n\r\n");
		return conn_close(c);
	}
	pbuf_copy_partial(p, c->req + c->len, p->tot_len, 0);
	c->len += p->tot_len;
	c->req[c->len] = '\0';
	c->idle = 0;
	last_use = board_now_ms();
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	handle(c);
	if (c->done)
		return conn_close(c);
	return ERR_OK;
}

/*
 * A browser opens connections it may never use (preconnects), and a
 * half-open one never closes: when every slot is taken, the oldest goes.
 */
static err_t
on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct conn *c = NULL;

	(void)arg;
	if (err != ERR_OK || pcb == NULL)
		return ERR_VAL;
	for (int i = 0; i < CONNS && c == NULL; i++)
		if (conns[i].pcb == NULL)
			c = &conns[i];
	if (c == NULL) {
		c = &conns[0];
		for (int i = 1; i < CONNS; i++)
			if ((int32_t)(conns[i].since - c->since) < 0)
				c = &conns[i];
		(void)conn_abort(c);		/* not this callback's pcb */
	}
	c->pcb = pcb;
	c->len = 0;
	c->done = 0;
	c->idle = 0;
	c->since = board_now_ms();
	tcp_arg(pcb, c);
	tcp_recv(pcb, on_recv);
	tcp_err(pcb, on_err);
	tcp_poll(pcb, on_poll, POLL_EVERY);
	return ERR_OK;
}

int
setup_ap_start(void)
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
	char id[2 * PICO_UNIQUE_BOARD_ID_SIZE_BYTES + 1];
	struct netif *nif = &cyw43_state.netif[CYW43_ITF_AP];
	ip4_addr_t ip, mask;

	if (active)
		return 0;
	if (!port_radio_ok())
		return -1;
	for (int i = 0; i < PW_LEN; i++)
		password[i] = alphabet[board_random() % (sizeof(alphabet) - 1)];
	password[PW_LEN] = '\0';
	pico_get_unique_board_id_string(id, sizeof(id));
	snprintf(ssid, sizeof(ssid), "pmb-node-%s", id + strlen(id) - 6);
	cyw43_wifi_ap_set_ssid(&cyw43_state, strlen(ssid),
	    (const uint8_t *)ssid);
	cyw43_wifi_ap_set_password(&cyw43_state, strlen(password),
	    (const uint8_t *)password);
	cyw43_wifi_ap_set_auth(&cyw43_state, CYW43_AUTH_WPA2_AES_PSK);
	cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_AP, true,
	    cyw43_arch_get_country_code());
	/* The driver drops the chip's errors; no interface, no AP. */
	if ((cyw43_state.itf_state & (1u << CYW43_ITF_AP)) == 0)
		return -1;
	IP4_ADDR(&ip, 192, 168, 4, 1);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	netif_set_addr(nif, &ip, &mask, &ip);
	if (dhcpd_start(ip4_addr_get_u32(&ip)) != 0) {
		setup_ap_stop();
		return -1;
	}
	if (listener == NULL) {
		struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);

		if (pcb == NULL) {
			setup_ap_stop();
			return -1;
		}
		/* The access point's interface only: never the rack's. */
		tcp_bind_netif(pcb, nif);
		if (tcp_bind(pcb, &ip, 80) != ERR_OK ||
		    (listener = tcp_listen_with_backlog(pcb, CONNS)) == NULL) {
			tcp_abort(pcb);
			setup_ap_stop();
			return -1;
		}
		tcp_accept(listener, on_accept);
	}
	active = 1;
	last_use = board_now_ms();
	return 0;
}

void
setup_ap_stop(void)
{
	for (int i = 0; i < CONNS; i++)
		(void)conn_abort(&conns[i]);
	if (listener != NULL)
		tcp_close(listener);
	listener = NULL;
	dhcpd_stop();
	cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_AP, false,
	    cyw43_arch_get_country_code());
	active = 0;
}

/* The station is joined while the page is open: the page is done with. */
void
setup_ap_joined(int up)
{
	if (up && active && settings_complete()) {
		printf("setup: joined %s: closing the setup access point\r\n",
		    settings.ssid);
		setup_ap_stop();
	}
}

void
setup_ap_poll(void)
{
	static uint32_t told;
	uint32_t now = board_now_ms();

	if (reboot_at != 0 && (int32_t)(now - reboot_at) >= 0)
		board_reboot();
	if (!active)
		return;
	if (settings_complete() && now - last_use >= SETUP_IDLE_MS) {
		printf("setup: no request for %u minutes: closing the setup "
		    "access point, joining %s again\r\n",
		    SETUP_IDLE_MS / 60000, settings.ssid);
		setup_ap_stop();
		return;
	}
	/* Whoever plugs in the USB console later still learns it. */
	if (told == 0 || now - told >= 15000) {
		told = now;
		printf("setup: access point %s, page http://192.168.4.1/, "
		    "password %s\r\n", ssid, password);
	}
}
