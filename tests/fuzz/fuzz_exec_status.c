/*
 * fuzz_exec_status.c: libFuzzer harness for the exec driver's status
 * parser (targets/exec.c).  The input is a status command's stdout as the
 * runner hands it over (exec_cmd.c keeps the first EXEC_OUT_MAX bytes):
 * exec_parse_status() reads it into on/off/unknown, and on unknown the
 * driver logs it through exec_out_text() into a 160-byte buffer.  The
 * bytes are copied to a heap block of their exact size so that ASan sees
 * any read past them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char esc[160];
	uint8_t *p;
	int on;

	if (n > EXEC_OUT_MAX)
		n = EXEC_OUT_MAX;
	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		return 0;
	if (n > 0)
		memcpy(p, data, n);
	on = exec_parse_status(p, n);
	if (on < -1 || on > 1 || (on >= 0 && n < 2))
		abort();
	if (on < 0 && strlen(exec_out_text(p, n, esc, sizeof(esc))) >=
	    sizeof(esc))
		abort();
	free(p);
	return 0;
}
