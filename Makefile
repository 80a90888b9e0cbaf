# pmbd: plain make.  `make` builds build/pmbd; `make check` runs every test;
# `make run` starts the demo.  Both install missing Debian packages first.

CC	?= gcc
PKGS	 = libevent openssl libconfig libserialport libsystemd libgpiod
WARN	 = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
	   -Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
	   -Wsign-compare -Wformat=2 -Werror
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c17 -D_GNU_SOURCE $(WARN) -Iinclude -Itargets -MMD -MP \
	   -fstack-protector-strong -D_FORTIFY_SOURCE=2
LDFLAGS	+= -Wl,-z,relro,-z,now
B	 = build

# The protocol core: the model of each machine (machine*.c, target.c) and
# the IPMI face over it; no sockets, no libevent, no OpenSSL headers, no
# libconfig, no driver.  It links with crypto.c and log.c (and clock.c,
# which log.c uses) alone: `make core-alone` (in make check) proves it.
CORE	 = src/buf.c src/msg.c src/rmcp.c src/session.c src/rakp.c \
	   src/cmd.c src/cmd_app.c src/cmd_chassis.c src/cmd_sensor.c \
	   src/cmd_sol.c src/sol.c src/ring.c src/core.c src/bridge.c \
	   src/out.c src/machine.c src/machine_boot.c src/machine_console.c \
	   src/machine_info.c src/target.c \
	   src/users.c src/addr.c
DRIVERS	 = targets/drivers.c src/nproto.c \
	   targets/sim.c targets/sim_console.c targets/serial.c \
	   targets/console_tx.c \
	   targets/pico.c targets/pico_conf.c targets/pico_info.c \
	   targets/pico_console.c \
	   targets/pico_link.c \
	   targets/exec.c targets/exec_cmd.c targets/wol.c targets/wol_conf.c \
	   targets/gpio.c targets/gpio_conf.c targets/gpio_line.c \
	   targets/esp8266.c targets/esp8266_console.c \
	   targets/esp8266_conf.c targets/esp8266_parse.c targets/esp8266_cmd.c
IO	 = src/log.c src/clock.c src/crypto.c src/conf.c src/conf_data.c src/state.c \
	   src/net.c src/loop.c src/notify.c src/reload.c src/privdrop.c
PMBD_SRC = $(CORE) $(DRIVERS) $(IO) src/main.c
PMBD_OBJ = $(PMBD_SRC:%.c=$(B)/%.o)

all: $(B)/pmbd $(B)/ipmiload $(B)/mkuf2 $(B)/pmb-node-sim

# The same daemon under AddressSanitizer and UBSan, which the SOL and
# console black-box tests run against (tests/run-all.sh): a memory error
# there fails make check instead of corrupting a console quietly.
SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
PMBD_ASAN_OBJ = $(PMBD_SRC:%.c=$(B)/asan/%.o)

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (asan)"
	@$(CC) $(filter-out -D_FORTIFY_SOURCE=2,$(CFLAGS)) -O1 $(SAN) \
	    $$(pkg-config --cflags $(PKGS) 2>/dev/null) -c $< -o $@

$(B)/asan/pmbd: $(PMBD_ASAN_OBJ)
	$(CC) $(LDFLAGS) $(SAN) -o $@ $(PMBD_ASAN_OBJ) $$(pkg-config --libs $(PKGS))

deps:
	@./scripts/deps.sh

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) $$(pkg-config --cflags $(PKGS) 2>/dev/null) -c $< -o $@

