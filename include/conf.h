/*
 * conf.h: the validated configuration.  conf_load() turns a libconfig file
 * into a complete struct conf or nothing; conf.c is the only file that
 * includes libconfig.h.
 */
#ifndef PMBD_CONF_H
#define PMBD_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CONF_MAX_LISTEN		16
#define CONF_MAX_USERS		32
#define CONF_MAX_TARGETS	255
#define CONF_MAX_ENDPOINTS	(CONF_MAX_LISTEN + CONF_MAX_TARGETS)
#define CONF_USER_MAX		16	/* IPMI user name */
#define CONF_PASS_MIN		8
#define CONF_PASS_MAX		20	/* IPMI 2.0 password */
#define CONF_NAME_MAX		64
#define CONF_MAX_SUITES		2

struct target_driver;

struct conf_addr {
	char			 text[64];
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

struct conf_user {
	char		 name[CONF_USER_MAX + 1];
	uint8_t		 name_len;
	uint8_t		 key[CONF_PASS_MAX];	/* password, zero padded */
	uint8_t		 priv;
};

struct conf_target {
	uint8_t				 addr;
	char				 name[CONF_NAME_MAX];
	const struct target_driver	*drv;
	void				*dconf;		/* driver's options */
	/* console = { driver = ...; }: a console of its own; else none */
	const struct target_driver	*con_drv;
	void				*con_dconf;
	int				 has_listen;
	struct conf_addr		 listen;
	uint64_t			 hash;	/* of its whole block: reload
						   restarts it if it differs */
};

/* Every UDP endpoint: global listeners (target 0) then per-target ones. */
struct conf_endpoint {
	struct conf_addr	 addr;
	uint8_t			 target;	/* 0: bridge endpoint */
};

/* A driver option value, handed to the driver without libconfig types.
 * CONF_LIST: a list or array of strings (an argv), in list[0..n). */
#define CONF_LIST_MAX		32
struct conf_value {
	enum { CONF_INT, CONF_BOOL, CONF_FLOAT, CONF_STRING, CONF_LIST } type;
	long long	 i;
	double		 f;
	const char	*s;
	const char	*list[CONF_LIST_MAX];
	size_t		 n;
};

struct conf {
	char			 path[256];
	char			 state_dir[256];
	struct conf_endpoint	 eps[CONF_MAX_ENDPOINTS];
	size_t			 neps;
	size_t			 nlisten;	/* eps[0..nlisten) are global */
	struct conf_user	 users[CONF_MAX_USERS];
	size_t			 nusers;
	struct conf_target	 targets[CONF_MAX_TARGETS];
	size_t			 ntargets;
	uint8_t			 suites[CONF_MAX_SUITES];	/* preference */
	size_t			 nsuites;
	uint8_t			 kg[CONF_PASS_MAX];
	int			 has_kg;
	unsigned		 max_sessions;
	unsigned		 max_half_open;
	unsigned		 session_timeout;	/* s, idle */
	unsigned		 target_timeout;	/* ms, driver replies */
	unsigned		 console_history;	/* bytes per target */
	uint32_t		 manufacturer_id;
	uint16_t		 product_id;
	int			 has_node_listen;
	struct conf_addr	 node_listen;	/* TCP, nodes call in (pico) */
	char			 user[64];	/* drop to, when root */
	char			 group[64];
};

/* 0 or -1 with one line "FILE:LINE: problem" in err. */
int	 conf_load(const char *path, struct conf **ret, char *err, size_t);
struct conf *conf_free(struct conf *);
/* conf_data.c, for conf.c. */
void	 conf_defaults(struct conf *);
int	 conf_priv(const char *);	/* PRIV_*, or -1 */
uint64_t conf_hash(uint64_t, const void *, size_t);
int	 conf_name_used(const struct conf_target *,
	    const struct target_driver *, const char *);
/*
 * Reload: reorder new's endpoints so that each one old also has keeps
 * old's index (sessions and SOL name endpoints by index); the others take
 * the free indexes.  A slot of neither is a hole (addr.len == 0).
 */
void	 conf_align_eps(struct conf *new, const struct conf *old);

#endif
