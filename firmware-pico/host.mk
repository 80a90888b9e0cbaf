# The node firmware's host port: build/pmb-node-sim (included from the top
# Makefile).  The portable core (firmware-pico/core), the POSIX board and
# simulated server (firmware-pico/host), the shared codec; mbedTLS for the
# link, as on the Pico.
NODE_SRC = $(wildcard firmware-pico/core/*.c) \
	   $(wildcard firmware-pico/host/*.c) src/nproto.c src/buf.c
NODE_OBJ = $(NODE_SRC:%.c=$(B)/node/%.o)
NODE_LIBS = -lmbedtls -lmbedx509 -lmbedcrypto -lpthread

$(B)/node/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -Ifirmware-pico/core -Ifirmware-pico/host -c $< -o $@

$(B)/pmb-node-sim: $(NODE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(NODE_OBJ) $(NODE_LIBS)

-include $(NODE_OBJ:.o=.d)