$(B)/pmbd: $(PMBD_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(PMBD_OBJ) $$(pkg-config --libs $(PKGS))

$(B)/ipmiload: bench/ipmiload.c
	@mkdir -p $(B)
	$(CC) -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -o $@ $< -lcrypto

include tests/tests.mk
include firmware-pico/host.mk
include firmware-pico/tools/tools.mk

run: deps
	@$(MAKE) --no-print-directory $(B)/pmbd
	@./scripts/run-demo.sh

# The core links alone: no driver, libconfig or libevent (see CORE).
core-alone: $(B)/core-alone
	@$(B)/core-alone
$(B)/core-alone: tests/core_alone.c $(CORE) src/crypto.c src/log.c src/clock.c
	@mkdir -p $(B)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ $^ $$(pkg-config --libs openssl)

check: deps
	@$(MAKE) --no-print-directory all unit-tests $(B)/asan/pmbd core-alone
	@./tests/run-all.sh

clean:
	rm -rf $(B)

.PHONY: all deps run check clean core-alone

# make install [DESTDIR=...] [PREFIX=/usr]: the daemon, its systemd units
# (the binary's and the configuration's paths substituted), the sysusers.d
# entry for user pmbd, the man pages and, unless one is there already,
# pmbd.conf (otherwise pmbd.conf.example next to it).  `make uninstall`
# removes all but the configuration and the state.
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
UNITDIR	?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
MANDIR	?= $(PREFIX)/share/man
CONFDIR	 = $(DESTDIR)$(SYSCONFDIR)/pmbd

install: $(B)/pmbd
	install -d $(DESTDIR)$(SBINDIR) $(CONFDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(B)/pmbd $(DESTDIR)$(SBINDIR)/pmbd
	for u in pmbd.service pmbd.socket; do \
	    sed -e 's#/usr/sbin/pmbd#$(SBINDIR)/pmbd#g' \
	        -e 's#/etc/pmbd/#$(SYSCONFDIR)/pmbd/#g' systemd/$$u \
	        > $(DESTDIR)$(UNITDIR)/$$u.new && \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.new && \
	    mv -f $(DESTDIR)$(UNITDIR)/$$u.new $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 systemd/pmbd.sysusers $(DESTDIR)$(SYSUSERSDIR)/pmbd.conf
	install -m 0644 man/pmbd.8 $(DESTDIR)$(MANDIR)/man8/pmbd.8
	install -m 0644 man/pmbd.conf.5 $(DESTDIR)$(MANDIR)/man5/pmbd.conf.5
	@if [ -e $(CONFDIR)/pmbd.conf ]; then \
	    echo "install: keeping $(CONFDIR)/pmbd.conf, new one as pmbd.conf.example"; \
	    install -m 0644 etc/pmbd.conf $(CONFDIR)/pmbd.conf.example; \
	else \
	    echo "install -m 0640 etc/pmbd.conf $(CONFDIR)/pmbd.conf"; \
	    install -m 0640 etc/pmbd.conf $(CONFDIR)/pmbd.conf; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && \
	    command -v systemd-sysusers >/dev/null; then \
	    systemd-sysusers $(SYSUSERSDIR)/pmbd.conf && \
	    chgrp pmbd $(CONFDIR)/pmbd.conf && \
	    { systemctl daemon-reload 2>/dev/null || true; }; \
	else \
	    echo "install: then run systemd-sysusers and chgrp pmbd $(SYSCONFDIR)/pmbd/pmbd.conf"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/pmbd $(DESTDIR)$(UNITDIR)/pmbd.service \
	    $(DESTDIR)$(UNITDIR)/pmbd.socket $(DESTDIR)$(SYSUSERSDIR)/pmbd.conf \
	    $(DESTDIR)$(MANDIR)/man8/pmbd.8 $(DESTDIR)$(MANDIR)/man5/pmbd.conf.5 \
	    $(CONFDIR)/pmbd.conf.example
	@echo "uninstall: kept $(CONFDIR)/pmbd.conf and the state in /var/lib/pmbd"

.PHONY: install uninstall

-include $(PMBD_OBJ:.o=.d) $(PMBD_ASAN_OBJ:.o=.d)

bench: deps
	@$(MAKE) --no-print-directory $(B)/pmbd $(B)/ipmiload
	@bash bench/run.sh

.PHONY: bench

# The node firmware for a Pico W / Pico 2 W (needs the Pico SDK: see
# scripts/firmware.sh); not part of `make check`.
PICO_BOARD ?= pico_w
firmware: $(B)/mkuf2
	@./scripts/firmware.sh $(PICO_BOARD)

# The board layer under the rp2040js emulator (needs the SDK, node and the
# RP2040 boot ROM: RP2040_BOOTROM=...); make check runs it when they are set.
firmware-test: $(B)/mkuf2
	@./scripts/emu-test.sh

.PHONY: firmware firmware-test
