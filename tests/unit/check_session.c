/* check_session.c: the session table and the sequence-number window. */
#include "session.h"
#include "test.h"

START_TEST(seq_window)
{
	struct session s;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(session_seq_check(&s, 0), -1);	/* never 0 */
	ck_assert_int_eq(session_seq_check(&s, 100), 0);	/* first */
	ck_assert_int_eq(session_seq_check(&s, 100), -1);	/* replay */
	ck_assert_int_eq(session_seq_check(&s, 101), 0);
	ck_assert_int_eq(session_seq_check(&s, 105), 0);	/* gap */
	ck_assert_int_eq(session_seq_check(&s, 103), 0);	/* late, once */
	ck_assert_int_eq(session_seq_check(&s, 103), -1);
	ck_assert_int_eq(session_seq_check(&s, 101), -1);
	ck_assert_int_eq(session_seq_check(&s, 102), 0);
	ck_assert_int_eq(session_seq_check(&s, 105 + 16), -1); /* too far */
	ck_assert_int_eq(session_seq_check(&s, 105 + 15), 0);
	ck_assert_int_eq(session_seq_check(&s, 120 - 33), -1); /* too old */
	ck_assert_int_eq(session_seq_check(&s, 120 - 32), 0);
	ck_assert_int_eq(session_seq_check(&s, 120 - 32), -1);
}
END_TEST

START_TEST(seq_wrap)
{
	struct session s;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(session_seq_check(&s, 0xfffffffe), 0);
	ck_assert_int_eq(session_seq_check(&s, 0xffffffff), 0);
	ck_assert_int_eq(session_seq_check(&s, 1), 0);
	ck_assert_int_eq(session_seq_check(&s, 0xffffffff), -1);
	s.out_seq = 0xffffffff;
	ck_assert_uint_eq(session_next_seq(&s), 1);		/* skips 0 */
}
END_TEST

START_TEST(table_lookup)
{
	struct session_table t;
	struct session *s[40];

	ck_assert_int_eq(session_table_init(&t, 40, 8), 0);
	for (int i = 0; i < 40; i++) {
		s[i] = session_open(&t, 1000 + (uint64_t)i, (uint32_t)i);
		ck_assert_ptr_nonnull(s[i]);
		ck_assert_uint_ne(s[i]->sid, 0);
		ck_assert_int_eq(session_activate(&t, s[i]), 0);
	}
	ck_assert_uint_eq(t.nactive, 40);
	/* Remove every other one; the rest must still be found. */
	for (int i = 0; i < 40; i += 2) {
		uint32_t sid = s[i]->sid;

		session_close(&t, s[i]);
		ck_assert_ptr_null(session_find(&t, sid));
	}
	for (int i = 1; i < 40; i += 2)
		ck_assert_ptr_eq(session_find(&t, s[i]->sid), s[i]);
	ck_assert_ptr_null(session_find(&t, 0));
	session_table_free(&t);
}
END_TEST

/* A flood of half-open sessions evicts only half-open ones. */
START_TEST(half_open_budget)
{
	struct session_table t;
	struct session *a, *h;
	uint32_t asid;

	ck_assert_int_eq(session_table_init(&t, 2, 4), 0);
	a = session_open(&t, 0, 1);
	ck_assert_int_eq(session_activate(&t, a), 0);
	asid = a->sid;
	for (int i = 0; i < 100; i++) {
		h = session_open(&t, (uint64_t)i + 1, (uint32_t)i);
		ck_assert_ptr_nonnull(h);
		ck_assert_uint_le(t.nhalf, 4);
	}
	ck_assert_ptr_eq(session_find(&t, asid), a);
	ck_assert_int_eq(a->state, SESSION_ACTIVE);
	/* Half-open ones die after the TTL; the active one stays. */
	session_expire(&t, 100 + SESSION_HALF_TTL_MS, 60000);
	ck_assert_uint_eq(t.nhalf, 0);
	ck_assert_uint_eq(t.nactive, 1);
	/* Idle timeout for the active one. */
	a->last = 0;
	session_expire(&t, 60000, 60000);
	ck_assert_uint_eq(t.nactive, 0);
	ck_assert_ptr_null(session_find(&t, asid));
	session_table_free(&t);
}
END_TEST

START_TEST(active_budget)
{
	struct session_table t;
	struct session *a, *b;

	ck_assert_int_eq(session_table_init(&t, 1, 2), 0);
	a = session_open(&t, 0, 1);
	b = session_open(&t, 0, 2);
	ck_assert_int_eq(session_activate(&t, a), 0);
	ck_assert_int_eq(session_activate(&t, b), -1);	/* full */
	ck_assert_int_eq(b->state, SESSION_OPEN);
	session_table_free(&t);
}
END_TEST

/* One flooding host only recycles its own half-open entries. */
START_TEST(flood_from_one_host)
{
	struct session_table t;
	struct session *legit, *h;
	uint32_t lsid;

	ck_assert_int_eq(session_table_init(&t, 4, 16), 0);
	legit = session_open(&t, 0, 7);
	lsid = legit->sid;
	for (int i = 0; i < 10000; i++) {
		h = session_open(&t, (uint64_t)i + 1, 99);
		ck_assert_ptr_nonnull(h);
	}
	ck_assert_uint_le(t.nhalf, 1 + 16 / 2);
	ck_assert_ptr_eq(session_find(&t, lsid), legit);
	ck_assert_int_eq(legit->state, SESSION_OPEN);
	session_table_free(&t);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("session");

	tcase_add_test(tc, seq_window);
	tcase_add_test(tc, seq_wrap);
	tcase_add_test(tc, table_lookup);
	tcase_add_test(tc, half_open_budget);
	tcase_add_test(tc, active_budget);
	tcase_add_test(tc, flood_from_one_host);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(session_suite)
