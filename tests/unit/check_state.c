/* check_state.c: persistent state survives, corrupt files are set aside. */
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "state.h"
#include "test.h"

static char dir[64];

static void
setup(void)
{
	strcpy(dir, "/tmp/pmbd-state-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(roundtrip)
{
	struct target a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.addr = b.addr = 0x72;
	ck_assert_int_eq(state_init(dir), 0);
	ck_assert_int_eq(state_load_target(dir, &a), 0);	/* created */
	ck_assert_uint_eq(a.st.guid[9] >> 4, 4);		/* version 4 */
	a.st.boot.flags[0] = 0xe0;
	a.st.boot.flags[1] = 0x04;
	a.st.boot.clear_mask = 0x08;
	ck_assert_int_eq(state_save_target(dir, &a), 0);
	ck_assert_int_eq(state_load_target(dir, &b), 0);
	ck_assert_mem_eq(&a.st, &b.st, sizeof(a.st));
}
END_TEST

START_TEST(corrupt_set_aside)
{
	struct target a;
	char path[128];
	FILE *fp;

	memset(&a, 0, sizeof(a));
	a.addr = 1;
	ck_assert_int_eq(state_init(dir), 0);
	snprintf(path, sizeof(path), "%s/target-001.state", dir);
	fp = fopen(path, "w");
	fputs("garbage", fp);
	fclose(fp);
	ck_assert_int_eq(state_load_target(dir, &a), 1);
	strcat(path, ".corrupt");
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

START_TEST(codec)
{
	struct target_persist st, back;
	uint8_t buf[128];
	size_t n;

	memset(&st, 0x5a, sizeof(st));
	n = state_encode(&st, buf, sizeof(buf));
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(state_decode(buf, n, &back), 0);
	ck_assert_mem_eq(&st, &back, sizeof(st));
	for (size_t i = 0; i < n; i++) {	/* any flipped bit is caught */
		buf[i] ^= 0x10;
		ck_assert_int_eq(state_decode(buf, n, &back), -1);
		buf[i] ^= 0x10;
	}
	ck_assert_int_eq(state_decode(buf, n - 1, &back), -1);
	ck_assert_uint_eq(state_encode(&st, buf, 10), 0);
}
END_TEST

/*
 * A version 2 file (pmbd before OPERATOR became the SOL default): the old
 * default (USER) loads as OPERATOR, a value an administrator set stays.
 */
static size_t
as_version2(uint8_t *p, size_t n)
{
	uint32_t h;

	p[4] = 2;
	h = buf_fnv32(p, n - 4);
	p[n - 4] = (uint8_t)h;
	p[n - 3] = (uint8_t)(h >> 8);
	p[n - 2] = (uint8_t)(h >> 16);
	p[n - 1] = (uint8_t)(h >> 24);
	return n;
}

START_TEST(sol_default_migrates)
{
	struct target_persist a, b;
	uint8_t f[128];
	size_t n;

	memset(&a, 0, sizeof(a));
	target_solcfg_default(&a.sol);
	ck_assert_uint_eq(a.sol.auth, 0xc3);
	a.sol.auth = 0xc2;			/* what version 2 wrote */
	n = as_version2(f, state_encode(&a, f, sizeof(f)));
	ck_assert_int_eq(state_decode(f, n, &b), 0);
	ck_assert_uint_eq(b.sol.auth, 0xc3);
	a.sol.auth = 0xc4;			/* set by an administrator */
	n = as_version2(f, state_encode(&a, f, sizeof(f)));
	ck_assert_int_eq(state_decode(f, n, &b), 0);
	ck_assert_uint_eq(b.sol.auth, 0xc4);
	a.sol.auth = 0xc2;			/* set to USER in version 3 */
	n = state_encode(&a, f, sizeof(f));
	ck_assert_int_eq(state_decode(f, n, &b), 0);
	ck_assert_uint_eq(b.sol.auth, 0xc2);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, roundtrip);
	tcase_add_test(tc, corrupt_set_aside);
	tcase_add_test(tc, codec);
	tcase_add_test(tc, sol_default_migrates);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(state_suite)
