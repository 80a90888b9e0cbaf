/*
 * check_setup_ap.c: the setup page's connection handling
 * (firmware-pico/pico/setup_ap.c, included whole, chrony style) against a
 * fake of lwIP's raw TCP API that records what the page does: a callback
 * that aborted its pcb returns ERR_ABRT (lwIP's rule: it would use a freed
 * pcb otherwise), a quiet connection is closed by the poll callback, and a
 * connection beyond the slots evicts the oldest (issue 12, defect 4); the
 * page is bound to the access point's interface and the access point
 * closes when unused or once the station is joined (defect 5).
 * What lwIP itself does is not tested here.
 */
#include "test.h"

#include "../../firmware-pico/pico/setup_ap.c"

/* ---- the fakes -------------------------------------------------------- */
struct settings settings;
cyw43_t cyw43_state;
static uint32_t now_ms;
static struct tcp_pcb pcbs[16];
static tcp_poll_fn polled[16];
static tcp_recv_fn recvd[16];
static void *args[16];
static int aborted[16], closed[16];
static err_t close_result = ERR_OK;
static size_t written;

static int idx(struct tcp_pcb *p) { return (int)(p - pcbs); }
void tcp_arg(struct tcp_pcb *p, void *a) { args[idx(p)] = a; }
void tcp_recv(struct tcp_pcb *p, tcp_recv_fn f) { recvd[idx(p)] = f; }
void tcp_err(struct tcp_pcb *p, tcp_err_fn f) { (void)p; (void)f; }
void tcp_poll(struct tcp_pcb *p, tcp_poll_fn f, uint8_t i) { (void)i; polled[idx(p)] = f; }
void tcp_accept(struct tcp_pcb *p, tcp_accept_fn f) { (void)p; (void)f; }
err_t tcp_close(struct tcp_pcb *p) { if (close_result == ERR_OK) closed[idx(p)]++; return close_result; }
void tcp_abort(struct tcp_pcb *p) { aborted[idx(p)]++; }
void tcp_recved(struct tcp_pcb *p, u16_t n) { (void)p; (void)n; }
u16_t tcp_sndbuf(struct tcp_pcb *p) { (void)p; return 8192; }
err_t tcp_write(struct tcp_pcb *p, const void *d, u16_t n, uint8_t f) { (void)p; (void)d; (void)f; written += n; return ERR_OK; }
err_t tcp_output(struct tcp_pcb *p) { (void)p; return ERR_OK; }
struct tcp_pcb *tcp_new_ip_type(uint8_t t) { (void)t; return &pcbs[15]; }
static const struct netif *bound_netif;
static uint32_t bound_ip;
void tcp_bind_netif(struct tcp_pcb *p, const struct netif *n) { (void)p; bound_netif = n; }
err_t tcp_bind(struct tcp_pcb *p, const ip_addr_t *a, u16_t port) { (void)p; (void)port; bound_ip = a != NULL ? a->addr : 0; return ERR_OK; }
struct tcp_pcb *tcp_listen_with_backlog(struct tcp_pcb *p, uint8_t b) { (void)b; return p; }
u16_t pbuf_copy_partial(const struct pbuf *p, void *d, u16_t n, u16_t off) { memcpy(d, p->data + off, n); return n; }
uint8_t pbuf_free(struct pbuf *p) { (void)p; return 1; }
void netif_set_addr(struct netif *n, const ip4_addr_t *a, const ip4_addr_t *m, const ip4_addr_t *g) { (void)n; (void)a; (void)m; (void)g; }
uint32_t cyw43_arch_get_country_code(void) { return 0; }
void cyw43_wifi_set_up(cyw43_t *s, int i, bool up, uint32_t c) { (void)c; if (up) s->itf_state |= 1u << i; else s->itf_state &= ~(1u << i); }
void cyw43_wifi_ap_set_ssid(cyw43_t *s, size_t n, const uint8_t *b) { (void)s; (void)n; (void)b; }
void cyw43_wifi_ap_set_password(cyw43_t *s, size_t n, const uint8_t *b) { (void)s; (void)n; (void)b; }
void cyw43_wifi_ap_set_auth(cyw43_t *s, uint32_t a) { (void)s; (void)a; }
void pico_get_unique_board_id_string(char *b, unsigned n) { snprintf(b, n, "E66038B7130A1234"); }
uint32_t board_now_ms(void) { return now_ms; }
uint32_t board_random(void) { return 7; }
void board_reboot(void) { }
int dhcpd_start(uint32_t ip) { (void)ip; return 0; }
void dhcpd_stop(void) { }
int port_radio_ok(void) { return 1; }
int settings_complete(void) { return 1; }
const char *settings_set(const char *k, const char *v) { (void)k; (void)v; return NULL; }
const char *settings_check(const struct settings *s) { (void)s; return NULL; }
int settings_save(void) { return 0; }

