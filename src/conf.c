/* conf.c: libconfig file -> validated struct conf, or one error line. */
#include <sys/stat.h>

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "ipmi.h"
#include "target.h"
#include "users.h"

struct cctx {
	const char	*path;
	char		*err;
	size_t		 errlen;
};

static int
cerr(struct cctx *c, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
cerr(struct cctx *c, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s:%d: ", c->path,
	    s != NULL ? config_setting_source_line(s) : 0);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
add_endpoint(struct cctx *c, struct conf *cf, const config_setting_t *s,
    const char *text, uint8_t target)
{
	struct conf_endpoint *ep;

	if (cf->neps >= CONF_MAX_ENDPOINTS)
		return cerr(c, s, "too many listen addresses");
	ep = &cf->eps[cf->neps];
	if (addr_parse(text, &ep->addr) != 0)
		return cerr(c, s, "bad listen address \"%s\" (want ADDR:PORT "
		    "or [V6ADDR]:PORT)", text);
	for (size_t i = 0; i < cf->neps; i++)
		if (cf->eps[i].addr.len == ep->addr.len &&
		    memcmp(&cf->eps[i].addr.ss, &ep->addr.ss,
		    ep->addr.len) == 0)
			return cerr(c, s, "listen address %s used twice", text);
	ep->target = target;
	cf->neps++;
	return 0;
}

/* A setting's name for messages; array and list elements have none. */
static const char *
label(const config_setting_t *s)
{
	const config_setting_t *p;

	if (config_setting_name(s) != NULL)
		return config_setting_name(s);
	p = config_setting_parent(s);
	return p != NULL && config_setting_name(p) != NULL ?
	    config_setting_name(p) : "value";
}

static int
get_uint(struct cctx *c, const config_setting_t *s, long long lo,
    long long hi, long long *ret)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return cerr(c, s, "%s: expected an integer", label(s));
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return cerr(c, s, "%s: %lld is out of range %lld..%lld",
		    label(s), v, lo, hi);
	*ret = v;
	return 0;
}

static int
get_string(struct cctx *c, const config_setting_t *s, const char **ret)
{
	const char *v = config_setting_get_string(s);

	if (v == NULL)
		return cerr(c, s, "%s: expected a string", label(s));
	*ret = v;
	return 0;
}

static int
parse_user(struct cctx *c, struct conf *cf, const config_setting_t *g)
{
	struct conf_user *u = &cf->users[cf->nusers];
	const char *name = NULL, *pass = NULL, *priv = NULL;
	int p;

	if (!config_setting_is_group(g))
		return cerr(c, g, "users: each user is a group { ... }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *k = config_setting_name(s);
		const char **dst;

		if (strcmp(k, "name") == 0)
			dst = &name;
		else if (strcmp(k, "password") == 0)
			dst = &pass;
		else if (strcmp(k, "privilege") == 0)
			dst = &priv;
		else
			return cerr(c, s, "users: unknown key \"%s\"", k);
		if (get_string(c, s, dst) != 0)
			return -1;
	}
	if (name == NULL || pass == NULL)
		return cerr(c, g, "users: a user needs name and password");
	if (name[0] == '\0' || strlen(name) > CONF_USER_MAX)
		return cerr(c, g, "users: name must be 1..%d characters",
		    CONF_USER_MAX);
	if (users_find(cf, (const uint8_t *)name, strlen(name)) != NULL)
		return cerr(c, g, "users: user \"%s\" defined twice", name);
	if (strlen(pass) < CONF_PASS_MIN)
		return cerr(c, g, "users: password of \"%s\" is too short "
		    "(at least %d characters)", name, CONF_PASS_MIN);
	if (strlen(pass) > CONF_PASS_MAX)
		return cerr(c, g, "users: password of \"%s\" is too long "
		    "(IPMI allows %d characters)", name, CONF_PASS_MAX);
	p = priv != NULL ? conf_priv(priv) : PRIV_ADMIN;
	if (p < 0)
		return cerr(c, g, "users: privilege \"%s\" is not user, "
		    "operator or administrator", priv);
	strcpy(u->name, name);
	u->name_len = (uint8_t)strlen(name);
	memcpy(u->key, pass, strlen(pass));
	u->priv = (uint8_t)p;
	cf->nusers++;
	return 0;
}

