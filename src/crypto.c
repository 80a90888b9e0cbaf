/* crypto.c: HMAC, AES-CBC, CSPRNG and constant-time compare over OpenSSL. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto.h"

struct crypto_mac {
	EVP_MAC_CTX	*ctx;
	size_t		 mdlen;
};

static EVP_MAC *hmac;
static EVP_CIPHER_CTX *aes_ctx;

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
	if (aes_ctx == NULL)
		aes_ctx = EVP_CIPHER_CTX_new();
	return (hmac != NULL && aes_ctx != NULL) ? 0 : -1;
}

void
crypto_shutdown(void)
{
	EVP_MAC_free(hmac);
	hmac = NULL;
	EVP_CIPHER_CTX_free(aes_ctx);
	aes_ctx = NULL;
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

int
crypto_aes_cbc(int encrypt, const uint8_t key[16], const uint8_t iv[16],
    const uint8_t *in, size_t len, uint8_t *out)
{
	int outl, finl;

	if (len % CRYPTO_AES_BLOCK != 0 || len > INT32_MAX ||
	    crypto_init() != 0)
		return -1;
	if (!EVP_CipherInit_ex(aes_ctx, EVP_aes_128_cbc(), NULL, key, iv,
	    encrypt) ||
	    !EVP_CIPHER_CTX_set_padding(aes_ctx, 0) ||
	    !EVP_CipherUpdate(aes_ctx, out, &outl, in, (int)len) ||
	    !EVP_CipherFinal_ex(aes_ctx, out + outl, &finl) ||
	    (size_t)(outl + finl) != len)
		return -1;
	return 0;
}

int
crypto_random(void *p, size_t len)
{
	return RAND_bytes(p, (int)len) == 1 ? 0 : -1;
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
