/*
 * check_conf.c: conf_load() against the corpus in tests/conf.
 *
 * good-*.conf must load (some are checked value by value below);
 * bad-*.conf must fail with exactly the line in bad-*.err, where @FILE@
 * stands for the path handed to conf_load().  No error line may contain a
 * password or Kg from the file.  The corpus is found as tests/conf from
 * the repository root, or as $PMBD_TESTS_DIR/conf.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "users.h"
#include "ipmi.h"
#include "target.h"
#include "test.h"

#define MAX_FILES	256
#define PATH_LEN	1024

static char corpus[PATH_LEN / 2];
static char *good[MAX_FILES], *bad[MAX_FILES];
static size_t ngood, nbad;

/* Every problem the brief names; a file missing here is a test failure. */
static const char *const required_bad[] = {
	"unknown-key", "user-unknown-key", "target-unknown-option",
	"target-dup-address", "target-address-0x20", "target-address-256",
	"target-address-0", "privilege", "password-short", "password-long",
	"user-duplicate", "users-missing", "listen-missing", "listen-no-port",
	"listen-port-0", "listen-ipv6-syntax", "driver-unknown",
	"target-dup-name", "listen-duplicate", "suite-0", "kg-hex", "syntax",
	"leak-user-after-password", "leak-privilege-after-password",
	"leak-target-after-users",
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static void
corpus_scan(void)
{
	const char *env = getenv("PMBD_TESTS_DIR");
	struct dirent *de;
	DIR *d;

	snprintf(corpus, sizeof(corpus), "%s/conf",
	    env != NULL && env[0] != '\0' ? env : "tests");
	if ((d = opendir(corpus)) == NULL)
		return;		/* test_corpus_present reports it */
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".conf"))
			continue;
		if (strncmp(de->d_name, "good-", 5) == 0 && ngood < MAX_FILES)
			good[ngood++] = strdup(de->d_name);
		else if (strncmp(de->d_name, "bad-", 4) == 0 &&
		    nbad < MAX_FILES)
			bad[nbad++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(good, ngood, sizeof(good[0]), cmp_str);
	qsort(bad, nbad, sizeof(bad[0]), cmp_str);
}

static void
corpus_path(char *out, size_t cap, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", corpus, name);

	ck_assert_msg(n > 0 && (size_t)n < cap, "path too long: %s", name);
}

/* The whole file, NUL terminated, or NULL. */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *p = NULL;
	size_t n = 0, cap = 0, r;

	if (fp == NULL)
		return NULL;
	do {
		if (cap - n < 1024) {
			cap += 4096;
			if ((p = realloc(p, cap)) == NULL)
				abort();
		}
		r = fread(p + n, 1, cap - n - 1, fp);
		n += r;
	} while (r > 0);
	fclose(fp);
	p[n] = '\0';
	return p;
}

/* s with every @FILE@ replaced by path; trailing newlines dropped. */
static char *
expand(const char *s, const char *path)
{
	static const char tok[] = "@FILE@";
	size_t cap = strlen(s) * (strlen(path) + 1) + 1, n = 0;
	char *out = malloc(cap);

	if (out == NULL)
		abort();
	while (*s != '\0') {
		if (strncmp(s, tok, sizeof(tok) - 1) == 0) {
			memcpy(out + n, path, strlen(path));
			n += strlen(path);
			s += sizeof(tok) - 1;
		} else
			out[n++] = *s++;
	}
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		n--;
	out[n] = '\0';
	return out;
}

/*
 * Assert that err holds none of the secrets written in the file: the
 * string values of every password and kg setting.
 */
