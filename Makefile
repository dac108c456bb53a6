# SPDX-License-Identifier: GPL-2.0
# rpmem top-level Makefile: builds rpmem.ko against KDIR (default: the cached
# guest kernel, built first when missing) and the rpmemctl tool, and drives
# the QEMU harness.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
SHELL := /bin/bash
ENV := source $(ROOT)/scripts/env.sh
ifndef KDIR
KDIR := $(shell $(ROOT)/scripts/build-kernel.sh $(or $(KVARIANT),normal))
endif
KMAKE = $(ENV); make -C $(KDIR) M=$(ROOT) "$${KMAKE_ARGS[@]}" LIBCLANG_PATH=$$LIBCLANG_PATH
# rpmemctl is built by the cargo on PATH with its own rustc (RUSTC from
# scripts/env.sh is the kernel's compiler).
CARGO = cd $(ROOT)/tools/rpmemctl && env -u RUSTC cargo

.PHONY: all modules bench-module rpmemctl bindings install clean kdir kdir-debug check check-debug demo bench image \
	rustfmt rustfmtcheck unit-test unit-test-module unit-test-rpmemctl checkpatch lint lint-clippy check-io-path check-layers check-durability check-durability-mutants mutants test copy-bench bench-kmap bench-icount bench-insn profile bench-memmap bench-ab bench-stack bench-preemptoff bench-map

all: modules rpmemctl

bindings:
	@$(ENV); KDIR=$(KDIR) $(ROOT)/scripts/gen-bindings.sh

modules: bindings
	@$(KMAKE) $(if $(CLIPPY),CLIPPY=1) modules

# rpmem_bench.ko (src/bench/): the in-kernel micro-benchmarks, beside
# rpmem.ko; never installed (make install builds and ships rpmem.ko only).
bench-module: bindings
	@$(KMAKE) RPMEM_BENCH=1 $(if $(CLIPPY),CLIPPY=1) modules

# As kbuild's modules_install with M= (which this is), into extra/ as DKMS
# does: $(INSTALL_MOD_PATH)/lib/modules/<KDIR's release>/extra/rpmem.ko, then
# depmod (kbuild runs it when KDIR has System.map; otherwise it is run here).
install: modules
	@$(KMAKE) INSTALL_MOD_DIR=extra modules_install
	@[ -r $(KDIR)/System.map ] || depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) \
		$$(cat $(KDIR)/include/config/kernel.release)

# tools/rpmemctl/target/release/rpmemctl
rpmemctl:
	@$(CARGO) build --release --quiet --locked

clean:
	@if [ -d "$(KDIR)" ]; then $(KMAKE) clean; fi
	rm -f bindings/nd_generated.rs
	rm -rf tools/rpmemctl/target

kdir:
	@echo $(KDIR)

kdir-debug:
	@$(ROOT)/scripts/build-kernel.sh debug

image: modules rpmemctl
	@$(ROOT)/scripts/mkinitramfs.sh $(KDIR)

demo:
	@$(ROOT)/scripts/demo.sh

check:
	@$(ROOT)/scripts/check.sh

check-debug:
	@KVARIANTS=debug $(ROOT)/scripts/check.sh

# The persistence checker (a QEMU 10 TCG plugin) over the durability
# workload and the power cuts, both drivers (docs/durability.md).
check-durability:
	@$(ROOT)/scripts/durability.sh

# Mutants that lose durability, each of which check-durability must catch.
check-durability-mutants:
	@$(ROOT)/scripts/durability-mutants.sh

# The mutation run over the driver: seeded one-line bugs, each built and
# run against the tests that cover it (scripts/mutants.sh, docs/testing.md).
mutants:
	@$(ROOT)/scripts/mutants.sh

bench:
	@$(ROOT)/bench/run.sh

profile:
	@$(ROOT)/bench/profile.sh

bench-ab:
	@$(ROOT)/bench/ab.sh

bench-memmap:
	@$(ROOT)/bench/memmap.sh

bench-map:
	@$(ROOT)/bench/map.sh

bench-stack:
	@$(ROOT)/bench/stack.sh

bench-kmap:
	@$(ROOT)/bench/kmap.sh

bench-insn:
	@$(ROOT)/bench/insn.sh

bench-preemptoff:
	@$(ROOT)/bench/preemptoff.sh

bench-icount:
	@BENCH_ICOUNT=1 $(ROOT)/bench/run.sh

copy-bench:
	@$(ROOT)/bench/copy.sh

RUSTFMT_CFG = --edition 2021 --config-path $(KDIR)/source/.rustfmt.toml
RUST_SRC = $(shell find $(ROOT)/src -name '*.rs') bindings/mod.rs hosttest/src/*.rs tools/rpmemctl/src/main.rs tools/rpmemctl/tests/*.rs

rustfmt:
	@$(ENV); $$RUSTFMT $(RUSTFMT_CFG) $(RUST_SRC)

rustfmtcheck:
	@$(ENV); $$RUSTFMT $(RUSTFMT_CFG) --check $(RUST_SRC)

unit-test: unit-test-module unit-test-rpmemctl

# The module's pure logic (hosttest/).
unit-test-module:
	@cd $(ROOT)/hosttest && cargo test --quiet

# rpmemctl: parsing, errno names, output, the ABI, the binary's errors; clippy.
unit-test-rpmemctl:
	@$(CARGO) test --quiet --locked
	@$(CARGO) clippy --quiet --locked --all-targets -- -D warnings

# Clippy over a forced rebuild; any warning fails.
lint-clippy: bindings
	@touch src/rpmem.rs src/bench/rpmem_bench.rs; out=$$($(KMAKE) CLIPPY=1 RPMEM_BENCH=1 modules 2>&1); rc=$$?; \
	 echo "$$out" | grep -E "^(warning|error)" -A6; \
	 [ $$rc = 0 ] && ! echo "$$out" | grep -qE "^(warning|error)"

checkpatch:
	@$(KDIR)/source/scripts/checkpatch.pl --no-tree --quiet --strict \
		--ignore SPDX_LICENSE_TAG -f bindings/shim.c bindings/rpmem_shim.h bindings/wrapper.h

# The I/O path and the pfn copy (every function of rpmem.ko that
# submit_bio or the copy ioctl's worker reaches) cannot panic: no
# overflow, bounds or unwrap check is left in them.
check-io-path: modules
	@$(ROOT)/scripts/check-io-path.py $(ROOT)/rpmem.ko

# The layering: no unsafe or bindings:: in the driver, files <= 300 lines,
# no dependency cycle between modules (scripts/check-layers.py).
check-layers:
	@$(ROOT)/scripts/check-layers.py $(ROOT)/src

lint: rustfmtcheck lint-clippy checkpatch check-io-path check-layers

# Everything CI runs: host checks, then the guest suite on both kernels.
test:
	@HOST_TESTS=1 KVARIANTS="normal debug" DEBUG_LONG=0 $(ROOT)/scripts/check.sh
