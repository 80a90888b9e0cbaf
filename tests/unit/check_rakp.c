/*
 * check_rakp.c: known-answer tests for RAKP key exchange (suites 3 and
 * 17) and the primitives under it.  Expected values were computed with
 * Python's hmac/hashlib from the formulas in IPMI 2.0 section 13.31-13.32
 * (and checked live against ipmitool, FreeIPMI and pyghmi); AES is the
 * NIST SP 800-38A CBC vector; HMAC-SHA1 is RFC 2202 case 2.
 */
#include "crypto.h"
#include "rakp.h"
#include "test.h"

static uint8_t kuid[20] = "secretpass1";
static uint8_t rc[16], rm[16], guid[16];
static const uint8_t user[] = "admin";

static struct rakp_keys
keys(void)
{
	struct rakp_keys k = {
		.kuid = kuid, .kg = NULL, .csid = 0xa0a2a3a4,
		.msid = 0x11223344, .rc = rc, .rm = rm, .guid = guid,
		.role = 0x14, .ulen = 5, .user = user,
	};

	for (int i = 0; i < 16; i++) {
		rc[i] = (uint8_t)i;
		rm[i] = (uint8_t)(16 + i);
		guid[i] = (uint8_t)(32 + i);
	}
	return k;
}

static void
check_hex(const uint8_t *got, const char *want)
{
	uint8_t w[64];
	size_t n = test_hex(want, w, sizeof(w));

	ck_assert_mem_eq(got, w, n);
}

START_TEST(suite3_sha1)
{
	struct rakp_keys k = keys();
	uint8_t out[32], sik[32];

	ck_assert_int_eq(rakp_hmac2(CRYPTO_SHA1, &k, out), 0);
	check_hex(out, "f210f9b85539094d842c0864532c6fa1c9c0bd01");
	ck_assert_int_eq(rakp_hmac3(CRYPTO_SHA1, &k, out), 0);
	check_hex(out, "d5390dc751c9486dc5fdc75bfd83a11e5ccf4fc0");
	ck_assert_int_eq(rakp_sik(CRYPTO_SHA1, &k, sik), 0);
	check_hex(sik, "579b21872465e7017e8da71476ce83eb530b6d03");
	ck_assert_int_eq(rakp_kn(CRYPTO_SHA1, sik, 1, out), 0);
	check_hex(out, "676d52bf6943626ae316e62a6f1a508b600bd1a1");
	ck_assert_int_eq(rakp_kn(CRYPTO_SHA1, sik, 2, out), 0);
	check_hex(out, "390e6dc76f8c6d65a0b3eef613b2d5a069699611");
	ck_assert_int_eq(rakp_icv4(CRYPTO_SHA1, sik, &k, out), 0);
	check_hex(out, "33c163ba63288a4ca17f8113ead4cbca02aa55dc");
}
END_TEST

START_TEST(suite17_sha256)
{
	struct rakp_keys k = keys();
	uint8_t out[32], sik[32];

	ck_assert_int_eq(rakp_hmac2(CRYPTO_SHA256, &k, out), 0);
	check_hex(out, "4960df975cbc86fad3e267dd3f8a24f9"
	    "df2c6a6876115ecd8fc9717596543ebd");
	ck_assert_int_eq(rakp_hmac3(CRYPTO_SHA256, &k, out), 0);
	check_hex(out, "84341bccc258a66ae6afc5ecd0cbb195"
	    "2826c76cca5a07cae998f3aa95693c28");
	ck_assert_int_eq(rakp_sik(CRYPTO_SHA256, &k, sik), 0);
	check_hex(sik, "69e248427aba4db52afe3193af08c7b0"
	    "c502216ba78fc3491e9697f2f449b29b");
	ck_assert_int_eq(rakp_kn(CRYPTO_SHA256, sik, 1, out), 0);
	check_hex(out, "b3fcd9cc9d11cc893f34b6c3852d0d95"
	    "b46ef9bd1c6848051c3c535cb94ea754");
	ck_assert_int_eq(rakp_kn(CRYPTO_SHA256, sik, 2, out), 0);
	check_hex(out, "ae855996a6e8d7041eadee3f93aa95ad"
	    "8086c3657797c26770823affc8c470bf");
	ck_assert_int_eq(rakp_icv4(CRYPTO_SHA256, sik, &k, out), 0);
	check_hex(out, "cd45fdbc650b9d925f5ae0e85800beed");
}
END_TEST

