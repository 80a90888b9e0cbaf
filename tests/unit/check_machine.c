/*
 * check_machine.c: the model of each machine (machine.h) with the
 * harness's fake driver: the registry, the bookkeeping every face shares
 * (last power event, restart cause, one-shot boot), completions, the boot
 * override in both vocabularies, and the console's one holder.
 */
#include "harness.h"

static int ndone, last_result;
static uint32_t last_cookie;

static void
done(void *arg, uint32_t cookie, int result)
{
	(void)arg;
	ndone++;
	last_cookie = cookie;
	last_result = result;
}

static const struct machine_who who = { "test", "alice", "127.0.0.1:9" };

START_TEST(registry)
{
	ck_assert_ptr_eq(machine_by_addr(1), &t1);
	ck_assert_ptr_eq(machine_by_addr(0x72), &t72);
	ck_assert_ptr_null(machine_by_addr(2));
	strcpy(t72.name, "node72");
	ck_assert_ptr_eq(machine_by_name("node72"), &t72);
	ck_assert_ptr_null(machine_by_name("nobody"));
	ck_assert_ptr_eq(machine_next(NULL), &t1);
	ck_assert_ptr_eq(machine_next(&t1), &t72);
	ck_assert_ptr_null(machine_next(&t72));
	/* A second model for the same address is refused. */
	ck_assert_int_eq(machine_add(&t1, 4096, now), -1);
}
END_TEST

/*
 * Drivers report facts; the model keeps the last power event and the
 * restart cause (the six drivers used to write IPMI's bytes themselves).
 */
START_TEST(bookkeeping)
{
	struct machine_state ms;

	machine_state(&t1, now, &ms);
	ck_assert_int_eq(ms.power, MACHINE_POWER_OFF);
	ck_assert_int_eq(ms.on_by_command, 0);
	ck_assert_int_eq(ms.restart_cause, MACHINE_RESTART_UNKNOWN);
	tick(now);				/* the model sees it off */
	ck_assert_int_eq(machine_power(&t1, now, TARGET_POWER_ON, &who, done,
	    NULL, 7), MACHINE_OK);
	machine_state(&t1, now, &ms);
	ck_assert_int_eq(ms.power, MACHINE_POWER_ON);
	ck_assert_int_eq(ms.on_by_command, 1);	/* IPMI: last event 10h */
	ck_assert_int_eq(ms.restart_cause, MACHINE_RESTART_COMMAND);
	now += 100;
	tick(now);				/* explained: no change */
	machine_state(&t1, now, &ms);
	ck_assert_int_eq(ms.on_by_command, 1);
	/* Off by command, then on by the case button: nobody asked. */
	ck_assert_int_eq(machine_power(&t1, now, TARGET_POWER_OFF, &who, done,
	    NULL, 8), MACHINE_OK);
	now += 61000;
	tick(now);
	fake_on = 1;
	now += 100;
	tick(now);
	machine_state(&t1, now, &ms);
	ck_assert_int_eq(ms.on_by_command, 0);
	ck_assert_int_eq(ms.restart_cause, MACHINE_RESTART_POWER_BUTTON);
	/* "On" when on presses nothing and records nothing. */
	ck_assert_int_eq(machine_power(&t1, now, TARGET_POWER_ON, &who, done,
	    NULL, 9), MACHINE_OK);
	machine_state(&t1, now, &ms);
	ck_assert_int_eq(ms.on_by_command, 0);
	ck_assert_int_eq(ms.restart_cause, MACHINE_RESTART_POWER_BUTTON);
	/* A reset is ours: the restart cause, not the last power event. */
	ck_assert_int_eq(machine_power(&t1, now, TARGET_POWER_RESET, &who,
	    done, NULL, 10), MACHINE_OK);
	machine_state(&t1, now, &ms);
	ck_assert_int_eq(ms.on_by_command, 0);
	ck_assert_int_eq(ms.restart_cause, MACHINE_RESTART_COMMAND);
	ck_assert_int_eq(ndone, 0);		/* answered at once */
	ck_assert_int_eq(machine_power(&t1, now, 6, &who, done, NULL, 11),
	    MACHINE_INVALID);
}
END_TEST

/* An action answered later: the completion reaches the face once, with
 * its cookie; a stale or repeated token finds nothing. */
START_TEST(completions)
{
	struct machine_state ms;
	uint32_t tok;

	tick(now);
	fake_pending = 1;
	ck_assert_int_eq(machine_power(&t1, now, TARGET_POWER_CYCLE, &who,
	    done, NULL, 42), MACHINE_PENDING);
	tok = fake_token;
	machine_state(&t1, now, &ms);
	ck_assert_int_eq(ms.action_pending, 1);
	ck_assert_int_eq(ms.pending_action, TARGET_POWER_CYCLE);
	ck_assert_int_eq(ms.on_by_command, 0);	/* not yet */
	target_done(&t1, now, tok, MACHINE_OK);
	ck_assert_int_eq(ndone, 1);
	ck_assert_uint_eq(last_cookie, 42);
	ck_assert_int_eq(last_result, MACHINE_OK);
	machine_state(&t1, now, &ms);
	ck_assert_int_eq(ms.action_pending, 0);
	ck_assert_int_eq(ms.on_by_command, 1);
	ck_assert_int_eq(ms.restart_cause, MACHINE_RESTART_COMMAND);
	target_done(&t1, now, tok, MACHINE_OK);	/* again: nothing */
	ck_assert_int_eq(ndone, 1);
	/* A driver that never answers: the face hears "timeout" once. */
	ck_assert_int_eq(machine_identify(&t1, now, 15, 0, &who, done, NULL,
	    43), MACHINE_UNSUPPORTED);		/* the fake has none */
	ck_assert_int_eq(machine_power(&t1, now, TARGET_POWER_OFF, &who,
	    done, NULL, 43), MACHINE_PENDING);
	tok = fake_token;
	now += 2 * cf.target_timeout;
	tick(now);
	ck_assert_int_eq(ndone, 2);
	ck_assert_uint_eq(last_cookie, 43);
	ck_assert_int_eq(last_result, MACHINE_TIMEOUT);
	target_done(&t1, now, tok, MACHINE_OK);	/* too late */
	ck_assert_int_eq(ndone, 2);
}
END_TEST

