/* session.c: bounded session table with O(1) lookup and a replay window. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "session.h"

#define SEQ_AHEAD	15	/* accept up to this far past the highest */
#define SEQ_BEHIND	32	/* and this far behind, once each */

int
session_table_init(struct session_table *t, unsigned max_active,
    unsigned max_half)
{
	size_t hn = 1;

	memset(t, 0, sizeof(*t));
	t->n = (size_t)max_active + max_half;
	while (hn < 2 * t->n)
		hn <<= 1;
	t->s = calloc(t->n, sizeof(*t->s));
	t->hash = calloc(hn, sizeof(*t->hash));
	if (t->s == NULL || t->hash == NULL) {
		session_table_free(t);
		return -1;
	}
	t->hmask = hn - 1;
	t->max_active = max_active;
	t->max_half = max_half;
	for (size_t i = 0; i < t->n; i++)
		t->s[i].slot = (uint16_t)i;
	return 0;
}

void
session_table_free(struct session_table *t)
{
	if (t->s != NULL)
		for (size_t i = 0; i < t->n; i++)
			if (t->s[i].state != SESSION_FREE)
				session_close(t, &t->s[i]);
	free(t->s);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}

static size_t
hash_pos(const struct session_table *t, uint32_t sid)
{
	return (sid * 2654435761u) & t->hmask;
}

struct session *
session_find(const struct session_table *t, uint32_t sid)
{
	if (sid == 0 || t->hash == NULL)
		return NULL;
	for (size_t i = hash_pos(t, sid);; i = (i + 1) & t->hmask) {
		uint16_t h = t->hash[i];

		if (h == 0)
			return NULL;
		if (t->s[h - 1].sid == sid)
			return &t->s[h - 1];
	}
}

struct session *
session_slot(const struct session_table *t, size_t slot)
{
	return slot < t->n ? &t->s[slot] : NULL;
}

static void
hash_insert(struct session_table *t, struct session *s)
{
	size_t i = hash_pos(t, s->sid);

	while (t->hash[i] != 0)
		i = (i + 1) & t->hmask;
	t->hash[i] = (uint16_t)(s->slot + 1);
}

/* Linear probing removal with backward shift: no tombstones. */
static void
hash_remove(struct session_table *t, const struct session *s)
{
	size_t i = hash_pos(t, s->sid), j;

	while (t->hash[i] != (uint16_t)(s->slot + 1)) {
		if (t->hash[i] == 0)
			return;
		i = (i + 1) & t->hmask;
	}
	t->hash[i] = 0;
	for (j = (i + 1) & t->hmask; t->hash[j] != 0; j = (j + 1) & t->hmask) {
		size_t home = hash_pos(t, t->s[t->hash[j] - 1].sid);

		/* Move j into the hole i unless its home lies in (i, j]. */
		if (((j - home) & t->hmask) >= ((j - i) & t->hmask)) {
			t->hash[i] = t->hash[j];
			t->hash[j] = 0;
			i = j;
		}
	}
}

struct session *
session_open(struct session_table *t, uint64_t now, uint32_t src)
{
	struct session *s = NULL, *oldest = NULL, *mine = NULL;
	unsigned nmine = 0, cap = t->max_half / 2 > 0 ? t->max_half / 2 : 1;
	uint16_t gen;
	uint32_t sid;

	for (size_t i = 0; i < t->n; i++) {
		struct session *c = &t->s[i];

		if (c->state == SESSION_FREE) {
			if (s == NULL)
				s = c;
			continue;
		}
		if (c->state == SESSION_ACTIVE)
			continue;
		if (oldest == NULL || c->created < oldest->created)
			oldest = c;
		if (c->src == src) {
			nmine++;
			if (mine == NULL || c->created < mine->created)
				mine = c;
		}
	}
	if (nmine >= cap) {
		session_close(t, mine);
		s = mine;
	} else if (t->nhalf >= t->max_half) {
		session_close(t, oldest);
		s = oldest;
	}
	if (s == NULL)
		return NULL;
	do {
		if (crypto_random(&sid, sizeof(sid)) != 0)
			return NULL;
	} while (sid == 0 || session_find(t, sid) != NULL);
	gen = s->gen;
	memset(s, 0, sizeof(*s));
	s->slot = (uint16_t)(s - t->s);
	s->gen = (uint16_t)(gen + 1);
	s->sid = sid;
	s->src = src;
	s->state = SESSION_OPEN;
	s->created = now;
	s->last = now;
	hash_insert(t, s);
	t->nhalf++;
	return s;
}

int
session_activate(struct session_table *t, struct session *s)
{
	if (t->nactive >= t->max_active)
		return -1;
	t->nhalf--;
	t->nactive++;
	s->state = SESSION_ACTIVE;
	s->out_seq = 0;
	return 0;
}

void
session_close(struct session_table *t, struct session *s)
{
	uint16_t gen = s->gen, slot = s->slot;

	if (s->state == SESSION_FREE)
		return;
	if (t->on_close != NULL)
		t->on_close(t->on_close_arg, s);
	hash_remove(t, s);
	if (s->state == SESSION_ACTIVE)
		t->nactive--;
	else
		t->nhalf--;
	crypto_mac_free(s->mac);
	crypto_aes_free(s->aes);
	crypto_cleanse(s, sizeof(*s));
	s->state = SESSION_FREE;
	s->gen = gen;
	s->slot = slot;
}

void
session_expire(struct session_table *t, uint64_t now, uint64_t idle_ms)
{
	for (size_t i = 0; i < t->n; i++) {
		struct session *s = &t->s[i];

		if (s->state == SESSION_FREE)
			continue;
		if (s->state != SESSION_ACTIVE ?
		    now - s->created >= SESSION_HALF_TTL_MS :
		    now - s->last >= idle_ms)
			session_close(t, s);
	}
}

int
session_same_peer(const struct session *s, int ep, const struct peer *p)
{
	return s->ep == ep && s->peer.len == p->len &&
	    memcmp(&s->peer.ss, &p->ss, p->len) == 0;
}

int
session_seq_check(struct session *s, uint32_t seq)
{
	uint32_t d;

	if (seq == 0)
		return -1;
	if (s->in_high == 0) {		/* first authenticated packet */
		s->in_high = seq;
		s->in_seen = 0;
		return 0;
	}
	d = seq - s->in_high;
	if (d == 0)
		return -1;
	if (d <= SEQ_AHEAD) {
		s->in_seen = d >= 32 ? 0 : (s->in_seen << d) | (1u << (d - 1));
		s->in_high = seq;
		return 0;
	}
	d = s->in_high - seq;		/* behind by d */
	if (d > SEQ_BEHIND)
		return -1;
	if (s->in_seen & (1u << (d - 1)))
		return -1;
	s->in_seen |= 1u << (d - 1);
	return 0;
}

uint32_t
session_next_seq(struct session *s)
{
	if (++s->out_seq == 0)
		s->out_seq = 1;
	return s->out_seq;
}
