/*
 * esp8266_cmd.c: the esp8266 driver's command sequence (esp8266.h): on
 * every connection the pins are checked and released, their modes and
 * flags set, released again after every change (the firmware drives an
 * output to its off level then), the UART and bridge port read and set, a
 * restart asked when the bridge port changed, every output read back;
 * then presses, their releases and the sense poll.  What each reply means
 * is here too; the socket is esp8266.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "esp8266.h"
#include "ipmi.h"
#include "log.h"

int
esp_released(const struct esp_pin *p)
{
	return p->invert ? 1 : 0;
}

/*
 * The value iw writes, ir reads and the pin dump shows for a physical
 * level: the firmware inverts them when its invert flag is set (io_gpio.c
 * read_pin/write_pin).  The driver clears that flag, but until it has, a
 * release must still be a release.
 */
int
esp_logical(const struct esp_pin *p, int level)
{
	return level ^ (p->fw_invert != 0);
}

static int
sense_level_on(const struct esp *e, long level)
{
	return (level != 0) != (e->pins[SENSE].invert != 0);
}

static void
sensed(struct esp *e, int on)
{
	if (e->sense_valid && on && !e->sensed_on) {
		target_event(e->src->t, e->now, TARGET_EV_BOOT);
	}
	if (e->sense_valid && on != e->sensed_on)
		log_info("target %s: esp8266: power is %s", e->src->t->name,
		    on ? "on" : "off");
	e->sensed_on = on;
	e->sense_valid = 1;
}

static const char *const uart_cmd[U_MAX] = { "ub 0", "ud 0", "us 0",
    "up 0", "bp" };

/* Our wish for UART item i, as the firmware prints it. */
static void
uart_want(const struct esp *e, int i, char *buf, size_t n)
{
	switch (i) {
	case U_BAUD:
		snprintf(buf, n, "%u", e->want_baud);
		break;
	case U_DATA:
		snprintf(buf, n, "%u", e->cf->data_bits);
		break;
	case U_STOP:
		snprintf(buf, n, "%u", e->cf->stop_bits);
		break;
	case U_PARITY:
		snprintf(buf, n, "%s", e->cf->parity);
		break;
	default:
		snprintf(buf, n, "%u", e->cf->bridge_port);
		break;
	}
}

