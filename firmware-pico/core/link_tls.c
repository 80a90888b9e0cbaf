/*
 * link_tls.c: TLS 1.2 PSK client over board.h's TCP (see link_tls.h).
 * Non-blocking: mbedTLS's bio callbacks map "would block" to WANT_READ /
 * WANT_WRITE and node.c polls.  One thing mbedTLS requires of a caller: a
 * write that returned WANT_WRITE is retried with the same length (node.c
 * keeps the bytes at the head of its queue, this file keeps the length).
 */
#include <string.h>

#include <mbedtls/version.h>
#include <mbedtls/platform_util.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif

#include "board.h"
#include "buf.h"
#include "link_tls.h"

static const int suites[] = {
	MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
	0
};

int
link_tls_psk(const char *hex, uint8_t out[LINK_PSK_LEN])
{
	return buf_hex(hex, out, LINK_PSK_LEN) == LINK_PSK_LEN ? 0 : -1;
}

/* The board's random source as an mbedTLS entropy source. */
static int
entropy_board(void *data, unsigned char *out, size_t len, size_t *olen)
{
	size_t i;
	uint32_t r = 0;

	(void)data;
	for (i = 0; i < len; i++) {
		if (i % 4 == 0)
			r = board_random();
		out[i] = (unsigned char)(r >> (8 * (i % 4)));
	}
	*olen = len;
	return 0;
}

static int
bio_send(void *ctx, const unsigned char *p, size_t len)
{
	long r;

	(void)ctx;
	r = board_tcp_send(p, len);
	if (r < 0)
		return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
	if (r == 0)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	return (int)r;
}

static int
bio_recv(void *ctx, unsigned char *p, size_t len)
{
	long r;

	(void)ctx;
	r = board_tcp_recv(p, len);
	if (r < 0)
		return 0;			/* EOF: CONN_EOF */
	if (r == 0)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return (int)r;
}

int
link_tls_init(struct link_tls *t, const char *name, const char *hex)
{
	static const char pers[] = "pmb-node";
	int r;

	memset(t, 0, sizeof(*t));
	if (link_tls_psk(hex, t->psk) != 0 || name[0] == '\0' ||
	    strlen(name) >= sizeof(t->id))
		return -1;
	strncpy(t->id, name, sizeof(t->id) - 1);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && defined(MBEDTLS_PSA_CRYPTO_C)
	if (psa_crypto_init() != PSA_SUCCESS)
		return -1;
#endif
	mbedtls_ssl_init(&t->ssl);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_ctr_drbg_init(&t->drbg);
	mbedtls_entropy_init(&t->ent);
	t->ready = 1;			/* for link_tls_free */

	if ((r = mbedtls_entropy_add_source(&t->ent, entropy_board, NULL, 16,
	    MBEDTLS_ENTROPY_SOURCE_STRONG)) != 0 ||
	    (r = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->ent,
	    (const unsigned char *)pers, sizeof(pers) - 1)) != 0 ||
	    (r = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
		goto bad;
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	mbedtls_ssl_conf_ciphersuites(&t->conf, suites);
#if MBEDTLS_VERSION_NUMBER >= 0x03020000
	mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
	mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	    MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	    MBEDTLS_SSL_MINOR_VERSION_3);
#endif
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH) && MBEDTLS_SSL_IN_CONTENT_LEN < 16384
	/*
	 * A small receive buffer (the Pico's): ask the daemon for records
	 * that fit (RFC 6066 max_fragment_length; OpenSSL honours it).
	 */
	mbedtls_ssl_conf_max_frag_len(&t->conf,
#if MBEDTLS_SSL_IN_CONTENT_LEN >= 4096
	    MBEDTLS_SSL_MAX_FRAG_LEN_4096);
#elif MBEDTLS_SSL_IN_CONTENT_LEN >= 2048
	    MBEDTLS_SSL_MAX_FRAG_LEN_2048);
#else
	    MBEDTLS_SSL_MAX_FRAG_LEN_1024);
#endif
#endif
	if ((r = mbedtls_ssl_conf_psk(&t->conf, t->psk, sizeof(t->psk),
	    (const unsigned char *)t->id, strlen(t->id))) != 0 ||
	    (r = mbedtls_ssl_setup(&t->ssl, &t->conf)) != 0)
		goto bad;
	mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
	return 0;
bad:
	t->err = r;
	link_tls_free(t);
	return -1;
}

void
link_tls_free(struct link_tls *t)
{
	if (t->ready) {
		mbedtls_ssl_free(&t->ssl);
		mbedtls_ssl_config_free(&t->conf);
		mbedtls_ctr_drbg_free(&t->drbg);
		mbedtls_entropy_free(&t->ent);
	}
	mbedtls_platform_zeroize(t->psk, sizeof(t->psk));
	t->ready = 0;
}

static int
tls_open(void *ctx)
{
	struct link_tls *t = ctx;

	if (!t->ready)
		return -1;
	t->up = 0;
	t->wpend = 0;
	if ((t->err = mbedtls_ssl_session_reset(&t->ssl)) != 0)
		return -1;
	if (board_tcp_connect() != 0)
		return -1;
	t->tcp = 1;
	return 0;
}

static int
tls_poll(void *ctx)
{
	struct link_tls *t = ctx;
	int r, s;

	if (t->up)
		return 1;
	if ((s = board_tcp_status()) != 1)
		return s < 0 ? -1 : 0;
	r = mbedtls_ssl_handshake(&t->ssl);
	if (r == 0) {
		t->up = 1;
		return 1;
	}
	if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
		return 0;
	t->err = r;
	return -1;
}

static long
tls_send(void *ctx, const uint8_t *p, size_t len)
{
	struct link_tls *t = ctx;
	int r;

	if (t->wpend != 0 && t->wpend <= len)
		len = t->wpend;		/* the same write again */
	r = mbedtls_ssl_write(&t->ssl, p, len);
	if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
		t->wpend = len;
		return 0;
	}
	t->wpend = 0;
	if (r < 0) {
		t->err = r;
		return -1;
	}
	return r;
}

static long
tls_recv(void *ctx, uint8_t *p, size_t len)
{
	struct link_tls *t = ctx;
	int r;

	r = mbedtls_ssl_read(&t->ssl, p, len);
	if (r > 0)
		return r;
	if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
		return 0;
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
	if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
		return 0;
#endif
	t->err = r == 0 ? MBEDTLS_ERR_SSL_CONN_EOF : r;
	return -1;
}

static void
tls_close(void *ctx)
{
	struct link_tls *t = ctx;

	if (t->up)
		(void)mbedtls_ssl_close_notify(&t->ssl);	/* best effort */
	if (t->tcp)
		board_tcp_close();
	t->tcp = 0;
	t->up = 0;
	t->wpend = 0;
	(void)mbedtls_ssl_session_reset(&t->ssl);
}

const struct link_ops link_tls_ops = {
	.open = tls_open,
	.poll = tls_poll,
	.send = tls_send,
	.recv = tls_recv,
	.close = tls_close,
};
