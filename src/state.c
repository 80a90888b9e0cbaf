/* state.c: crash-safe persistence of per-target state. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "state.h"

#define STATE_MAGIC	0x53424d50u	/* "PMBS" */
/*
 * 2 adds the SOL configuration; 3 makes OPERATOR the default SOL
 * privilege: a version 2 file that holds the old default (USER, 0xc2)
 * loads as the new one, any other value as it was set.
 */
#define STATE_VERSION	3
#define STATE_MAX	128

size_t
state_encode(const struct target_persist *st, uint8_t *out, size_t cap)
{
	const struct target_boot *b = &st->boot;
	struct wbuf w;

	wbuf_init(&w, out, cap);
	wbuf_le32(&w, STATE_MAGIC);
	wbuf_u8(&w, STATE_VERSION);
	wbuf_put(&w, st->guid, 16);
	wbuf_u8(&w, b->in_progress);
	wbuf_u8(&w, b->svc_partition);
	wbuf_u8(&w, b->svc_scan);
	wbuf_u8(&w, b->clear_mask);
	wbuf_put(&w, b->ack, sizeof(b->ack));
	wbuf_put(&w, b->flags, sizeof(b->flags));
	wbuf_put(&w, b->initiator, sizeof(b->initiator));
	wbuf_u8(&w, b->invalid);
	wbuf_u8(&w, st->sol.enable);
	wbuf_u8(&w, st->sol.auth);
	wbuf_u8(&w, st->sol.accum);
	wbuf_u8(&w, st->sol.threshold);
	wbuf_u8(&w, st->sol.retry_count);
	wbuf_u8(&w, st->sol.retry_interval);
	wbuf_u8(&w, st->sol.nv_rate);
	wbuf_u8(&w, st->sol.v_rate);
	if (w.err)
		return 0;
	wbuf_le32(&w, buf_fnv32(out, w.len));
	return w.err ? 0 : w.len;
}

int
state_decode(const uint8_t *p, size_t n, struct target_persist *st)
{
	struct target_persist t;
	struct target_boot *b = &t.boot;
	struct buf r;
	uint8_t version;

	if (n < 4 || buf_fnv32(p, n - 4) != (uint32_t)(p[n - 4] | p[n - 3] << 8 |
	    p[n - 2] << 16 | (uint32_t)p[n - 1] << 24))
		return -1;
	memset(&t, 0, sizeof(t));
	buf_init(&r, p, n - 4);
	if (buf_le32(&r) != STATE_MAGIC)
		return -1;
	version = buf_u8(&r);
	if (version < 1 || version > STATE_VERSION)
		return -1;
	buf_copy(&r, t.guid, 16);
	b->in_progress = buf_u8(&r);
	b->svc_partition = buf_u8(&r);
	b->svc_scan = buf_u8(&r);
	b->clear_mask = buf_u8(&r);
	buf_copy(&r, b->ack, sizeof(b->ack));
	buf_copy(&r, b->flags, sizeof(b->flags));
	buf_copy(&r, b->initiator, sizeof(b->initiator));
	b->invalid = buf_u8(&r);
	target_solcfg_default(&t.sol);
	if (version >= 2) {
		t.sol.enable = buf_u8(&r);
		t.sol.auth = buf_u8(&r);
		t.sol.accum = buf_u8(&r);
		t.sol.threshold = buf_u8(&r);
		t.sol.retry_count = buf_u8(&r);
		t.sol.retry_interval = buf_u8(&r);
		t.sol.nv_rate = buf_u8(&r);
		t.sol.v_rate = buf_u8(&r);
		if (version == 2 && t.sol.auth == 0xc2)
			t.sol.auth = 0xc3;
	}
	if (buf_end(&r) != 0)
		return -1;
	*st = t;
	return 0;
}

int
state_init(const char *dir)
{
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -1;
	return access(dir, W_OK) == 0 ? 0 : -1;
}

static int
write_atomic(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd, dfd, rc = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	/* A fresh file, never through a link someone left in state_dir. */
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0640)) < 0)
		return -1;
	if (write(fd, p, n) != (ssize_t)n || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		rc = fsync(dfd);
		close(dfd);
	}
	return rc;
}

static int
read_file(const char *dir, const char *name, uint8_t *p, size_t cap,
    size_t *ret_len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, p, cap);
	close(fd);
	if (n < 0)
		return -1;
	*ret_len = (size_t)n;
	return 0;
}

/*
 * 0: loaded or created.  A corrupt file (bad disk, not a crash: writes are
 * atomic) is set aside as NAME.corrupt and replaced; *ret_corrupt says so.
 */
static int
load(const char *dir, const char *name, struct target_persist *st,
    int *ret_corrupt)
{
	char path[PATH_MAX], bad[PATH_MAX];
	uint8_t buf[STATE_MAX];
	size_t n;

	*ret_corrupt = 0;
	if (read_file(dir, name, buf, sizeof(buf), &n) == 0) {
		if (state_decode(buf, n, st) == 0)
			return 0;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		snprintf(bad, sizeof(bad), "%s/%s.corrupt", dir, name);
		if (rename(path, bad) != 0)
			return -1;
		*ret_corrupt = 1;
	} else if (errno != ENOENT)
		return -1;
	memset(st, 0, sizeof(*st));
	target_solcfg_default(&st->sol);
	if (crypto_random(st->guid, sizeof(st->guid)) != 0)
		return -1;
	/*
	 * A random (version 4) GUID in IPMI's encoding, which is RFC 4122
	 * byte-reversed: time_hi_and_version is bytes 8-9, clock_seq 6-7.
	 */
	st->guid[9] = (uint8_t)((st->guid[9] & 0x0f) | 0x40);
	st->guid[7] = (uint8_t)((st->guid[7] & 0x3f) | 0x80);
	n = state_encode(st, buf, sizeof(buf));
	return write_atomic(dir, name, buf, n);
}

int
state_load_self(const char *dir, uint8_t guid[16])
{
	struct target_persist st;
	int corrupt;

	if (load(dir, "pmbd.state", &st, &corrupt) != 0)
		return -1;
	memcpy(guid, st.guid, 16);
	return corrupt;
}

static void
target_file(const struct target *t, char *name, size_t len)
{
	snprintf(name, len, "target-%03u.state", t->addr);
}

int
state_load_target(const char *dir, struct target *t)
{
	char name[32];
	int corrupt;

	target_file(t, name, sizeof(name));
	if (load(dir, name, &t->st, &corrupt) != 0)
		return -1;
	return corrupt;
}

int
state_save_target(const char *dir, const struct target *t)
{
	uint8_t buf[STATE_MAX];
	char name[32];
	size_t n;

	target_file(t, name, sizeof(name));
	if ((n = state_encode(&t->st, buf, sizeof(buf))) == 0)
		return -1;
	return write_atomic(dir, name, buf, n);
}
