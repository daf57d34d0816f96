/* pod.c: tc programs on the host side of a pod's veth.
 *
 * from_pod runs on the veth's ingress (packets the pod sends), to_pod on its egress (packets
 * delivered to the pod). In datapath mode from_pod balances requests to service frontends (DNAT)
 * and to_pod turns replies' backend source back into the frontend; see xlate.h. Network policy
 * is enforced after that: egress of the sending pod at from_pod (against the chosen backend),
 * ingress of the receiving pod at to_pod; see policy.h. In observe mode both only observe.
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

char LICENSE[] SEC("license") = "GPL";
