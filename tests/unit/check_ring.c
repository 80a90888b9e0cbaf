/* check_ring.c: the console history ring. */
#include "ring.h"
#include "test.h"

START_TEST(write_read)
{
	struct ring r;
	uint8_t out[64];

	ck_assert_int_eq(ring_init(&r, 20), 0);
	ck_assert_uint_eq(r.cap, 32);			/* power of two */
	ring_write(&r, (const uint8_t *)"hello", 5);
	ck_assert_uint_eq(ring_tail(&r), 0);
	ck_assert_uint_eq(ring_read(&r, 0, out, sizeof(out)), 5);
	ck_assert_mem_eq(out, "hello", 5);
	ck_assert_uint_eq(ring_read(&r, 3, out, 1), 1);
	ck_assert_uint_eq(out[0], 'l');
	ck_assert_uint_eq(ring_read(&r, 5, out, sizeof(out)), 0);
	ring_free(&r);
}
END_TEST

START_TEST(overwrite_oldest)
{
	struct ring r;
	uint8_t in[100], out[100];

	for (int i = 0; i < 100; i++)
		in[i] = (uint8_t)i;
	ck_assert_int_eq(ring_init(&r, 32), 0);
	for (int i = 0; i < 100; i += 7)	/* across the wrap */
		ring_write(&r, in + i, i + 7 <= 100 ? 7 : (size_t)(100 - i));
	ck_assert_uint_eq(r.head, 100);
	ck_assert_uint_eq(ring_tail(&r), 68);
	/* A reader behind the tail is moved up to it. */
	ck_assert_uint_eq(ring_read(&r, 10, out, sizeof(out)), 32);
	ck_assert_mem_eq(out, in + 68, 32);
	/* One write larger than the ring keeps its last bytes. */
	ring_write(&r, in, 100);
	ck_assert_uint_eq(r.head, 200);
	ck_assert_uint_eq(ring_read(&r, 0, out, sizeof(out)), 32);
	ck_assert_mem_eq(out, in + 68, 32);
	ring_free(&r);
}
END_TEST

static Suite *
ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, write_read);
	tcase_add_test(tc, overwrite_oldest);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(ring_suite)
