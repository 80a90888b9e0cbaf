/*
 * shell.c: provisioning over the USB serial console (stdio over USB, any
 * terminal at any speed).  One line at a time, never blocking the main
 * loop:
 *
 *	help			the commands and every setting
 *	show			the settings (secrets only as set / not set)
 *	status			WiFi, link to pmbd, uptime, reset cause
 *	set KEY VALUE		change a setting in RAM
 *	save			write the settings to flash and restart
 *	setup			open the setup access point now
 *	reboot			restart without saving
 */
#include <stdio.h>
#include <string.h>

#include "pico/stdlib.h"

#include "board.h"
#include "port.h"

#define LINE_MAX	200

static char line[LINE_MAX];
static size_t len;

static void
say(const char *s)
{
	printf("%s\r\n", s);
}

void	 main_status(void (*)(const char *));

static void
run(char *cmd)
{
	char *arg, *val;

	while (*cmd == ' ')
		cmd++;
	if ((arg = strchr(cmd, ' ')) != NULL) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
	}
	if (*cmd == '\0')
		return;
	if (strcmp(cmd, "help") == 0) {
		say("commands: help, show, status, set KEY VALUE, save, setup, "
		    "reboot");
		say("settings:");
		settings_help(say);
	} else if (strcmp(cmd, "show") == 0) {
		settings_show(say);
	} else if (strcmp(cmd, "status") == 0) {
		main_status(say);
	} else if (strcmp(cmd, "set") == 0) {
		const char *why;

		if (arg == NULL || (val = strchr(arg, ' ')) == NULL) {
			/* "set KEY" alone clears a text setting */
			why = arg == NULL ? "usage: set KEY VALUE" :
			    settings_set(arg, "");
		} else {
			*val++ = '\0';
			why = settings_set(arg, val);
		}
		say(why == NULL ? "ok (save to keep it)" : why);
	} else if (strcmp(cmd, "save") == 0) {
		const char *why = settings_check(&settings);

		switch (why != NULL ? SETTINGS_BAD : settings_save()) {
		case 0:
			break;
		case SETTINGS_BAD:
			printf("error: not saved: %s\r\n", why);
			return;
		case SETTINGS_BUSY:
			say("error: not saved: a button is being pressed or held "
			    "(no alarm can release it while the flash is "
			    "written); save again in a few seconds");
			return;
		default:
			say("error: flash write failed");
			return;
		}
		say("saved; restarting");
		stdio_flush();
		sleep_ms(100);
		board_reboot();
	} else if (strcmp(cmd, "setup") == 0) {
		if (setup_ap_start() == 0)
			printf("setup access point open; page password: %s\r\n",
			    setup_ap_password());
		else
			say("error: could not open the access point");
	} else if (strcmp(cmd, "reboot") == 0) {
		stdio_flush();
		board_reboot();
	} else
		say("unknown command (help)");
}

void
shell_poll(void)
{
	int c;

	while ((c = getchar_timeout_us(0)) != PICO_ERROR_TIMEOUT) {
		if (c == '\r' || c == '\n') {
			if (len == 0)
				continue;
			printf("\r\n");
			line[len] = '\0';
			len = 0;
			run(line);
			printf("> ");
		} else if (c == 0x7f || c == '\b') {
			if (len > 0) {
				len--;
				printf("\b \b");
			}
		} else if (c >= 0x20 && c < 0x7f && len < LINE_MAX - 1) {
			line[len++] = (char)c;
			putchar(c);
		}
	}
	stdio_flush();
}
