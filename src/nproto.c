/*
 * nproto.c: the node link codec (see nproto.h and docs/node-protocol.md).
 * Shared by pmbd and the firmware; portable C17, no allocation.
 */
#include <string.h>

#include "buf.h"
#include "nproto.h"

uint16_t
np_clamp_pulse(uint32_t ms)
{
	if (ms < NP_PULSE_MIN_MS)
		return NP_PULSE_MIN_MS;
	if (ms > NP_PULSE_MAX_MS)
		return NP_PULSE_MAX_MS;
	return (uint16_t)ms;
}

const char *
np_type_name(uint8_t t)
{
	switch (t) {
	case NP_HELLO:		return "hello";
	case NP_WELCOME:	return "welcome";
	case NP_PING:		return "ping";
	case NP_RESULT:		return "result";
	case NP_POWER:		return "power";
	case NP_PULSE:		return "pulse";
	case NP_STATE:		return "state";
	case NP_CON_DATA:	return "con-data";
	case NP_CON_ACK:	return "con-ack";
	case NP_CON_SET:	return "con-set";
	case NP_CON_BREAK:	return "con-break";
	case NP_IDENTIFY:	return "identify";
	case NP_SENSORS_GET:	return "sensors-get";
	case NP_SENSORS:	return "sensors";
	case NP_REBOOT:		return "reboot";
	case NP_PIN_SETUP:	return "pin-setup";
	case NP_PIN_READ:	return "pin-read";
	case NP_PIN_WRITE:	return "pin-write";
	case NP_ACTIONS_GET:	return "actions-get";
	case NP_ACTIONS:	return "actions";
	case NP_INFO_GET:	return "info-get";
	case NP_INFO:		return "info";
	}
	return "unknown";
}

int
np_frame_len(const uint8_t *p, size_t n)
{
	size_t len;

	if (n < 2)
		return 0;
	len = (size_t)p[0] | (size_t)p[1] << 8;
	if (len < NP_HDR - 2 || len > NP_FRAME_MAX - 2)
		return -1;
	if (n >= 3 && p[2] != NP_VERSION)
		return -1;
	return (int)(len + 2);
}

/* Fixed-size text: NUL padded on the wire, always terminated here. */
static void
get_text(struct buf *b, char *s)
{
	buf_copy(b, s, NP_TEXT_MAX);
	s[NP_TEXT_MAX - 1] = '\0';
}

static void
put_text(struct wbuf *w, const char *s)
{
	size_t n = 0;

	while (n < NP_TEXT_MAX - 1 && s[n] != '\0')
		n++;

	wbuf_put(w, s, n);
	wbuf_fill(w, 0, NP_TEXT_MAX - n);
}

static void
get_pins(struct buf *b, struct np_pins *p)
{
	p->power = buf_u8(b);
	p->reset = buf_u8(b);
	p->sense = buf_u8(b);
	p->uart_tx = buf_u8(b);
	p->uart_rx = buf_u8(b);
	p->led = buf_u8(b);
	p->sense_active_low = buf_u8(b);
	p->out_active_low = buf_u8(b);
}

static void
put_pins(struct wbuf *w, const struct np_pins *p)
{
	wbuf_u8(w, p->power);
	wbuf_u8(w, p->reset);
	wbuf_u8(w, p->sense);
	wbuf_u8(w, p->uart_tx);
	wbuf_u8(w, p->uart_rx);
	wbuf_u8(w, p->led);
	wbuf_u8(w, p->sense_active_low);
	wbuf_u8(w, p->out_active_low);
}

/*
 * The rules on field values, the same both ways: a frame that breaks one
 * is neither sent nor taken.
 */
static int
valid(const struct np_msg *m)
{
	switch (m->type) {
	case NP_HELLO:
		return m->u.hello.power <= NP_PS_UNKNOWN;
	case NP_WELCOME:
		return m->u.welcome.heartbeat_ms != 0 &&
		    m->u.welcome.dead_ms > m->u.welcome.heartbeat_ms;
	case NP_POWER:
		switch (m->u.power.action) {
		case NP_PWR_OFF: case NP_PWR_ON: case NP_PWR_CYCLE:
		case NP_PWR_RESET: case NP_PWR_SOFT:
			return 1;
		}
		return 0;
	case NP_PULSE:
		return m->u.pulse.line <= NP_LINE_RESET;
	case NP_STATE:
		return m->u.state.power <= NP_PS_UNKNOWN;
	case NP_CON_DATA:
		return m->u.con.len > 0 && m->u.con.len <= NP_DATA_MAX;
	case NP_CON_SET:
		return m->u.set.baud != 0 && m->u.set.data_bits >= 5 &&
		    m->u.set.data_bits <= 8 && m->u.set.parity <= 2 &&
		    m->u.set.stop_bits >= 1 && m->u.set.stop_bits <= 2;
	case NP_PIN_SETUP:
		return m->u.pin.mode <= NP_PIN_OUT;
	case NP_PIN_WRITE:
		return m->u.pin.level <= 1 && m->u.pin.revert_ms != 0 &&
		    m->u.pin.revert_ms <= NP_REVERT_MAX_MS;
	case NP_ACTIONS:
	case NP_INFO:
		return m->u.text.len <= NP_DATA_MAX;
	}
	return 1;
}

