/* trace.h: how every observation point reports a packet, or its drop.
 *
 * Offers struct hook_result (what a hook decided for a packet: its service, the translations it
 * applied, whether one was decided just now), trace_report() (count the packet in the aggregation
 * table and, when aggregation says so or a decision was taken, write one struct trace_event with
 * the tuple before and after the hook), trace_flush() (one event with the counters a key has not
 * reported, see aggregate.h) and drop_report() (one struct drop_event, never
 * aggregated). Also makes every struct and enum of flows_event.h and config.h part of the
 * object's BTF, which the collector's layout test reads.
 */
#ifndef FLOWS_TRACE_H
#define FLOWS_TRACE_H

#include "aggregate.h"
#include "config.h"
#include "conntrack.h"
#include "events.h"
#include "flows_event.h"
#include "lb.h"
#include "nat.h"
#include "parse.h"

/* Unused typed globals (as libbpf-tools do) so BTF describes the layout twins check against. */
struct event_header *flows_btf_event_header __attribute__((unused));
struct flow_tuple *flows_btf_flow_tuple __attribute__((unused));
struct trace_event *flows_btf_trace_event __attribute__((unused));
struct drop_event *flows_btf_drop_event __attribute__((unused));
struct policy_verdict_event *flows_btf_policy_verdict_event __attribute__((unused));
struct flows_config *flows_btf_flows_config __attribute__((unused));
struct ct_entry *flows_btf_ct_entry __attribute__((unused));
struct nat_entry *flows_btf_nat_entry __attribute__((unused));
struct lb_key *flows_btf_lb_key __attribute__((unused));
struct lb_service *flows_btf_lb_service __attribute__((unused));
struct lb_backend_key *flows_btf_lb_backend_key __attribute__((unused));
struct lb_backend *flows_btf_lb_backend __attribute__((unused));
struct lb_revnat *flows_btf_lb_revnat __attribute__((unused));
struct lb_maglev *flows_btf_lb_maglev __attribute__((unused));
struct agg_key *flows_btf_agg_key __attribute__((unused));
struct agg_value *flows_btf_agg_value __attribute__((unused));
enum flows_event_type flows_btf_event_type __attribute__((unused));
enum flows_obs_point flows_btf_obs_point __attribute__((unused));
enum flows_report_reason flows_btf_report_reason __attribute__((unused));
enum flows_direction flows_btf_direction __attribute__((unused));
enum flows_ct_state flows_btf_ct_state __attribute__((unused));
enum flows_xlate flows_btf_xlate __attribute__((unused));
enum flows_drop_reason flows_btf_drop_reason __attribute__((unused));
enum flows_policy_match flows_btf_policy_match __attribute__((unused));
enum flows_policy_action flows_btf_policy_action __attribute__((unused));
enum flows_aggregation_level flows_btf_aggregation_level __attribute__((unused));
enum flows_mode flows_btf_mode __attribute__((unused));
enum ct_flags flows_btf_ct_flags __attribute__((unused));
enum lb_flags flows_btf_lb_flags __attribute__((unused));

/* What a hook did with a packet. */
struct hook_result {
	__u32 service_id; /* service frontend of the connection, 0 = none */
	__u8 xlate;       /* enum flows_xlate bits applied */
	__u8 decision;    /* a translation was decided for this packet: report it whatever aggregation says */
	__u8 drop;        /* enum flows_drop_reason, 0 = the packet goes on */
};

static __always_inline void hdr_fill(struct event_header *h, __u32 ifindex, __u16 len, __u8 type, __u8 subtype,
				     __u8 obs_point, __u64 now)
{
	h->ts_ns = now;
	h->ifindex = ifindex;
	h->len = len;
	h->type = type;
	h->subtype = subtype;
	h->version = FLOWS_EVENT_VERSION;
	h->obs_point = obs_point;
	__builtin_memset(h->pad, 0, sizeof(h->pad));
}

/* Keeps what a flush of this key will say besides its counters: the last reported packet's. */
static __always_inline void agg_keep(struct agg_value *v, const struct packet *before, const struct packet *after,
				     const struct ct_result *ct, const struct hook_result *res)
{
	__builtin_memcpy(&v->xlate_tuple, &after->tuple, sizeof(v->xlate_tuple));
	__builtin_memcpy(v->smac, before->smac, ETH_ALEN);
	__builtin_memcpy(v->dmac, before->dmac, ETH_ALEN);
	v->service_id = res->service_id;
	v->direction = ct->direction;
	v->xlate = res->xlate;
	v->ct_state = ct->entry ? ct->entry->state : CT_NONE;
	v->tcp_flags = before->tcp_flags;
}

/*
 * One REPORT_FLUSH event with the counters key has not reported yet, if any. Returns 1 when an
 * event was written, 0 when there was nothing to write, -1 when the ring was full (the event is
 * counted in events_lost and the counters stay for the next report).
 */
