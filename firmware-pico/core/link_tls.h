/*
 * link_tls.h: the node's link to pmbd, TLS 1.2 with a pre-shared key
 * (TLS_PSK_WITH_AES_128_GCM_SHA256 only, identity = the node's name), with
 * mbedTLS 2.28 (Debian 12, the host port) or 3.6 (the Pico SDK), over the
 * board's non-blocking TCP (board.h).  Everything is set up once by
 * link_tls_init(); a reconnect only resets the session.
 */
#ifndef PMB_LINK_TLS_H
#define PMB_LINK_TLS_H

#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>

#include "node.h"

#define LINK_PSK_LEN	32

struct link_tls {
	mbedtls_ssl_context	 ssl;
	mbedtls_ssl_config	 conf;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_entropy_context	 ent;
	uint8_t			 psk[LINK_PSK_LEN];
	char			 id[NP_TEXT_MAX];
	int			 ready;		/* init succeeded */
	int			 tcp;		/* TCP opened */
	int			 up;		/* handshake done */
	size_t			 wpend;		/* a write to retry, its length */
	int			 err;		/* last mbedTLS error */
};

/* 64 hex digits -> 32 bytes: 0, or -1. */
int	 link_tls_psk(const char *hex, uint8_t out[LINK_PSK_LEN]);
/* 0, or -1 (bad key, or mbedTLS could not be set up). */
int	 link_tls_init(struct link_tls *, const char *name, const char *hex);
void	 link_tls_free(struct link_tls *);

extern const struct link_ops link_tls_ops;

#endif