static int
get_body(struct buf *b, struct np_msg *m)
{
	const uint8_t *d;

	switch (m->type) {
	case NP_HELLO: {
		struct np_hello *h = &m->u.hello;

		h->proto = buf_u8(b);
		get_text(b, h->board);
		get_text(b, h->fw);
		get_text(b, h->name);
		h->caps = buf_le32(b);
		h->reset_cause = buf_u8(b);
		h->boot_id = buf_le32(b);
		get_pins(b, &h->pins);
		h->press_ms = buf_le16(b);
		h->hold_ms = buf_le16(b);
		h->reset_ms = buf_le16(b);
		h->power = buf_u8(b);
		h->con_rx_next = buf_le32(b);
		h->con_tx_base = buf_le32(b);
		break;
	}
	case NP_WELCOME:
		m->u.welcome.proto = buf_u8(b);
		m->u.welcome.daemon_id = buf_le32(b);
		m->u.welcome.heartbeat_ms = buf_le16(b);
		m->u.welcome.dead_ms = buf_le16(b);
		m->u.welcome.con_rx_next = buf_le32(b);
		m->u.welcome.con_window = buf_le16(b);
		m->u.welcome.press_ms = buf_le16(b);
		m->u.welcome.hold_ms = buf_le16(b);
		m->u.welcome.reset_ms = buf_le16(b);
		break;
	case NP_PING:
	case NP_SENSORS_GET:
	case NP_ACTIONS_GET:
	case NP_INFO_GET:
		break;
	case NP_RESULT:
		m->u.result.status = buf_u8(b);
		m->u.result.flags = buf_u8(b);
		m->u.result.power = buf_u8(b);
		m->u.result.value = buf_le32(b);
		break;
	case NP_POWER:
		m->u.power.action = buf_u8(b);
		break;
	case NP_PULSE:
		m->u.pulse.line = buf_u8(b);
		m->u.pulse.ms = buf_le16(b);
		break;
	case NP_STATE:
		m->u.state.power = buf_u8(b);
		m->u.state.pressed = buf_u8(b);
		break;
	case NP_CON_DATA:
		m->u.con.off = buf_le32(b);
		m->u.con.len = (uint16_t)buf_left(b);
		m->u.con.data = buf_take(b, m->u.con.len);
		break;
	case NP_CON_ACK:
		m->u.ack.next = buf_le32(b);
		m->u.ack.window = buf_le16(b);
		break;
	case NP_CON_SET:
		m->u.set.baud = buf_le32(b);
		m->u.set.data_bits = buf_u8(b);
		m->u.set.parity = buf_u8(b);
		m->u.set.stop_bits = buf_u8(b);
		break;
	case NP_CON_BREAK:
		m->u.break_ms = buf_le16(b);
		break;
	case NP_IDENTIFY:
		m->u.identify_s = buf_u8(b);
		break;
	case NP_SENSORS:
		m->u.sensors.temp_cdeg = (int16_t)buf_le16(b);
		m->u.sensors.vsys_mv = buf_le16(b);
		m->u.sensors.rssi = (int8_t)buf_u8(b);
		m->u.sensors.uptime_s = buf_le32(b);
		m->u.sensors.free_mem = buf_le32(b);
		m->u.sensors.reset_cause = buf_u8(b);
		m->u.sensors.con_lost = buf_le32(b);
		break;
	case NP_REBOOT:
		m->u.reboot_magic = buf_le32(b);
		break;
	case NP_PIN_SETUP:
		m->u.pin.pin = buf_u8(b);
		m->u.pin.mode = buf_u8(b);
		break;
	case NP_PIN_READ:
		m->u.pin.pin = buf_u8(b);
		break;
	case NP_PIN_WRITE:
		m->u.pin.pin = buf_u8(b);
		m->u.pin.level = buf_u8(b);
		m->u.pin.revert_ms = buf_le32(b);
		break;
	case NP_ACTIONS:
	case NP_INFO:
		m->u.text.len = (uint16_t)buf_left(b);
		d = buf_take(b, m->u.text.len);
		m->u.text.s = (const char *)d;
		break;
	default:
		return -1;
	}
	return buf_end(b) == 0 && valid(m) ? 0 : -1;
}

int
np_decode(const uint8_t *p, size_t n, struct np_msg *m)
{
	struct buf b;
	size_t len;

	memset(m, 0, sizeof(*m));
	buf_init(&b, p, n);
	len = buf_le16(&b);
	if (b.err || len + 2 != n || len < NP_HDR - 2 ||
	    n > NP_FRAME_MAX || buf_u8(&b) != NP_VERSION)
		return -1;
	m->type = buf_u8(&b);
	m->seq = buf_le32(&b);
	return get_body(&b, m);
}

