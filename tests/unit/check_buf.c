/* check_buf.c: the bounds-checked cursor. */
#include "buf.h"
#include "test.h"

START_TEST(read_fields)
{
	const uint8_t p[] = { 0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xaa };
	struct buf b;

	buf_init(&b, p, sizeof(p));
	ck_assert_uint_eq(buf_u8(&b), 0x01);
	ck_assert_uint_eq(buf_le16(&b), 0x1234);
	ck_assert_uint_eq(buf_le32(&b), 0x12345678);
	ck_assert_uint_eq(buf_left(&b), 1);
	ck_assert_int_eq(buf_end(&b), -1);
	ck_assert_uint_eq(buf_u8(&b), 0xaa);
	ck_assert_int_eq(buf_end(&b), 0);
	ck_assert_int_eq(b.err, 0);
}
END_TEST

START_TEST(overrun_is_sticky)
{
	const uint8_t p[] = { 0x01, 0x02, 0x03 };
	uint8_t out[4] = { 9, 9, 9, 9 };
	struct buf b;

	buf_init(&b, p, sizeof(p));
	ck_assert_uint_eq(buf_le32(&b), 0);	/* 3 bytes: too short */
	ck_assert_int_eq(b.err, 1);
	ck_assert_uint_eq(buf_u8(&b), 0);	/* stays failed */
	ck_assert_ptr_null(buf_take(&b, 0));
	ck_assert_uint_eq(buf_left(&b), 0);
	buf_init(&b, p, sizeof(p));
	buf_copy(&b, out, 4);
	ck_assert_int_eq(b.err, 1);
	ck_assert_uint_eq(out[0], 0);		/* zeroed, not stale */
	/* A huge length must not wrap the bounds check. */
	buf_init(&b, p, sizeof(p));
	buf_skip(&b, 1);
	ck_assert_ptr_null(buf_take(&b, SIZE_MAX));
	ck_assert_int_eq(b.err, 1);
}
END_TEST

START_TEST(null_and_rest)
{
	const uint8_t p[] = { 1, 2, 3, 4 };
	struct buf b, sub;

	buf_init(&b, NULL, 10);
	ck_assert_uint_eq(buf_left(&b), 0);
	ck_assert_uint_eq(buf_u8(&b), 0);
	ck_assert_int_eq(b.err, 1);
	buf_init(&b, p, sizeof(p));
	buf_skip(&b, 1);
	buf_rest(&b, &sub);
	ck_assert_uint_eq(buf_left(&sub), 3);
	ck_assert_uint_eq(buf_u8(&sub), 2);
	ck_assert_int_eq(buf_end(&b), 0);
}
END_TEST

START_TEST(write_fields)
{
	uint8_t out[7];
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	wbuf_u8(&w, 0xaa);
	wbuf_le16(&w, 0x1234);
	wbuf_le32(&w, 0x12345678);
	ck_assert_int_eq(w.err, 0);
	ck_assert_uint_eq(w.len, 7);
	ck_assert_mem_eq(out, "\xaa\x34\x12\x78\x56\x34\x12", 7);
	wbuf_u8(&w, 1);				/* full */
	ck_assert_int_eq(w.err, 1);
	ck_assert_uint_eq(w.len, 7);
	ck_assert_ptr_null(wbuf_reserve(&w, 0));
}
END_TEST

START_TEST(checksum)
{
	/* From an ipmitool capture: 20 18 c8, then 81 1c 34 .. ef */
	const uint8_t h[] = { 0x20, 0x18 };

	ck_assert_uint_eq(buf_cksum(h, 2), 0xc8);
	ck_assert_uint_eq(buf_cksum(NULL, 0), 0);
}
END_TEST

START_TEST(hex)
{
	uint8_t out[4];

	ck_assert_int_eq(buf_hex("00aBfF", out, sizeof(out)), 3);
	ck_assert_uint_eq(out[0], 0x00);
	ck_assert_uint_eq(out[1], 0xab);
	ck_assert_uint_eq(out[2], 0xff);
	ck_assert_int_eq(buf_hex("", out, sizeof(out)), 0);
	ck_assert_int_eq(buf_hex("abc", out, sizeof(out)), -1);	/* odd */
	ck_assert_int_eq(buf_hex("0g", out, sizeof(out)), -1);
	ck_assert_int_eq(buf_hex("0011223344", out, sizeof(out)), -1);
	ck_assert_int_eq(buf_hex("00112233", out, sizeof(out)), 4);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("cursor");

	tcase_add_test(tc, read_fields);
	tcase_add_test(tc, overrun_is_sticky);
	tcase_add_test(tc, null_and_rest);
	tcase_add_test(tc, write_fields);
	tcase_add_test(tc, checksum);
	tcase_add_test(tc, hex);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(buf_suite)
