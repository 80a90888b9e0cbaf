/*
 * conf_data.c: the parts of the configuration that need no libconfig
 * (conf.c reads the file): defaults, privilege names, the hash reload
 * compares blocks by, freeing, and aligning endpoints on reload.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "ipmi.h"
#include "target.h"

int
conf_priv(const char *s)
{
	if (strcmp(s, "user") == 0)
		return PRIV_USER;
	if (strcmp(s, "operator") == 0)
		return PRIV_OPERATOR;
	if (strcmp(s, "administrator") == 0)
		return PRIV_ADMIN;
	return -1;
}

uint64_t
conf_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

void
conf_defaults(struct conf *cf)
{
	strcpy(cf->state_dir, "/var/lib/pmbd");
	cf->suites[0] = 17;
	cf->suites[1] = 3;
	cf->nsuites = 2;
	cf->max_sessions = 64;
	cf->max_half_open = 32;
	cf->session_timeout = 60;
	cf->target_timeout = 5000;
	cf->console_history = 65536;
	cf->manufacturer_id = 57253;	/* Raspberry Pi (Trading) Ltd */
	cf->product_id = 0x0001;
}

struct conf *
conf_free(struct conf *cf)
{
	if (cf == NULL)
		return NULL;
	for (size_t i = 0; i < cf->ntargets; i++) {
		struct conf_target *t = &cf->targets[i];

		if (t->dconf != NULL)
			t->drv->conf_free(t->dconf);
		if (t->con_dconf != NULL)
			t->con_drv->conf_free(t->con_dconf);
	}
	crypto_cleanse(cf, sizeof(*cf));
	free(cf);
	return NULL;
}

static int
ep_equal(const struct conf_endpoint *a, const struct conf_endpoint *b)
{
	return a->addr.len != 0 && b->addr.len != 0 &&
	    a->target == b->target && strcmp(a->addr.text, b->addr.text) == 0;
}

void
conf_align_eps(struct conf *nw, const struct conf *old)
{
	struct conf_endpoint out[CONF_MAX_ENDPOINTS];
	int used[CONF_MAX_ENDPOINTS] = { 0 }, taken[CONF_MAX_ENDPOINTS] = { 0 };
	size_t n = 0;

	memset(out, 0, sizeof(out));
	for (size_t i = 0; i < old->neps; i++)
		for (size_t j = 0; j < nw->neps; j++)
			if (!used[j] && ep_equal(&old->eps[i], &nw->eps[j])) {
				out[i] = nw->eps[j];
				used[j] = taken[i] = 1;
				if (i + 1 > n)
					n = i + 1;
				break;
			}
	for (size_t j = 0, k = 0; j < nw->neps; j++) {
		if (used[j])
			continue;
		while (taken[k])
			k++;
		out[k] = nw->eps[j];
		taken[k] = 1;
		if (k + 1 > n)
			n = k + 1;
	}
	memcpy(nw->eps, out, sizeof(out));
	nw->neps = n;
}

/* Does a driver instance of another target already use this name? */
int
conf_name_used(const struct conf_target *o, const struct target_driver *drv,
    const char *name)
{
	return (o->drv == drv && o->dconf != NULL &&
	    strcmp(drv->conf_unique(o->dconf), name) == 0) ||
	    (o->con_drv == drv && o->con_dconf != NULL &&
	    strcmp(drv->conf_unique(o->con_dconf), name) == 0);
}
