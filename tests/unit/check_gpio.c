/*
 * check_gpio.c: the gpio driver's logic (targets/gpio.c) over a fake line
 * layer in place of gpio_line.c: press lengths, clamping, the node's
 * power table (on only when sensed off, off a hold, soft only when on, no
 * sense: press and unknown), busy lines, cycle, and lines released at
 * start and stop.  No event loop: the tick releases every press.
 */
#include "gpio.h"
#include "ipmi.h"
#include "test.h"

extern const struct target_driver gpio_driver;

/* ---- the fake line layer ---------------------------------------------- */

#define POWER_OFF	10	/* line offsets in the test configuration */
#define RESET_OFF	11
#define SENSE_OFF	12
#define NSETS		64

struct gpio_line {
	unsigned	 offset;
	int		 output;
	int		 active_low;
	int		 level;		/* logical */
	int		 closed;
	size_t		 nsets;
	int		 set_v[NSETS];
	uint64_t	 set_t[NSETS];	/* fake_now at each set */
};

static struct gpio_line fakes[3];
static uint64_t fake_now;
static int sense_level, sense_fail, open_fail_offset = -1;
static int boots;

static struct gpio_line *
fake(unsigned offset)
{
	return &fakes[offset - POWER_OFF];
}

struct gpio_line *
gpio_line_open(const char *chip, const struct gpio_line_spec *s, int output,
    char *err, size_t errlen)
{
	struct gpio_line *l;

	ck_assert_str_eq(chip, "gpiochip9");
	ck_assert_uint_ge(s->offset, POWER_OFF);
	ck_assert_uint_le(s->offset, SENSE_OFF);
	if ((int)s->offset == open_fail_offset) {
		snprintf(err, errlen, "no such line");
		return NULL;
	}
	l = fake(s->offset);
	memset(l, 0, sizeof(*l));
	l->offset = s->offset;
	l->output = output;
	l->active_low = s->active_low;
	return l;
}

int
gpio_line_set(struct gpio_line *l, int asserted)
{
	ck_assert(l->output);
	ck_assert(!l->closed);
	ck_assert_uint_lt(l->nsets, NSETS);
	l->set_v[l->nsets] = asserted;
	l->set_t[l->nsets++] = fake_now;
	l->level = asserted;
	return 0;
}

int
gpio_line_get(struct gpio_line *l)
{
	ck_assert(!l->output);
	ck_assert(!l->closed);
	return sense_fail ? -1 : sense_level;
}

void
gpio_line_close(struct gpio_line *l)
{
	if (l != NULL)
		l->closed = 1;
}

/* ---- what the core would be -------------------------------------------- */

void
target_event(struct target *t, uint64_t when, enum target_event ev)
{
	(void)t;
	(void)when;
	if (ev == TARGET_EV_BOOT)
		boots++;
}

static struct target_env env;		/* no io_add: the tick releases */
static struct target tgt;
static void *dconf;

static void
set_int(const char *key, long long i)
{
	struct conf_value v = { .type = CONF_INT, .i = i };
	char err[200];

	ck_assert_msg(gpio_driver.conf_set(dconf, key, &v, err,
	    sizeof(err)) == 0, "%s: %s", key, err);
}

static void
set_bool(const char *key, int b)
{
	struct conf_value v = { .type = CONF_BOOL, .i = b };
	char err[200];

	ck_assert(gpio_driver.conf_set(dconf, key, &v, err, sizeof(err)) == 0);
}

static int
set_str(const char *key, const char *s, char *err, size_t errlen)
{
	struct conf_value v = { .type = CONF_STRING, .s = s };

	return gpio_driver.conf_set(dconf, key, &v, err, errlen);
}

/* A configuration: power, reset and (with_sense) sense lines. */
static void
conf(int with_sense)
{
	char err[200];

	dconf = gpio_driver.conf_new();
	ck_assert_ptr_nonnull(dconf);
	ck_assert_int_eq(set_str("chip", "gpiochip9", err, sizeof(err)), 0);
	set_int("power_line", POWER_OFF);
	set_bool("power_active_low", 1);
	set_int("reset_line", RESET_OFF);
	if (with_sense)
		set_int("sense_line", SENSE_OFF);
}

static void
start(void)
{
	char err[200];

	ck_assert_int_eq(gpio_driver.conf_check(dconf, err, sizeof(err)), 0);
	memset(&tgt, 0, sizeof(tgt));
	strcpy(tgt.name, "box");
	tgt.env = &env;
	tgt.main = (struct target_src){ &tgt, &gpio_driver, dconf, NULL };
	ck_assert_int_eq(gpio_driver.start(&tgt.main, fake_now), 0);
}