/* The boot override in words every face has, over IPMI's block. */
START_TEST(boot_override)
{
	struct machine_boot b = { MACHINE_BOOT_PXE, 0, 1 }, r;
	struct target_boot *raw = machine_boot_raw(&t1);

	ck_assert_int_eq(machine_boot_set(&t1, &b, &who), MACHINE_OK);
	ck_assert_uint_eq(raw->flags[0], 0xa0);	/* valid, once, EFI */
	ck_assert_uint_eq((raw->flags[1] >> 2) & 0x0f, 1);	/* PXE */
	ck_assert_int_eq(npersist, 1);
	machine_boot_get(&t1, &r);
	ck_assert_int_eq(r.device, MACHINE_BOOT_PXE);
	ck_assert_int_eq(r.persistent, 0);
	ck_assert_int_eq(r.uefi, 1);
	/* The firmware reads it at boot: a one-shot override goes. */
	target_event(&t1, now, TARGET_EV_BOOT);
	machine_boot_get(&t1, &r);
	ck_assert_int_eq(r.device, MACHINE_BOOT_NONE);
	ck_assert_int_eq(npersist, 2);
	/* A persistent one stays. */
	b = (struct machine_boot){ MACHINE_BOOT_BIOS, 1, 0 };
	ck_assert_int_eq(machine_boot_set(&t1, &b, &who), MACHINE_OK);
	target_event(&t1, now, TARGET_EV_BOOT);
	machine_boot_get(&t1, &r);
	ck_assert_int_eq(r.device, MACHINE_BOOT_BIOS);
	ck_assert_int_eq(r.persistent, 1);
	b.device = (enum machine_boot_device)99;
	ck_assert_int_eq(machine_boot_set(&t1, &b, &who), MACHINE_INVALID);
}
END_TEST

static int ntaken, noutput;

static void
h_output(void *arg, uint64_t when)
{
	(void)arg;
	(void)when;
	noutput++;
}

static void
h_taken(void *arg, uint64_t when)
{
	(void)arg;
	(void)when;
	ntaken++;
}

static const struct machine_console_ops web = {
	.output = h_output, .taken = h_taken,
};

/* One holder at a time; another face takes it over and the first is
 * told; history starts where no holder has acknowledged. */
START_TEST(console_holder)
{
	int a = 1, b = 2;
	uint8_t buf[64];
	uint64_t pos, lost;
	size_t n;

	target_console_output(&t72, now, (const uint8_t *)"boot log", 8);
	ck_assert_int_eq(machine_console_attach(&t72, now, &web, &a, &who),
	    MACHINE_OK);
	ck_assert_int_eq(machine_console_held(&t72), 1);
	ck_assert_int_eq(machine_console_attach(&t72, now, &web, &b, &who),
	    MACHINE_BUSY);
	pos = machine_console_start(&t72);
	ck_assert_uint_eq(pos, 0);		/* nobody saw the boot */
	n = machine_console_read(&t72, &pos, buf, sizeof(buf), &lost);
	ck_assert_uint_eq(n, 8);
	ck_assert_mem_eq(buf, "boot log", 8);
	machine_console_ack(&t72, pos + n);
	target_console_output(&t72, now, (const uint8_t *)"!", 1);
	ck_assert_int_eq(noutput, 1);		/* the holder hears of it */
	/* With a holder, room ends at what it has not acknowledged. */
	ck_assert_uint_eq(target_console_room(&t72), cf.console_history - 1);
	machine_console_steal(&t72, now, &who);
	ck_assert_int_eq(ntaken, 1);
	ck_assert_int_eq(machine_console_held(&t72), 0);
	ck_assert_uint_eq(target_console_room(&t72), cf.console_history);
	ck_assert_int_eq(machine_console_attach(&t72, now, &web, &b, &who),
	    MACHINE_OK);
	ck_assert_uint_eq(machine_console_start(&t72), 8);	/* "!" */
	/* Input goes on to the line; what is acknowledged outlives its
	 * holder. */
	fake_con_room = 0;
	ck_assert_uint_eq(machine_console_write(&t72, now,
	    (const uint8_t *)"typed", 5), 5);
	ck_assert_uint_eq(machine_console_queued(&t72), 5);
	machine_console_detach(&t72, &b);
	fake_con_room = SIZE_MAX;
	target_console_ready(&t72, now);
	ck_assert_uint_eq(machine_console_queued(&t72), 0);
	ck_assert_uint_eq(fake_con_len, 5);
	ck_assert_mem_eq(fake_con_in, "typed", 5);
}
END_TEST

static Suite *
machine_suite(void)
{
	Suite *s = suite_create("machine");
	TCase *tc = tcase_create("machine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, registry);
	tcase_add_test(tc, bookkeeping);
	tcase_add_test(tc, completions);
	tcase_add_test(tc, boot_override);
	tcase_add_test(tc, console_holder);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(machine_suite)
