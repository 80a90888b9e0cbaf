/*
 * boot.c: the first things the node does with its pins, shared by the
 * firmware (main.c) and the emulator's test firmware (emu/emu_main.c), so
 * that the emulator checks the order the board runs.  Outputs are driven
 * released before any other peripheral touches a pin; settings whose pins
 * clash (a record from an older firmware) give the outputs priority: the
 * console UART and the sense input give way.
 */
#include <string.h>

#include "board.h"
#include "node.h"
#include "port.h"

void
boot_release_outputs(void)
{
	uint8_t pins[2] = { settings.pin_power, settings.pin_reset };

	for (int i = 0; i < 2; i++)
		if (board_pin_ok(pins[i]))
			board_pico_output(pins[i], settings.out_active_low);
}

int
boot_node_conf(struct node_conf *nc)
{
	uint8_t tx = settings.pin_uart_tx, rx = settings.pin_uart_rx;
	uint8_t out[2] = { settings.pin_power, settings.pin_reset };

	memset(nc, 0, sizeof(*nc));
	memcpy(nc->name, settings.name, sizeof(nc->name));
	nc->pins.power = settings.pin_power;
	nc->pins.reset = settings.pin_reset;
	nc->pins.sense = settings.pin_sense;
	nc->pins.uart_tx = tx;
	nc->pins.uart_rx = rx;
	nc->pins.led = NP_PIN_NONE;		/* on the WiFi chip */
	nc->pins.sense_active_low = settings.sense_active_low;
	nc->pins.out_active_low = settings.out_active_low;
	nc->sense_pull = settings.sense_pull;
	nc->press_ms = settings.press_ms;
	nc->hold_ms = settings.hold_ms;
	nc->reset_ms = settings.reset_ms;
	if (nc->pins.reset == nc->pins.power)
		nc->pins.reset = NP_PIN_NONE;
	if (nc->pins.sense == out[0] || nc->pins.sense == out[1])
		nc->pins.sense = NP_PIN_NONE;
	if (settings_uart_index(tx, rx) < 0)
		return 0;
	for (int i = 0; i < 2; i++)
		if (tx == out[i] || rx == out[i])
			return 0;
	if (nc->pins.sense == tx || nc->pins.sense == rx)
		nc->pins.sense = NP_PIN_NONE;
	return 1;
}