static int
conf_value_of(const config_setting_t *s, struct conf_value *v)
{
	memset(v, 0, sizeof(*v));
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v->type = CONF_INT;
		v->i = config_setting_get_int64(s);
		return 0;
	case CONFIG_TYPE_BOOL:
		v->type = CONF_BOOL;
		v->i = config_setting_get_bool(s);
		return 0;
	case CONFIG_TYPE_FLOAT:
		v->type = CONF_FLOAT;
		v->f = config_setting_get_float(s);
		return 0;
	case CONFIG_TYPE_STRING:
		v->type = CONF_STRING;
		v->s = config_setting_get_string(s);
		return 0;
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:		/* strings only: an argv */
		v->type = CONF_LIST;
		if (config_setting_length(s) > CONF_LIST_MAX)
			return -1;
		for (int i = 0; i < config_setting_length(s); i++) {
			const char *e = config_setting_get_string(
			    config_setting_get_elem(s, i));

			if (e == NULL)
				return -1;
			v->list[v->n++] = e;
		}
		return 0;
	default:
		return -1;
	}
}

/* Hand every option of group g but the skipped ones to a driver. */
static int
driver_options(struct cctx *c, const struct conf_target *t,
    const struct target_driver *drv, void *dconf, const config_setting_t *g,
    const char *const *skip)
{
	char derr[200];

	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *k = config_setting_name(s);
		struct conf_value v;
		int skipped = 0;

		for (size_t j = 0; skip[j] != NULL; j++)
			skipped |= strcmp(k, skip[j]) == 0;
		if (skipped)
			continue;
		if (conf_value_of(s, &v) != 0)
			return cerr(c, s, v.type == CONF_LIST ? "targets: %s: "
			    "%s must be a list of at most 32 strings" :
			    "targets: %s: %s must be a number, boolean or "
			    "string", t->name, k);
		derr[0] = '\0';
		if (drv->conf_set(dconf, k, &v, derr, sizeof(derr)) != 0)
			return cerr(c, s, "targets: %s: %s", t->name,
			    derr[0] ? derr : "bad option");
	}
	derr[0] = '\0';
	if (drv->conf_check != NULL && drv->conf_check(dconf, derr,
	    sizeof(derr)) != 0)
		return cerr(c, g, "targets: %s: %s", t->name, derr);
	return 0;
}

/* console = { driver = "serial"; device = ...; }: a console of its own. */
static int
parse_console(struct cctx *c, struct conf_target *t,
    const config_setting_t *g)
{
	static const char *const skip[] = { "driver", NULL };
	const config_setting_t *s;
	const char *str = NULL;

	if (!config_setting_is_group(g))
		return cerr(c, g, "targets: %s: console is a group "
		    "{ driver = ...; }", t->name);
	if ((s = config_setting_get_member(g, "driver")) == NULL)
		return cerr(c, g, "targets: %s: console needs a driver",
		    t->name);
	if (get_string(c, s, &str) != 0)
		return -1;
	if ((t->con_drv = target_driver_find(str)) == NULL)
		return cerr(c, s, "targets: %s: unknown console driver \"%s\"",
		    t->name, str);
	if (t->con_drv->console_write == NULL)
		return cerr(c, s, "targets: %s: driver \"%s\" has no console",
		    t->name, str);
	if ((t->con_dconf = t->con_drv->conf_new()) == NULL)
		return cerr(c, s, "targets: out of memory");
	return driver_options(c, t, t->con_drv, t->con_dconf, g, skip);
}

