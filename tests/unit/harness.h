/* harness.h: the test client and fake target shared by the core tests. */
#ifndef PMBD_HARNESS_H
#define PMBD_HARNESS_H

#include "buf.h"
#include "cmd.h"
#include "core.h"
#include "ipmi.h"
#include "machine.h"
#include "msg.h"
#include "rakp.h"
#include "rmcp.h"
#include "test.h"

#define OUT_MAX 16

/* What the core sent, since the last request. */
extern uint8_t out[OUT_MAX][1024];
extern size_t out_len[OUT_MAX];
extern int nout;
extern int npersist;

/* The fake driver behind targets t1 and t72. */
extern int fake_calls, fake_pending, fake_on;
extern uint32_t fake_token;
extern uint8_t fake_con_in[65536];
extern size_t fake_con_len, fake_con_room;
extern int fake_con_echo, fake_breaks;
extern const struct target_driver fake_driver;

/* The fixture: endpoint 0 bridges, endpoint 1 is t72's own. */
extern struct conf cf;
extern struct core *core;
extern struct target t1, t72;
extern const uint8_t guid[16];
extern uint64_t now;
void	 setup(void);
void	 teardown(void);
void	 tick(uint64_t);

struct client {
	int		 ep;
	struct peer	 peer;
	struct session	 cs;		/* our view: csid = pmbd's SID */
	uint8_t		 rqseq;
	uint8_t		 last[1024];	/* last datagram sent */
	size_t		 last_len;
};
extern struct client cl;

void	 client_init(struct client *, int ep, uint16_t port);
void	 client_input(struct client *, const uint8_t *, size_t);
void	 client_free(struct client *);
void	 send_presession(struct client *, uint8_t ptype, const uint8_t *,
	    size_t);
const uint8_t *reply_payload(int i, uint8_t want_type, size_t *ret_len);
int	 open_session(struct client *, uint8_t a, uint8_t i, uint8_t c,
	    uint32_t *msid);
int	 login(struct client *, const char *user, const char *pass, int suite,
	    uint8_t role);
void	 admin_login(int ep);
/* In-session requests and the replies they got. */
void	 request(struct client *, uint8_t seq, uint8_t netfn, uint8_t cmd,
	    const uint8_t *, size_t);
void	 bridged(struct client *, uint8_t seq, uint8_t to, uint8_t netfn,
	    uint8_t cmd, const uint8_t *, size_t);
size_t	 reply(struct client *, int i, uint8_t *msg);
int	 reply_cc(struct client *, int i, uint8_t want_cmd);
void	 add_user(const char *name, const char *pass, uint8_t priv);

#endif
