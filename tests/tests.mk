# Unit tests: one Check binary per module, linked with that module and the
# few it needs (bgpd regress style).  Included from the top Makefile.

CHECK_LIBS = $$(pkg-config --libs check)
U	 = $(B)/tests

UNIT_buf	= src/buf.c
UNIT_msg	= src/msg.c src/buf.c
UNIT_session	= src/session.c src/crypto.c
# The core's tests link the core alone (no driver: harness.c has its own).
CORE_ALONE	= $(CORE) src/crypto.c src/log.c src/clock.c
UNIT_rakp	= $(CORE_ALONE) tests/unit/harness.c
UNIT_core	= $(CORE_ALONE) tests/unit/harness.c
UNIT_sol	= $(CORE_ALONE) tests/unit/harness.c
UNIT_solnet	= $(CORE_ALONE) tests/unit/harness.c targets/console_tx.c
UNIT_machine	= $(CORE_ALONE) tests/unit/harness.c
UNIT_ring	= src/ring.c
UNIT_conf	= src/conf.c src/conf_data.c src/crypto.c src/target.c src/log.c src/clock.c \
		  src/users.c src/addr.c $(DRIVERS) src/buf.c
UNIT_state	= src/state.c src/buf.c src/crypto.c
UNIT_pico	= targets/pico.c targets/pico_conf.c targets/pico_info.c \
		  targets/pico_console.c src/nproto.c src/buf.c \
		  targets/console_tx.c src/log.c src/clock.c src/crypto.c \
		  src/target.c src/addr.c
UNIT_nproto	= src/nproto.c src/buf.c
UNIT_gpio	= targets/gpio.c targets/gpio_conf.c src/log.c src/clock.c
UNIT_esp8266	= targets/esp8266.c targets/esp8266_console.c \
		  targets/esp8266_conf.c targets/esp8266_parse.c \
		  targets/esp8266_cmd.c targets/console_tx.c src/target.c \
		  src/addr.c src/log.c src/clock.c
UNIT_setup	= firmware-pico/pico/setup_msg.c src/buf.c
UNIT_setup_ap	= firmware-pico/pico/setup_msg.c src/buf.c
UNIT_node	= firmware-pico/core/node.c firmware-pico/core/node_power.c \
		  firmware-pico/core/node_console.c src/nproto.c src/buf.c

UNITS	 = buf msg session rakp core sol solnet machine ring conf state \
	   nproto pico node gpio esp8266 setup setup_ap
UNIT_BINS = $(UNITS:%=$(U)/check_%)

.SECONDEXPANSION:
$(U)/check_%: tests/unit/check_%.c tests/unit/test.h $$(UNIT_$$*) $$(wildcard include/*.h)
	@mkdir -p $(U)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -Wno-missing-prototypes \
	    -Wno-missing-declarations \
	    -Itests/unit -Itests/unit/fake_sdk -Ifirmware-pico/core \
	    -Ifirmware-pico/pico $$(pkg-config --cflags check $(PKGS)) -o $@ \
	    $< $(UNIT_$*) $(CHECK_LIBS) $$(pkg-config --libs $(PKGS))

unit-tests: $(UNIT_BINS)

# libFuzzer harness over the packet decoder and the whole core.
FUZZ_CC	 = clang
fuzz: $(B)/fuzz_packet
$(B)/fuzz_packet: tests/fuzz/fuzz_packet.c $(CORE) src/crypto.c src/log.c \
    src/clock.c targets/sim.c targets/sim_console.c
	@mkdir -p $(B)
	$(FUZZ_CC) -g -O1 -std=c17 -D_GNU_SOURCE -Iinclude -Itargets \
	    -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $^ \
	    $$(pkg-config --cflags --libs $(PKGS))

fuzz: $(B)/fuzz_nproto
$(B)/fuzz_nproto: tests/fuzz/fuzz_nproto.c src/nproto.c src/buf.c
	@mkdir -p $(B)
	$(FUZZ_CC) -g -O1 -std=c17 -D_GNU_SOURCE -Iinclude \
	    -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $^

# The drivers' reply parsers, linked with what the drivers need (as
# fuzz_packet is); the harnesses call only the pure parsers.
FUZZ_DRV = $(CORE) $(DRIVERS) src/crypto.c src/log.c src/clock.c

fuzz: $(B)/fuzz_esp8266
$(B)/fuzz_esp8266: tests/fuzz/fuzz_esp8266.c $(FUZZ_DRV)
	@mkdir -p $(B)
	$(FUZZ_CC) -g -O1 -std=c17 -D_GNU_SOURCE -Iinclude -Itargets \
	    -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $^ \
	    $$(pkg-config --cflags --libs $(PKGS))

fuzz: $(B)/fuzz_exec_status
$(B)/fuzz_exec_status: tests/fuzz/fuzz_exec_status.c $(FUZZ_DRV)
	@mkdir -p $(B)
	$(FUZZ_CC) -g -O1 -std=c17 -D_GNU_SOURCE -Iinclude -Itargets \
	    -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $^ \
	    $$(pkg-config --cflags --libs $(PKGS))

.PHONY: unit-tests fuzz
