// SPDX-License-Identifier: GPL-2.0
/*
 * C shims for static inline functions and macros that rpmem calls from Rust
 * (src/abstractions/). Each forwards to one kernel helper; no driver logic
 * lives here. Built into rpmem.ko, and with RPMEM_BENCH into the benchmark
 * module, which adds the kmap benchmark's reference loop.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/memory-failure.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/ioport.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/nd.h>
#include <linux/sysfs.h>
#include "nd.h"
#include "rpmem_shim.h"

/*
 * src/abstractions/memmap.rs does page_to_pfn(), pfn_to_page() and page_address() as
 * arithmetic over the virtual memmap and the direct map.
 */
#if defined(CONFIG_HIGHMEM) || !defined(CONFIG_SPARSEMEM_VMEMMAP)
#error "rpmem needs a 64-bit kernel with SPARSEMEM_VMEMMAP and no highmem"
#endif

#if !defined(CONFIG_X86_64)
#error "rpmem needs an x86-64 kernel"
#endif

/* The read-side section of a device frame's mapping (abstractions/preempt.rs). */
void rpmem_preempt_disable(void)
{
	preempt_disable();
}

void rpmem_preempt_enable(void)
{
	preempt_enable();
}

bool rpmem_capable_sys_admin(void)
{
	return capable(CAP_SYS_ADMIN);
}

/* blk_alloc_disk() is a macro that creates a static lock class key. */
struct gendisk *rpmem_alloc_disk(struct queue_limits *lim, int node)
{
	return blk_alloc_disk(lim, node);
}

struct nd_namespace_io *rpmem_to_nsio(struct nd_namespace_common *ndns)
{
	return to_nd_namespace_io(&ndns->dev);
}

bool rpmem_is_personality(struct device *dev)
{
	return is_nd_btt(dev) || is_nd_pfn(dev) || is_nd_dax(dev);
}

struct nd_namespace_common *rpmem_to_ndns(struct device *dev)
{
	return to_ndns(dev);
}

/* pfn_valid() over every subsection that @nr frames from @pfn touch. */
bool rpmem_pfns_valid(u64 pfn, u64 nr)
{
	u64 p, last = pfn + nr - 1;

	if (!nr || last < pfn)
		return false;
	for (p = pfn; p <= last; p = ALIGN(p + 1, PAGES_PER_SUBSECTION))
		if (!pfn_valid(p))
			return false;
	return true;
}

unsigned long rpmem_vmemmap_base(void)
{
	return (unsigned long)vmemmap;
}

unsigned long rpmem_direct_map_base(void)
{
	return PAGE_OFFSET;
}

size_t rpmem_struct_page_size(void)
{
	return sizeof(struct page);
}

void *rpmem_disk_badblocks_dirent(struct gendisk *disk)
{
	return sysfs_get_dirent(disk_to_dev(disk)->kobj.sd, "badblocks");
}

void rpmem_notify_dirent(void *dirent)
{
	sysfs_notify_dirent(dirent);
}

void rpmem_put_dirent(void *dirent)
{
	sysfs_put(dirent);
}

int rpmem_dev_to_node(struct device *dev)
{
	return dev_to_node(dev);
}

bool rpmem_arch_has_flushcache(void)
{
	return IS_ENABLED(CONFIG_ARCH_HAS_UACCESS_FLUSHCACHE);
}

/*
 * A bio_set of pfn bios, whose vectors name device frames: bi_pool tells
 * them from every other bio, whose pages are RAM. Allocated here, as the
 * kernel crate does not bind struct bio_set's layout.
 */
struct bio_set *rpmem_bioset_create(void)
{
	struct bio_set *bs = kzalloc(sizeof(*bs), GFP_KERNEL);

	if (bs && bioset_init(bs, 4, 0, BIOSET_NEED_BVECS)) {
		kfree(bs);
		return NULL;
	}
	return bs;
}

void rpmem_bioset_destroy(struct bio_set *bs)
{
	bioset_exit(bs);
	kfree(bs);
}

struct bio *rpmem_pfn_bio_alloc(struct block_device *bdev, unsigned int opf, struct bio_set *bs)
{
	return bio_alloc_bioset(bdev, 1, opf, GFP_KERNEL, bs);
}

