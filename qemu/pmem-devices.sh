# shellcheck shell=bash
# Sourced by qemu/run.sh after its NVDIMMs: the other persistent-memory
# sources, appended to its `args` (backing files in `$dir`, recreated when
# RPMEM_NVDIMM_FRESH=1, else kept between boots like the NVDIMMs').
#
#   RPMEM_VIRTIO_PMEM=N       virtio-pmem devices (0); RPMEM_VIRTIO_PMEM_SIZE
#                             size each (512M), or a comma list, one per device
#   RPMEM_CXL=1               one CXL type-3 device with persistent capacity
#                             RPMEM_CXL_SIZE (256M) and a label area
#                             RPMEM_CXL_LSA_SIZE (1M): switches the machine to
#                             q35 with cxl=on, the CPU to qemu64 without the
#                             hypervisor bit and adds pci=nomsi (see README)
#   RPMEM_TRACE_FILE=F        QEMU logs each virtio-pmem flush to F
#                             (virtio_pmem_flush_request / _done lines)

backing_file() { # path size: create (or recreate when fresh) a sparse file
	if [ "${RPMEM_NVDIMM_FRESH:-0}" = 1 ] || [ ! -f "$1" ]; then
		rm -f "$1"
		truncate -s "$2" "$1"
	fi
}

vp_sizes=${RPMEM_VIRTIO_PMEM_SIZE:-512M}
if [[ $vp_sizes == *,* ]]; then
	IFS=, read -ra vp_size_of <<< "$vp_sizes"
else
	vp_size_of=()
	for ((i = 0; i < ${RPMEM_VIRTIO_PMEM:-0}; i++)); do vp_size_of+=("$vp_sizes"); done
fi
for i in "${!vp_size_of[@]}"; do
	size=${vp_size_of[$i]}
	f=$dir/virtio-pmem$i-$size.img
	backing_file "$f" "$size"
	args+=(-object "memory-backend-file,id=vp$i,share=on,mem-path=$f,size=$size"
	       -device "virtio-pmem-pci,memdev=vp$i,id=vpmem$i")
done

if [ "${RPMEM_CXL:-0}" = 1 ]; then
	size=${RPMEM_CXL_SIZE:-256M}
	lsa=${RPMEM_CXL_LSA_SIZE:-1M}
	backing_file "$dir/cxl-mem0-$size.img" "$size"
	backing_file "$dir/cxl-lsa0-$lsa.img" "$lsa"
	# A later -M merges into the first: q35 keeps nvdimm=on for NFIT NVDIMMs.
	# The hypervisor CPU bit makes the guest skip the cache flush that region
	# commit needs; cxl_pci cannot get MSI event interrupts from QEMU 7.2.
	args+=(-M q35,cxl=on -cpu qemu64,-hypervisor
	       -object "memory-backend-file,id=cxl-mem0,share=on,mem-path=$dir/cxl-mem0-$size.img,size=$size"
	       -object "memory-backend-file,id=cxl-lsa0,share=on,mem-path=$dir/cxl-lsa0-$lsa.img,size=$lsa"
	       -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
	       -device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2
	       -device cxl-type3,bus=root_port13,memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0,sn=0x1234
	       -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G)
	for i in "${!args[@]}"; do
		[ "${args[$i]}" = -append ] && args[i + 1]+=" pci=nomsi"
	done
fi

if [ -n "${RPMEM_TRACE_FILE:-}" ]; then
	rm -f "$RPMEM_TRACE_FILE"
	args+=(-trace virtio_pmem_flush_request -trace virtio_pmem_flush_done -D "$RPMEM_TRACE_FILE")
fi
