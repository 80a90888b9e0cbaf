/* pico_info.c: what a node tells about itself: its sensors (temperature,
 * VSYS, WiFi signal) and its firmware version. */
#include <stdio.h>
#include <string.h>

#include "pico.h"

/* What the node measures: board temperature, VSYS, WiFi signal. */
static const struct target_sensor pico_sensors[] = {
	/* name		type  unit m  rexp signed unc  ucr */
	{ "Board Temp",	0x01, 1,   1, 0,   1,     0,   0 },
	{ "VSYS",	0x02, 4,   2, -2,  0,     0,   0 },	/* 20 mV */
	{ "WiFi Signal", 0x0b, 60, 1, 0,   1,     0,   0 },	/* dB(m) */
};

size_t
pico_sensor_list(struct target_src *src, const struct target_sensor **ret)
{
	(void)src;
	*ret = pico_sensors;
	return sizeof(pico_sensors) / sizeof(pico_sensors[0]);
}

int
pico_sensor_read(struct target_src *src, uint64_t now, size_t i,
    uint8_t *raw)
{
	struct pico *p = src->dstate;
	long v;

	(void)now;
	if (p->conn == NULL || !p->have_sens)
		return -1;
	switch (i) {
	case 0:				/* 0.01 degC, rounded */
		v = p->sens.temp_cdeg;
		v = (v + (v < 0 ? -50 : 50)) / 100;
		v = v < -128 ? -128 : v > 127 ? 127 : v;
		*raw = (uint8_t)(int8_t)v;
		return 0;
	case 1:				/* mV in 20 mV steps */
		v = (p->sens.vsys_mv + 10) / 20;
		*raw = (uint8_t)(v > 255 ? 255 : v);
		return 0;
	case 2:				/* dBm, 0: unknown */
		if (p->sens.rssi == 0)
			return -1;
		*raw = (uint8_t)p->sens.rssi;
		return 0;
	default:
		return -1;
	}
}

void
pico_node_firmware(struct target_src *src, char *fw, size_t len)
{
	struct pico *p = src->dstate;

	snprintf(fw, len, "%s", p != NULL && p->conn != NULL ? p->fw : "");
}