static void
reset(void)
{
	setup_ap_stop();
	memset(aborted, 0, sizeof(aborted));
	memset(closed, 0, sizeof(closed));
	memset(polled, 0, sizeof(polled));
	close_result = ERR_OK;
	now_ms = 1000;
	ck_assert_int_eq(setup_ap_start(), 0);
}

static err_t
feed(int i, const char *s)
{
	struct pbuf p = { (uint16_t)strlen(s), s };

	return recvd[i](args[i], &pcbs[i], &p, ERR_OK);
}

/* ---- the tests ---------------------------------------------------------- */
START_TEST(abort_means_err_abrt)
{
	static char big[3000];

	reset();
	ck_assert_int_eq(on_accept(NULL, &pcbs[0], ERR_OK), ERR_OK);
	/* A request larger than the page takes; tcp_close fails: aborted. */
	memset(big, 'a', sizeof(big) - 1);
	close_result = ERR_MEM;
	ck_assert_int_eq(feed(0, big), ERR_ABRT);
	ck_assert_int_eq(aborted[0], 1);
	/* A whole GET: answered and closed; ERR_OK when the close worked. */
	close_result = ERR_OK;
	ck_assert_int_eq(on_accept(NULL, &pcbs[1], ERR_OK), ERR_OK);
	written = 0;
	ck_assert_int_eq(feed(1, "GET / HTTP/1.0\r\n\r\n"), ERR_OK);
	ck_assert_uint_gt(written, 0);
	ck_assert_int_eq(closed[1], 1);
	ck_assert_int_eq(aborted[1], 0);
}
END_TEST

START_TEST(idle_connections_close)
{
	reset();
	ck_assert_int_eq(on_accept(NULL, &pcbs[2], ERR_OK), ERR_OK);
	ck_assert_msg(polled[2] != NULL, "no poll callback: an idle or "
	    "half-open connection keeps its slot forever");
	for (int i = 1; i < IDLE_POLLS; i++)
		ck_assert_int_eq(polled[2](args[2], &pcbs[2]), ERR_OK);
	ck_assert_int_eq(aborted[2], 0);
	ck_assert_int_eq(polled[2](args[2], &pcbs[2]), ERR_ABRT);
	ck_assert_int_eq(aborted[2], 1);
}
END_TEST

START_TEST(full_slots_evict_the_oldest)
{
	reset();
	for (int i = 0; i < 4; i++) {
		now_ms += 100;
		ck_assert_int_eq(on_accept(NULL, &pcbs[4 + i], ERR_OK), ERR_OK);
	}
	/* Three slots: the fourth evicted the first, and was taken. */
	ck_assert_int_eq(aborted[4], 1);
	ck_assert_int_eq(aborted[7], 0);
	written = 0;
	ck_assert_int_eq(feed(7, "GET / HTTP/1.0\r\n\r\n"), ERR_OK);
	ck_assert_uint_gt(written, 0);
}
END_TEST

START_TEST(access_point_states)
{
	reset();
	ck_assert_ptr_eq(bound_netif, &cyw43_state.netif[CYW43_ITF_AP]);
	ck_assert_uint_eq(bound_ip, 0x0104a8c0u);	/* 192.168.4.1 */
	/* Unused for 10 minutes: closed, its interface down. */
	now_ms += SETUP_IDLE_MS - 1;
	setup_ap_poll();
	ck_assert_int_eq(setup_ap_active(), 1);
	now_ms += 1;
	setup_ap_poll();
	ck_assert_int_eq(setup_ap_active(), 0);
	ck_assert_uint_eq(cyw43_state.itf_state & (1u << CYW43_ITF_AP), 0);
	/* The station joined: closed. */
	ck_assert_int_eq(setup_ap_start(), 0);
	setup_ap_joined(0);
	ck_assert_int_eq(setup_ap_active(), 1);
	setup_ap_joined(1);
	ck_assert_int_eq(setup_ap_active(), 0);
}
END_TEST

static Suite *
setup_ap_suite(void)
{
	Suite *s = suite_create("setup_ap");
	TCase *tc = tcase_create("setup_ap");

	tcase_add_test(tc, abort_means_err_abrt);
	tcase_add_test(tc, idle_connections_close);
	tcase_add_test(tc, full_slots_evict_the_oldest);
	tcase_add_test(tc, access_point_states);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(setup_ap_suite)
