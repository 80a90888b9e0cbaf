/* wol_conf.c: the wol driver's options (pmbd.conf(5)). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "wol.h"

void *
wol_conf_new(void)
{
	struct wol_conf *c = calloc(1, sizeof(*c));

	if (c != NULL) {
		addr_parse("255.255.255.255:9", &c->dst);
		c->probe_interval = 5000;
		c->probe_timeout = 1000;
		c->timeout = 10000;
	}
	return c;
}

/* "aa:bb:cc:dd:ee:ff" (or with '-'): exactly six hex bytes. */
static int
wol_parse_mac(const char *s, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";

	if (strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		const char *h = strchr(hex, s[3 * i] | 0x20);
		const char *l = strchr(hex, s[3 * i + 1] | 0x20);

		if (s[3 * i] == '\0' || s[3 * i + 1] == '\0' || h == NULL ||
		    l == NULL || (i < 5 && s[3 * i + 2] != ':' &&
		    s[3 * i + 2] != '-'))
			return -1;
		out[i] = (uint8_t)((h - hex) << 4 | (l - hex));
	}
	return 0;
}

/* "tcp:ADDR:PORT" or "icmp:ADDR", ADDR IPv4 or [IPv6] (icmp: bare too). */
static int
wol_parse_probe(struct wol_conf *c, const char *s)
{
	struct conf_addr a;
	char host[64];
	size_t n;

	if (strncmp(s, "tcp:", 4) == 0) {
		if (addr_parse(s + 4, &a) != 0)
			return -1;
		c->probe = WOL_PROBE_TCP;
		c->probe_ss = a.ss;
		c->probe_len = a.len;
		return 0;
	}
	if (strncmp(s, "icmp:", 5) != 0)
		return -1;
	s += 5;
	n = strlen(s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	memset(&c->probe_ss, 0, sizeof(c->probe_ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)
	    &c->probe_ss)->sin_addr) == 1) {
		c->probe_ss.ss_family = AF_INET;
		c->probe_len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)
	    &c->probe_ss)->sin6_addr) == 1) {
		c->probe_ss.ss_family = AF_INET6;
		c->probe_len = sizeof(struct sockaddr_in6);
	} else
		return -1;
	c->probe = WOL_PROBE_ICMP;
	return 0;
}

int
wol_conf_set(void *p, const char *key, const struct conf_value *v,
    char *err, size_t errlen)
{
	struct wol_conf *c = p;
	const char *s = v->type == CONF_STRING ? v->s : NULL;
	int i = exec_cmd_index(key);

	if (strcmp(key, "on") == 0) {
		snprintf(err, errlen, "wol: power on is the magic packet (a "
		    "command for it: driver \"exec\")");
		return -1;
	}
	if (strcmp(key, "status") == 0) {
		snprintf(err, errlen, "wol: the power state comes from probe "
		    "= \"tcp:ADDR:PORT\" or \"icmp:ADDR\"");
		return -1;
	}
	if (i >= 0)
		return exec_argv_set(&c->cmd[i], "wol", key, v, err, errlen);
	if (strcmp(key, "mac") == 0) {
		if (s == NULL || wol_parse_mac(s, c->mac) != 0) {
			snprintf(err, errlen, "wol: mac must be six hex bytes "
			    "like \"aa:bb:cc:dd:ee:ff\"");
			return -1;
		}
		c->has_mac = 1;
		return 0;
	}
	if (strcmp(key, "secureon") == 0) {	/* never echoed back */
		if (s == NULL || wol_parse_mac(s, c->secureon) != 0) {
			snprintf(err, errlen, "wol: secureon must be six hex "
			    "bytes like \"11:22:33:44:55:66\"");
			return -1;
		}
		c->has_secureon = 1;
		return 0;
	}
	if (strcmp(key, "wol_address") == 0) {
		if (s == NULL || addr_parse(s, &c->dst) != 0) {
			snprintf(err, errlen, "wol: wol_address must be "
			    "\"ADDR:PORT\" or \"[V6ADDR]:PORT\"");
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "interface") == 0) {
		if (s == NULL || s[0] == '\0' || strlen(s) >= IFNAMSIZ ||
		    strchr(s, '/') != NULL) {
			snprintf(err, errlen, "wol: interface must be an "
			    "interface name (1..%d characters)", IFNAMSIZ - 1);
			return -1;
		}
		strcpy(c->ifname, s);
		return 0;
	}
	if (strcmp(key, "probe") == 0) {
		if (s == NULL || wol_parse_probe(c, s) != 0) {
			snprintf(err, errlen, "wol: probe must be \"tcp:ADDR:"
			    "PORT\" or \"icmp:ADDR\" (addresses, not names)");
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "probe_interval") == 0 ||
	    strcmp(key, "probe_timeout") == 0 || strcmp(key, "timeout") == 0) {
		if (v->type != CONF_INT || v->i < 100 || v->i > 600000) {
			snprintf(err, errlen, "wol: %s must be 100..600000 "
			    "(ms)", key);
			return -1;
		}
		if (strcmp(key, "probe_interval") == 0)
			c->probe_interval = (unsigned)v->i;
		else if (strcmp(key, "probe_timeout") == 0)
			c->probe_timeout = (unsigned)v->i;
		else
			c->timeout = (unsigned)v->i;
		return 0;
	}
	snprintf(err, errlen, "wol: unknown option \"%s\"", key);
	return -1;
}

int
wol_conf_check(void *p, char *err, size_t errlen)
{
	const struct wol_conf *c = p;

	if (!c->has_mac) {
		snprintf(err, errlen, "wol: mac = \"aa:bb:cc:dd:ee:ff\" is "
		    "required");
		return -1;
	}
	if (c->probe_timeout > c->probe_interval) {
		snprintf(err, errlen, "wol: probe_timeout must not exceed "
		    "probe_interval");
		return -1;
	}
	return 0;
}

void
wol_conf_free(void *p)
{
	struct wol_conf *c = p;

	if (c != NULL)
		memset(c->secureon, 0, sizeof(c->secureon));
	free(c);
}

/* ---- the probe ---- */
