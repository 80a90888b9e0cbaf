/*
 * buf.h: the one bounds-checked cursor for every byte pmbd reads from or
 * writes to the wire.  Errors are sticky: a failed get or put sets err and
 * returns zero, so a parser reads all its fields and checks once.
 */
#ifndef PMBD_BUF_H
#define PMBD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {			/* reader */
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	int		 err;
};

struct wbuf {			/* writer */
	uint8_t		*p;
	size_t		 cap;
	size_t		 len;
	int		 err;
};

void		 buf_init(struct buf *, const uint8_t *, size_t);
size_t		 buf_left(const struct buf *);
uint8_t		 buf_u8(struct buf *);
uint16_t	 buf_le16(struct buf *);
uint32_t	 buf_le32(struct buf *);
void		 buf_copy(struct buf *, void *, size_t);
const uint8_t	*buf_take(struct buf *, size_t);	/* NULL on overrun */
void		 buf_skip(struct buf *, size_t);
/* Remaining bytes as a sub-cursor; the parent is consumed. */
void		 buf_rest(struct buf *, struct buf *);
int		 buf_end(const struct buf *);	/* 0 if exactly consumed, no error */

void		 wbuf_init(struct wbuf *, uint8_t *, size_t);
void		 wbuf_u8(struct wbuf *, uint8_t);
void		 wbuf_le16(struct wbuf *, uint16_t);
void		 wbuf_le32(struct wbuf *, uint32_t);
void		 wbuf_put(struct wbuf *, const void *, size_t);
void		 wbuf_fill(struct wbuf *, uint8_t, size_t);
uint8_t		*wbuf_reserve(struct wbuf *, size_t);	/* NULL on overrun */
size_t		 wbuf_left(const struct wbuf *);

/* Hex digits to bytes (keys in configurations): the byte count, or -1
 * for an odd length, a non-hex character or more than max bytes. */
int		 buf_hex(const char *, uint8_t *, size_t max);

/* IPMI two's complement checksum over a byte range. */
uint8_t		 buf_cksum(const uint8_t *, size_t);
/* FNV-1a: table keys and file checksums, never security. */
uint32_t	 buf_fnv32(const uint8_t *, size_t);
uint64_t	 buf_fnv64(const uint8_t *, size_t);

#endif
