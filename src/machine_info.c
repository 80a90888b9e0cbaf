/*
 * machine_info.c: the model's changes for the faces that show them as they
 * happen (machine_events.h), found at the tick by comparing what each
 * machine was with what it is; and the facts only some faces show.
 */
#include <string.h>

#include "machine_events.h"
#include "machine_int.h"

static struct {
	machine_event_fn	*fn;
	void			*arg;
} sub[MACHINE_SUBSCRIBERS];

int
machine_subscribe(machine_event_fn *fn, void *arg)
{
	for (int i = 0; i < MACHINE_SUBSCRIBERS; i++)
		if (sub[i].fn == NULL) {
			sub[i].fn = fn;
			sub[i].arg = arg;
			return 0;
		}
	return -1;
}

void
machine_unsubscribe(machine_event_fn *fn, void *arg)
{
	for (int i = 0; i < MACHINE_SUBSCRIBERS; i++)
		if (sub[i].fn == fn && sub[i].arg == arg)
			sub[i].fn = NULL;
}

void
machine_notify(const struct machine_event *ev, uint64_t now)
{
	for (int i = 0; i < MACHINE_SUBSCRIBERS; i++)
		if (sub[i].fn != NULL)
			sub[i].fn(sub[i].arg, ev, now);
}

/* At the tick: a change of power or link since the last look. */
void
machine_changes(struct machine *m, uint64_t now)
{
	struct machine_state ms;
	struct machine_event ev = { .t = m->t };

	machine_state(m->t, now, &ms);
	if (!ms.has_power)
		return;
	if (m->shown && ms.link_up != m->shown_link) {
		ev.kind = MACHINE_EV_LINK;
		ev.link_up = ms.link_up;
		machine_notify(&ev, now);
	}
	if (m->shown && ms.power != m->shown_power) {
		ev.kind = MACHINE_EV_POWER;
		ev.power = ms.power;
		machine_notify(&ev, now);
	}
	m->shown = 1;
	m->shown_power = ms.power;
	m->shown_link = ms.link_up;
}

void
machine_guid(const struct target *t, uint8_t out[16])
{
	memcpy(out, t->st.guid, 16);
}

void
machine_console_info(struct target *t, struct machine_console_info *ci)
{
	ci->has_console = target_has_console(t);
	ci->sol_enabled = ci->has_console && (t->st.sol.enable & 1);
}

void
machine_node(struct target *t, uint64_t now, struct machine_node *n)
{
	const struct target_sensor *s;
	struct machine_state ms;
	size_t ns;
	uint8_t raw;

	memset(n, 0, sizeof(*n));
	if (t->main.drv->node_firmware == NULL)
		return;
	n->is_node = 1;
	machine_state(t, now, &ms);
	n->link_up = ms.link_up;
	if (ms.link_up)
		t->main.drv->node_firmware(&t->main, n->firmware,
		    sizeof(n->firmware));
	ns = machine_sensors(t, &s);
	for (size_t i = 0; i < ns; i++)
		if (s[i].unit == 60 && machine_sensor_read(t, now, i,
		    &raw) == 0) {
			n->has_signal = 1;
			n->signal_dbm = s[i].is_signed ? (int8_t)raw : raw;
		}
}