struct bio_vec *rpmem_bio_first_vec(struct bio *bio)
{
	return bio->bi_io_vec;
}

bool rpmem_disk_ro(struct gendisk *disk)
{
	return get_disk_ro(disk);
}

#ifdef RPMEM_BENCH
u64 rpmem_virt_to_pfn(const void *addr)
{
	return PHYS_PFN(virt_to_phys((void *)addr));
}

/*
 * The reference of the kmap benchmark (src/bench/kmap_timing.rs): the
 * kernel's own kmap_atomic_pfn() of a RAM frame and its unmap
 * (__kunmap_atomic(), what the kunmap_atomic() macro calls), inline as C
 * callers get them, timed in an out-of-line loop as the Rust variants are:
 * each iteration loads its frame from @frames (@mask + 1 entries, a power
 * of two) and keeps the address in a register. Picoseconds per map+unmap.
 */
noinline u64 rpmem_bench_kmap_atomic_pfn(const u64 *frames, u32 mask, u32 iterations)
{
	u64 start = ktime_get_ns();
	u32 i;

	for (i = 0; i < iterations; i++) {
		void *addr = kmap_atomic_pfn(READ_ONCE(frames[i & mask]));

		/* The address is used, as the Rust variants' keep() uses theirs. */
		asm volatile("" : : "r" (addr) : "memory");
		__kunmap_atomic(addr);
	}
	return (ktime_get_ns() - start) * 1000 / max(iterations, 1U);
}

/* cond_resched() is a macro (or static call) around __cond_resched(). */
void rpmem_cond_resched(void)
{
	cond_resched();
}

const char *rpmem_namespaces_param(void)
{
	return "";
}
#else
/*
 * The "namespaces" module parameter: a string, which the kernel crate's
 * module! macro cannot declare. Parsed and validated in src/params.rs.
 */
static char rpmem_namespaces[1024];
module_param_string(namespaces, rpmem_namespaces, sizeof(rpmem_namespaces), 0444);
MODULE_PARM_DESC(namespaces,
		 "Comma-separated namespaces to serve, e.g. namespace0.0,namespace1.0 (default: every free raw namespace)");

const char *rpmem_namespaces_param(void)
{
	return rpmem_namespaces;
}
#endif

/*
 * The first frame of @nr from @pfn that has a struct page, or U64_MAX:
 * pfn_valid() answers per memmap subsection, so one frame per subsection.
 */
u64 rpmem_first_valid_pfn(u64 pfn, u64 nr)
{
	u64 p, end = pfn + nr;

	for (p = pfn; p < end; p = ALIGN(p + 1, PAGES_PER_SUBSECTION))
		if (pfn_valid(p))
			return p;
	return U64_MAX;
}

/*
 * True if a memory section that [@phys, @phys + @size) touches also holds
 * System RAM: its memmap and direct map then cover part of the section,
 * and pfn_valid() may answer for the whole of it.
 */
bool rpmem_shares_section_with_ram(u64 phys, u64 size)
{
	u64 first = ALIGN_DOWN(phys, 1ULL << SECTION_SIZE_BITS);
	u64 last = ALIGN_DOWN(phys + size - 1, 1ULL << SECTION_SIZE_BITS);
	u64 sec;

	for (sec = first; sec <= last; sec += 1ULL << SECTION_SIZE_BITS) {
		if (sec > first && sec < last)
			continue;
		if (region_intersects(sec, 1ULL << SECTION_SIZE_BITS, IORESOURCE_SYSTEM_RAM,
				      IORES_DESC_NONE) != REGION_DISJOINT)
			return true;
	}
	return false;
}

bool rpmem_bdev_read_only(struct block_device *bdev)
{
	return bdev_read_only(bdev);
}

bool rpmem_bdev_is_partition(struct block_device *bdev)
{
	return bdev_is_partition(bdev);
}

/* The block device of @file, if it is a block special file (else NULL). */
struct block_device *rpmem_file_bdev(struct file *file)
{
	if (!S_ISBLK(file_inode(file)->i_mode))
		return NULL;
	return file_bdev(file);
}