START_TEST(kg_keys_sik)
{
	struct rakp_keys k = keys();
	uint8_t kg[20], out[32];

	for (int i = 0; i < 20; i++)
		kg[i] = (uint8_t)(i + 1);
	k.kg = kg;
	ck_assert_int_eq(rakp_sik(CRYPTO_SHA1, &k, out), 0);
	check_hex(out, "0d91535531735975a266907349ea6db0c682bd9e");
	ck_assert_int_eq(rakp_sik(CRYPTO_SHA256, &k, out), 0);
	check_hex(out, "2cc1a33f5bdd363d57cde9d293982459"
	    "ad5ed1556988d2cb144577a2a0114839");
	/* Kg does not change the RAKP2 HMAC: that one is keyed by Kuid. */
	ck_assert_int_eq(rakp_hmac2(CRYPTO_SHA1, &k, out), 0);
	check_hex(out, "f210f9b85539094d842c0864532c6fa1c9c0bd01");
}
END_TEST

START_TEST(primitives)
{
	uint8_t key[16], iv[16], pt[16], ct[16], back[16], md[32], r[600];
	struct crypto_iov iov = { "what do ya want for nothing?", 28 };
	struct crypto_mac *m;
	struct crypto_aes *a;
	int zero = 0;

	test_hex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	test_hex("000102030405060708090a0b0c0d0e0f", iv, 16);
	test_hex("6bc1bee22e409f96e93d7e117393172a", pt, 16);
	a = crypto_aes_new(key);
	ck_assert_ptr_nonnull(a);
	for (int i = 0; i < 3; i++) {	/* the keyed context is reusable */
		ck_assert_int_eq(crypto_aes_cbc(a, 1, iv, pt, 16, ct), 0);
		check_hex(ct, "7649abac8119b246cee98e9b12e9197d");
		ck_assert_int_eq(crypto_aes_cbc(a, 0, iv, ct, 16, back), 0);
		ck_assert_mem_eq(back, pt, 16);
	}
	ck_assert_int_eq(crypto_aes_cbc(a, 1, iv, pt, 15, ct), -1);
	ck_assert_ptr_null(crypto_aes_free(a));
	/* Random bytes across pool refills: not all zero, not repeating. */
	memset(r, 0, sizeof(r));
	ck_assert_int_eq(crypto_random(r, sizeof(r)), 0);
	for (size_t i = 0; i + 16 <= sizeof(r); i += 16) {
		zero += r[i] == 0 && r[i + 1] == 0 && r[i + 2] == 0;
		if (i >= 16)
			ck_assert_int_ne(memcmp(r + i, r + i - 16, 16), 0);
	}
	ck_assert_int_lt(zero, 3);
	ck_assert_int_eq(crypto_hmac(CRYPTO_SHA1, "Jefe", 4, &iov, 1, md), 0);
	check_hex(md, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	/* The per-session context gives the same answer every time. */
	m = crypto_mac_new(CRYPTO_SHA1, "Jefe", 4);
	ck_assert_ptr_nonnull(m);
	for (int i = 0; i < 3; i++) {
		memset(md, 0, sizeof(md));
		ck_assert_int_eq(crypto_mac_sign(m, iov.p, iov.len, md), 0);
		check_hex(md, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	}
	ck_assert_ptr_null(crypto_mac_free(m));
	ck_assert_int_eq(crypto_memeq("abcd", "abcd", 4), 1);
	ck_assert_int_eq(crypto_memeq("abcd", "abce", 4), 0);
}
END_TEST

static Suite *
rakp_suite(void)
{
	Suite *s = suite_create("rakp");
	TCase *tc = tcase_create("kat");

	tcase_add_test(tc, suite3_sha1);
	tcase_add_test(tc, suite17_sha256);
	tcase_add_test(tc, kg_keys_sik);
	tcase_add_test(tc, primitives);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(rakp_suite)
