/*
 * setup_msg.h: the setup access point's message formats, pure (no SDK, no
 * lwIP), so that the host's unit test (tests/unit/check_setup.c) checks the
 * same code the Pico runs: form values (application/x-www-form-urlencoded)
 * decoded, text escaped for the page, DHCP requests answered.
 */
#ifndef PMB_SETUP_MSG_H
#define PMB_SETUP_MSG_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode a form value in place ('+' is a space, %XX a byte): 0, or -1 for
 * a broken %-escape, a NUL or another control character (no setting takes
 * them).  Every printable character survives, ' " < > & included.
 */
int	 form_decode(char *);

/* s escaped for HTML text and quoted attributes (& < > " '); truncated
 * to fit: the length written. */
size_t	 html_escape(char *dst, size_t size, const char *s);

/*
 * The DHCP server's answer to one request.  leases: DHCP_LEASES MAC
 * addresses (all zero: free), updated; server: the AP's address, network
 * order.  Writes the reply to out and returns its length, or 0 (no reply).
 * OFFER for DISCOVER, ACK for a REQUEST of the address offered, else NAK;
 * options: message type, server id, lease time, netmask, router and DNS
 * (the AP itself) and the captive-portal URI (RFC 8910).
 */
#define DHCP_LEASES	8
#define DHCP_LEASE_BASE	16		/* x.x.x.16 .. 23 */
#define DHCP_LEASE_SECS	3600
#define DHCP_REPLY_MAX	320
size_t	 dhcp_answer(const uint8_t *in, size_t len, uint32_t server,
	    uint8_t leases[DHCP_LEASES][6], uint8_t *out);

#endif