bool rpmem_file_readable(struct file *file)
{
	return file->f_mode & FMODE_READ;
}

bool rpmem_file_writable(struct file *file)
{
	return file->f_mode & FMODE_WRITE;
}

/* blkdev_open() makes an O_EXCL open its own holder (block/fops.c). */
bool rpmem_bdev_file_exclusive(struct file *file)
{
	return file->private_data == file;
}

/*
 * The load/store mapping of a disk (src/abstractions/map_device.rs): an
 * address_space of its own that every open file of the disk's map device
 * shares (as devdax shares its inode's), so that one unmap_mapping_range()
 * revokes every mapping; and the pfn_address_space through which
 * memory_failure() finds the processes that map a poisoned frame.
 */
struct rpmem_map_space {
	struct address_space mapping;
#ifdef CONFIG_MEMORY_FAILURE
	struct pfn_address_space pfn_space;
	bool registered;
#endif
	unsigned long first_pfn;
	/* Open files; while any, mapping.host is one of their inodes. */
	struct mutex lock;
	unsigned long files;
};

#ifdef CONFIG_MEMORY_FAILURE
static int rpmem_pfn_to_vma_pgoff(struct vm_area_struct *vma, unsigned long pfn,
				  pgoff_t *pgoff)
{
	struct rpmem_map_space *ms = container_of(vma->vm_file->f_mapping,
						  struct rpmem_map_space, mapping);
	unsigned long off;

	if (pfn < ms->first_pfn)
		return -EFAULT;
	off = pfn - ms->first_pfn;
	if (off < vma->vm_pgoff || off - vma->vm_pgoff >= vma_pages(vma))
		return -EFAULT;
	*pgoff = off;
	return 0;
}
#endif

struct rpmem_map_space *rpmem_map_space_create(u64 first_pfn, u64 pages)
{
	struct rpmem_map_space *ms = kzalloc(sizeof(*ms), GFP_KERNEL);

	if (!ms)
		return NULL;
	address_space_init_once(&ms->mapping);
	mutex_init(&ms->lock);
	ms->first_pfn = first_pfn;
#ifdef CONFIG_MEMORY_FAILURE
	ms->pfn_space.node.start = first_pfn;
	ms->pfn_space.node.last = first_pfn + pages - 1;
	ms->pfn_space.mapping = &ms->mapping;
	ms->pfn_space.pfn_to_vma_pgoff = rpmem_pfn_to_vma_pgoff;
	ms->registered = !register_pfn_address_space(&ms->pfn_space);
	if (!ms->registered)
		pr_warn("rpmem: pfns %#llx+%#llx: no memory-failure handling\n",
			first_pfn, pages);
#endif
	return ms;
}

/* Zap every mapping's entries: the next access faults again. */
void rpmem_map_space_zap(struct rpmem_map_space *ms)
{
	unmap_mapping_range(&ms->mapping, 0, 0, 1);
}

void rpmem_map_space_revoke(struct rpmem_map_space *ms)
{
	rpmem_map_space_zap(ms);
#ifdef CONFIG_MEMORY_FAILURE
	if (ms->registered)
		unregister_pfn_address_space(&ms->pfn_space);
	ms->registered = false;
#endif
}

void rpmem_map_space_free(struct rpmem_map_space *ms)
{
#ifdef CONFIG_MEMORY_FAILURE
	/* Revoked before, normally; never leave a freed node in the tree. */
	if (ms->registered)
		unregister_pfn_address_space(&ms->pfn_space);
#endif
	kfree(ms);
}

/*
 * An open file of the map device uses the shared mapping. The VFS reads
 * f_mapping->host (readahead state, backing device) as an inode of the
 * file's kind: while files are open, the host is the inode the first of
 * them was opened through, held until the last closes.
 */
void rpmem_map_space_open(struct rpmem_map_space *ms, struct file *file,
			  struct inode *inode)
{
	mutex_lock(&ms->lock);
	if (!ms->files++)
		ms->mapping.host = igrab(inode) ?: inode;
	mutex_unlock(&ms->lock);
	file->f_mapping = &ms->mapping;
}

