/*
 * machine_boot.c: the model's boot override (in words every face has, over
 * IPMI's System Boot Options block, which state.c keeps) and its sensors.
 */
#include <string.h>

#include "machine_int.h"

/* ---- boot override --------------------------------------------------- */

/* Boot flags byte 2, bits 5:2, in both directions. */
static const struct {
	uint8_t			 sel;
	enum machine_boot_device dev;
} boot_map[] = {
	{ 0x0, MACHINE_BOOT_NONE }, { 0x1, MACHINE_BOOT_PXE },
	{ 0x2, MACHINE_BOOT_DISK }, { 0x3, MACHINE_BOOT_SAFE_DISK },
	{ 0x4, MACHINE_BOOT_DIAG }, { 0x5, MACHINE_BOOT_CD },
	{ 0x6, MACHINE_BOOT_BIOS }, { 0x8, MACHINE_BOOT_REMOTE_CD },
	{ 0xb, MACHINE_BOOT_REMOTE_DISK }, { 0xf, MACHINE_BOOT_FLOPPY },
};

void
machine_boot_get(struct target *t, struct machine_boot *b)
{
	const struct target_boot *tb = &t->st.boot;
	uint8_t sel = (tb->flags[1] >> 2) & 0x0f;

	memset(b, 0, sizeof(*b));
	b->uefi = (tb->flags[0] & 0x20) != 0;
	b->persistent = (tb->flags[0] & 0x40) != 0;
	if (!(tb->flags[0] & 0x80) || (tb->invalid & (1u << 5)))
		return;				/* no override */
	for (size_t i = 0; i < sizeof(boot_map) / sizeof(boot_map[0]); i++)
		if (boot_map[i].sel == sel)
			b->device = boot_map[i].dev;
}

int
machine_boot_set(struct target *t, const struct machine_boot *b,
    const struct machine_who *who)
{
	struct target_boot *tb = &t->st.boot;
	int sel = -1;

	for (size_t i = 0; i < sizeof(boot_map) / sizeof(boot_map[0]); i++)
		if (boot_map[i].dev == b->device)
			sel = boot_map[i].sel;
	if (sel < 0)
		return MACHINE_INVALID;
	tb->flags[0] = (uint8_t)((b->device != MACHINE_BOOT_NONE ? 0x80 : 0) |
	    (b->persistent ? 0x40 : 0) | (b->uefi ? 0x20 : 0));
	tb->flags[1] = (uint8_t)((tb->flags[1] & 0x83) | sel << 2);
	tb->invalid &= (uint8_t)~(1u << 5);
	machine_boot_commit(t, who);
	return MACHINE_OK;
}

void
machine_save(struct target *t)
{
	machine_persist(t);
}

struct target_boot *
machine_boot_raw(struct target *t)
{
	return &t->st.boot;
}

void
machine_boot_commit(struct target *t, const struct machine_who *who)
{
	(void)who;
	machine_persist(t);
	if (t->main.drv->boot_changed != NULL)
		t->main.drv->boot_changed(&t->main, &t->st.boot);
}

static const char *
boot_text(const struct target_boot *b)
{
	static const char *const dev[16] = {
		"no override", "PXE", "disk", "disk (safe mode)",
		"diagnostic partition", "CD/DVD", "BIOS setup",
		"remote floppy", "remote CD/DVD", "primary remote media",
		"reserved", "remote disk", "reserved", "reserved", "reserved",
		"floppy",
	};

	if (!(b->flags[0] & 0x80) || (b->invalid & (1u << 5)))
		return "no override";
	return dev[(b->flags[1] >> 2) & 0x0f];
}

/* ---- sensors ----------------------------------------------------------- */

int
machine_has_sensors(struct target *t)
{
	return t->main.drv->sensor_list != NULL;
}

size_t
machine_sensors(struct target *t, const struct target_sensor **ret)
{
	*ret = NULL;
	if (t->main.drv->sensor_list == NULL)
		return 0;
	return t->main.drv->sensor_list(&t->main, ret);
}

int
machine_sensor_read(struct target *t, uint64_t now, size_t i, uint8_t *raw)
{
	if (t->main.drv->sensor_read == NULL)
		return -1;
	return t->main.drv->sensor_read(&t->main, now, i, raw);
}

/* The machine boots: its firmware has read the boot flags, and a one-shot
 * override is used up. */
void
machine_boot_used(struct target *t)
{
	struct target_boot *b = &t->st.boot;

	log_info("target %s: boots, device %s%s%s", t->name, boot_text(b),
	    (b->flags[0] & 0xa0) == 0xa0 ? ", EFI" : "",
	    (b->flags[0] & 0xc0) == 0x80 ? ", one-shot" : "");
	if ((b->flags[0] & 0x80) && !(b->flags[0] & 0x40)) {
		b->flags[0] &= (uint8_t)~0x80;
		machine_persist(t);
	}
}
