/*
 * cmd_sensor.c: a target's sensors as IPMI sees them: an SDR repository
 * (Storage netfn 0Ah) made from the driver's sensor list, one Full Sensor
 * Record per sensor, and Get Sensor Reading / Thresholds (netfn 04h).
 */
#include <string.h>

#include "cmd.h"
#include "core.h"
#include "ipmi.h"
#include "machine.h"

#define SDR_VERSION	0x51
#define SDR_FULL	0x01
#define SDR_FIXED	48	/* Full Sensor Record without its ID string */
#define SDR_MAX		(SDR_FIXED + 16)

static size_t
sensors_of(struct cmd_ctx *c, const struct target_sensor **ret)
{
	return machine_sensors(c->t, ret);
}

/*
 * Full Sensor Record (IPMI 2.0 table 43-1) for sensor i, record ID i+1.
 * The owner is the address the client reached the target at: its IPMB
 * address when bridged (ipmitool then reads the sensor through the same
 * bridge), 20h on its own endpoint, where it is the BMC (FreeIPMI reads
 * only sensors owned by 20h unless told --bridge-sensors).
 */
static size_t
sdr_record(uint8_t owner, const struct target_sensor *s, size_t i,
    uint8_t *out)
{
	size_t idlen = strnlen(s->name, 16);
	struct wbuf w;
	uint8_t mask = 0;

	if (s->upper_noncrit)
		mask |= 0x08;
	if (s->upper_crit)
		mask |= 0x10;
	wbuf_init(&w, out, SDR_MAX);
	wbuf_le16(&w, (uint16_t)(i + 1));	/* record ID */
	wbuf_u8(&w, SDR_VERSION);
	wbuf_u8(&w, SDR_FULL);
	wbuf_u8(&w, (uint8_t)(SDR_FIXED - 5 + idlen));
	wbuf_u8(&w, owner);
	wbuf_u8(&w, 0x00);			/* LUN 0, channel 0 */
	wbuf_u8(&w, (uint8_t)(i + 1));		/* sensor number */
	wbuf_u8(&w, 0x07);			/* entity: system board */
	wbuf_u8(&w, 0x01);			/* instance 1 */
	wbuf_u8(&w, 0x41);			/* scanning, no events */
	/* auto re-arm; thresholds readable (not settable) when any */
	wbuf_u8(&w, mask != 0 ? 0x44 : 0x40);
	wbuf_u8(&w, s->type);
	wbuf_u8(&w, 0x01);			/* threshold-based */
	wbuf_le16(&w, 0);			/* no assertion events */
	/* upper threshold comparisons returned: UNC bit 12, UCR bit 13 */
	wbuf_le16(&w, (uint16_t)(((mask & 0x08) ? 0x1000 : 0) |
	    ((mask & 0x10) ? 0x2000 : 0)));
	wbuf_u8(&w, mask);			/* readable thresholds */
	wbuf_u8(&w, 0x00);			/* settable: none */
	wbuf_u8(&w, s->is_signed ? 0x80 : 0x00);	/* units 1 */
	wbuf_u8(&w, s->unit);
	wbuf_u8(&w, 0x00);
	wbuf_u8(&w, 0x00);			/* linear */
	wbuf_u8(&w, s->m & 0xff);
	wbuf_u8(&w, (uint8_t)((s->m >> 8) & 3) << 6);
	wbuf_u8(&w, 0x00);			/* B = 0 */
	wbuf_u8(&w, 0x00);
	wbuf_u8(&w, 0x00);
	wbuf_u8(&w, (uint8_t)((s->rexp & 0x0f) << 4));	/* R exp, B exp 0 */
	wbuf_u8(&w, 0x00);			/* no nominal/normal */
	wbuf_fill(&w, 0, 3);
	wbuf_u8(&w, s->is_signed ? 0x7f : 0xff);	/* sensor max */
	wbuf_u8(&w, s->is_signed ? 0x80 : 0x00);	/* sensor min */
	wbuf_u8(&w, 0x00);			/* upper non-recoverable */
	wbuf_u8(&w, s->upper_crit);
	wbuf_u8(&w, s->upper_noncrit);
	wbuf_fill(&w, 0, 3);			/* lower thresholds */
	wbuf_fill(&w, 0, 2);			/* hysteresis */
	wbuf_fill(&w, 0, 3);			/* reserved, OEM */
	wbuf_u8(&w, (uint8_t)(0xc0 | idlen));	/* 8-bit ASCII */
	wbuf_put(&w, s->name, idlen);
	return w.err ? 0 : w.len;
}

