/* wol.h: the wol driver's state and options, shared by wol.c and
 * wol_conf.c. */
#ifndef PMBD_WOL_H
#define PMBD_WOL_H

#include <net/if.h>
#include <stdint.h>
#include <sys/socket.h>

#include "exec_cmd.h"
#include "target.h"

enum wol_probe { WOL_PROBE_NONE, WOL_PROBE_TCP, WOL_PROBE_ICMP };

struct wol_conf {
	uint8_t			 mac[6];
	int			 has_mac;
	uint8_t			 secureon[6];
	int			 has_secureon;
	struct conf_addr	 dst;
	char			 ifname[IFNAMSIZ];
	enum wol_probe		 probe;
	struct sockaddr_storage	 probe_ss;
	socklen_t		 probe_len;
	unsigned		 probe_interval;	/* ms */
	unsigned		 probe_timeout;		/* ms */
	struct exec_argv	 cmd[EXEC_NCMD];	/* off, cycle, ... */
	unsigned		 timeout;		/* ms, commands */
};

struct wol {
	const struct wol_conf	*cf;
	struct target		*t;
	int			 sock;		/* magic packets */
	struct exec_run		 run;
	int			 running;	/* action, -1: none */
	uint32_t		 token;
	uint64_t		 now;
	/* The probe. */
	int			 pfd;		/* -1: none */
	void			*pio;
	int			 raw;		/* ICMP over a raw socket */
	uint16_t		 pid, pseq;
	uint64_t		 pdeadline;	/* 0: no probe out */
	uint64_t		 next_probe;
	int			 known, on;
	/* Without a probe: what was last done. */
	int			 last_on;
	int			 boot_pending;	/* reported at the next tick */
};

void	*wol_conf_new(void);
int	 wol_conf_set(void *, const char *, const struct conf_value *, char *,
	    size_t);
int	 wol_conf_check(void *, char *, size_t);
void	 wol_conf_free(void *);

#endif