/* A complete reply to the command in flight (the line that ends it). */
static void
esp_reply(struct esp *e, const struct esp_parsed *r, const char *line)
{
	struct esp_pin *p = e->cmd_pin >= 0 ? &e->pins[e->cmd_pin] : NULL;
	enum esp_cmd cmd = e->cmd;
	char want[16], got[24];
	int ok;

	switch (cmd) {
	case C_KEEPALIVE:
		ok = r->kind == ESP_R_EMPTY || (r->kind == ESP_R_ERROR &&
		    strstr(line, ": command unknown") != NULL);
		if (!ok)
			goto unexpected;
		break;
	case C_PIN_CHECK:
	case C_PIN_MODE:
		if (r->kind != ESP_R_PIN_DUMP || r->pin != p->pin)
			goto unexpected;
		ok = strcmp(r->mode, p->output ? "digital output" :
		    "digital input") == 0;
		if (!ok && cmd == C_PIN_MODE)
			goto unexpected;
		p->check = 0;
		p->fix_mode = !ok;
		if (p->fix_mode)
			log_info("target %s: esp8266: GPIO %d is \"%s\", "
			    "setting %s", e->src->t->name, p->pin, r->mode,
			    p->output ? "doutput" : "dinput");
		p->fw_invert = esp8266_flag_set(r->flags, "invert");
		p->fix_autostart = p->output && esp8266_flag_set(r->flags,
		    "autostart") != esp_released(p);
		p->fix_invert = p->fw_invert;
		if (cmd == C_PIN_MODE && p->output) {
			/*
			 * A mode change deletes the pin's stored flags but
			 * leaves those in RAM (io.c): store them again, or the
			 * next boot forgets autostart.  And the pin is now at
			 * the firmware's off level (io_gpio.c init_pin_mode):
			 * physically low, pressed for an inverted relay.
			 */
			p->fix_autostart = esp_released(p) ||
			    esp8266_flag_set(r->flags, "autostart");
			p->want_release = 1;
			p->release_at = 0;
		}
		if (ok && !p->output && r->state >= 0)
			sensed(e, sense_level_on(e, r->state));
		if (ok && p->output && r->state >= 0 &&
		    r->state != esp_logical(p, esp_released(p)))
			log_warnx("target %s: esp8266: GPIO %d was found "
			    "pressed; releasing it", e->src->t->name, p->pin);
		break;
	case C_PIN_FLAG:
		if (r->kind != ESP_R_FLAGS || r->pin != p->pin)
			goto unexpected;
		p->fw_invert = esp8266_flag_set(r->flags, "invert");
		if (p->output) {
			/* The flag change re-ran init_pin_mode: the pin is at
			 * the firmware's off level, pressed for an inverted
			 * relay.  Release it again, before anything else. */
			p->want_release = 1;
			p->release_at = 0;
		}
		if (p->fix_invert)
			p->fix_invert = esp8266_flag_set(r->flags, "invert");
		else
			p->fix_autostart = p->output &&
			    esp8266_flag_set(r->flags, "autostart") !=
			    esp_released(p);
		if (p->fix_invert || p->fix_autostart)
			goto unexpected;
		break;
	case C_RELEASE:
		if (r->kind != ESP_R_VALUE || strcmp(r->mode,
		    "digital output") != 0 ||
		    r->value != esp_logical(p, esp_released(p)))
			goto unexpected;
		p->want_release = 0;
		p->release_at = 0;
		p->fails = 0;
		log_debug("target %s: esp8266: GPIO %d released",
		    e->src->t->name, p->pin);
		break;
	case C_PRESS:
		if (r->kind != ESP_R_VALUE || strcmp(r->mode,
		    "digital output") != 0 ||
		    r->value == esp_logical(p, esp_released(p)))
			goto unexpected;
		esp_plan_answer(e, CC_OK);
		if (e->plan.boot && (e->plan.line == L_RESET ||
		    e->pins[SENSE].pin == ESP_NO_PIN))
			target_event(e->src->t, e->now, TARGET_EV_BOOT);
		e->plan.active = 0;
		break;
	case C_VERIFY:
		if (r->kind != ESP_R_VALUE || strcmp(r->mode,
		    "digital output") != 0)
			goto unexpected;
		p->verify = 0;
		if (r->value != esp_logical(p, esp_released(p))) {
			log_warnx("target %s: esp8266: GPIO %d reads %ld after "
			    "the set-up, not released; releasing it again",
			    e->src->t->name, p->pin, r->value);
			p->want_release = 1;
			p->release_at = 0;
			p->verify = 1;
		}
		break;
	case C_RESET:
		if (r->kind != ESP_R_RESET)
			goto unexpected;
		e->cmd = C_NONE;
		e->reset_due = 0;
		e->bp_reset = 1;
		esp_drop(e, "restarted to open its new bridge port",
		    ESP_RESET_MS);
		return;
	case C_SENSE_READ:
		if (r->kind != ESP_R_VALUE || strcmp(r->mode,
		    "digital input") != 0 || (r->value != 0 && r->value != 1))
			goto unexpected;
		sensed(e, sense_level_on(e, r->value));
		break;
	case C_UART_READ:
	case C_UART_SET: {
		static const enum esp_reply kinds[U_MAX] = { ESP_R_BAUD,
		    ESP_R_DATA_BITS, ESP_R_STOP_BITS, ESP_R_PARITY,
		    ESP_R_PORT };
		int i = e->cmd_item;

		if (cmd == C_UART_SET && r->kind == ESP_R_ERROR &&
		    strstr(line, "cannot") != NULL && strstr(line,
		    "config") != NULL) {
			/* pypmi accepts these: the value may be the default */
			log_warnx("target %s: esp8266: \"%s\" answered \"%s\"",
			    e->src->t->name, e->cmd_text, "cannot set config");
			e->uart[i] = 0;
			break;
		}
		if (r->kind != kinds[i])
			goto unexpected;
		if (r->kind == ESP_R_PARITY)
			snprintf(got, sizeof(got), "%s", r->word);
		else
			snprintf(got, sizeof(got), "%ld", r->value);
		uart_want(e, i, want, sizeof(want));
		if (strcmp(got, want) == 0) {
			e->uart[i] = 0;
			if (i == U_PORT && cmd == C_UART_SET) {
				/* dispatch.c opens the bridge only at boot */
				if (!e->bp_reset)
					e->reset_due = 1;
				else
					log_warnx("target %s: esp8266: the bridge "
					    "port was set again after a restart "
					    "(does this firmware keep it?); not "
					    "restarting it again",
					    e->src->t->name);
			} else if (i == U_PORT)
				e->bp_reset = 0;
		} else if (cmd == C_UART_READ) {
			log_info("target %s: esp8266: %s is %s, setting %s",
			    e->src->t->name, uart_cmd[i], got, want);
			e->uart[i] = 2;
		} else
			goto unexpected;
		break;
	}
	default:
		goto unexpected;
	}
	e->cmd = C_NONE;
	return;
unexpected:
	if (cmd == C_RELEASE && r->kind == ESP_R_ERROR && ++p->fails < 3) {
		/* try again; the release stays due */
		log_warnx("target %s: esp8266: release of GPIO %d refused: "
		    "\"%s\"; retrying", e->src->t->name, p->pin, line);
		e->cmd = C_NONE;
		return;
	}
	esp_protocol(e, line, r->kind == ESP_R_ERROR);
}

