/* aggregate.h: in-kernel aggregation of trace events.
 *
 * Offers agg_observe(): counts the packet in the LRU map flows_agg, keyed by connection tuple,
 * observation point and ifindex, and tells whether (and why) to report it: the first packet
 * (REPORT_FIRST), a TCP flag byte not seen before on that key (REPORT_NEW_FLAGS; the value keeps
 * an exact 256-bit set of seen flag bytes), or the first packet once the aggregation interval has
 * passed since the last report (REPORT_INTERVAL). A report carries the packets and bytes counted
 * since the previous report. With AGG_NONE every packet is reported (REPORT_EVERY) and nothing
 * is stored. agg_commit() marks the report as done; call it only after the ring reservation
 * succeeded, so a lost event leaves its flags unseen and its counters for the next report.
 */
#ifndef FLOWS_AGGREGATE_H
#define FLOWS_AGGREGATE_H

#include "config.h"
#include "parse.h"

#define AGG_MAX_ENTRIES 65536

struct agg_key {
	struct flow_tuple tuple;
	__u32 ifindex;
	__u8 obs_point;
	__u8 pad[3];
};

struct agg_value {
	__u64 packets;        /* since the last report */
	__u64 bytes;
	__u64 last_report_ns; /* 0: never reported */
	__u64 flags_seen[4];  /* bit f set: TCP flag byte f was reported */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, AGG_MAX_ENTRIES);
	__type(key, struct agg_key);
	__type(value, struct agg_value);
} flows_agg SEC(".maps");

/* A decision of agg_observe(). */
struct agg_verdict {
	struct agg_value *value; /* NULL with AGG_NONE */
	__u8 reason;             /* enum flows_report_reason, 0 = do not report */
};

static __always_inline int agg_flags_seen(struct agg_value *v, __u8 flags)
{
	return (v->flags_seen[(flags >> 6) & 3] >> (flags & 63)) & 1;
}

static __always_inline struct agg_verdict agg_observe(const struct packet *pkt, __u32 ifindex,
						      __u8 obs_point, __u64 now)
{
	struct agg_verdict verdict = {};
	struct agg_key key = { .ifindex = ifindex, .obs_point = obs_point };
	struct agg_value *v;

	if (flows_cfg.aggregation_level == AGG_NONE) {
		verdict.reason = REPORT_EVERY;
		return verdict;
	}
	__builtin_memcpy(&key.tuple, &pkt->tuple, sizeof(key.tuple));
	v = bpf_map_lookup_elem(&flows_agg, &key);
	if (!v) {
		struct agg_value init = {};
		/* NOEXIST: another CPU may have created it meanwhile; then count into theirs */
		bpf_map_update_elem(&flows_agg, &key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&flows_agg, &key);
		if (!v)
			return verdict;
	}
	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, pkt->len);
	verdict.value = v;

	if (v->last_report_ns == 0)
		verdict.reason = REPORT_FIRST;
	else if (pkt->tuple.proto == IPPROTO_TCP && pkt->has_l4 && !agg_flags_seen(v, pkt->tcp_flags))
		verdict.reason = REPORT_NEW_FLAGS;
	else if (now - v->last_report_ns >= flows_cfg.aggregation_interval_ns)
		verdict.reason = REPORT_INTERVAL;
	return verdict;
}

/* Takes the counters since the last report into packets and bytes and marks the report done. */
static __always_inline void agg_commit(struct agg_verdict *verdict, const struct packet *pkt,
				       __u64 now, __u64 *packets, __u64 *bytes)
{
	struct agg_value *v = verdict->value;

	if (!v) {
		*packets = 1;
		*bytes = pkt->len;
		return;
	}
	/* subtract what we read rather than zeroing: increments racing with us stay counted */
	__u64 p = v->packets;
	__u64 b = v->bytes;
	__sync_fetch_and_add(&v->packets, -p);
	__sync_fetch_and_add(&v->bytes, -b);
	*packets = p;
	*bytes = b;
	if (pkt->tuple.proto == IPPROTO_TCP && pkt->has_l4)
		__sync_fetch_and_or(&v->flags_seen[(pkt->tcp_flags >> 6) & 3],
				    1ULL << (pkt->tcp_flags & 63));
	v->last_report_ns = now;
}

#endif /* FLOWS_AGGREGATE_H */
