/* aggregate.h: in-kernel aggregation of trace events, on the life of each connection.
 *
 * Offers the LRU map flows_agg, keyed by the packet's tuple (as it reached the hook), observation
 * point and ifindex, and the steps trace.h takes for each packet:
 *   agg_lookup()    the key's state, created on its first packet
 *   agg_new_life()  whether this packet starts a new life on the key: the connection's conntrack
 *                   entry is another one than the key last saw (created_ns differs: the tuple was
 *                   reused after a close or an expiry), or it is a TCP SYN without ACK. Then the
 *                   caller flushes what the old life left unreported and calls agg_restart()
 *   agg_count()     counts the packet and tells whether (and why) to report it: the first packet
 *                   of the life (REPORT_FIRST; each direction has its own key, so both directions'
 *                   first packets are reported), a TCP flag byte not seen in this life
 *                   (REPORT_NEW_FLAGS; an exact 256-bit set), or the first packet once the
 *                   aggregation interval has passed since the last report (REPORT_INTERVAL)
 *   agg_commit()    takes the counters since the last report; call it only after the ring
 *                   reservation succeeded, so a lost event leaves its flags unseen and its
 *                   counters for the next report
 * Counters that no later packet reports are written by the agg_flush program (pod.c), which the
 * collector runs every quarter interval: every key whose interval ended with packets unreported
 * gets a REPORT_FLUSH event carrying them, from the metadata the key's last report kept. So every
 * packet counted here is in some event's counters. The same walk removes keys with nothing to
 * report and no packet for AGG_IDLE_INTERVALS intervals, so the map holds the connections of the
 * last moments, not every tuple ever seen, and LRU never has to evict a key with counters (a key
 * that comes back later starts a new life: its next packet is a first again). With AGG_NONE every packet is reported
 * (REPORT_EVERY) and nothing is stored.
 */
#ifndef FLOWS_AGGREGATE_H
#define FLOWS_AGGREGATE_H

#include "config.h"
#include "conntrack.h"
#include "parse.h"

#define AGG_MAX_ENTRIES 65536
#define AGG_IDLE_INTERVALS 4

struct agg_key {
	struct flow_tuple tuple;
	__u32 ifindex;
	__u8 obs_point;
	__u8 pad[3];
};

struct agg_value {
	__u64 packets;        /* since the last report */
	__u64 bytes;
	__u64 last_report_ns; /* 0: not reported in this life */
	__u64 ct_created_ns;  /* created_ns of the conntrack entry of this life; 0 = untracked */
	__u64 last_seen_ns;   /* the last packet counted */
	__u64 flags_seen[4];  /* bit f set: TCP flag byte f was reported in this life */
	/* What a flush event says besides the counters: kept from the last packet reported
	 * (tcp_flags: from the last packet counted). */
	struct flow_tuple xlate_tuple;
	__u8 smac[6];
	__u8 dmac[6];
	__u32 service_id;
	__u8 direction;
	__u8 xlate;
	__u8 ct_state;
	__u8 tcp_flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, AGG_MAX_ENTRIES);
	__type(key, struct agg_key);
	__type(value, struct agg_value);
} flows_agg SEC(".maps");

/* A decision of agg_count(). */
struct agg_verdict {
	struct agg_value *value; /* NULL with AGG_NONE */
	__u8 reason;             /* enum flows_report_reason, 0 = do not report */
};

static __always_inline int agg_on(void)
{
	return flows_cfg.aggregation_level != AGG_NONE;
}

static __always_inline int agg_flags_seen(struct agg_value *v, __u8 flags)
{
	return (v->flags_seen[(flags >> 6) & 3] >> (flags & 63)) & 1;
}

static __always_inline __u64 agg_ct_created(const struct ct_result *ct)
{
	return ct->entry ? ct->entry->created_ns : 0;
}

/* The state of key, created empty if absent (then it starts a life at once). */
static __always_inline struct agg_value *agg_lookup(struct agg_key *key, const struct packet *pkt, __u32 ifindex,
						    __u8 obs_point)
{
	__builtin_memset(key, 0, sizeof(*key));
	__builtin_memcpy(&key->tuple, &pkt->tuple, sizeof(key->tuple));
	key->ifindex = ifindex;
	key->obs_point = obs_point;
	struct agg_value *v = bpf_map_lookup_elem(&flows_agg, key);
	if (!v) {
		struct agg_value init = {};
		/* NOEXIST: another CPU may have created it meanwhile; then count into theirs */
		bpf_map_update_elem(&flows_agg, key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&flows_agg, key);
	}
	return v;
}

static __always_inline int agg_new_life(const struct agg_value *v, const struct packet *pkt, __u64 ct_created)
{
	if (v->ct_created_ns != ct_created)
		return 1;
	return pkt->tuple.proto == IPPROTO_TCP && pkt->has_l4 && (pkt->tcp_flags & TCP_FLAG_SYN) &&
	       !(pkt->tcp_flags & TCP_FLAG_ACK);
}

/* Forgets the flags and the report time of the old life (its counters were flushed). */
static __always_inline void agg_restart(struct agg_value *v, __u64 ct_created)
{
	v->last_report_ns = 0;
	v->ct_created_ns = ct_created;
	v->flags_seen[0] = 0;
	v->flags_seen[1] = 0;
	v->flags_seen[2] = 0;
	v->flags_seen[3] = 0;
}

static __always_inline struct agg_verdict agg_count(struct agg_value *v, const struct packet *pkt, __u64 now)
{
	struct agg_verdict verdict = { .value = v };

	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, pkt->len);
	v->tcp_flags = pkt->tcp_flags; /* a flush names the flags of the last packet it counts */
	v->last_seen_ns = now;
	if (v->last_report_ns == 0)
		verdict.reason = REPORT_FIRST;
	else if (pkt->tuple.proto == IPPROTO_TCP && pkt->has_l4 && !agg_flags_seen(v, pkt->tcp_flags))
		verdict.reason = REPORT_NEW_FLAGS;
	else if (now - v->last_report_ns >= flows_cfg.aggregation_interval_ns)
		verdict.reason = REPORT_INTERVAL;
	return verdict;
}

/* Takes the counters since the last report into packets and bytes. */
static __always_inline void agg_take(struct agg_value *v, __u64 *packets, __u64 *bytes)
{
	/* subtract what we read rather than zeroing: increments racing with us stay counted */
	__u64 p = v->packets;
	__u64 b = v->bytes;
	__sync_fetch_and_add(&v->packets, -p);
	__sync_fetch_and_add(&v->bytes, -b);
	*packets = p;
	*bytes = b;
}

/* Takes the counters since the last report and marks the report done. */
static __always_inline void agg_commit(struct agg_verdict *verdict, const struct packet *pkt, __u64 now,
				       __u64 *packets, __u64 *bytes)
{
	struct agg_value *v = verdict->value;

	if (!v) {
		*packets = 1;
		*bytes = pkt->len;
		return;
	}
	agg_take(v, packets, bytes);
	if (pkt->tuple.proto == IPPROTO_TCP && pkt->has_l4)
		__sync_fetch_and_or(&v->flags_seen[(pkt->tcp_flags >> 6) & 3], 1ULL << (pkt->tcp_flags & 63));
	v->last_report_ns = now;
}

#endif /* FLOWS_AGGREGATE_H */
