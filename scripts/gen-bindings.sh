#!/bin/bash
# Generate bindings/nd_generated.rs with bindgen from the target kernel's own
# headers, using exactly the clang flags the kernel used for its own bindings.
# Only items rpmem uses are allowlisted; types the kernel crate already binds
# come from `kernel::bindings` (non-recursive allowlist + a glob import).
set -euo pipefail
. "$(dirname "$0")/env.sh"
: "${KDIR:?KDIR must point at a built kernel tree}"

out=$RPMEM_ROOT/bindings/nd_generated.rs
in=$RPMEM_ROOT/bindings/wrapper.h
cmdfile=$KDIR/rust/bindings/.bindings_generated.rs.cmd
[ -f "$cmdfile" ] || die "$cmdfile missing: is $KDIR a kernel built with CONFIG_RUST=y?"

stamp=$( { cat "$in" "$RPMEM_ROOT/bindings/rpmem_shim.h" "$0" "$cmdfile"; } | sha256sum | cut -c1-16)
if [ -f "$out" ] && grep -q "rpmem-bindings-stamp: $stamp" "$out"; then
	exit 0
fi
log "bindgen: generating bindings/nd_generated.rs"

# Clang flags: everything after " -- " up to the trailing "; sed ...".
read -ra cflags < <(sed -n 's/^savedcmd_[^ ]* := //p' "$cmdfile" |
	sed -e 's/.* -- //' -e 's/;.*//' | tr ' ' '\n' | grep -v '^-Wp,-MMD' | tr '\n' ' '; echo)

functions=(
	__nd_driver_register
	nvdimm_namespace_common_probe nvdimm_namespace_disk_name
	nvdimm_namespace_capacity
	devm_namespace_enable devm_namespace_disable
	nvdimm_badblocks_populate nvdimm_check_and_set_ro nvdimm_clear_poison
	nvdimm_flush nvdimm_has_flush nvdimm_has_cache is_nvdimm_sync to_nd_region
	pmem_sector_size arch_invalidate_pmem arch_wb_cache_pmem nd_dev_to_uuid
	bdev_file_open_by_dev bdev_fput file_bdev blkdev_issue_flush
	filemap_write_and_wait_range invalidate_inode_pages2_range
	badblocks_check badblocks_clear badblocks_exit badblocks_init
	'rpmem_.*'
)
types=(nd_device_driver nd_namespace_common nd_namespace_io nd_region nvdimm_event
       nvdimm_claim_class badblocks rpmem_vma_info rpmem_map_space)
args=(--use-core --no-layout-tests --no-doc-comments --no-recursive-allowlist
      --rust-target 1.85 --ctypes-prefix ffi
      --blocklist-type '__kernel_s?size_t' --blocklist-type __kernel_ptrdiff_t
      --opaque-type nd_region
      --allowlist-var 'RUST_CONST_HELPER_.*' --allowlist-var 'ND_DEVICE_.*'
      --raw-line '// rpmem-bindings-stamp: '"$stamp")
for f in "${functions[@]}"; do args+=(--allowlist-function "$f"); done
for t in "${types[@]}"; do args+=(--allowlist-type "$t"); done

tmp=$out.tmp
(cd "$KDIR" && "$BINDGEN" "$in" "${args[@]}" -o "$tmp" -- "${cflags[@]}" \
	-I"$RPMEM_ROOT/bindings" -I"$KDIR/source/drivers/nvdimm" -DMODULE) || die "bindgen failed"
sed -Ei 's/pub const RUST_CONST_HELPER_([a-zA-Z0-9_]*)/pub const \1/g' "$tmp"
mv "$tmp" "$out"