static void
setup(void)
{
	memset(fakes, 0, sizeof(fakes));
	fake_now = 1000;
	sense_level = sense_fail = boots = 0;
	open_fail_offset = -1;
}

static void
teardown(void)
{
	if (tgt.main.dstate != NULL)
		gpio_driver.stop(&tgt.main);
	if (dconf != NULL)
		gpio_driver.conf_free(dconf);
	dconf = NULL;
}

static int
power(enum target_power a)
{
	return gpio_driver.power(&tgt.main, fake_now, a, 1);
}

static void
tick_at(uint64_t t)
{
	fake_now = t;
	gpio_driver.tick(&tgt.main, fake_now);
}

/* How long the last press of a line lasted: the last 1 to the 0 after. */
static uint64_t
last_pulse(const struct gpio_line *l)
{
	for (size_t i = l->nsets; i-- > 1;)
		if (l->set_v[i] == 0 && l->set_v[i - 1] == 1)
			return l->set_t[i] - l->set_t[i - 1];
	return 0;
}

static size_t
presses(const struct gpio_line *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->nsets; i++)
		n += l->set_v[i] == 1;
	return n;
}

/* Run the tick every ms until the line is released; its pulse length. */
static uint64_t
run_until_released(struct gpio_line *l)
{
	for (int i = 0; i < 20000 && l->level == 1; i++)
		tick_at(fake_now + 1);
	ck_assert_int_eq(l->level, 0);
	return last_pulse(l);
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(start_releases_first)
{
	conf(1);
	start();
	/* Outputs requested as outputs (active-low passed down), the first
	 * thing done to them is driving them released; sense an input. */
	ck_assert(fake(POWER_OFF)->output);
	ck_assert(fake(POWER_OFF)->active_low);
	ck_assert(fake(RESET_OFF)->output);
	ck_assert(!fake(SENSE_OFF)->output);
	ck_assert_uint_eq(fake(POWER_OFF)->nsets, 1);
	ck_assert_int_eq(fake(POWER_OFF)->set_v[0], 0);
	ck_assert_uint_eq(fake(RESET_OFF)->nsets, 1);
	ck_assert_int_eq(fake(RESET_OFF)->set_v[0], 0);
}
END_TEST

START_TEST(on_presses_press_ms_when_off)
{
	struct target_status st = { 0 };

	conf(1);
	start();
	gpio_driver.status(&tgt.main, fake_now, &st);
	ck_assert(st.power_known && !st.power_on && st.link_up);
	ck_assert_int_eq(power(TARGET_POWER_ON), CC_OK);
	ck_assert_int_eq(fake(POWER_OFF)->level, 1);
	tick_at(1299);
	ck_assert_int_eq(fake(POWER_OFF)->level, 1);
	tick_at(1300);
	ck_assert_int_eq(fake(POWER_OFF)->level, 0);
	ck_assert_uint_eq(last_pulse(fake(POWER_OFF)), 300);
	/* The machine comes on: BOOT once, status on. */
	sense_level = 1;
	tick_at(1400);
	tick_at(1500);
	ck_assert_int_eq(boots, 1);
	gpio_driver.status(&tgt.main, fake_now, &st);
	ck_assert(st.power_known && st.power_on);
	/* "Last power-on by command" is the model's now: check_machine.c,
	 * bookkeeping. */
}
END_TEST

START_TEST(on_when_on_does_not_press)
{
	conf(1);
	sense_level = 1;
	start();
	ck_assert_int_eq(power(TARGET_POWER_ON), CC_OK);
	tick_at(2000);
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 0);
}
END_TEST

START_TEST(off_is_a_hold_only_when_not_off)
{
	conf(1);
	start();
	ck_assert_int_eq(power(TARGET_POWER_OFF), CC_OK);	/* off: nothing */
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 0);
	sense_level = 1;
	ck_assert_int_eq(power(TARGET_POWER_OFF), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 5000);
}
END_TEST

START_TEST(soft_only_when_on)
{
	conf(1);
	start();
	ck_assert_int_eq(power(TARGET_POWER_SOFT), CC_NOT_SUPPORTED_STATE);
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 0);
	sense_level = 1;
	ck_assert_int_eq(power(TARGET_POWER_SOFT), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 300);
}
END_TEST

START_TEST(pressed_line_is_busy)
{
	conf(1);
	start();
	ck_assert_int_eq(power(TARGET_POWER_ON), CC_OK);
	ck_assert_int_eq(power(TARGET_POWER_ON), CC_NODE_BUSY);
	ck_assert_int_eq(power(TARGET_POWER_RESET), CC_OK);  /* other line */
	ck_assert_int_eq(power(TARGET_POWER_DIAG), CC_NODE_BUSY);
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 1);
	tick_at(1300);
	ck_assert_int_eq(power(TARGET_POWER_ON), CC_OK);	/* released */
}
END_TEST