/* Driver-wide constraints: a unique name (pico: node), node_listen. */
static int
check_unique(struct cctx *c, const struct conf *cf,
    const struct conf_target *t, const struct target_driver *drv,
    const void *dconf, const config_setting_t *g)
{
	const char *name;

	if (drv == NULL)
		return 0;
	if (drv->needs_node_listen && !cf->has_node_listen)
		return cerr(c, g, "targets: %s: driver \"%s\" needs "
		    "node_listen = \"ADDR:PORT\" at the top level", t->name,
		    drv->name);
	if (drv->conf_unique == NULL)
		return 0;
	name = drv->conf_unique(dconf);
	for (size_t i = 0; i < cf->ntargets; i++) {
		const struct conf_target *o = &cf->targets[i];

		if (o != t && conf_name_used(o, drv, name))
			return cerr(c, g, "targets: %s: %s \"%s\" is already "
			    "used by target %s", t->name, drv->name, name,
			    o->name);
	}
	if (t->drv == drv && t->con_drv == drv && t->dconf != dconf &&
	    strcmp(drv->conf_unique(t->dconf), name) == 0)
		return cerr(c, g, "targets: %s: %s \"%s\" used twice",
		    t->name, drv->name, name);
	return 0;
}

/* FNV-1a over a setting, names and values, recursively (reload's diff). */

static uint64_t
hash_setting(uint64_t h, const config_setting_t *s)
{
	const char *name = config_setting_name(s), *str;
	long long ll;
	double d;
	int b;

	if (name != NULL)
		h = conf_hash(h, name, strlen(name) + 1);
	h = conf_hash(h, &(int){ config_setting_type(s) }, sizeof(int));
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		ll = config_setting_get_int64(s);
		return conf_hash(h, &ll, sizeof(ll));
	case CONFIG_TYPE_FLOAT:
		d = config_setting_get_float(s);
		return conf_hash(h, &d, sizeof(d));
	case CONFIG_TYPE_BOOL:
		b = config_setting_get_bool(s);
		return conf_hash(h, &b, sizeof(b));
	case CONFIG_TYPE_STRING:
		str = config_setting_get_string(s);
		return conf_hash(h, str, strlen(str) + 1);
	default:
		for (int i = 0; i < config_setting_length(s); i++)
			h = hash_setting(h, config_setting_get_elem(s, i));
		return conf_hash(h, "}", 1);
	}
}

static int
parse_target(struct cctx *c, struct conf *cf, const config_setting_t *g)
{
	struct conf_target *t = &cf->targets[cf->ntargets];
	static const char *const skip[] = { "address", "name", "driver",
	    "listen", "console", NULL };
	const config_setting_t *s;
	const char *str = NULL;
	long long addr;

	if (!config_setting_is_group(g))
		return cerr(c, g, "targets: each target is a group { ... }");
	if ((s = config_setting_get_member(g, "address")) == NULL)
		return cerr(c, g, "targets: a target needs an address");
	if (get_uint(c, s, 1, 255, &addr) != 0)
		return -1;
	if (addr == IPMI_BMC_ADDR)
		return cerr(c, s, "targets: address 0x20 is pmbd's own "
		    "(ipmitool cannot bridge to it)");
	for (size_t i = 0; i < cf->ntargets; i++)
		if (cf->targets[i].addr == addr)
			return cerr(c, s, "targets: address %lld (0x%02llx) "
			    "used twice", addr, addr);
	t->addr = (uint8_t)addr;
	if ((s = config_setting_get_member(g, "name")) == NULL)
		return cerr(c, g, "targets: target %lld needs a name", addr);
	if (get_string(c, s, &str) != 0)
		return -1;
	if (str[0] == '\0' || strlen(str) >= sizeof(t->name))
		return cerr(c, s, "targets: name must be 1..%zu characters",
		    sizeof(t->name) - 1);
	for (size_t i = 0; i < cf->ntargets; i++)
		if (strcmp(cf->targets[i].name, str) == 0)
			return cerr(c, s, "targets: name \"%s\" used twice",
			    str);
	strcpy(t->name, str);
	if ((s = config_setting_get_member(g, "driver")) == NULL)
		return cerr(c, g, "targets: target %s needs a driver", t->name);
	if (get_string(c, s, &str) != 0)
		return -1;
	if ((t->drv = target_driver_find(str)) == NULL)
		return cerr(c, s, "targets: unknown driver \"%s\"", str);
	if ((t->dconf = t->drv->conf_new()) == NULL)
		return cerr(c, s, "targets: out of memory");
	cf->ntargets++;		/* conf_free() now owns dconf */

	if ((s = config_setting_get_member(g, "listen")) != NULL) {
		if (get_string(c, s, &str) != 0 ||
		    add_endpoint(c, cf, s, str, t->addr) != 0)
			return -1;
		t->has_listen = 1;
		t->listen = cf->eps[cf->neps - 1].addr;
	}
	if ((s = config_setting_get_member(g, "console")) != NULL &&
	    parse_console(c, t, s) != 0)
		return -1;
	if (driver_options(c, t, t->drv, t->dconf, g, skip) != 0)
		return -1;
	if (check_unique(c, cf, t, t->drv, t->dconf, g) != 0 ||
	    check_unique(c, cf, t, t->con_drv, t->con_dconf, g) != 0)
		return -1;
	t->hash = hash_setting(0xcbf29ce484222325ull, g);
	return 0;
}

