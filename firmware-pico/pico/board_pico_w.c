/*
 * board_pico_w.c: the board parts of the Pico W / Pico 2 W that go through
 * the WiFi chip: the LED, VSYS (GPIO29 is shared with the chip's SPI
 * clock) and the WiFi signal; board memory.
 */
#include <malloc.h>

#include "hardware/adc.h"
#include "pico/cyw43_arch.h"
#include "pico/stdlib.h"

#include "board.h"
#include "port.h"

static int core_led, led_mode, led_now = -1;

/* VSYS through ADC3; on the W boards GPIO29 is shared with the WiFi chip's
 * SPI clock, so the chip is held (and woken) around the reading. */
static uint16_t
vsys_mv(void)
{
	uint32_t sum = 0;

#if CYW43_USES_VSYS_PIN
	cyw43_thread_enter();
	(void)cyw43_arch_gpio_get(CYW43_WL_GPIO_VBUS_PIN);
#endif
	adc_gpio_init(PICO_VSYS_PIN);
	adc_select_input(PICO_VSYS_PIN - ADC_BASE_PIN);
	for (int i = 0; i < 8; i++)
		sum += adc_read();
#if CYW43_USES_VSYS_PIN
	cyw43_thread_exit();
#endif
	/* VSYS / 3 at the pin, 3.3 V reference, 12 bits, 8 samples. */
	return (uint16_t)(sum * 3u * 3300u / 4096u / 8u);
}

void
board_info(struct board_info *bi)
{
	extern char __StackLimit, __bss_end__;
	struct mallinfo mi = mallinfo();
	int32_t rssi = 0;

	bi->temp_cdeg = board_pico_temp_cdeg();
	bi->vsys_mv = vsys_mv();
	if (cyw43_wifi_get_rssi(&cyw43_state, &rssi) != 0)
		rssi = 0;
	bi->rssi = (int8_t)(rssi < -128 ? -128 : rssi > 0 ? 0 : rssi);
	bi->free_mem = (uint32_t)(&__StackLimit - &__bss_end__) -
	    (uint32_t)mi.uordblks;
}

void
board_led(int on)
{
	core_led = on;
}

void
board_pico_led_mode(int mode)
{
	led_mode = mode;
}

/* The LED patterns a person at the rack reads (docs/firmware.md). */
void
board_pico_led_poll(uint32_t now)
{
	uint32_t t;
	int on;

	switch (led_mode) {
	case PORT_LED_WIFI:		/* two short blinks a second */
		t = now % 1000;
		on = t < 100 || (t >= 200 && t < 300);
		break;
	case PORT_LED_SETUP:		/* long on, short off */
		on = now % 2000 < 1500;
		break;
	case PORT_LED_ERROR:		/* rapid flicker */
		on = (now / 50) & 1;
		break;
	default:			/* the core: on when linked, slow
					   blink without a link, fast blink
					   to identify */
		on = core_led;
		break;
	}
	if (on != led_now) {
		led_now = on;
		cyw43_arch_gpio_put(CYW43_WL_GPIO_LED_PIN, on);
	}
}