static void
assert_no_secret(const char *path, const char *err)
{
	static const char *const keys[] = { "password", "kg", "psk" };
	char *text = slurp(path);

	ck_assert_msg(text != NULL, "cannot read %s", path);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t kl = strlen(keys[k]);

		for (const char *p = strstr(text, keys[k]); p != NULL;
		    p = strstr(p + 1, keys[k])) {
			const char *q = p + kl, *end;
			char secret[128];

			if (p > text && (p[-1] == '_' ||
			    (p[-1] >= 'a' && p[-1] <= 'z')))
				continue;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q != '=' && *q != ':')
				continue;
			q++;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q++ != '"' || (end = strchr(q, '"')) == NULL)
				continue;
			if ((size_t)(end - q) < 4 ||
			    (size_t)(end - q) >= sizeof(secret))
				continue;
			memcpy(secret, q, (size_t)(end - q));
			secret[end - q] = '\0';
			ck_assert_msg(strstr(err, secret) == NULL,
			    "%s: error line leaks the %s \"%s\": %s", path,
			    keys[k], secret, err);
		}
	}
	free(text);
}

static struct conf *
load_good(const char *name)
{
	char path[PATH_LEN], err[512] = "";
	struct conf *cf = NULL;

	corpus_path(path, sizeof(path), name);
	ck_assert_msg(conf_load(path, &cf, err, sizeof(err)) == 0,
	    "%s should load: %s", path, err);
	ck_assert_ptr_nonnull(cf);
	return cf;
}

static const struct sockaddr_in *
sin4(const struct conf_addr *a)
{
	ck_assert_int_eq(a->ss.ss_family, AF_INET);
	ck_assert_uint_eq(a->len, sizeof(struct sockaddr_in));
	return (const struct sockaddr_in *)&a->ss;
}

static const struct sockaddr_in6 *
sin6(const struct conf_addr *a)
{
	ck_assert_int_eq(a->ss.ss_family, AF_INET6);
	ck_assert_uint_eq(a->len, sizeof(struct sockaddr_in6));
	return (const struct sockaddr_in6 *)&a->ss;
}

static void
assert_v4(const struct conf_addr *a, const char *text, const char *ip,
    uint16_t port)
{
	const struct sockaddr_in *s = sin4(a);
	struct in_addr want;

	ck_assert_str_eq(a->text, text);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &want), 1);
	ck_assert_uint_eq(s->sin_addr.s_addr, want.s_addr);
	ck_assert_uint_eq(ntohs(s->sin_port), port);
}

static void
assert_v6(const struct conf_addr *a, const char *text, const char *ip,
    uint16_t port)
{
	const struct sockaddr_in6 *s = sin6(a);
	struct in6_addr want;

	ck_assert_str_eq(a->text, text);
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &want), 1);
	ck_assert_mem_eq(&s->sin6_addr, &want, sizeof(want));
	ck_assert_uint_eq(ntohs(s->sin6_port), port);
}

static void
assert_user(const struct conf_user *u, const char *name, const char *pass,
    uint8_t priv)
{
	uint8_t key[CONF_PASS_MAX] = { 0 };

	ck_assert_str_eq(u->name, name);
	ck_assert_uint_eq(u->name_len, strlen(name));
	memcpy(key, pass, strlen(pass));
	ck_assert_mem_eq(u->key, key, sizeof(key));	/* zero padded */
	ck_assert_uint_eq(u->priv, priv);
}

/* Invariants every loaded configuration keeps. */
static void
assert_sane(const struct conf *cf)
{
	ck_assert_uint_ge(cf->neps, 1);
	ck_assert_uint_le(cf->nlisten, cf->neps);
	ck_assert_uint_ge(cf->nusers, 1);
	ck_assert_uint_ge(cf->nsuites, 1);
	ck_assert_uint_le(cf->nsuites, CONF_MAX_SUITES);
	for (size_t i = 0; i < cf->nsuites; i++)
		ck_assert(cf->suites[i] == 3 || cf->suites[i] == 17);
	for (size_t i = 0; i < cf->nlisten; i++)
		ck_assert_uint_eq(cf->eps[i].target, 0);
	for (size_t i = cf->nlisten; i < cf->neps; i++) {
		size_t j;

		ck_assert_uint_ne(cf->eps[i].target, 0);
		for (j = 0; j < cf->ntargets; j++)
			if (cf->targets[j].addr == cf->eps[i].target)
				break;
		ck_assert_msg(j < cf->ntargets, "endpoint %zu: no target "
		    "0x%02x", i, cf->eps[i].target);
		ck_assert(cf->targets[j].has_listen);
		ck_assert_str_eq(cf->targets[j].listen.text,
		    cf->eps[i].addr.text);
	}
	for (size_t i = 0; i < cf->ntargets; i++) {
		ck_assert_uint_ne(cf->targets[i].addr, 0);
		ck_assert_uint_ne(cf->targets[i].addr, IPMI_BMC_ADDR);
		ck_assert_ptr_nonnull(cf->targets[i].drv);
		ck_assert_ptr_nonnull(cf->targets[i].dconf);
	}
}

