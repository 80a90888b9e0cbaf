/*
 * crypto.h: the only cryptographic interface of pmbd.  crypto.c is the one
 * file that includes OpenSSL.  No allocation happens on the per-packet
 * calls (crypto_mac_sign, crypto_aes_cbc): keyed MAC and cipher contexts
 * are made once per session, and random bytes come from a small buffer
 * refilled from the CSPRNG.
 */
#ifndef PMBD_CRYPTO_H
#define PMBD_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

enum crypto_hash {
	CRYPTO_SHA1,
	CRYPTO_SHA256,
};

#define CRYPTO_MAX_MD	32
#define CRYPTO_AES_BLOCK 16

struct crypto_mac;
struct crypto_aes;

int	 crypto_init(void);
void	 crypto_shutdown(void);
size_t	 crypto_md_len(enum crypto_hash);

/* One-shot HMAC over the concatenation of n (ptr, len) pairs. */
struct crypto_iov {
	const void	*p;
	size_t		 len;
};
int	 crypto_hmac(enum crypto_hash, const void *key, size_t keylen,
	    const struct crypto_iov *, size_t n, uint8_t *out);

/* A keyed HMAC context reused for every packet of one session. */
struct crypto_mac *crypto_mac_new(enum crypto_hash, const void *key, size_t);
struct crypto_mac *crypto_mac_free(struct crypto_mac *);
int	 crypto_mac_sign(struct crypto_mac *, const void *, size_t,
	    uint8_t *out);

/* AES-128-CBC without padding, keyed once; len is a multiple of 16. */
struct crypto_aes *crypto_aes_new(const uint8_t key[16]);
struct crypto_aes *crypto_aes_free(struct crypto_aes *);
int	 crypto_aes_cbc(struct crypto_aes *, int encrypt, const uint8_t iv[16],
	    const uint8_t *in, size_t len, uint8_t *out);

/*
 * TLS 1.2 with a pre-shared key, server side, for the node link:
 * PSK-AES128-GCM-SHA256 only, no certificates.  The lookup callback gets
 * the client's PSK identity and writes its key: the key's length, or 0 for
 * an unknown identity (the handshake fails).  Every call is non-blocking:
 * a negative CRYPTO_TLS_WANT_* says what the descriptor must become before
 * the call is repeated; CRYPTO_TLS_ERROR ends the connection.
 */
#define CRYPTO_TLS_ERROR	(-1)
#define CRYPTO_TLS_WANT_READ	(-2)
#define CRYPTO_TLS_WANT_WRITE	(-3)
#define CRYPTO_PSK_MAX		64

struct crypto_tls;
struct crypto_tls_conn;
typedef size_t crypto_psk_fn(void *arg, const char *identity,
	    uint8_t *key, size_t max);

struct crypto_tls *crypto_tls_server_new(crypto_psk_fn *, void *arg);
struct crypto_tls *crypto_tls_server_free(struct crypto_tls *);
struct crypto_tls_conn *crypto_tls_accept(struct crypto_tls *, int fd);
struct crypto_tls_conn *crypto_tls_free(struct crypto_tls_conn *);
/* 0 when done; the identity is then set. */
int	 crypto_tls_handshake(struct crypto_tls_conn *);
const char *crypto_tls_identity(const struct crypto_tls_conn *);
/* Bytes moved (> 0), 0 when the peer closed (read), or a negative code. */
int	 crypto_tls_read(struct crypto_tls_conn *, void *, size_t);
int	 crypto_tls_write(struct crypto_tls_conn *, const void *, size_t);
/* Why the last call failed, for a log line (never key material). */
const char *crypto_tls_error(void);

int	 crypto_random(void *, size_t);
int	 crypto_memeq(const void *, const void *, size_t);	/* 1 if equal */
void	 crypto_cleanse(void *, size_t);

#endif
