/*
 * fuzz_nproto.c: libFuzzer harness for the node link codec.  The input is
 * read as a stream of frames the way both ends read it (np_frame_len, then
 * np_decode); every frame that decodes must encode back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	uint8_t out[NP_FRAME_MAX];
	struct np_msg m;

	while (n > 0) {
		int len = np_frame_len(p, n);
		size_t e;

		if (len <= 0 || (size_t)len > n)
			break;
		if (np_decode(p, (size_t)len, &m) == 0) {
			e = np_encode(out, sizeof(out), &m);
			/* Texts are NUL padded: a frame with bytes after a
			 * NUL in a text decodes to a shorter string. */
			if (m.type != NP_HELLO &&
			    (e != (size_t)len || memcmp(out, p, e) != 0))
				abort();
			if (m.type == NP_HELLO && e != (size_t)len)
				abort();
		}
		p += len;
		n -= (size_t)len;
	}
	return 0;
}
