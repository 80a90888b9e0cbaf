/*
 * rakp.h: RMCP+ Open Session and RAKP 1-4 (suites 3 and 17).  Pure;
 * hashing through crypto.h.  The key-derivation helpers are exposed for
 * known-answer tests.
 */
#ifndef PMBD_RAKP_H
#define PMBD_RAKP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct core;
struct peer;

void	 rakp_open(struct core *, int ep, const struct peer *,
	    const uint8_t *, size_t);
void	 rakp_rakp1(struct core *, int ep, const struct peer *,
	    const uint8_t *, size_t);
void	 rakp_rakp3(struct core *, int ep, const struct peer *,
	    const uint8_t *, size_t);

struct rakp_keys {
	const uint8_t	*kuid;		/* 20 bytes, zero padded */
	const uint8_t	*kg;		/* 20 bytes, or NULL: use kuid */
	uint32_t	 csid, msid;
	const uint8_t	*rc, *rm, *guid;	/* 16 bytes each */
	uint8_t		 role;
	uint8_t		 ulen;
	const uint8_t	*user;
};
int	 rakp_hmac2(enum crypto_hash, const struct rakp_keys *, uint8_t *);
int	 rakp_hmac3(enum crypto_hash, const struct rakp_keys *, uint8_t *);
int	 rakp_sik(enum crypto_hash, const struct rakp_keys *, uint8_t *);
int	 rakp_icv4(enum crypto_hash, const uint8_t *sik,
	    const struct rakp_keys *, uint8_t *);
int	 rakp_kn(enum crypto_hash, const uint8_t *sik, uint8_t n, uint8_t *);

#endif