static int
parse_suites(struct cctx *c, struct conf *cf, const config_setting_t *s)
{
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cerr(c, s, "cipher_suites: expected [ 17, 3 ]");
	if (config_setting_length(s) < 1 ||
	    config_setting_length(s) > CONF_MAX_SUITES)
		return cerr(c, s, "cipher_suites: give 1 or 2 suites");
	cf->nsuites = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		long long v;

		if (get_uint(c, e, 0, 255, &v) != 0)
			return -1;
		if (v != 3 && v != 17)
			return cerr(c, e, "cipher_suites: suite %lld is not "
			    "supported (only 3 and 17 are secure)", v);
		for (size_t j = 0; j < cf->nsuites; j++)
			if (cf->suites[j] == v)
				return cerr(c, e, "cipher_suites: %lld twice",
				    v);
		cf->suites[cf->nsuites++] = (uint8_t)v;
	}
	return 0;
}

static int
parse_top(struct cctx *c, struct conf *cf, config_t *lc)
{
	const config_setting_t *root = config_root_setting(lc), *s;
	long long v;
	const char *str = NULL;

	for (int i = 0; i < config_setting_length(root); i++) {
		const char *k;

		s = config_setting_get_elem(root, i);
		k = config_setting_name(s);
		if (strcmp(k, "listen") == 0) {
			if (!config_setting_is_array(s) &&
			    !config_setting_is_list(s))
				return cerr(c, s, "listen: expected "
				    "[ \"ADDR:PORT\", ... ]");
			if (config_setting_length(s) > CONF_MAX_LISTEN)
				return cerr(c, s, "listen: at most %d "
				    "addresses", CONF_MAX_LISTEN);
			for (int j = 0; j < config_setting_length(s); j++) {
				const config_setting_t *e =
				    config_setting_get_elem(s, j);

				if (get_string(c, e, &str) != 0 ||
				    add_endpoint(c, cf, e, str, 0) != 0)
					return -1;
			}
			cf->nlisten = cf->neps;
		} else if (strcmp(k, "node_listen") == 0) {
			if (get_string(c, s, &str) != 0)
				return -1;
			if (addr_parse(str, &cf->node_listen) != 0)
				return cerr(c, s, "node_listen: bad address "
				    "\"%s\" (want ADDR:PORT or [V6ADDR]:PORT)",
				    str);
			cf->has_node_listen = 1;
		} else if (strcmp(k, "state_dir") == 0) {
			if (get_string(c, s, &str) != 0)
				return -1;
			if (str[0] != '/' || strlen(str) >=
			    sizeof(cf->state_dir) - 32)
				return cerr(c, s, "state_dir: must be an "
				    "absolute path");
			strcpy(cf->state_dir, str);
		} else if (strcmp(k, "users") == 0 ||
		    strcmp(k, "targets") == 0) {
			if (!config_setting_is_list(s))
				return cerr(c, s, "%s: expected ( { ... }, "
				    "... )", k);
		} else if (strcmp(k, "cipher_suites") == 0) {
			if (parse_suites(c, cf, s) != 0)
				return -1;
		} else if (strcmp(k, "kg") == 0) {
			if (get_string(c, s, &str) != 0)
				return -1;
			memset(cf->kg, 0, sizeof(cf->kg));
			if (buf_hex(str, cf->kg, sizeof(cf->kg)) <= 0)
				return cerr(c, s, "kg: expected 2..40 hex "
				    "digits");
			cf->has_kg = 1;
		} else if (strcmp(k, "max_sessions") == 0) {
			if (get_uint(c, s, 1, 1024, &v) != 0)
				return -1;
			cf->max_sessions = (unsigned)v;
		} else if (strcmp(k, "max_half_open") == 0) {
			if (get_uint(c, s, 1, 256, &v) != 0)
				return -1;
			cf->max_half_open = (unsigned)v;
		} else if (strcmp(k, "session_timeout") == 0) {
			if (get_uint(c, s, 5, 3600, &v) != 0)
				return -1;
			cf->session_timeout = (unsigned)v;
		} else if (strcmp(k, "target_timeout") == 0) {
			if (get_uint(c, s, 100, 30000, &v) != 0)
				return -1;
			cf->target_timeout = (unsigned)v;
		} else if (strcmp(k, "console_history") == 0) {
			if (get_uint(c, s, 1024, 16 << 20, &v) != 0)
				return -1;
			cf->console_history = (unsigned)v;
		} else if (strcmp(k, "manufacturer_id") == 0) {
			if (get_uint(c, s, 0, 0xfffff, &v) != 0)
				return -1;
			cf->manufacturer_id = (uint32_t)v;
		} else if (strcmp(k, "user") == 0 || strcmp(k, "group") == 0) {
			char *dst = k[0] == 'u' ? cf->user : cf->group;

			if (get_string(c, s, &str) != 0)
				return -1;
			if (str[0] == '\0' || strlen(str) >= sizeof(cf->user))
				return cerr(c, s, "%s: expected a name", k);
			strcpy(dst, str);
		} else if (strcmp(k, "product_id") == 0) {
			if (get_uint(c, s, 0, 0xffff, &v) != 0)
				return -1;
			cf->product_id = (uint16_t)v;
		} else
			return cerr(c, s, "unknown key \"%s\"", k);
	}
	return 0;
}