START_TEST(reset_and_diag_pulses)
{
	conf(1);
	set_int("reset_ms", 250);
	start();
	ck_assert_int_eq(power(TARGET_POWER_RESET), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(RESET_OFF)), 250);
	ck_assert_int_eq(power(TARGET_POWER_DIAG), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(RESET_OFF)), 50);
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 0);
}
END_TEST

START_TEST(no_reset_line)
{
	char err[200];

	dconf = gpio_driver.conf_new();
	ck_assert_int_eq(set_str("chip", "gpiochip9", err, sizeof(err)), 0);
	set_int("power_line", POWER_OFF);
	start();
	ck_assert_int_eq(power(TARGET_POWER_RESET), CC_INVALID_FIELD);
	ck_assert_int_eq(power(TARGET_POWER_DIAG), CC_INVALID_FIELD);
}
END_TEST

/* The configuration refuses 50..8000 overruns; a pulse is clamped anyway. */
START_TEST(pulses_are_clamped)
{
	struct conf_value v = { .type = CONF_INT, .i = 8001 };
	struct gpio_conf *c;
	char err[200];

	conf(1);
	ck_assert_int_ne(gpio_driver.conf_set(dconf, "hold_ms", &v, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(err, "gpio: hold_ms must be 50..8000 (ms)");
	v.i = 49;
	ck_assert_int_ne(gpio_driver.conf_set(dconf, "press_ms", &v, err,
	    sizeof(err)), 0);
	c = dconf;			/* what a bug could hand the driver */
	c->hold_ms = 60000;
	c->press_ms = 1;
	start();
	sense_level = 1;
	ck_assert_int_eq(power(TARGET_POWER_OFF), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 8000);
	ck_assert_int_eq(power(TARGET_POWER_SOFT), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 50);
}
END_TEST

START_TEST(no_sense_presses_and_state_is_unknown)
{
	struct target_status st = { 0 };

	conf(0);
	start();
	ck_assert_int_eq(power(TARGET_POWER_ON), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 300);
	ck_assert_int_eq(boots, 1);
	gpio_driver.status(&tgt.main, fake_now, &st);
	ck_assert_int_eq(st.power_known, 0);		/* assumed, not sensed */
	ck_assert_int_eq(st.power_on, 1);
	ck_assert_int_eq(st.has_link, 0);
	/* Blind: on presses again, off holds, soft presses. */
	ck_assert_int_eq(power(TARGET_POWER_ON), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 300);
	ck_assert_int_eq(power(TARGET_POWER_OFF), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 5000);
	gpio_driver.status(&tgt.main, fake_now, &st);
	ck_assert_int_eq(st.power_on, 0);
	ck_assert_int_eq(power(TARGET_POWER_SOFT), CC_OK);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 300);
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 4);
}
END_TEST

START_TEST(unreadable_sense_refuses)
{
	struct target_status st = { 0 };

	conf(1);
	start();
	sense_fail = 1;
	gpio_driver.status(&tgt.main, fake_now, &st);
	ck_assert(st.has_link && !st.link_up && !st.power_known);
	ck_assert_int_eq(power(TARGET_POWER_ON), CC_NOT_SUPPORTED_STATE);
	ck_assert_int_eq(power(TARGET_POWER_OFF), CC_NOT_SUPPORTED_STATE);
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 0);
}
END_TEST

START_TEST(cycle_sensed)
{
	conf(1);
	sense_level = 1;
	start();
	ck_assert_int_eq(power(TARGET_POWER_CYCLE), CC_OK);
	ck_assert_int_eq(power(TARGET_POWER_ON), CC_NODE_BUSY);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 5000);
	tick_at(fake_now + 1000);		/* still on: waiting */
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 1);
	sense_level = 0;
	tick_at(fake_now + 100);		/* off: press after 500 ms */
	tick_at(fake_now + 499);
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 1);
	tick_at(fake_now + 1);
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 2);
	ck_assert_uint_eq(run_until_released(fake(POWER_OFF)), 300);
}
END_TEST

START_TEST(cycle_gives_up_when_never_off)
{
	conf(1);
	sense_level = 1;
	start();
	ck_assert_int_eq(power(TARGET_POWER_CYCLE), CC_OK);
	for (int i = 0; i < 200; i++)
		tick_at(fake_now + 100);	/* 20 s */
	ck_assert_uint_eq(presses(fake(POWER_OFF)), 1);
	ck_assert_int_eq(power(TARGET_POWER_OFF), CC_OK);  /* not busy */
}
END_TEST

