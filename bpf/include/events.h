/* events.h: the ring buffer the collector reads, and the count of events it never got.
 *
 * Offers the maps `events` (BPF ring buffer; its size is set by the collector before load) and
 * `events_lost` (one u64: reservations that failed because the ring was full), plus
 * events_reserve() and events_submit(). Submitting wakes the reader only when the backlog crosses
 * a multiple of flows_cfg.wakeup_bytes: each wakeup costs the producer microseconds (on the packet
 * path), and the reader drains on a short timer anyway (see shared/notes/bpf-from-java.md). Waking
 * on every event above the watermark instead slowed the producer about 70x whenever the reader
 * fell behind (BENCHMARKS.md). Crossing every multiple, not just the first, means a wakeup that
 * found the reader busy is followed by another. wakeup_bytes 0 wakes every time.
 */
#ifndef FLOWS_EVENTS_H
#define FLOWS_EVENTS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "config.h"

#define EVENTS_RING_DEFAULT (8 << 20)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENTS_RING_DEFAULT);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} events_lost SEC(".maps");

/* Space for one event, or NULL after counting it as lost. */
static __always_inline void *events_reserve(__u32 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e) {
		__u32 zero = 0;
		__u64 *lost = bpf_map_lookup_elem(&events_lost, &zero);
		if (lost)
			__sync_fetch_and_add(lost, 1);
	}
	return e;
}

/* Ring records carry an 8-byte header and are padded to 8 bytes. */
#define EVENTS_RECORD_BYTES(size) ((((size) + 7) & ~7) + 8)

static __always_inline void events_submit(void *e, __u32 size)
{
	__u64 flags = BPF_RB_NO_WAKEUP;
	__u32 watermark = flows_cfg.wakeup_bytes;

	if (watermark == 0) {
		flags = BPF_RB_FORCE_WAKEUP;
	} else {
		/* The backlog already counts this record (reserved, not yet submitted). */
		__u64 after = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
		__u64 before = after - EVENTS_RECORD_BYTES(size);
		if (after >= EVENTS_RECORD_BYTES(size) && after / watermark != before / watermark)
			flags = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(e, flags);
}

#endif /* FLOWS_EVENTS_H */
