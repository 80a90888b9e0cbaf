# The node firmware's host port: build/pmb-node-sim (included from the top
# Makefile).  Filled in with the firmware core.
$(B)/pmb-node-sim:
	@mkdir -p $(B)
	@echo "pmb-node-sim: not built yet" >&2; exit 1
