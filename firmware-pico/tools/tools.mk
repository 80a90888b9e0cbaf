# Host tools for the firmware (included from the top Makefile).
$(B)/mkuf2: firmware-pico/tools/mkuf2.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $<
