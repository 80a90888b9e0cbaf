/*
 * board_pico.c: board.h on a Pico W / Pico 2 W with the Pico SDK: GPIO,
 * hardware alarms (the timer interrupt releases a button whatever the main
 * loop does), the console UART (interrupt-driven receive ring), the
 * hardware watchdog, the ROSC/TRNG random source and the temperature
 * sensor: what every RP2040/RP2350 board has (the emulator test runs it on
 * a plain Pico).  The W boards' parts (LED, VSYS, RSSI) are in
 * board_pico_w.c, TCP in net_pico.c.
 */
#include <string.h>

#include "hardware/adc.h"
#include "hardware/gpio.h"
#include "hardware/irq.h"
#include "hardware/uart.h"
#include "hardware/watchdog.h"
#include "pico/rand.h"
#include "pico/stdlib.h"

#include "board.h"
#include "port.h"

#define REBOOT_MARK	0x544f4f42u	/* scratch[0]: we asked for it */
#define UART_RX_RING	1024		/* power of two */

static alarm_id_t alarm_ids[BOARD_ALARMS];
static board_alarm_fn alarm_fns[BOARD_ALARMS];
static uint8_t reset_cause;

static uart_inst_t *con_uart;
static uint8_t rx_ring[UART_RX_RING];
static volatile uint32_t rx_head, rx_tail;
static alarm_id_t break_alarm;


void
board_pico_init(void)
{
	if (watchdog_hw->scratch[0] == REBOOT_MARK)
		reset_cause = NP_RST_REBOOT;
	else if (watchdog_enable_caused_reboot())
		reset_cause = NP_RST_WATCHDOG;
	else if (watchdog_caused_reboot())
		reset_cause = NP_RST_OTHER;
	else
		reset_cause = NP_RST_POWER;
	watchdog_hw->scratch[0] = 0;
	adc_init();
	adc_set_temp_sensor_enabled(true);
}

int
board_pin_ok(uint8_t pin)
{
	/* GPIO 23-25 and 29 belong to the WiFi chip on the W boards. */
	return pin <= 28 && pin != 23 && pin != 24 && pin != 25;
}

/*
 * An output at level, without the float gpio_init() would cause (it turns
 * the pin into an input first): the SIO's level and direction are set
 * while the pad still belongs to whatever had it, then the pad is handed
 * to the SIO, driven at once.  A pin that already is a SIO output only
 * gets its level.  Also used at boot, before anything else (main.c).
 */
void
board_pico_output(uint8_t pin, int level)
{
	gpio_put(pin, level != 0);
	gpio_set_dir(pin, GPIO_OUT);
	if (gpio_get_function(pin) != GPIO_FUNC_SIO) {
		gpio_disable_pulls(pin);
		gpio_set_function(pin, GPIO_FUNC_SIO);
	}
}

void
board_pin_mode(uint8_t pin, int mode)
{
	if (!board_pin_ok(pin))
		return;
	if (mode == NP_PIN_OUT) {		/* the level asked first */
		board_pico_output(pin, gpio_get_out_level(pin));
		return;
	}
	gpio_set_dir(pin, GPIO_IN);
	if (mode == NP_PIN_IN_UP)
		gpio_pull_up(pin);
	else if (mode == NP_PIN_IN_DOWN)
		gpio_pull_down(pin);
	else
		gpio_disable_pulls(pin);
	gpio_set_function(pin, GPIO_FUNC_SIO);
}

void
board_pin_set(uint8_t pin, int level)
{
	if (board_pin_ok(pin))
		gpio_put(pin, level != 0);	/* safe from interrupts */
}

int
board_pin_get(uint8_t pin)
{
	return board_pin_ok(pin) ? gpio_get(pin) : 0;
}

static int64_t
alarm_fired(alarm_id_t aid, void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;

	(void)aid;
	if (id < BOARD_ALARMS) {
		alarm_ids[id] = 0;
		if (alarm_fns[id] != NULL)
			alarm_fns[id](id);
	}
	return 0;				/* once */
}

int
board_alarm_arm(unsigned id, uint32_t ms, board_alarm_fn fn)
{
	alarm_id_t a;

	if (id >= BOARD_ALARMS)
		return -1;
	board_alarm_cancel(id);
	alarm_fns[id] = fn;
	a = add_alarm_in_ms(ms, alarm_fired, (void *)(uintptr_t)id, true);
	if (a < 0)
		return -1;
	if (a > 0)
		alarm_ids[id] = a;
	return 0;
}