static void
put_body(struct wbuf *w, const struct np_msg *m)
{
	switch (m->type) {
	case NP_HELLO: {
		const struct np_hello *h = &m->u.hello;

		wbuf_u8(w, h->proto);
		put_text(w, h->board);
		put_text(w, h->fw);
		put_text(w, h->name);
		wbuf_le32(w, h->caps);
		wbuf_u8(w, h->reset_cause);
		wbuf_le32(w, h->boot_id);
		put_pins(w, &h->pins);
		wbuf_le16(w, h->press_ms);
		wbuf_le16(w, h->hold_ms);
		wbuf_le16(w, h->reset_ms);
		wbuf_u8(w, h->power);
		wbuf_le32(w, h->con_rx_next);
		wbuf_le32(w, h->con_tx_base);
		break;
	}
	case NP_WELCOME:
		wbuf_u8(w, m->u.welcome.proto);
		wbuf_le32(w, m->u.welcome.daemon_id);
		wbuf_le16(w, m->u.welcome.heartbeat_ms);
		wbuf_le16(w, m->u.welcome.dead_ms);
		wbuf_le32(w, m->u.welcome.con_rx_next);
		wbuf_le16(w, m->u.welcome.con_window);
		wbuf_le16(w, m->u.welcome.press_ms);
		wbuf_le16(w, m->u.welcome.hold_ms);
		wbuf_le16(w, m->u.welcome.reset_ms);
		break;
	case NP_PING:
	case NP_SENSORS_GET:
	case NP_ACTIONS_GET:
	case NP_INFO_GET:
		break;
	case NP_RESULT:
		wbuf_u8(w, m->u.result.status);
		wbuf_u8(w, m->u.result.flags);
		wbuf_u8(w, m->u.result.power);
		wbuf_le32(w, m->u.result.value);
		break;
	case NP_POWER:
		wbuf_u8(w, m->u.power.action);
		break;
	case NP_PULSE:
		wbuf_u8(w, m->u.pulse.line);
		wbuf_le16(w, m->u.pulse.ms);
		break;
	case NP_STATE:
		wbuf_u8(w, m->u.state.power);
		wbuf_u8(w, m->u.state.pressed);
		break;
	case NP_CON_DATA:
		wbuf_le32(w, m->u.con.off);
		wbuf_put(w, m->u.con.data, m->u.con.len);
		break;
	case NP_CON_ACK:
		wbuf_le32(w, m->u.ack.next);
		wbuf_le16(w, m->u.ack.window);
		break;
	case NP_CON_SET:
		wbuf_le32(w, m->u.set.baud);
		wbuf_u8(w, m->u.set.data_bits);
		wbuf_u8(w, m->u.set.parity);
		wbuf_u8(w, m->u.set.stop_bits);
		break;
	case NP_CON_BREAK:
		wbuf_le16(w, m->u.break_ms);
		break;
	case NP_IDENTIFY:
		wbuf_u8(w, m->u.identify_s);
		break;
	case NP_SENSORS:
		wbuf_le16(w, (uint16_t)m->u.sensors.temp_cdeg);
		wbuf_le16(w, m->u.sensors.vsys_mv);
		wbuf_u8(w, (uint8_t)m->u.sensors.rssi);
		wbuf_le32(w, m->u.sensors.uptime_s);
		wbuf_le32(w, m->u.sensors.free_mem);
		wbuf_u8(w, m->u.sensors.reset_cause);
		wbuf_le32(w, m->u.sensors.con_lost);
		break;
	case NP_REBOOT:
		wbuf_le32(w, m->u.reboot_magic);
		break;
	case NP_PIN_SETUP:
		wbuf_u8(w, m->u.pin.pin);
		wbuf_u8(w, m->u.pin.mode);
		break;
	case NP_PIN_READ:
		wbuf_u8(w, m->u.pin.pin);
		break;
	case NP_PIN_WRITE:
		wbuf_u8(w, m->u.pin.pin);
		wbuf_u8(w, m->u.pin.level);
		wbuf_le32(w, m->u.pin.revert_ms);
		break;
	case NP_ACTIONS:
	case NP_INFO:
		wbuf_put(w, m->u.text.s, m->u.text.len);
		break;
	default:
		w->err = 1;
	}
}

size_t
np_encode(uint8_t *out, size_t cap, const struct np_msg *m)
{
	struct wbuf w;

	if (!valid(m))
		return 0;
	wbuf_init(&w, out, cap < NP_FRAME_MAX ? cap : NP_FRAME_MAX);
	wbuf_le16(&w, 0);
	wbuf_u8(&w, NP_VERSION);
	wbuf_u8(&w, m->type);
	wbuf_le32(&w, m->seq);
	put_body(&w, m);
	if (w.err)
		return 0;
	out[0] = (uint8_t)(w.len - 2);
	out[1] = (uint8_t)((w.len - 2) >> 8);
	return w.len;
}
