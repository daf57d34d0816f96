/* xlate.h: the translation steps of the hooks, in datapath mode.
 *
 * Offers xlate_dnat() (a request to a service frontend: the backend kept in the connection's
 * service entry, or a new choice, then DNAT), xlate_mark() (the translated connection's entry
 * learns its service and rev-NAT index), xlate_rev_dnat() (a reply of a DNATed connection gets
 * the frontend back as its source) and xlate_leaves_cluster() (whether a request from a pod to
 * this address is masqueraded). Where each runs:
 *
 *   from_pod      service DNAT (ClusterIP, or this node's NodePort)
 *   to_pod        reverse DNAT of replies to a client on this node
 *   from_network  reverse SNAT of replies to the node address; NodePort DNAT, plus SNAT when the
 *                 backend is on another node (so its reply comes back through us)
 *   to_network    reverse DNAT of replies of NodePort connections; SNAT of pods' requests that
 *                 leave the cluster
 *
 * Reverse DNAT happens where the reply reaches the client's node (the node that chose the
 * backend), whether the backend ran on the same node or another.
 */
#ifndef FLOWS_XLATE_H
#define FLOWS_XLATE_H

#include <linux/pkt_cls.h>

#include "trace.h"

static __always_inline int xlate_on(void)
{
	return flows_cfg.mode == MODE_DATAPATH;
}

/*
 * DNATs a request to svc. Returns the connection's service entry, or NULL with res->drop set.
 * pkt follows the rewrite.
 */
static __always_inline struct ct_entry *xlate_dnat(struct __sk_buff *skb, struct packet *pkt, struct lb_service *svc,
						   __u64 now, struct hook_result *res)
{
	__u32 id = svc->id;
	int bare_syn = pkt->tuple.proto == IPPROTO_TCP && (pkt->tcp_flags & TCP_FLAG_SYN) &&
		       !(pkt->tcp_flags & TCP_FLAG_ACK);
	res->service_id = id;
	struct ct_entry *s = ct_lookup(&pkt->tuple, now);
	if (s && (!(s->flags & CT_F_SERVICE) || (bare_syn && s->state != CT_NEW)))
		s = NULL; /* a reused tuple opens a new connection: choose again */
	if (!s) {
		__u32 slot = lb_select(svc, &pkt->tuple);
		struct lb_backend *be = slot ? lb_backend(id, slot) : NULL;
		if (!be) {
			res->drop = DROP_SERVICE_BACKEND_NOT_FOUND;
			return NULL;
		}
		__u32 addr = be->addr;
		__u16 port = be->port;
		s = ct_create(&pkt->tuple, now, CT_NEW);
		if (!s) {
			res->drop = DROP_CT_MAP_INSERTION_FAILED;
			return NULL;
		}
		s->flags = CT_F_SERVICE;
		s->service_id = id;
		s->rev_nat_index = id;
		s->backend_ip = addr;
		s->backend_port = port;
		res->decision = 1;
	}
	if (nat_rewrite(skb, pkt, 0, s->backend_ip, s->backend_port)) {
		res->drop = DROP_ERROR_WRITING_TO_PACKET;
		return NULL;
	}
	res->xlate |= XLATE_DNAT;
	return s;
}

/* After ct_track of a DNATed packet: its entry carries the service; the service entry lives as long. */
static __always_inline void xlate_mark(struct ct_result *ct, struct ct_entry *svc_entry)
{
	struct ct_entry *e = ct->entry;
	if (!e)
		return;
	e->flags |= CT_F_DNAT;
	e->service_id = svc_entry->service_id;
	e->rev_nat_index = svc_entry->rev_nat_index;
	svc_entry->state = e->state;
	svc_entry->last_seen_ns = e->last_seen_ns;
	svc_entry->expires_ns = e->expires_ns;
}

/* A reply of a connection DNATed on this node: its source becomes the frontend again. */
static __always_inline void xlate_rev_dnat(struct __sk_buff *skb, struct packet *pkt, const struct ct_result *ct,
					   struct hook_result *res)
{
	struct ct_entry *e = ct->entry;
	if (!e)
		return;
	res->service_id = e->service_id;
	if (ct->direction != DIR_REPLY || !(e->flags & CT_F_DNAT) || !nat_applies(pkt))
		return;
	__u32 index = e->rev_nat_index;
	struct lb_revnat *rn = bpf_map_lookup_elem(&flows_lb_revnat, &index);
	if (!rn)
		return; /* the service is gone: nothing to translate back to */
	if (nat_rewrite(skb, pkt, 1, rn->addr, rn->port)) {
		res->drop = DROP_ERROR_WRITING_TO_PACKET;
		return;
	}
	res->xlate |= XLATE_REV_DNAT;
}

/* A pod's request to an address outside the pods and nodes of the cluster. */
static __always_inline int xlate_leaves_cluster(const struct packet *pkt)
{
	__u32 s, d;
	__builtin_memcpy(&s, pkt->tuple.saddr, 4);
	__builtin_memcpy(&d, pkt->tuple.daddr, 4);
	return flows_cfg.node_ip != 0 && cfg_in(s, flows_cfg.cluster_cidr, flows_cfg.cluster_mask) &&
	       !cfg_in(d, flows_cfg.cluster_cidr, flows_cfg.cluster_mask) &&
	       !cfg_in(d, flows_cfg.node_net_cidr, flows_cfg.node_net_mask) && d != flows_cfg.node_ip;
}

/* The tc verdict for a hook's result, reporting a drop. */
static __always_inline int xlate_verdict(struct __sk_buff *skb, __u8 obs_point, const struct packet *pkt,
					 const struct hook_result *res, __u64 now)
{
	if (!res->drop)
		return TC_ACT_OK;
	drop_report(skb, obs_point, pkt, res->drop, res->service_id, now);
	return TC_ACT_SHOT;
}

#endif /* FLOWS_XLATE_H */
