/*
 * setup_ap.c: when the node has no WiFi settings, or cannot join its
 * network for a few minutes, it opens an access point "pmb-node-XXXXXX"
 * with a setup page at http://192.168.4.1/.  The access point's WPA2
 * passphrase is also the page's password; both are random per start and
 * printed on the USB console (and nowhere else).  The page sets the same
 * settings as the console; it never shows the PSK or the WiFi password
 * back (an empty field keeps them).  Saving writes flash and restarts.
 *
 * HTTP: at most 2 connections, requests up to 2 KiB, GET / and POST /save.
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

#define REQ_MAX		2048
#define CONNS		2
#define PW_LEN		12
#define MAX_TRIES	5
#define LOCKOUT_MS	60000

struct conn {
	struct tcp_pcb	*pcb;
	char		 req[REQ_MAX + 1];
	size_t		 len;
	int		 done;
};

static struct tcp_pcb *listener;
static struct conn conns[CONNS];
static char password[PW_LEN + 1];
static char ssid[24];
static int active;
static unsigned tries;
static uint32_t locked_until, reboot_at;

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

/* Decode application/x-www-form-urlencoded in place. */
static void
url_decode(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%' && s[1] != '\0' && s[2] != '\0') {
			char hex[3] = { s[1], s[2], '\0' };
			unsigned v = 0;

			for (int i = 0; i < 2; i++) {
				char c = hex[i];

				v <<= 4;
				if (c >= '0' && c <= '9')
					v |= (unsigned)(c - '0');
				else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
					v |= (unsigned)((c | 0x20) - 'a' + 10);
			}
			*o++ = (char)v;
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
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
	static char body[2600];
	char pins[160];

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
	    settings.name, msg, settings.ssid,
	    settings.wifi_pass[0] ? "unchanged" : "not set", settings.server,
	    settings.name, settings.psk[0] ? "unchanged" : "not set", pins,
	    settings.press_ms, settings.hold_ms, settings.reset_ms,
	    (unsigned long)settings.baud);
	send_text(c, body);
}

/* Escape for the page: settings are typed by people, shown in HTML. */
static int
html_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '<' || *s == '>' || *s == '\'' || *s == '"' ||
		    *s == '&')
			return 0;
	return 1;
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
		url_decode(eq);
		if (strcmp(field, "setup_pw") == 0) {
			authed = pw_ok(eq);
			continue;
		}
		if (*eq == '\0')
			continue;		/* empty: keep */
		if (!html_safe(eq)) {
			bad = 1;
			snprintf(msg, sizeof(msg), "%s: no &lt; &gt; ' \" &amp;",
			    field);
			continue;
		}
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
	if (bad) {
		settings = old;
		page(c, msg);
		return;
	}
	if (settings_save() != 0) {
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

static void
conn_close(struct conn *c)
{
	if (c->pcb != NULL) {
		tcp_arg(c->pcb, NULL);
		tcp_recv(c->pcb, NULL);
		tcp_err(c->pcb, NULL);
		if (tcp_close(c->pcb) != ERR_OK)
			tcp_abort(c->pcb);
	}
	c->pcb = NULL;
	c->len = 0;
	c->done = 0;
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

	if (p == NULL || err != ERR_OK) {
		if (p != NULL)
			pbuf_free(p);
		conn_close(c);
		return ERR_OK;
	}
	if (c->len + p->tot_len > REQ_MAX) {
		pbuf_free(p);
		send_text(c, "HTTP/1.0 413 Too Large\r\n\r\n");
		conn_close(c);
		return ERR_OK;
	}
	pbuf_copy_partial(p, c->req + c->len, p->tot_len, 0);
	c->len += p->tot_len;
	c->req[c->len] = '\0';
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	handle(c);
	if (c->done)
		conn_close(c);
	return ERR_OK;
}

static err_t
on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || pcb == NULL)
		return ERR_VAL;
	for (int i = 0; i < CONNS; i++)
		if (conns[i].pcb == NULL) {
			conns[i].pcb = pcb;
			conns[i].len = 0;
			conns[i].done = 0;
			tcp_arg(pcb, &conns[i]);
			tcp_recv(pcb, on_recv);
			tcp_err(pcb, on_err);
			return ERR_OK;
		}
	tcp_abort(pcb);
	return ERR_ABRT;
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
	for (int i = 0; i < PW_LEN; i++)
		password[i] = alphabet[board_random() % (sizeof(alphabet) - 1)];
	password[PW_LEN] = '\0';
	pico_get_unique_board_id_string(id, sizeof(id));
	snprintf(ssid, sizeof(ssid), "pmb-node-%s", id + strlen(id) - 6);
	cyw43_arch_enable_ap_mode(ssid, password, CYW43_AUTH_WPA2_AES_PSK);
	IP4_ADDR(&ip, 192, 168, 4, 1);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	netif_set_addr(nif, &ip, &mask, &ip);
	if (dhcpd_start(ip4_addr_get_u32(&ip)) != 0)
		return -1;
	if (listener == NULL) {
		struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_ANY);

		if (pcb == NULL || tcp_bind(pcb, IP_ANY_TYPE, 80) != ERR_OK)
			return -1;
		if ((listener = tcp_listen_with_backlog(pcb, CONNS)) == NULL)
			return -1;
		tcp_accept(listener, on_accept);
	}
	active = 1;
	return 0;
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
	/* Whoever plugs in the USB console later still learns it. */
	if (told == 0 || now - told >= 15000) {
		told = now;
		printf("setup: access point %s, page http://192.168.4.1/, "
		    "password %s\r\n", ssid, password);
	}
}
