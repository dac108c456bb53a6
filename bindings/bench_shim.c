// SPDX-License-Identifier: GPL-2.0
/* The shims of bindings/shim.c for the benchmark module (rpmem_bench.ko). */
#define RPMEM_BENCH 1
#include "shim.c"
