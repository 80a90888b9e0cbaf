/*
 * msg.h: IPMI messages (IPMB format, as carried in an IPMI payload) and the
 * Send Message (App 34h) envelope used for bridging.  Pure.
 */
#ifndef PMBD_MSG_H
#define PMBD_MSG_H

#include <stddef.h>
#include <stdint.h>

#define MSG_MAX		300
#define MSG_HDR		6	/* reply header: rqSA .. cmd */

struct msg_req {
	uint8_t		 rs_sa;
	uint8_t		 netfn;
	uint8_t		 rs_lun;
	uint8_t		 rq_sa;
	uint8_t		 rq_seq;
	uint8_t		 rq_lun;
	uint8_t		 cmd;
	const uint8_t	*data;
	size_t		 len;
};

/* Parse a request; both checksums must be right.  0 or -1. */
int	 msg_parse(const uint8_t *, size_t, struct msg_req *);
/* Write a request (used by tests and the bench client). */
size_t	 msg_request(const struct msg_req *, uint8_t *, size_t);
/* The 6-byte reply header for a request, with rsSA = from. */
void	 msg_reply_hdr(const struct msg_req *, uint8_t from,
	    uint8_t hdr[MSG_HDR]);
/* hdr + cc + data + checksum. */
size_t	 msg_reply(const uint8_t hdr[MSG_HDR], uint8_t cc, const uint8_t *,
	    size_t, uint8_t *, size_t);

/*
 * Send Message: [channel][inner request with its own checksums].  The
 * inner request's rqSeq is the outer one for every client we know.
 */
struct msg_bridge {
	uint8_t		 channel;
	uint8_t		 track;		/* bits 7:6 of the channel byte */
	struct msg_req	 inner;
};
/* 0, or a completion code for the Send Message response. */
int	 msg_bridge_parse(const uint8_t *, size_t, struct msg_bridge *);
/* Header of the bridged reply (the second packet), see ipmi-bridging.md. */
void	 msg_bridge_reply_hdr(const struct msg_req *outer,
	    const struct msg_req *inner, uint8_t hdr[MSG_HDR]);

#endif
