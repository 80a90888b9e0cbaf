/*
 * session.h: the bounded RMCP+ session table.  Lookup by managed session
 * ID is O(1) (open addressing on the random ID).  Half-open sessions
 * (Open Session seen, RAKP not finished) have their own small budget and a
 * short lifetime, so a flood of Open Session requests cannot push out a
 * real user.  Pure: no I/O, time comes in as an argument.
 */
#ifndef PMBD_SESSION_H
#define PMBD_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "crypto.h"

#define SESSION_HALF_TTL_MS	3000
#define SESSION_RCACHE		8
#define SESSION_RCACHE_MSG	96
#define SESSION_RCACHE_TTL_MS	12000

struct peer {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

enum session_state {
	SESSION_FREE = 0,
	SESSION_OPEN,		/* Open Session answered */
	SESSION_RAKP2,		/* RAKP2 sent, waiting for RAKP3 */
	SESSION_ACTIVE,
};

enum rcache_state {
	RCACHE_FREE = 0,
	RCACHE_PENDING,		/* target still working; retries dropped */
	RCACHE_DONE,
};

/*
 * A request seen on this session and the reply it got: a client retry of
 * the same request is answered from here and never runs twice.
 */
struct rcache {
	enum rcache_state state;
	uint64_t	 key;		/* hash of the whole IPMI request */
	uint64_t	 when;		/* ms: done, or deadline if pending */
	uint32_t	 token;
	uint8_t		 target;
	uint8_t		 env[8];	/* what the reply needs, see cmd.c */
	uint8_t		 nmsg;
	uint8_t		 len[2];
	uint8_t		 msg[2][SESSION_RCACHE_MSG];
};

struct session {
	enum session_state state;
	uint32_t	 sid;		/* ours (managed) */
	uint32_t	 csid;		/* the remote console's */
	uint16_t	 slot;
	uint16_t	 gen;
	int		 ep;
	struct peer	 peer;
	uint32_t	 src;		/* hash of the peer's address */
	uint64_t	 created;
	uint64_t	 last;		/* ms, last authenticated packet */
	uint8_t		 suite;		/* 3 or 17 */
	enum crypto_hash hash;
	uint8_t		 auth_len;	/* integrity AuthCode bytes */
	uint8_t		 req_max_priv;	/* from Open Session */
	uint8_t		 role;		/* RAKP1 role byte */
	uint8_t		 max_priv;	/* min(role, user's) */
	uint8_t		 priv;		/* current */
	uint8_t		 user_len;
	uint8_t		 user[16];
	uint8_t		 rc[16];	/* console random */
	uint8_t		 rm[16];	/* our random */
	struct crypto_aes *aes;		/* keyed with K2 */
	struct crypto_mac *mac;		/* HMAC keyed with K1 */
	uint32_t	 in_high;	/* highest inbound seq seen */
	uint32_t	 in_seen;	/* bit n: in_high - 1 - n seen */
	uint32_t	 out_seq;
	int		 closing;	/* free after this reply */
	uint8_t		 sol_target;	/* its SOL instance's target, 0: none */
	struct rcache	 rc_ent[SESSION_RCACHE];
};

struct session_table {
	struct session	*s;
	size_t		 n;		/* slots */
	unsigned	 max_active;
	unsigned	 max_half;
	unsigned	 nactive;
	unsigned	 nhalf;
	uint16_t	*hash;		/* slot + 1, 0 = empty */
	size_t		 hmask;
	/* Called for every session that ends, before it is wiped. */
	void		(*on_close)(void *, struct session *);
	void		*on_close_arg;
};

int	 session_table_init(struct session_table *, unsigned max_active,
	    unsigned max_half);
void	 session_table_free(struct session_table *);

/*
 * A half-open session with a fresh random ID for a peer address (src).
 * One address holds at most half of the half-open budget: past that
 * it only recycles its own oldest entry, so a flood from one host cannot
 * push out another host's login.  When the budget is full the oldest
 * half-open entry goes.  Active sessions are never evicted.  NULL when no
 * slot can be had.
 */
struct session *session_open(struct session_table *, uint64_t now,
	    uint32_t src);
struct session *session_find(const struct session_table *, uint32_t sid);
struct session *session_slot(const struct session_table *, size_t slot);
/* Half-open -> active; -1 when the active budget is full. */
int	 session_activate(struct session_table *, struct session *);
void	 session_close(struct session_table *, struct session *);
/* Drop half-open sessions older than the TTL and idle active ones. */
void	 session_expire(struct session_table *, uint64_t now,
	    uint64_t idle_ms);

/* The packet came from the endpoint and peer that own the session. */
int	 session_same_peer(const struct session *, int ep, const struct peer *);
/* Inbound sequence window: 0 if seq is fresh (and records it). */
int	 session_seq_check(struct session *, uint32_t seq);
uint32_t session_next_seq(struct session *);

#endif
