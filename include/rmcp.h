/*
 * rmcp.h: RMCP, ASF and the IPMI 1.5 / 2.0 session wrappers.  Pure: the
 * decoder reads through struct buf, integrity is checked in constant time
 * before anything is decrypted, and nothing here allocates.
 */
#ifndef PMBD_RMCP_H
#define PMBD_RMCP_H

#include <stddef.h>
#include <stdint.h>

struct session;

#define RMCP_PKT_MAX	1024	/* largest datagram we read or write */
#define RMCP_PAYLOAD_MAX 512

enum rmcp_kind {
	RMCP_ASF_PING,
	RMCP_IPMI15,		/* session-less IPMI 1.5 wrapper */
	RMCP_IPMI20,
};

struct rmcp_pkt {
	enum rmcp_kind	 kind;
	uint8_t		 asf_tag;
	uint8_t		 ptype;		/* payload type, flags removed */
	int		 encrypted;
	int		 authenticated;
	uint32_t	 sid;
	uint32_t	 seq;
	const uint8_t	*payload;
	size_t		 len;
	/* Integrity: the covered bytes and the AuthCode after them. */
	const uint8_t	*signed_p;
	size_t		 signed_len;
	const uint8_t	*authcode;
	size_t		 authcode_len;
};

/* Header checks only; 0 or -1 (drop). */
int	 rmcp_parse(const uint8_t *, size_t, struct rmcp_pkt *);
/* Verify the AuthCode and decrypt into buf (RMCP_PAYLOAD_MAX); on success
 * pkt->payload/len point at the plaintext.  0 or -1 (drop). */
int	 rmcp_unwrap(struct session *, struct rmcp_pkt *, uint8_t *buf);

/* Writers return the datagram length, 0 when it does not fit. */
/* ipmi: 1 for IPMI supported (the answer to a ping); 0 tells a console
 * that this endpoint no longer serves it (see sol.c). */
size_t	 rmcp_pong(uint8_t tag, int ipmi, uint8_t *out, size_t cap);
size_t	 rmcp_wrap15(const uint8_t *msg, size_t len, uint8_t *out, size_t);
/* s == NULL: session-less RMCP+ (SID 0, seq 0, no integrity). */
size_t	 rmcp_wrap20(struct session *, uint8_t ptype, const uint8_t *pl,
	    size_t len, uint8_t *out, size_t cap);

#endif
