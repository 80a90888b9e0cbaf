/*
 * sim_console.c: the simulated machine's serial console.  At each boot it
 * prints a short firmware and kernel log (naming the boot device the boot
 * options chose), then a getty: what is typed is echoed, a user name is
 * asked for a password, and every login is refused.  BREAK prints the
 * kernel's SysRq help, as a Linux serial console does.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define SIM_LINE_MAX	64

static void
say(struct sim *s, const char *text)
{
	target_console_output(s->t, s->now, (const uint8_t *)text,
	    strlen(text));
}

static void
prompt(struct sim *s)
{
	char buf[CONF_NAME_MAX + 16];

	snprintf(buf, sizeof(buf), "%s login: ", s->t->name);
	say(s, buf);
	s->con.state = SIM_LOGIN_USER;
	s->con.linelen = 0;
}

static const char *
boot_device(const struct target_boot *b)
{
	static const char *const dev[16] = {
		"hard disk", "network (PXE)", "hard disk", "hard disk",
		"diagnostic partition", "CD/DVD", "setup", "floppy", "CD/DVD",
		"remote media", "hard disk", "remote disk", "hard disk",
		"hard disk", "hard disk", "floppy",
	};

	if (!(b->flags[0] & 0x80))
		return "hard disk";
	return dev[(b->flags[1] >> 2) & 0x0f];
}

void
sim_console_boot(struct sim *s)
{
	const struct target_boot *b = &s->t->st.boot;
	char buf[256];

	snprintf(buf, sizeof(buf), "\r\npmbd sim firmware 1.0 (%s)\r\n"
	    "Memory test: 16384 MB OK\r\n"
	    "Boot mode: %s, booting from %s\r\n",
	    s->t->name, (b->flags[0] & 0xa0) == 0xa0 ? "UEFI" : "legacy",
	    boot_device(b));
	say(s, buf);
	if ((b->flags[0] & 0x80) && ((b->flags[1] >> 2) & 0x0f) == 6) {
		say(s, "Entering setup. Press F10 to save and exit.\r\n");
		return;
	}
	say(s, "Loading Linux 6.1.0-sim ...\r\n"
	    "[    0.000000] Linux version 6.1.0-sim (pmbd@sim) #1 SMP\r\n"
	    "[    0.000000] Command line: console=ttyS0,115200n8\r\n"
	    "[    1.204311] systemd[1]: Started serial-getty@ttyS0.service.\r\n"
	    "\r\nDebian GNU/Linux 12 ");
	say(s, s->t->name);
	say(s, " ttyS0\r\n\r\n");
	prompt(s);
}

void
sim_console_off(struct sim *s)
{
	s->con.linelen = 0;
}

static int
sim_on(const struct sim *s)
{
	return s->state == SIM_ON || s->state == SIM_SHUTTING_DOWN;
}

/* One typed byte, as a getty in canonical mode would take it. */
static void
key(struct sim *s, uint8_t c)
{
	struct sim_console *k = &s->con;

	if (c == '\r' || c == '\n') {
		say(s, "\r\n");
		if (k->state == SIM_LOGIN_USER && k->linelen > 0) {
			say(s, "Password: ");
			k->state = SIM_LOGIN_PASSWORD;
			k->linelen = 0;
		} else if (k->state == SIM_LOGIN_PASSWORD) {
			say(s, "\r\nLogin incorrect\r\n");
			prompt(s);
		} else
			prompt(s);
		return;
	}
	if (c == 0x7f || c == 0x08) {		/* erase */
		if (k->linelen > 0) {
			k->linelen--;
			if (k->state == SIM_LOGIN_USER)
				say(s, "\b \b");
		}
		return;
	}
	if (k->linelen < SIM_LINE_MAX)
		k->linelen++;
	if (k->state == SIM_LOGIN_USER)
		target_console_output(s->t, s->now, &c, 1);
}

size_t
sim_console_write(struct target_src *src, const uint8_t *p, size_t n)
{
	struct sim *s = src->dstate;

	if (!sim_on(s))
		return n;		/* a machine that is off hears nothing */
	for (size_t i = 0; i < n; i++)
		key(s, p[i]);
	return n;
}

int
sim_console_break(struct target_src *src, unsigned ms)
{
	struct sim *s = src->dstate;

	(void)ms;
	if (sim_on(s))
		say(s, "\r\n[  99.000000] sysrq: HELP : loglevel(0-9) reboot(b) "
		    "crash(c) show-memory-usage(m) sync(s) unmount(u)\r\n");
	return 0;
}

int
sim_console_baud(struct target_src *src, unsigned baud)
{
	struct sim *s = src->dstate;

	s->con.baud = baud;
	return 0;
}