int
conf_load(const char *path, struct conf **ret, char *err, size_t errlen)
{
	struct cctx c = { path, err, errlen };
	const config_setting_t *s;
	struct conf *cf;
	config_t lc;
	struct stat st;
	FILE *fp;
	int rc = -1;

	if ((cf = calloc(1, sizeof(*cf))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	conf_defaults(cf);
	snprintf(cf->path, sizeof(cf->path), "%s", path);
	config_init(&lc);
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s:0: cannot read: %s", path,
		    strerror(errno));
		goto out;
	}
	/* libconfig's scanner exit()s on a read error, as on a directory. */
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s:0: cannot read: %s", path,
		    strerror(EISDIR));
		fclose(fp);
		goto out;
	}
	if (config_read(&lc, fp) != CONFIG_TRUE) {
		snprintf(err, errlen, "%s:%d: %s", path,
		    config_error_line(&lc), config_error_text(&lc));
		fclose(fp);
		goto out;
	}
	fclose(fp);
	if (parse_top(&c, cf, &lc) != 0)
		goto out;
	if ((s = config_lookup(&lc, "users")) != NULL)
		for (int i = 0; i < config_setting_length(s); i++) {
			if (cf->nusers >= CONF_MAX_USERS) {
				cerr(&c, s, "users: at most %d",
				    CONF_MAX_USERS);
				goto out;
			}
			if (parse_user(&c, cf, config_setting_get_elem(s, i)))
				goto out;
		}
	if ((s = config_lookup(&lc, "targets")) != NULL)
		for (int i = 0; i < config_setting_length(s); i++) {
			if (cf->ntargets >= CONF_MAX_TARGETS) {
				cerr(&c, s, "targets: at most %d",
				    CONF_MAX_TARGETS);
				goto out;
			}
			if (parse_target(&c, cf, config_setting_get_elem(s, i)))
				goto out;
		}
	if (cf->nusers == 0) {
		snprintf(err, errlen, "%s:0: no users: add users = ( { name "
		    "= ...; password = ...; } )", path);
		goto out;
	}
	if (cf->neps == 0) {
		snprintf(err, errlen, "%s:0: nothing to listen on: add "
		    "listen = [ \"0.0.0.0:623\" ]", path);
		goto out;
	}
	*ret = cf;
	cf = NULL;
	rc = 0;
out:
	config_destroy(&lc);
	conf_free(cf);
	return rc;
}