void
esp_line(struct esp *e, const char *line)
{
	struct esp_parsed r;

	if (line[0] == '\0' || strcmp(line, "\r") == 0)
		return;			/* blank lines carry nothing */
	esp8266_parse(line, &r);
	if (r.kind == ESP_R_IO_HEADER && (e->cmd == C_PIN_CHECK ||
	    e->cmd == C_PIN_MODE))
		return;			/* the dump's first line */
	if (e->cmd == C_NONE) {
		snprintf(e->cmd_text, sizeof(e->cmd_text), "(nothing)");
		esp_protocol(e, line, 0);
		return;
	}
	esp_reply(e, &r, line);
}

/* The next command, when none is in flight: releases come first. */
void
esp_next(struct esp *e)
{
	struct esp_pin *p;
	char want[16];

	for (int i = 0; i < L_MAX; i++) {
		p = &e->pins[i];
		if (p->pin != ESP_NO_PIN && p->want_release && !p->check &&
		    !p->fix_mode && e->now >= p->release_at) {
			esp_send(e, C_RELEASE, i, "iw 0 %d %d", p->pin,
			    esp_logical(p, esp_released(p)));
			return;
		}
	}
	for (int i = 0; i <= L_MAX; i++) {
		p = &e->pins[i];
		if (p->pin == ESP_NO_PIN)
			continue;
		if (p->check) {
			esp_send(e, C_PIN_CHECK, i, "im 0 %d", p->pin);
			return;
		}
		if (p->fix_mode) {
			esp_send(e, C_PIN_MODE, i, "im 0 %d %s", p->pin,
			    p->output ? "doutput" : "dinput");
			return;
		}
	}
	for (int i = 0; i <= L_MAX; i++) {
		p = &e->pins[i];
		if (p->pin == ESP_NO_PIN)
			continue;
		if (p->fix_invert) {
			esp_send(e, C_PIN_FLAG, i, "icf 0 %d invert", p->pin);
			return;
		}
		if (p->fix_autostart) {
			esp_send(e, C_PIN_FLAG, i, "%s 0 %d autostart",
			    esp_released(p) ? "isf" : "icf", p->pin);
			return;
		}
	}
	for (int i = 0; i < U_MAX; i++) {
		if (e->uart[i] == 1) {
			e->cmd_item = i;
			esp_send(e, C_UART_READ, -1, "%s", uart_cmd[i]);
			return;
		}
		if (e->uart[i] == 2) {
			uart_want(e, i, want, sizeof(want));
			e->cmd_item = i;
			esp_send(e, C_UART_SET, -1, "%s %s", uart_cmd[i], want);
			return;
		}
	}
	if (e->reset_due) {
		/* Only here: every release is confirmed, nothing pressed. */
		for (int i = 0; i < L_MAX; i++)
			if (e->pins[i].pin != ESP_NO_PIN &&
			    e->pins[i].want_release)
				return;
		log_info("target %s: esp8266 %s: bridge port set to %u: "
		    "restarting the ESP (r) so that it opens it; no button "
		    "is pressed", e->src->t->name, e->cf->host,
		    e->cf->bridge_port);
		esp_send(e, C_RESET, -1, "r");
		return;
	}
	/* Last: every output reads back released (a flag change may have
	 * moved it after its release; docs/esp8266.md). */
	for (int i = 0; i < L_MAX; i++) {
		p = &e->pins[i];
		if (p->pin != ESP_NO_PIN && p->verify) {
			esp_send(e, C_VERIFY, i, "ir 0 %d", p->pin);
			return;
		}
	}
	if (!e->ready) {
		e->ready = 1;
		e->incompatible = 0;
		e->backoff = 0;
		e->poll_at = e->now;
		log_info("target %s: esp8266 %s:%u: ready", e->src->t->name,
		    e->cf->host, e->cf->command_port);
		e->down_logged = 0;
		target_event(e->src->t, e->now, TARGET_EV_LINK_UP);
	}
	/* cycle: the hold is over, wait for off, then press */
	if (e->cycle == 1 && !e->plan.active &&
	    !e->pins[L_POWER].want_release &&
	    ((e->sense_valid && !e->sensed_on) || e->now >= e->cycle_at)) {
		if (e->sense_valid && !e->sensed_on)
			e->cycle_at = e->now + ESP_CYCLE_GAP_MS / 2;
		else if (e->pins[SENSE].pin != ESP_NO_PIN)
			e->cycle = 0;	/* never went off: give up */
		if (e->cycle != 0)
			e->cycle = 2;
		esp_arm(e);
	}
	if (e->cycle == 2 && !e->plan.active && e->now >= e->cycle_at) {
		e->cycle = 0;
		e->plan = (struct esp_plan){ .active = 1, .line = L_POWER,
		    .ms = e->cf->press_ms, .boot = 1 };
	}
	if (e->plan.active && !e->pins[e->plan.line].want_release) {
		p = &e->pins[e->plan.line];
		/* the release is scheduled before the press is sent */
		p->want_release = 1;
		p->release_at = e->now + e->plan.ms;
		esp_arm(e);
		esp_send(e, C_PRESS, e->plan.line, "iw 0 %d %d", p->pin,
		    esp_logical(p, !esp_released(p)));
		return;
	}
	if (e->now >= e->poll_at) {
		if (e->pins[SENSE].pin != ESP_NO_PIN) {
			e->poll_at = e->now + ESP_POLL_MS;
			esp_send(e, C_SENSE_READ, SENSE, "ir 0 %d",
			    e->pins[SENSE].pin);
		} else {
			e->poll_at = e->now + ESP_KEEPALIVE_MS;
			e->cmd_text[0] = '\0';
			esp_send(e, C_KEEPALIVE, -1, "%s", "");
		}
	}
}