START_TEST(stop_releases_a_held_line)
{
	conf(1);
	sense_level = 1;
	start();
	ck_assert_int_eq(power(TARGET_POWER_OFF), CC_OK);
	ck_assert_int_eq(power(TARGET_POWER_RESET), CC_OK);
	fake_now += 1000;
	gpio_driver.stop(&tgt.main);
	ck_assert_int_eq(fake(POWER_OFF)->level, 0);
	ck_assert_int_eq(fake(RESET_OFF)->level, 0);
	ck_assert(fake(POWER_OFF)->closed && fake(RESET_OFF)->closed &&
	    fake(SENSE_OFF)->closed);
}
END_TEST

START_TEST(start_failure_closes_what_it_opened)
{
	char err[200];

	conf(1);
	ck_assert_int_eq(gpio_driver.conf_check(dconf, err, sizeof(err)), 0);
	open_fail_offset = SENSE_OFF;
	memset(&tgt, 0, sizeof(tgt));
	tgt.env = &env;
	tgt.main = (struct target_src){ &tgt, &gpio_driver, dconf, NULL };
	ck_assert_int_eq(gpio_driver.start(&tgt.main, fake_now), -1);
	ck_assert_ptr_null(tgt.main.dstate);
	ck_assert(fake(POWER_OFF)->closed && fake(RESET_OFF)->closed);
	ck_assert_int_eq(fake(POWER_OFF)->level, 0);
}
END_TEST

START_TEST(conf_errors)
{
	struct conf_value v = { .type = CONF_INT, .i = 3 };
	char err[200];

	dconf = gpio_driver.conf_new();
	ck_assert_int_ne(gpio_driver.conf_check(dconf, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "gpio: power_line (an offset or a line name) "
	    "is required");
	ck_assert_int_ne(set_str("power_bias", "pull-sideways", err,
	    sizeof(err)), 0);
	ck_assert_str_eq(err, "gpio: power_bias must be \"pull-up\", "
	    "\"pull-down\", \"disable\" or \"as-is\"");
	ck_assert_int_ne(set_str("sense_drive", "open-drain", err,
	    sizeof(err)), 0);
	ck_assert_str_eq(err, "gpio: unknown option \"sense_drive\"");
	ck_assert_int_ne(set_str("power_drive", "totem", err, sizeof(err)),
	    0);
	ck_assert_int_ne(set_str("chip", "", err, sizeof(err)), 0);
	ck_assert_int_ne(gpio_driver.conf_set(dconf, "power_line",
	    &(struct conf_value){ .type = CONF_INT, .i = -1 }, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(gpio_driver.conf_set(dconf, "power_line", &v, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(set_str("reset_bias", "pull-up", err, sizeof(err)),
	    0);
	ck_assert_int_ne(gpio_driver.conf_check(dconf, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "gpio: reset_* options without reset_line");
	ck_assert_int_eq(set_str("reset_line", "GPIO3", err, sizeof(err)),
	    0);
	ck_assert_int_eq(gpio_driver.conf_check(dconf, err, sizeof(err)), 0);
	ck_assert_int_eq(gpio_driver.conf_set(dconf, "sense_line", &v, err,
	    sizeof(err)), 0);
	ck_assert_int_ne(gpio_driver.conf_check(dconf, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "gpio: power_line and sense_line are the same "
	    "line");
}
END_TEST

static Suite *
gpio_suite(void)
{
	Suite *s = suite_create("gpio");
	TCase *tc = tcase_create("gpio");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, start_releases_first);
	tcase_add_test(tc, on_presses_press_ms_when_off);
	tcase_add_test(tc, on_when_on_does_not_press);
	tcase_add_test(tc, off_is_a_hold_only_when_not_off);
	tcase_add_test(tc, soft_only_when_on);
	tcase_add_test(tc, pressed_line_is_busy);
	tcase_add_test(tc, reset_and_diag_pulses);
	tcase_add_test(tc, no_reset_line);
	tcase_add_test(tc, pulses_are_clamped);
	tcase_add_test(tc, no_sense_presses_and_state_is_unknown);
	tcase_add_test(tc, unreadable_sense_refuses);
	tcase_add_test(tc, cycle_sensed);
	tcase_add_test(tc, cycle_gives_up_when_never_off);
	tcase_add_test(tc, stop_releases_a_held_line);
	tcase_add_test(tc, start_failure_closes_what_it_opened);
	tcase_add_test(tc, conf_errors);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(gpio_suite)
