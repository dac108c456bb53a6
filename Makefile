# SPDX-License-Identifier: GPL-2.0
# rpmem top-level Makefile: builds rpmem.ko against KDIR (default: the cached
# guest kernel, built first when missing) and drives the QEMU harness.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
SHELL := /bin/bash
ENV := source $(ROOT)/scripts/env.sh
ifndef KDIR
KDIR := $(shell $(ROOT)/scripts/build-kernel.sh $(or $(KVARIANT),normal))
endif
KMAKE = $(ENV); make -C $(KDIR) M=$(ROOT) "$${KMAKE_ARGS[@]}" LIBCLANG_PATH=$$LIBCLANG_PATH

.PHONY: all modules bindings clean kdir kdir-debug check check-debug demo bench image \
	rustfmt rustfmtcheck unit-test checkpatch lint lint-clippy test copy-bench profile bench-memmap bench-ab bench-stack

all: modules

bindings:
	@$(ENV); KDIR=$(KDIR) $(ROOT)/scripts/gen-bindings.sh

modules: bindings
	@$(KMAKE) $(if $(CLIPPY),CLIPPY=1) modules

clean:
	@if [ -d "$(KDIR)" ]; then $(KMAKE) clean; fi
	rm -f bindings/nd_generated.rs

kdir:
	@echo $(KDIR)

kdir-debug:
	@$(ROOT)/scripts/build-kernel.sh debug

image: modules
	@$(ROOT)/scripts/mkinitramfs.sh $(KDIR)

demo:
	@$(ROOT)/scripts/demo.sh

check:
	@$(ROOT)/scripts/check.sh

check-debug:
	@KVARIANTS=debug $(ROOT)/scripts/check.sh

bench:
	@$(ROOT)/bench/run.sh

profile:
	@$(ROOT)/bench/profile.sh

bench-ab:
	@$(ROOT)/bench/ab.sh

bench-memmap:
	@$(ROOT)/bench/memmap.sh

bench-stack:
	@$(ROOT)/bench/stack.sh

copy-bench:
	@$(ROOT)/bench/copy.sh

RUSTFMT_CFG = --edition 2021 --config-path $(KDIR)/source/.rustfmt.toml
RUST_SRC = src/*.rs bindings/mod.rs hosttest/src/*.rs

rustfmt:
	@$(ENV); $$RUSTFMT $(RUSTFMT_CFG) $(RUST_SRC)

rustfmtcheck:
	@$(ENV); $$RUSTFMT $(RUSTFMT_CFG) --check $(RUST_SRC)

unit-test:
	@cd $(ROOT)/hosttest && cargo test --quiet

# Clippy over a forced rebuild; any warning fails.
lint-clippy: bindings
	@touch src/rpmem.rs; out=$$($(KMAKE) CLIPPY=1 modules 2>&1); rc=$$?; \
	 echo "$$out" | grep -E "^(warning|error)" -A6; \
	 [ $$rc = 0 ] && ! echo "$$out" | grep -qE "^(warning|error)"

checkpatch:
	@$(KDIR)/source/scripts/checkpatch.pl --no-tree --quiet --strict \
		--ignore SPDX_LICENSE_TAG -f bindings/shim.c bindings/rpmem_shim.h bindings/wrapper.h

lint: rustfmtcheck lint-clippy checkpatch

# Everything CI runs: host checks, then the guest suite on both kernels.
test:
	@HOST_TESTS=1 KVARIANTS="normal debug" $(ROOT)/scripts/check.sh