START_TEST(test_corpus_present)
{
	char path[PATH_LEN];

	ck_assert_msg(ngood > 0 && nbad > 0, "no corpus in %s (run from the "
	    "repository root or set PMBD_TESTS_DIR)", corpus);
	for (size_t i = 0; i < sizeof(required_bad) / sizeof(required_bad[0]);
	    i++) {
		FILE *fp;

		snprintf(path, sizeof(path), "%s/bad-%s.conf", corpus,
		    required_bad[i]);
		ck_assert_msg((fp = fopen(path, "r")) != NULL, "missing %s",
		    path);
		fclose(fp);
	}
}
END_TEST

START_TEST(test_bad_file)
{
	char path[PATH_LEN], epath[PATH_LEN], err[512];
	struct conf *cf = NULL;
	char *raw, *want;

	corpus_path(path, sizeof(path), bad[_i]);
	snprintf(epath, sizeof(epath), "%.*s.err",
	    (int)(strlen(path) - strlen(".conf")), path);
	raw = slurp(epath);
	ck_assert_msg(raw != NULL, "%s: missing; every bad-*.conf needs the "
	    "expected error line next to it", epath);
	want = expand(raw, path);
	memset(err, 0, sizeof(err));
	ck_assert_msg(conf_load(path, &cf, err, sizeof(err)) == -1,
	    "%s loaded but must not", path);
	ck_assert_ptr_null(cf);
	ck_assert_str_eq(err, want);
	assert_no_secret(path, err);
	free(want);
	free(raw);
}
END_TEST

START_TEST(test_good_file)
{
	struct conf *cf = load_good(good[_i]);

	assert_sane(cf);
	ck_assert_str_eq(cf->path + strlen(cf->path) - strlen(good[_i]),
	    good[_i]);
	conf_free(cf);
}
END_TEST

START_TEST(test_good_minimal)
{
	struct conf *cf = load_good("good-minimal.conf");

	ck_assert_uint_eq(cf->neps, 1);
	ck_assert_uint_eq(cf->nlisten, 1);
	assert_v4(&cf->eps[0].addr, "127.0.0.1:6230", "127.0.0.1", 6230);
	ck_assert_uint_eq(cf->eps[0].target, 0);
	ck_assert_uint_eq(cf->nusers, 1);
	assert_user(&cf->users[0], "admin", "Minimal-Pass1", PRIV_ADMIN);
	ck_assert_uint_eq(cf->ntargets, 0);
	/* Defaults. */
	ck_assert_str_eq(cf->state_dir, "/var/lib/pmbd");
	ck_assert_uint_eq(cf->nsuites, 2);
	ck_assert_uint_eq(cf->suites[0], 17);
	ck_assert_uint_eq(cf->suites[1], 3);
	ck_assert_int_eq(cf->has_kg, 0);
	ck_assert_uint_eq(cf->max_sessions, 64);
	ck_assert_uint_eq(cf->max_half_open, 32);
	ck_assert_uint_eq(cf->session_timeout, 60);
	ck_assert_uint_eq(cf->target_timeout, 5000);
	ck_assert_uint_eq(cf->manufacturer_id, 57253);
	ck_assert_uint_eq(cf->product_id, 1);
	conf_free(cf);
}
END_TEST