void
board_alarm_cancel(unsigned id)
{
	if (id < BOARD_ALARMS && alarm_ids[id] > 0) {
		cancel_alarm(alarm_ids[id]);
		alarm_ids[id] = 0;
	}
}

uint32_t
board_now_ms(void)
{
	return to_ms_since_boot(get_absolute_time());
}

static void
uart_irq(void)
{
	while (uart_is_readable(con_uart)) {
		uint8_t c = (uint8_t)uart_getc(con_uart);

		if (rx_head - rx_tail < UART_RX_RING) {
			rx_ring[rx_head & (UART_RX_RING - 1)] = c;
			rx_head++;
		}
		/* else dropped: the core reads every loop (~1 ms) */
	}
}

static uart_inst_t *
uart_for(uint8_t tx, uint8_t rx)
{
	int n = settings_uart_index(tx, rx);

	return n < 0 ? NULL : n == 1 ? uart1 : uart0;
}

void
board_uart_config(uint32_t baud, uint8_t data_bits, uint8_t parity,
    uint8_t stop_bits)
{
	uart_parity_t p = parity == 1 ? UART_PARITY_ODD :
	    parity == 2 ? UART_PARITY_EVEN : UART_PARITY_NONE;
	uart_inst_t *u = uart_for(settings.pin_uart_tx, settings.pin_uart_rx);
	int irq;

	/* Never on an output's pin (settings_check refuses that; an old
	 * record may still have it): the UART would drive TX high. */
	if (u == NULL || settings.pin_uart_tx == settings.pin_power ||
	    settings.pin_uart_tx == settings.pin_reset ||
	    settings.pin_uart_rx == settings.pin_power ||
	    settings.pin_uart_rx == settings.pin_reset)
		return;
	irq = u == uart0 ? UART0_IRQ : UART1_IRQ;
	if (con_uart == NULL) {
		con_uart = u;
		uart_init(u, baud);
		gpio_set_function(settings.pin_uart_tx, GPIO_FUNC_UART);
		gpio_set_function(settings.pin_uart_rx, GPIO_FUNC_UART);
		/* An unwired console must read idle (high), not a BREAK. */
		gpio_pull_up(settings.pin_uart_rx);
		uart_set_hw_flow(u, false, false);
		uart_set_fifo_enabled(u, true);
		irq_set_exclusive_handler(irq, uart_irq);
		irq_set_enabled(irq, true);
		uart_set_irq_enables(u, true, false);
	} else
		uart_set_baudrate(u, baud);
	uart_set_format(u, data_bits, stop_bits, p);
}

size_t
board_uart_write(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (con_uart == NULL)
		return n;			/* no console: bytes go nowhere */
	while (i < n && uart_is_writable(con_uart))
		uart_putc_raw(con_uart, (char)p[i++]);
	return i;
}

size_t
board_uart_read(uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && rx_tail != rx_head) {
		p[i++] = rx_ring[rx_tail & (UART_RX_RING - 1)];
		rx_tail++;
	}
	return i;
}

static int64_t
break_done(alarm_id_t aid, void *arg)
{
	(void)aid;
	(void)arg;
	if (con_uart != NULL)
		uart_set_break(con_uart, false);
	break_alarm = 0;
	return 0;
}

void
board_uart_break(uint16_t ms)
{
	if (con_uart == NULL || break_alarm > 0)
		return;
	uart_set_break(con_uart, true);
	break_alarm = add_alarm_in_ms(ms ? ms : 250, break_done, NULL, true);
}

void
board_wdt_feed(void)
{
	watchdog_update();
}

uint32_t
board_random(void)
{
	return get_rand_32();
}

int16_t
board_pico_temp_cdeg(void)
{
	uint32_t raw = 0, mv;

	adc_select_input(ADC_TEMPERATURE_CHANNEL_NUM);
	for (int i = 0; i < 8; i++)
		raw += adc_read();
	mv = raw * 3300u / 4096u / 8u;
	/* 27 degC at 0.706 V, -1.721 mV per degC (RP2040 datasheet). */
	return (int16_t)(2700 - ((int32_t)mv - 706) * 100000 / 1721);
}

const char *
board_name(void)
{
	return PMB_BOARD_NAME;
}

uint8_t
board_reset_cause(void)
{
	return reset_cause;
}

void
board_reboot(void)
{
	watchdog_hw->scratch[0] = REBOOT_MARK;
	watchdog_reboot(0, 0, 0);
	for (;;)
		tight_loop_contents();
}