void rpmem_map_space_release(struct rpmem_map_space *ms)
{
	struct inode *host = NULL;

	mutex_lock(&ms->lock);
	if (!--ms->files) {
		host = ms->mapping.host;
		ms->mapping.host = NULL;
	}
	mutex_unlock(&ms->lock);
	if (host)
		iput(host);
}

void *rpmem_file_private(struct file *file)
{
	return file->private_data;
}

void rpmem_file_set_private(struct file *file, void *data)
{
	file->private_data = data;
}

bool rpmem_file_writable_mode(struct file *file)
{
	return file->f_mode & FMODE_WRITE;
}

/* What mmap needs to know of a new VMA. */
void rpmem_vma_read(struct vm_area_struct *vma, struct rpmem_vma_info *q)
{
	q->start = vma->vm_start;
	q->end = vma->vm_end;
	q->pgoff = vma->vm_pgoff;
	/* MAP_SHARED: VM_SHARED is off for a read-only fd */
	q->shared = vma->vm_flags & VM_MAYSHARE;
	q->write = vma->vm_flags & VM_WRITE;
	q->private_data = vma->vm_private_data;
}

/*
 * Make a new VMA a page-less mapping served by @ops: flags as
 * remap_pfn_range() sets them; read-only also drops VM_MAYWRITE, so
 * mprotect() cannot make it writable.
 */
void rpmem_vma_set_pfnmap(struct vm_area_struct *vma,
			  const struct vm_operations_struct *ops, void *data,
			  bool read_only)
{
	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	if (read_only)
		vm_flags_clear(vma, VM_MAYWRITE);
	vma->vm_ops = ops;
	vma->vm_private_data = data;
}

void rpmem_vmf_query(struct vm_fault *vmf, struct rpmem_vma_info *q,
		     unsigned long *address, bool *write)
{
	rpmem_vma_read(vmf->vma, q);
	*address = vmf->address;
	*write = vmf->flags & FAULT_FLAG_WRITE;
}

/* Insert one entry of 4 KiB << @order at the fault's (aligned) address. */
vm_fault_t rpmem_vmf_insert_pfn(struct vm_fault *vmf, unsigned long pfn,
				unsigned int order, bool write)
{
	if (!order)
		return vmf_insert_pfn(vmf->vma, vmf->address & PAGE_MASK, pfn);
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	if (order == PMD_ORDER)
		return vmf_insert_pfn_pmd(vmf, pfn, write);
#endif
#ifdef CONFIG_ARCH_SUPPORTS_PUD_PFNMAP
	if (order == PUD_ORDER)
		return vmf_insert_pfn_pud(vmf, pfn, write);
#endif
	return VM_FAULT_FALLBACK;
}

unsigned long rpmem_get_unmapped_area(struct file *file, unsigned long addr,
				      unsigned long len, unsigned long pgoff,
				      unsigned long flags)
{
	return thp_get_unmapped_area(file, addr, len, pgoff, flags);
}

/*
 * For ->set_read_only, which BLKROSET calls with no lock held: lock the open
 * mutex of @bdev's disk (rpmem_disk_detach() clears private_data under it)
 * and return private_data, NULL once detached; *was_read_only is @bdev's
 * own read-only flag (BLKROSET's, not the disk's) before the call.
 */
void *rpmem_bdev_lock_disk(struct block_device *bdev, bool *was_read_only)
{
	mutex_lock(&bdev->bd_disk->open_mutex);
	*was_read_only = bdev_test_flag(bdev, BD_READ_ONLY);
	return bdev->bd_disk->private_data;
}

void rpmem_bdev_unlock_disk(struct block_device *bdev)
{
	mutex_unlock(&bdev->bd_disk->open_mutex);
}

/*
 * After del_gendisk(): the disk's queue data is about to go, while block
 * devices may stay open and be closed later (their ->release). Clear
 * private_data under the open mutex that ->open and ->release run under.
 */
void rpmem_disk_detach(struct gendisk *disk)
{
	mutex_lock(&disk->open_mutex);
	disk->private_data = NULL;
	mutex_unlock(&disk->open_mutex);
}
