/* uplink.c: tc programs on the node's uplink.
 *
 * from_network runs on the uplink's ingress (packets arriving from other nodes or outside),
 * to_network on its egress. In datapath mode from_network undoes masquerading of replies and
 * balances NodePort requests to this node's address, masquerading them when the backend runs on
 * another node; to_network masquerades pods' requests that leave the cluster and turns NodePort
 * replies' source back into the node's frontend. See xlate.h. In observe mode both only observe.
 * In datapath mode they also carry a service connection's frontend to its backend's node: to_network
 * adds it to the first packets of a connection DNATed to another node, from_network takes it off
 * and names the service in the connection's entry. See svcopt.h.
 */
#include <linux/pkt_cls.h>

#include "svcopt.h"
#include "xlate.h"

/* NodePort: DNAT to the backend, SNAT too when the backend is not a pod of this node. */
static __always_inline struct ct_entry *nodeport(struct __sk_buff *skb, struct packet *pkt, __u64 now,
						 struct hook_result *res)
{
	__u32 daddr;
	__builtin_memcpy(&daddr, pkt->tuple.daddr, 4);
	if (daddr != flows_cfg.node_ip)
		return NULL;
	struct lb_service *svc = lb_lookup(pkt);
	if (!svc || !(svc->flags & LB_F_NODEPORT))
		return NULL;
	return xlate_dnat(skb, pkt, svc, now, res);
}

/*
 * A NodePort request masqueraded to another node has this node's address as its source: the
 * stack would drop it as martian. Route it ourselves (FIB lookup, new MACs) out of the interface
 * towards the backend. TTL is left as is: to the client this node is the service, not a hop.
 */
static __always_inline int nodeport_forward(struct __sk_buff *skb, const struct packet *pkt)
{
	struct bpf_fib_lookup fib = {
		.family = 2, /* AF_INET */
		.l4_protocol = pkt->tuple.proto,
		.sport = bpf_htons(pkt->tuple.sport),
		.dport = bpf_htons(pkt->tuple.dport),
		.tot_len = skb->len - ETH_HLEN,
		.ifindex = skb->ifindex,
	};
	__builtin_memcpy(&fib.ipv4_src, pkt->tuple.saddr, 4);
	__builtin_memcpy(&fib.ipv4_dst, pkt->tuple.daddr, 4);
	if (bpf_fib_lookup(skb, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return TC_ACT_OK; /* no neighbour yet: let the stack try (and resolve it) */
	if (bpf_skb_store_bytes(skb, 0, fib.dmac, ETH_ALEN, 0) < 0 ||
	    bpf_skb_store_bytes(skb, ETH_ALEN, fib.smac, ETH_ALEN, 0) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(fib.ifindex, 0);
}

SEC("tc")
int from_network(struct __sk_buff *skb)
{
	struct packet pkt = {};
	struct hook_result res = {};
	struct ct_entry *svc_entry = NULL;
	__u64 now = bpf_ktime_get_boot_ns();

	if (parse_packet(skb, &pkt) < 0)
		return TC_ACT_OK;
	struct packet before = pkt;
	__u32 carried = 0;
	if (xlate_on() && svcopt_take(skb, &pkt, &carried) < 0) {
		res.drop = DROP_ERROR_WRITING_TO_PACKET;
		return xlate_verdict(skb, OBS_FROM_NETWORK, &before, &res, now);
	}
	if (xlate_on() && nat_applies(&pkt)) {
		int r = nat_rev_snat(skb, &pkt, now);
		if (r < 0)
			res.drop = DROP_ERROR_WRITING_TO_PACKET;
		else if (r > 0)
			res.xlate |= XLATE_REV_SNAT;
		else
			svc_entry = nodeport(skb, &pkt, now, &res);
		if (res.drop)
			return xlate_verdict(skb, OBS_FROM_NETWORK, &before, &res, now);
	}
	struct ct_result ct = ct_track(&pkt, now);
	if (svc_entry) {
		xlate_mark(&ct, svc_entry);
		__u32 backend;
		__builtin_memcpy(&backend, pkt.tuple.daddr, 4);
		if (!cfg_in(backend, flows_cfg.node_pod_cidr, flows_cfg.node_pod_mask)) {
			int r = nat_snat(skb, &pkt, now);
			if (r < 0) {
				res.drop = -r;
				return xlate_verdict(skb, OBS_FROM_NETWORK, &before, &res, now);
			}
			res.xlate |= XLATE_SNAT;
			trace_report(skb, OBS_FROM_NETWORK, &before, &pkt, &ct, &res, now);
			return nodeport_forward(skb, &pkt);
		}
	} else if (ct.entry && !res.service_id) {
		if (xlate_on())
			svcopt_keep(&pkt, &ct, carried);
		res.service_id = ct.entry->service_id;
	}
	trace_report(skb, OBS_FROM_NETWORK, &before, &pkt, &ct, &res, now);
	return TC_ACT_OK;
}

SEC("tc")
int to_network(struct __sk_buff *skb)
{
	struct packet pkt = {};
	struct hook_result res = {};
	__u64 now = bpf_ktime_get_boot_ns();

	if (parse_packet(skb, &pkt) < 0)
		return TC_ACT_OK;
	struct packet before = pkt;
	struct ct_result ct = ct_track(&pkt, now);
	if (xlate_on()) {
		xlate_rev_dnat(skb, &pkt, &ct, &res);
		if (!res.xlate && !res.drop && ct.direction == DIR_REQUEST && nat_applies(&pkt) &&
		    xlate_leaves_cluster(&pkt)) {
			int r = nat_snat(skb, &pkt, now);
			if (r < 0)
				res.drop = -r;
			else
				res.xlate |= XLATE_SNAT;
			res.decision = r > 0;
		}
		if (!res.drop && svcopt_add(skb, &pkt, &ct) < 0)
			res.drop = DROP_ERROR_WRITING_TO_PACKET;
	} else if (ct.entry) {
		res.service_id = ct.entry->service_id;
	}
	if (res.drop)
		return xlate_verdict(skb, OBS_TO_NETWORK, &before, &res, now);
	trace_report(skb, OBS_TO_NETWORK, &before, &pkt, &ct, &res, now);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