START_TEST(test_good_full)
{
	static const uint8_t kg[CONF_PASS_MAX] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
		0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33,
	};
	struct conf *cf = load_good("good-full.conf");
	const struct target_driver *sim = target_driver_find("sim");

	assert_sane(cf);
	ck_assert_str_eq(cf->state_dir, "/tmp/pmbd-test-state");
	ck_assert_uint_eq(cf->nsuites, 1);
	ck_assert_uint_eq(cf->suites[0], 3);
	ck_assert_int_eq(cf->has_kg, 1);
	ck_assert_mem_eq(cf->kg, kg, sizeof(kg));
	ck_assert_uint_eq(cf->max_sessions, 10);
	ck_assert_uint_eq(cf->max_half_open, 4);
	ck_assert_uint_eq(cf->session_timeout, 30);
	ck_assert_uint_eq(cf->target_timeout, 1000);
	ck_assert_uint_eq(cf->manufacturer_id, 0x1234);
	ck_assert_uint_eq(cf->product_id, 0xbeef);

	ck_assert_uint_eq(cf->nusers, 3);
	assert_user(&cf->users[0], "alice", "alice-pass-01", PRIV_USER);
	assert_user(&cf->users[1], "bob", "bob-pass-0002", PRIV_OPERATOR);
	assert_user(&cf->users[2], "root", "12345678901234567890",
	    PRIV_ADMIN);
	ck_assert_ptr_eq(users_find(cf, (const uint8_t *)"bob", 3),
	    &cf->users[1]);
	ck_assert_ptr_null(users_find(cf, (const uint8_t *)"bo", 2));
	ck_assert_ptr_null(users_find(cf, (const uint8_t *)"bobb", 4));

	ck_assert_uint_eq(cf->ntargets, 3);
	ck_assert_uint_eq(cf->targets[0].addr, 0x72);
	ck_assert_str_eq(cf->targets[0].name, "node72");
	ck_assert_ptr_eq(cf->targets[0].drv, sim);
	ck_assert_int_eq(cf->targets[0].has_listen, 1);
	assert_v4(&cf->targets[0].listen, "127.0.0.1:6272", "127.0.0.1",
	    6272);
	ck_assert_uint_eq(cf->targets[1].addr, 1);
	ck_assert_str_eq(cf->targets[1].name, "node1");
	ck_assert_int_eq(cf->targets[1].has_listen, 0);
	ck_assert_uint_eq(cf->targets[2].addr, 255);
	ck_assert_str_eq(cf->targets[2].name, "node255");
	ck_assert_int_eq(cf->targets[2].has_listen, 1);
	assert_v6(&cf->targets[2].listen, "[::1]:6255", "::1", 6255);

	/* Global listeners first (though last in the file), in order. */
	ck_assert_uint_eq(cf->nlisten, 2);
	ck_assert_uint_eq(cf->neps, 4);
	assert_v4(&cf->eps[0].addr, "127.0.0.1:6230", "127.0.0.1", 6230);
	ck_assert_uint_eq(cf->eps[0].target, 0);
	assert_v6(&cf->eps[1].addr, "[::1]:6230", "::1", 6230);
	ck_assert_uint_eq(cf->eps[1].target, 0);
	/* Then the per-target ones, in target order. */
	assert_v4(&cf->eps[2].addr, "127.0.0.1:6272", "127.0.0.1", 6272);
	ck_assert_uint_eq(cf->eps[2].target, 0x72);
	assert_v6(&cf->eps[3].addr, "[::1]:6255", "::1", 6255);
	ck_assert_uint_eq(cf->eps[3].target, 255);
	conf_free(cf);
}
END_TEST

START_TEST(test_good_ipv6)
{
	struct conf *cf = load_good("good-ipv6.conf");

	ck_assert_uint_eq(cf->neps, 1);
	ck_assert_uint_eq(cf->nlisten, 1);
	assert_v6(&cf->eps[0].addr, "[::1]:623", "::1", 623);
	conf_free(cf);
}
END_TEST

