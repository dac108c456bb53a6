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
	rustfmt rustfmtcheck unit-test checkpatch lint

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
	@KVARIANT=debug $(ROOT)/scripts/check.sh

bench:
	@$(ROOT)/bench/run.sh

rustfmt:
	@$(ENV); $$RUSTFMT --edition 2021 --config-path $(KDIR)/source/.rustfmt.toml src/*.rs bindings/*.rs 2>/dev/null || $$RUSTFMT --edition 2021 src/*.rs

rustfmtcheck:
	@$(ENV); $$RUSTFMT --edition 2021 --check src/*.rs bindings/mod.rs

unit-test:
	@cd $(ROOT)/hosttest && cargo test --quiet

checkpatch:
	@$(ENV); $(KDIR)/source/scripts/checkpatch.pl --no-tree --quiet -f bindings/*.c

lint: rustfmtcheck checkpatch
	@$(MAKE) --no-print-directory CLIPPY=1 modules
