/* trace.h: what every observation point does with a packet.
 *
 * Offers trace_observe(): parse the frame, find its direction in the connection table, count it
 * in the aggregation table, and when aggregation says so write one struct trace_event into the
 * ring. Also makes every struct and enum of flows_event.h and config.h part of the object's BTF,
 * which the collector's layout test reads.
 */
#ifndef FLOWS_TRACE_H
#define FLOWS_TRACE_H

#include "aggregate.h"
#include "config.h"
#include "conntrack.h"
#include "events.h"
#include "flows_event.h"
#include "parse.h"

/* Unused typed globals (as libbpf-tools do) so BTF describes the layout twins check against. */
struct event_header *flows_btf_event_header __attribute__((unused));
struct flow_tuple *flows_btf_flow_tuple __attribute__((unused));
struct trace_event *flows_btf_trace_event __attribute__((unused));
struct flows_config *flows_btf_flows_config __attribute__((unused));
enum flows_event_type flows_btf_event_type __attribute__((unused));
enum flows_obs_point flows_btf_obs_point __attribute__((unused));
enum flows_report_reason flows_btf_report_reason __attribute__((unused));
enum flows_direction flows_btf_direction __attribute__((unused));
enum flows_aggregation_level flows_btf_aggregation_level __attribute__((unused));

static __always_inline void trace_observe(struct __sk_buff *skb, __u8 obs_point)
{
	struct packet pkt = {};
	__u64 now = bpf_ktime_get_boot_ns();
	__u32 ifindex = skb->ifindex;

	if (parse_packet(skb, &pkt) < 0)
		return;
	__u8 direction = ct_direction(&pkt, now);
	struct agg_verdict verdict = agg_observe(&pkt, ifindex, obs_point, now);
	if (!verdict.reason)
		return;

	struct trace_event *e = events_reserve(sizeof(*e));
	if (!e)
		return;
	__u64 packets, bytes;
	agg_commit(&verdict, &pkt, now, &packets, &bytes);

	e->hdr.ts_ns = now;
	e->hdr.ifindex = ifindex;
	e->hdr.len = sizeof(*e);
	e->hdr.type = FLOWS_EVENT_TRACE;
	e->hdr.subtype = obs_point;
	e->hdr.version = FLOWS_EVENT_VERSION;
	e->hdr.obs_point = obs_point;
	__builtin_memset(e->hdr.pad, 0, sizeof(e->hdr.pad));
	__builtin_memcpy(&e->tuple, &pkt.tuple, sizeof(e->tuple));
	__builtin_memcpy(e->smac, pkt.smac, ETH_ALEN);
	__builtin_memcpy(e->dmac, pkt.dmac, ETH_ALEN);
	e->tcp_flags = pkt.tcp_flags;
	e->reason = verdict.reason;
	e->icmp_type = pkt.icmp_type;
	e->icmp_code = pkt.icmp_code;
	e->pkt_len = pkt.len;
	e->direction = direction;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	e->packets = packets;
	e->bytes = bytes;
	events_submit(e, sizeof(*e));
}

#endif /* FLOWS_TRACE_H */