static int
is_on(const struct esp *e)
{
	if (e->pins[SENSE].pin != ESP_NO_PIN)
		return e->sense_valid && e->sensed_on;
	return e->assumed_on;
}

void
esp_status(struct target_src *src, uint64_t now, struct target_status *st)
{
	struct esp *e = src->dstate;

	(void)now;
	st->has_link = 1;
	st->link_up = e->ready;
	st->power_known = e->ready && e->pins[SENSE].pin != ESP_NO_PIN &&
	    e->sense_valid;
	st->power_on = is_on(e);
}

int
esp_power(struct target_src *src, uint64_t now, enum target_power a,
    uint32_t tok)
{
	struct esp *e = src->dstate;
	int sense = e->pins[SENSE].pin != ESP_NO_PIN, line = L_POWER, boot = 0;
	unsigned ms;

	e->now = now;
	if (!e->ready)
		return e->incompatible ? CC_FIRMWARE : CC_NOT_SUPPORTED_STATE;
	if (e->pins[L_POWER].pin == ESP_NO_PIN)
		return CC_INVALID_CMD;
	if (e->plan.active || e->cycle != 0)
		return CC_NODE_BUSY;
	if (sense && !e->sense_valid)
		return CC_NODE_BUSY;	/* the first read is on its way */
	/* Refused before anything changes: a busy line is no plan. */
	if (e->pins[a == TARGET_POWER_RESET || a == TARGET_POWER_DIAG ?
	    L_RESET : L_POWER].want_release)
		return CC_NODE_BUSY;	/* that button is still pressed */
	switch (a) {
	case TARGET_POWER_ON:
		if (sense && e->sensed_on)
			return CC_OK;
		ms = e->cf->press_ms;
		e->assumed_on = 1;
		boot = 1;
		break;
	case TARGET_POWER_OFF:
		if (sense && !e->sensed_on)
			return CC_OK;
		ms = e->cf->hold_ms;
		e->assumed_on = 0;
		break;
	case TARGET_POWER_SOFT:
		if (sense && !e->sensed_on)
			return CC_NOT_SUPPORTED_STATE;
		ms = e->cf->press_ms;
		e->assumed_on = 0;
		break;
	case TARGET_POWER_RESET:
	case TARGET_POWER_DIAG:
		if (e->pins[L_RESET].pin == ESP_NO_PIN)
			return CC_INVALID_FIELD;
		line = L_RESET;
		ms = a == TARGET_POWER_DIAG ? ESP_DIAG_MS : e->cf->reset_ms;
		boot = 1;
		break;
	case TARGET_POWER_CYCLE:
		if (sense && !e->sensed_on) {
			ms = e->cf->press_ms;
			boot = 1;
		} else {
			ms = e->cf->hold_ms;
			e->cycle = 1;
			e->cycle_at = now + ms + (sense ? ESP_CYCLE_WAIT_MS :
			    ESP_CYCLE_GAP_MS);
		}
		e->assumed_on = 1;
		break;
	default:
		return CC_INVALID_FIELD;
	}
	if (e->pins[line].want_release)
		return CC_NODE_BUSY;	/* that button is still pressed */
	e->plan = (struct esp_plan){ .active = 1, .line = line, .ms = ms,
	    .has_token = 1, .token = tok, .boot = boot };
	log_info("target %s: esp8266: %s: GPIO %d for %u ms", src->t->name,
	    a == TARGET_POWER_ON ? "on" : a == TARGET_POWER_OFF ? "off" :
	    a == TARGET_POWER_SOFT ? "soft" : a == TARGET_POWER_CYCLE ?
	    "cycle" : "reset", e->pins[line].pin, ms);
	if (e->cmd == C_NONE && e->connected)
		esp_poll(e);
	return TARGET_PENDING;
}
