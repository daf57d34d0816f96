/* pod.c: tc programs on the host side of a pod's veth.
 *
 * from_pod runs on the veth's ingress (packets the pod sends), to_pod on its egress (packets
 * delivered to the pod). In datapath mode from_pod balances requests to service frontends (DNAT)
 * and to_pod turns replies' backend source back into the frontend; see xlate.h. Network policy
 * is enforced after that: egress of the sending pod at from_pod (against the chosen backend),
 * ingress of the receiving pod at to_pod; see policy.h. In observe mode both only observe.
 *
 * agg_flush is attached nowhere: the collector runs it with BPF_PROG_TEST_RUN every quarter of
 * the aggregation interval. It writes the counters that keys of flows_agg (shared by every program
 * of the node) left unreported when their interval ended (aggregate.h), removes keys long idle, and
 * returns how many events it wrote; the ring's own loss counter counts those it could not.
 */
#include <linux/pkt_cls.h>

#include "policy.h"
#include "xlate.h"

SEC("tc")
int from_pod(struct __sk_buff *skb)
{
	struct packet pkt = {};
	struct hook_result res = {};
	struct ct_entry *svc_entry = NULL;
	__u64 now = bpf_ktime_get_boot_ns();

	if (parse_packet(skb, &pkt) < 0)
		return TC_ACT_OK;
	struct packet before = pkt;
	if (xlate_on() && nat_applies(&pkt)) {
		struct lb_service *svc = lb_lookup(&pkt);
		if (svc) {
			svc_entry = xlate_dnat(skb, &pkt, svc, now, &res);
			if (!svc_entry)
				return xlate_verdict(skb, OBS_FROM_ENDPOINT, &before, &res, now);
		}
	}
	struct ct_result ct = ct_track(&pkt, now);
	if (svc_entry)
		xlate_mark(&ct, svc_entry);
	else if (ct.entry)
		res.service_id = ct.entry->service_id;
	res.drop = policy_enforce(skb, OBS_FROM_ENDPOINT, FLOWS_POLICY_EGRESS, &pkt, &ct, now);
	if (res.drop)
		return xlate_verdict(skb, OBS_FROM_ENDPOINT, &pkt, &res, now);
	trace_report(skb, OBS_FROM_ENDPOINT, &before, &pkt, &ct, &res, now);
	return TC_ACT_OK;
}

SEC("tc")
int to_pod(struct __sk_buff *skb)
{
	struct packet pkt = {};
	struct hook_result res = {};
	__u64 now = bpf_ktime_get_boot_ns();

	if (parse_packet(skb, &pkt) < 0)
		return TC_ACT_OK;
	struct packet before = pkt;
	struct ct_result ct = ct_track(&pkt, now);
	if (xlate_on())
		xlate_rev_dnat(skb, &pkt, &ct, &res);
	else if (ct.entry)
		res.service_id = ct.entry->service_id;
	if (res.drop)
		return xlate_verdict(skb, OBS_TO_ENDPOINT, &before, &res, now);
	res.drop = policy_enforce(skb, OBS_TO_ENDPOINT, FLOWS_POLICY_INGRESS, &pkt, &ct, now);
	if (res.drop)
		return xlate_verdict(skb, OBS_TO_ENDPOINT, &pkt, &res, now);
	trace_report(skb, OBS_TO_ENDPOINT, &before, &pkt, &ct, &res, now);
	return TC_ACT_OK;
}

struct agg_flush_ctx {
	__u64 now;
	__u32 written;
};

static long agg_flush_one(void *map, struct agg_key *key, struct agg_value *v, struct agg_flush_ctx *ctx)
{
	__u64 interval = flows_cfg.aggregation_interval_ns;
	/* each report is stamped when it is written, not when the walk began: packets reported on
	 * other CPUs during a long walk would otherwise come before it in the ring with later times,
	 * and a node's history would leave time order */
	ctx->now = bpf_ktime_get_boot_ns();
	if (v->packets == 0) {
		if (ctx->now - v->last_seen_ns > AGG_IDLE_INTERVALS * interval)
			bpf_map_delete_elem(&flows_agg, key);
		return 0;
	}
	if (ctx->now - v->last_report_ns < interval)
		return 0;
	if (trace_flush(key, v, ctx->now) > 0) {
		ctx->written++;
		/* the next interval starts now; a life whose first report was lost keeps asking for it */
		if (v->last_report_ns != 0)
			v->last_report_ns = ctx->now;
	}
	return 0;
}

SEC("tc")
int agg_flush(struct __sk_buff *skb)
{
	struct agg_flush_ctx ctx = { 0 };
	bpf_for_each_map_elem(&flows_agg, agg_flush_one, &ctx, 0);
	return ctx.written;
}

char LICENSE[] SEC("license") = "GPL";