static __always_inline int trace_flush(const struct agg_key *key, struct agg_value *v, __u64 now)
{
	if (v->packets == 0)
		return 0;
	struct trace_event *e = events_reserve(sizeof(*e));
	if (!e)
		return -1;
	__u64 packets, bytes;
	agg_take(v, &packets, &bytes);

	hdr_fill(&e->hdr, key->ifindex, sizeof(*e), FLOWS_EVENT_TRACE, key->obs_point, key->obs_point, now);
	__builtin_memcpy(&e->tuple, &key->tuple, sizeof(e->tuple));
	__builtin_memcpy(e->smac, v->smac, ETH_ALEN);
	__builtin_memcpy(e->dmac, v->dmac, ETH_ALEN);
	e->tcp_flags = v->tcp_flags;
	e->reason = REPORT_FLUSH;
	e->icmp_type = 0;
	e->icmp_code = 0;
	e->pkt_len = 0; /* no packet triggered it */
	e->direction = v->direction;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	e->packets = packets;
	e->bytes = bytes;
	__builtin_memcpy(&e->xlate_tuple, &v->xlate_tuple, sizeof(e->xlate_tuple));
	e->service_id = v->service_id;
	e->xlate = v->xlate;
	e->ct_state = v->ct_state;
	__builtin_memset(e->pad2, 0, sizeof(e->pad2));
	events_submit(e, sizeof(*e));
	return 1;
}

/* before: the packet as it reached the hook; after: as it leaves it. */
static __always_inline void trace_report(struct __sk_buff *skb, __u8 obs_point, const struct packet *before,
					 const struct packet *after, const struct ct_result *ct,
					 const struct hook_result *res, __u64 now)
{
	__u32 ifindex = skb->ifindex;
	struct agg_verdict verdict = { .reason = REPORT_EVERY };
	if (agg_on()) {
		struct agg_key key;
		struct agg_value *v = agg_lookup(&key, before, ifindex, obs_point);
		if (!v)
			goto report; /* no room for the key (LRU evicts, so hardly ever): report it alone */
		__u64 created = agg_ct_created(ct);
		if (agg_new_life(v, before, created)) {
			/* the old life's last packets are reported as its own, not as the new one's */
			trace_flush(&key, v, now);
			agg_restart(v, created);
		}
		verdict = agg_count(v, before, now);
	}
report:
	if (res->decision)
		verdict.reason = REPORT_DECISION;
	if (!verdict.reason)
		return;
	if (verdict.value)
		agg_keep(verdict.value, before, after, ct, res);

	struct trace_event *e = events_reserve(sizeof(*e));
	if (!e)
		return;
	__u64 packets, bytes;
	agg_commit(&verdict, before, now, &packets, &bytes);

	hdr_fill(&e->hdr, ifindex, sizeof(*e), FLOWS_EVENT_TRACE, obs_point, obs_point, now);
	__builtin_memcpy(&e->tuple, &before->tuple, sizeof(e->tuple));
	__builtin_memcpy(e->smac, before->smac, ETH_ALEN);
	__builtin_memcpy(e->dmac, before->dmac, ETH_ALEN);
	e->tcp_flags = before->tcp_flags;
	e->reason = verdict.reason;
	e->icmp_type = before->icmp_type;
	e->icmp_code = before->icmp_code;
	e->pkt_len = before->len;
	e->direction = ct->direction;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	e->packets = packets;
	e->bytes = bytes;
	__builtin_memcpy(&e->xlate_tuple, &after->tuple, sizeof(e->xlate_tuple));
	e->service_id = res->service_id;
	e->xlate = res->xlate;
	e->ct_state = ct->entry ? ct->entry->state : CT_NONE;
	__builtin_memset(e->pad2, 0, sizeof(e->pad2));
	events_submit(e, sizeof(*e));
}

static __always_inline void drop_report(struct __sk_buff *skb, __u8 obs_point, const struct packet *pkt, __u8 reason,
					__u32 service_id, __u64 now)
{
	struct drop_event *e = events_reserve(sizeof(*e));
	if (!e)
		return;
	hdr_fill(&e->hdr, skb->ifindex, sizeof(*e), FLOWS_EVENT_DROP, reason, obs_point, now);
	__builtin_memcpy(&e->tuple, &pkt->tuple, sizeof(e->tuple));
	__builtin_memcpy(e->smac, pkt->smac, ETH_ALEN);
	__builtin_memcpy(e->dmac, pkt->dmac, ETH_ALEN);
	e->tcp_flags = pkt->tcp_flags;
	e->icmp_type = pkt->icmp_type;
	e->icmp_code = pkt->icmp_code;
	e->pad = 0;
	e->pkt_len = pkt->len;
	e->service_id = service_id;
	events_submit(e, sizeof(*e));
}

#endif /* FLOWS_TRACE_H */
