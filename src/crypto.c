/*
 * crypto.c: HMAC, AES-CBC, CSPRNG, constant-time compare and the node
 * link's TLS 1.2 PSK server over OpenSSL.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <string.h>

#include "crypto.h"

struct crypto_mac {
	EVP_MAC_CTX	*ctx;
	size_t		 mdlen;
};

struct crypto_aes {
	EVP_CIPHER_CTX	*enc;
	EVP_CIPHER_CTX	*dec;
};

#define RANDOM_POOL	512

static EVP_MAC *hmac;
static uint8_t pool[RANDOM_POOL];
static size_t pool_left;

static char *
md_name(enum crypto_hash h)
{
	static char sha1[] = "SHA1", sha256[] = "SHA256";

	return h == CRYPTO_SHA256 ? sha256 : sha1;
}

size_t
crypto_md_len(enum crypto_hash h)
{
	return h == CRYPTO_SHA256 ? 32 : 20;
}

int
crypto_init(void)
{
	if (hmac == NULL)
		hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	return hmac != NULL ? 0 : -1;
}

void
crypto_shutdown(void)
{
	EVP_MAC_free(hmac);
	hmac = NULL;
	OPENSSL_cleanse(pool, sizeof(pool));
	pool_left = 0;
}

static EVP_MAC_CTX *
mac_ctx_keyed(enum crypto_hash h, const void *key, size_t keylen)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;

	if (crypto_init() != 0 || (ctx = EVP_MAC_CTX_new(hmac)) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    md_name(h), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, keylen, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
crypto_hmac(enum crypto_hash h, const void *key, size_t keylen,
    const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	EVP_MAC_CTX *ctx;
	size_t outl;
	int rc = -1;

	if ((ctx = mac_ctx_keyed(h, key, keylen)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!EVP_MAC_update(ctx, iov[i].p, iov[i].len))
			goto out;
	if (EVP_MAC_final(ctx, out, &outl, CRYPTO_MAX_MD) &&
	    outl == crypto_md_len(h))
		rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

struct crypto_mac *
crypto_mac_new(enum crypto_hash h, const void *key, size_t keylen)
{
	struct crypto_mac *m;

	if ((m = OPENSSL_zalloc(sizeof(*m))) == NULL)
		return NULL;
	if ((m->ctx = mac_ctx_keyed(h, key, keylen)) == NULL) {
		OPENSSL_free(m);
		return NULL;
	}
	m->mdlen = crypto_md_len(h);
	return m;
}

struct crypto_mac *
crypto_mac_free(struct crypto_mac *m)
{
	if (m != NULL) {
		EVP_MAC_CTX_free(m->ctx);
		OPENSSL_free(m);
	}
	return NULL;
}

int
crypto_mac_sign(struct crypto_mac *m, const void *p, size_t len, uint8_t *out)
{
	size_t outl;

	/* A NULL key re-initialises with the key already set. */
	if (!EVP_MAC_init(m->ctx, NULL, 0, NULL) ||
	    !EVP_MAC_update(m->ctx, p, len) ||
	    !EVP_MAC_final(m->ctx, out, &outl, CRYPTO_MAX_MD) ||
	    outl != m->mdlen)
		return -1;
	return 0;
}

struct crypto_aes *
crypto_aes_new(const uint8_t key[16])
{
	struct crypto_aes *a;

	if ((a = OPENSSL_zalloc(sizeof(*a))) == NULL)
		return NULL;
	a->enc = EVP_CIPHER_CTX_new();
	a->dec = EVP_CIPHER_CTX_new();
	if (a->enc == NULL || a->dec == NULL ||
	    !EVP_EncryptInit_ex(a->enc, EVP_aes_128_cbc(), NULL, key, NULL) ||
	    !EVP_DecryptInit_ex(a->dec, EVP_aes_128_cbc(), NULL, key, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(a->enc, 0) ||
	    !EVP_CIPHER_CTX_set_padding(a->dec, 0))
		return crypto_aes_free(a);
	return a;
}

struct crypto_aes *
crypto_aes_free(struct crypto_aes *a)
{
	if (a != NULL) {
		EVP_CIPHER_CTX_free(a->enc);	/* wipes the key schedule */
		EVP_CIPHER_CTX_free(a->dec);
		OPENSSL_free(a);
	}
	return NULL;
}

int
crypto_aes_cbc(struct crypto_aes *a, int encrypt, const uint8_t iv[16],
    const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = encrypt ? a->enc : a->dec;
	int outl, finl;

	if (len % CRYPTO_AES_BLOCK != 0 || len > INT32_MAX)
		return -1;
	/* Only the IV changes; the key schedule was made once. */
	if (!EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, encrypt) ||
	    !EVP_CipherUpdate(ctx, out, &outl, in, (int)len) ||
	    !EVP_CipherFinal_ex(ctx, out + outl, &finl) ||
	    (size_t)(outl + finl) != len)
		return -1;
	return 0;
}