START_TEST(test_good_suite3)
{
	struct conf *cf = load_good("good-suite3.conf");

	ck_assert_uint_eq(cf->nsuites, 1);
	ck_assert_uint_eq(cf->suites[0], 3);
	assert_v4(&cf->eps[0].addr, "0.0.0.0:623", "0.0.0.0", 623);
	conf_free(cf);
}
END_TEST

START_TEST(test_good_target_listen_only)
{
	struct conf *cf = load_good("good-target-listen-only.conf");

	ck_assert_uint_eq(cf->nlisten, 0);
	ck_assert_uint_eq(cf->neps, 1);
	ck_assert_uint_eq(cf->eps[0].target, 5);
	assert_v4(&cf->eps[0].addr, "127.0.0.1:6205", "127.0.0.1", 6205);
	conf_free(cf);
}
END_TEST

START_TEST(test_good_pico)
{
	struct conf *cf = load_good("good-pico.conf");
	const struct target_driver *pico = target_driver_find("pico");

	ck_assert_int_eq(cf->has_node_listen, 1);
	assert_v6(&cf->node_listen, "[::1]:6231", "::1", 6231);
	ck_assert_uint_eq(cf->ntargets, 3);
	ck_assert_ptr_eq(cf->targets[0].drv, pico);
	ck_assert_str_eq(pico->conf_unique(cf->targets[0].dconf), "rack1-n5");
	ck_assert_str_eq(pico->conf_unique(cf->targets[1].dconf), "rack1-n6");
	ck_assert_ptr_eq(cf->targets[2].con_drv, pico);
	ck_assert_str_eq(pico->conf_unique(cf->targets[2].con_dconf),
	    "rack1-n7");
	conf_free(cf);
	cf = load_good("good-minimal.conf");
	ck_assert_int_eq(cf->has_node_listen, 0);
	conf_free(cf);
}
END_TEST

START_TEST(test_unreadable)
{
	char path[PATH_LEN], want[PATH_LEN + 64], err[PATH_LEN + 64];
	struct conf *cf = NULL;

	corpus_path(path, sizeof(path), "no-such-file.conf");
	snprintf(want, sizeof(want), "%s:0: cannot read: No such file or "
	    "directory", path);
	ck_assert_int_eq(conf_load(path, &cf, err, sizeof(err)), -1);
	ck_assert_ptr_null(cf);
	ck_assert_str_eq(err, want);
}
END_TEST

/* libconfig's scanner exit()ed on a directory; now an error line. */
START_TEST(test_directory)
{
	char want[PATH_LEN + 64], err[PATH_LEN + 64];
	struct conf *cf = NULL;

	snprintf(want, sizeof(want), "%s:0: cannot read: Is a directory",
	    corpus);
	ck_assert_int_eq(conf_load(corpus, &cf, err, sizeof(err)), -1);
	ck_assert_ptr_null(cf);
	ck_assert_str_eq(err, want);
}
END_TEST

/* A short error buffer gets a truncated, terminated line. */
START_TEST(test_error_truncated)
{
	char path[PATH_LEN], full[512], err[24];
	struct conf *cf = NULL;

	corpus_path(path, sizeof(path), "bad-user-duplicate.conf");
	ck_assert_int_eq(conf_load(path, &cf, full, sizeof(full)), -1);
	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(conf_load(path, &cf, err, 16), -1);
	ck_assert_ptr_null(cf);
	ck_assert_uint_eq(strlen(err), 15);
	ck_assert_int_eq(strncmp(err, full, 15), 0);
	ck_assert_int_eq(err[16], 'x');		/* nothing past errlen */
}
END_TEST

