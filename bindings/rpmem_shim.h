/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C shims for static inline functions and macros that Rust cannot call.
 */
#ifndef RPMEM_SHIM_H
#define RPMEM_SHIM_H

#include <linux/types.h>

struct bio;
struct block_device;
struct device;
struct gendisk;
struct page;
struct queue_limits;
struct nd_namespace_common;
struct nd_namespace_io;
struct block_device_operations;

struct gendisk *rpmem_alloc_disk(struct queue_limits *lim, int node);
struct nd_namespace_io *rpmem_to_nsio(struct nd_namespace_common *ndns);
bool rpmem_is_personality(struct device *dev);
struct nd_namespace_common *rpmem_to_ndns(struct device *dev);
bool rpmem_pfns_valid(u64 pfn, u64 nr);
unsigned long rpmem_vmemmap_base(void);
unsigned long rpmem_direct_map_base(void);
size_t rpmem_struct_page_size(void);
void *rpmem_disk_badblocks_dirent(struct gendisk *disk);
void rpmem_notify_dirent(void *dirent);
void rpmem_put_dirent(void *dirent);
int rpmem_dev_to_node(struct device *dev);
bool rpmem_arch_has_flushcache(void);
struct bio_set;
struct file;
struct bio_set *rpmem_bioset_create(void);
void rpmem_bioset_destroy(struct bio_set *bs);
struct bio *rpmem_pfn_bio_alloc(struct block_device *bdev, unsigned int opf, struct bio_set *bs);
struct bio_vec *rpmem_bio_first_vec(struct bio *bio);
bool rpmem_disk_ro(struct gendisk *disk);
u64 rpmem_virt_to_pfn(const void *addr);
u64 rpmem_bench_kmap_atomic_pfn(const u64 *frames, u32 mask, u32 iterations);
void rpmem_cond_resched(void);
const char *rpmem_namespaces_param(void);
u64 rpmem_first_valid_pfn(u64 pfn, u64 nr);
bool rpmem_shares_section_with_ram(u64 phys, u64 size);
bool rpmem_bdev_read_only(struct block_device *bdev);
void rpmem_disk_detach(struct gendisk *disk);
void *rpmem_bdev_lock_disk(struct block_device *bdev, bool *was_read_only);
void rpmem_bdev_unlock_disk(struct block_device *bdev);

void rpmem_preempt_disable(void);
void rpmem_preempt_enable(void);
bool rpmem_capable_sys_admin(void);
bool rpmem_bdev_is_partition(struct block_device *bdev);
struct block_device *rpmem_file_bdev(struct file *file);
bool rpmem_file_readable(struct file *file);
bool rpmem_file_writable(struct file *file);
bool rpmem_bdev_file_exclusive(struct file *file);

struct address_space;
struct vm_area_struct;
struct vm_fault;
struct vm_operations_struct;
struct rpmem_map_space;

/* A VMA as mmap and the fault handlers see it. */
struct rpmem_vma_info {
	unsigned long start;
	unsigned long end;
	unsigned long pgoff;
	bool shared;
	bool write;
	void *private_data;
};

struct rpmem_map_space *rpmem_map_space_create(u64 first_pfn, u64 pages);
void rpmem_map_space_zap(struct rpmem_map_space *ms);
void rpmem_map_space_revoke(struct rpmem_map_space *ms);
void rpmem_map_space_free(struct rpmem_map_space *ms);
struct inode;
void rpmem_map_space_open(struct rpmem_map_space *ms, struct file *file,
			  struct inode *inode);
void rpmem_map_space_release(struct rpmem_map_space *ms);
void *rpmem_file_private(struct file *file);
void rpmem_file_set_private(struct file *file, void *data);
bool rpmem_file_writable_mode(struct file *file);
void rpmem_vma_read(struct vm_area_struct *vma, struct rpmem_vma_info *q);
void rpmem_vma_set_pfnmap(struct vm_area_struct *vma,
			  const struct vm_operations_struct *ops, void *data,
			  bool read_only);
void rpmem_vmf_query(struct vm_fault *vmf, struct rpmem_vma_info *q,
		     unsigned long *address, bool *write);
unsigned int rpmem_vmf_insert_pfn(struct vm_fault *vmf, unsigned long pfn,
				  unsigned int order, bool write);
unsigned long rpmem_get_unmapped_area(struct file *file, unsigned long addr,
				      unsigned long len, unsigned long pgoff,
				      unsigned long flags);

#endif