/* CSPRNG output, fetched RANDOM_POOL bytes at a time (IVs need 16 a packet). */
int
crypto_random(void *p, size_t len)
{
	uint8_t *dst = p;

	while (len > 0) {
		size_t n;

		if (pool_left == 0) {
			if (RAND_bytes(pool, sizeof(pool)) != 1)
				return -1;
			pool_left = sizeof(pool);
		}
		n = len < pool_left ? len : pool_left;
		memcpy(dst, pool + sizeof(pool) - pool_left, n);
		OPENSSL_cleanse(pool + sizeof(pool) - pool_left, n);
		pool_left -= n;
		dst += n;
		len -= n;
	}
	return 0;
}

int
crypto_memeq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void
crypto_cleanse(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

/* ---- TLS 1.2 PSK server (the node link) ------------------------------ */

struct crypto_tls {
	SSL_CTX		*ctx;
	crypto_psk_fn	*lookup;
	void		*arg;
};

struct crypto_tls_conn {
	SSL		*ssl;
};

static unsigned int
psk_server_cb(SSL *ssl, const char *identity, unsigned char *psk,
    unsigned int max)
{
	struct crypto_tls *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if (t == NULL || identity == NULL)
		return 0;
	return (unsigned int)t->lookup(t->arg, identity, psk, max);
}

struct crypto_tls *
crypto_tls_server_new(crypto_psk_fn *lookup, void *arg)
{
	struct crypto_tls *t;

	if ((t = OPENSSL_zalloc(sizeof(*t))) == NULL)
		return NULL;
	t->lookup = lookup;
	t->arg = arg;
	if ((t->ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    !SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(t->ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(t->ctx, "PSK-AES128-GCM-SHA256"))
		return crypto_tls_server_free(t);
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
	/* Records a node can take: the Pico's mbedTLS reads 2 KiB. */
	SSL_CTX_set_max_send_fragment(t->ctx, 2048);
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_app_data(t->ctx, t);
	SSL_CTX_set_psk_server_callback(t->ctx, psk_server_cb);
	return t;
}

struct crypto_tls *
crypto_tls_server_free(struct crypto_tls *t)
{
	if (t != NULL) {
		SSL_CTX_free(t->ctx);
		OPENSSL_free(t);
	}
	return NULL;
}

struct crypto_tls_conn *
crypto_tls_accept(struct crypto_tls *t, int fd)
{
	struct crypto_tls_conn *c;

	if ((c = OPENSSL_zalloc(sizeof(*c))) == NULL)
		return NULL;
	if ((c->ssl = SSL_new(t->ctx)) == NULL || !SSL_set_fd(c->ssl, fd))
		return crypto_tls_free(c);
	SSL_set_accept_state(c->ssl);
	return c;
}

struct crypto_tls_conn *
crypto_tls_free(struct crypto_tls_conn *c)
{
	if (c != NULL) {
		if (c->ssl != NULL && SSL_is_init_finished(c->ssl))
			SSL_shutdown(c->ssl);	/* close_notify, no wait */
		SSL_free(c->ssl);
		OPENSSL_free(c);
	}
	ERR_clear_error();
	return NULL;
}

static int
tls_code(struct crypto_tls_conn *c, int rc)
{
	switch (SSL_get_error(c->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return CRYPTO_TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return CRYPTO_TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		return CRYPTO_TLS_ERROR;
	}
}

int
crypto_tls_handshake(struct crypto_tls_conn *c)
{
	int rc;

	ERR_clear_error();
	if ((rc = SSL_do_handshake(c->ssl)) == 1)
		return 0;
	rc = tls_code(c, rc);
	return rc == 0 ? CRYPTO_TLS_ERROR : rc;
}

const char *
crypto_tls_identity(const struct crypto_tls_conn *c)
{
	const char *id = SSL_get_psk_identity(c->ssl);

	return id != NULL ? id : "";
}

int
crypto_tls_read(struct crypto_tls_conn *c, void *p, size_t len)
{
	size_t n = 0;
	int rc;

	ERR_clear_error();
	if ((rc = SSL_read_ex(c->ssl, p, len, &n)) == 1)
		return n > INT32_MAX ? CRYPTO_TLS_ERROR : (int)n;
	return tls_code(c, rc);
}

int
crypto_tls_write(struct crypto_tls_conn *c, const void *p, size_t len)
{
	size_t n = 0;
	int rc;

	ERR_clear_error();
	if ((rc = SSL_write_ex(c->ssl, p, len, &n)) == 1)
		return n > INT32_MAX ? CRYPTO_TLS_ERROR : (int)n;
	rc = tls_code(c, rc);
	return rc == 0 ? CRYPTO_TLS_ERROR : rc;
}

const char *
crypto_tls_error(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r;

	if (e == 0)
		return "connection closed";
	r = ERR_reason_error_string(e);
	return r != NULL ? r : "TLS error";
}