static int
sdr_info(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	const struct target_sensor *s;
	size_t n = sensors_of(c, &s);

	(void)req;
	wbuf_u8(rsp, SDR_VERSION);
	wbuf_le16(rsp, (uint16_t)n);
	wbuf_le16(rsp, 0);			/* no free space: read-only */
	wbuf_le32(rsp, 0);			/* last addition */
	wbuf_le32(rsp, 0);			/* last erase */
	wbuf_u8(rsp, 0x02);			/* reserve supported */
	return CC_OK;
}

static int
sdr_reserve(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	(void)req;
	/* The repository never changes, so a reservation never lapses. */
	wbuf_le16(rsp, (uint16_t)(c->t->addr | 0x100));
	return CC_OK;
}

static int
sdr_get(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	const struct target_sensor *s;
	size_t n = sensors_of(c, &s), len;
	uint16_t id;
	uint8_t off, want, rec[SDR_MAX];

	buf_skip(req, 2);			/* reservation ID */
	id = buf_le16(req);
	off = buf_u8(req);
	want = buf_u8(req);
	if (id == 0)
		id = 1;				/* 0000h: the first record */
	if (id > n)
		return CC_NOT_PRESENT;
	len = sdr_record(c->bridged ? c->t->addr : IPMI_BMC_ADDR, &s[id - 1],
	    id - 1U, rec);
	if (off > len)
		return CC_PARAM_RANGE;
	if (want == 0xff || want > len - off)
		want = (uint8_t)(len - off);
	if ((size_t)want + 2 > wbuf_left(rsp))
		return CC_TOO_MANY_BYTES;
	wbuf_le16(rsp, id < n ? (uint16_t)(id + 1) : 0xffff);
	wbuf_put(rsp, rec + off, want);
	return CC_OK;
}

static const struct target_sensor *
sensor_of(struct cmd_ctx *c, uint8_t num)
{
	const struct target_sensor *s;
	size_t n = sensors_of(c, &s);

	return (num >= 1 && num <= n) ? &s[num - 1] : NULL;
}

static int
get_reading(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	uint8_t num = buf_u8(req), raw = 0, st = 0;
	const struct target_sensor *s = sensor_of(c, num);
	int v;

	if (s == NULL)
		return CC_NOT_PRESENT;
	if (machine_sensor_read(c->t, c->now, num - 1U, &raw) != 0) {
		wbuf_u8(rsp, 0x00);
		wbuf_u8(rsp, 0x20);		/* reading unavailable */
		wbuf_u8(rsp, 0x00);
		return CC_OK;
	}
	v = s->is_signed ? (int8_t)raw : raw;
	if (s->upper_noncrit && v >= (s->is_signed ?
	    (int8_t)s->upper_noncrit : s->upper_noncrit))
		st |= 0x08;
	if (s->upper_crit && v >= (s->is_signed ?
	    (int8_t)s->upper_crit : s->upper_crit))
		st |= 0x10;
	wbuf_u8(rsp, raw);
	wbuf_u8(rsp, 0x40);			/* scanning enabled */
	wbuf_u8(rsp, st);
	wbuf_u8(rsp, 0x80);
	return CC_OK;
}

static int
get_thresholds(struct cmd_ctx *c, struct buf *req, struct wbuf *rsp)
{
	const struct target_sensor *s = sensor_of(c, buf_u8(req));
	uint8_t mask = 0;

	if (s == NULL)
		return CC_NOT_PRESENT;
	if (s->upper_noncrit)
		mask |= 0x08;
	if (s->upper_crit)
		mask |= 0x10;
	wbuf_u8(rsp, mask);
	wbuf_fill(rsp, 0, 3);			/* lower: none */
	wbuf_u8(rsp, s->upper_noncrit);
	wbuf_u8(rsp, s->upper_crit);
	wbuf_u8(rsp, 0);
	return CC_OK;
}

#define T	CMD_TARGET

const struct cmd_entry cmd_sensor[] = {
	/* cmd			priv		where	min max handler */
	{ NETFN_SENSOR, SE_GET_THRESHOLDS, PRIV_USER,	T,	1, 1, get_thresholds },
	{ NETFN_SENSOR, SE_GET_READING,	PRIV_USER,	T,	1, 1, get_reading },
};
const size_t cmd_sensor_n = sizeof(cmd_sensor) / sizeof(cmd_sensor[0]);

const struct cmd_entry cmd_storage[] = {
	{ NETFN_STORAGE, STORAGE_GET_SDR_INFO, PRIV_USER, T,	0, 0, sdr_info },
	{ NETFN_STORAGE, STORAGE_RESERVE_SDR, PRIV_USER, T,	0, 0, sdr_reserve },
	{ NETFN_STORAGE, STORAGE_GET_SDR, PRIV_USER,	T,	6, 6, sdr_get },
};
const size_t cmd_storage_n = sizeof(cmd_storage) / sizeof(cmd_storage[0]);