/* The files whose passwords are fine but whose problem comes later. */
START_TEST(test_no_password_in_errors)
{
	static const char *const files[] = {
		"bad-leak-user-after-password.conf",
		"bad-leak-privilege-after-password.conf",
		"bad-leak-target-after-users.conf",
		"bad-leak-user-type.conf",
		"bad-password-short.conf",
		"bad-password-long.conf",
		"bad-pico-psk-short.conf",
		"bad-pico-psk-hex.conf",
		"bad-pico-node-dup.conf",
		"bad-pico-press-range.conf",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[PATH_LEN], err[512];
		struct conf *cf = NULL;

		corpus_path(path, sizeof(path), files[i]);
		ck_assert_int_eq(conf_load(path, &cf, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "Leak-Me-Not") == NULL &&
		    strstr(err, "0123456789abcdef") == NULL &&
		    strstr(err, "Q7#kz1x") == NULL &&
		    strstr(err, "Tw3nty-One") == NULL, "%s leaks: %s",
		    path, err);
		assert_no_secret(path, err);
	}
}
END_TEST

START_TEST(test_parse_addr)
{
	static const struct {
		const char	*text;
		int		 ok;
		int		 family;
		uint16_t	 port;
	} t[] = {
		{ "127.0.0.1:623", 1, AF_INET, 623 },
		{ "0.0.0.0:65535", 1, AF_INET, 65535 },
		{ "[::1]:623", 1, AF_INET6, 623 },
		{ "[::]:1", 1, AF_INET6, 1 },
		{ "[fe80::1:2]:6230", 1, AF_INET6, 6230 },
		{ "[::ffff:10.0.0.1]:623", 1, AF_INET6, 623 },
		{ "127.0.0.1", 0, 0, 0 },
		{ "127.0.0.1:", 0, 0, 0 },
		{ "127.0.0.1:0", 0, 0, 0 },
		{ "127.0.0.1:65536", 0, 0, 0 },
		{ "127.0.0.1:-1", 0, 0, 0 },
		{ "127.0.0.1:62x", 0, 0, 0 },
		{ "127.0.0.256:623", 0, 0, 0 },
		{ "localhost:623", 0, 0, 0 },
		{ ":623", 0, 0, 0 },
		{ "::1:623", 0, 0, 0 },
		{ "[::1]", 0, 0, 0 },
		{ "[::1]623", 0, 0, 0 },
		{ "[::1:623", 0, 0, 0 },
		{ "[::1::2]:623", 0, 0, 0 },
		{ "[]:623", 0, 0, 0 },
		{ "[127.0.0.1]:623", 0, 0, 0 },
		{ "", 0, 0, 0 },
		{ "[", 0, 0, 0 },
		{ "1234567890123456789012345678901234567890123456789012345678"
		    "901234:1", 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct conf_addr a;
		int rc = addr_parse(t[i].text, &a);

		ck_assert_msg((rc == 0) == t[i].ok, "\"%s\": rc %d", t[i].text,
		    rc);
		if (!t[i].ok)
			continue;
		ck_assert_str_eq(a.text, t[i].text);
		ck_assert_int_eq(a.ss.ss_family, t[i].family);
		if (t[i].family == AF_INET)
			ck_assert_uint_eq(ntohs(sin4(&a)->sin_port),
			    t[i].port);
		else
			ck_assert_uint_eq(ntohs(sin6(&a)->sin6_port),
			    t[i].port);
	}
}
END_TEST

START_TEST(test_free_null)
{
	ck_assert_ptr_null(conf_free(NULL));
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("corpus");
	TCase *tu = tcase_create("unit");

	corpus_scan();
	tcase_add_test(tc, test_corpus_present);
	tcase_add_loop_test(tc, test_bad_file, 0, (int)nbad);
	tcase_add_loop_test(tc, test_good_file, 0, (int)ngood);
	tcase_add_test(tc, test_good_minimal);
	tcase_add_test(tc, test_good_full);
	tcase_add_test(tc, test_good_ipv6);
	tcase_add_test(tc, test_good_suite3);
	tcase_add_test(tc, test_good_target_listen_only);
	tcase_add_test(tc, test_good_pico);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_directory);
	tcase_add_test(tc, test_error_truncated);
	tcase_add_test(tc, test_no_password_in_errors);
	suite_add_tcase(s, tc);
	tcase_add_test(tu, test_parse_addr);
	tcase_add_test(tu, test_free_null);
	suite_add_tcase(s, tu);
	return s;
}

TEST_MAIN(conf_suite)
