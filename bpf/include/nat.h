/* nat.h: rewriting addresses and ports of IPv4 TCP/UDP packets, and the masquerade table.
 *
 * Offers nat_rewrite() (one address and port, source or destination, with the IP header checksum
 * and the TCP/UDP checksum, pseudo-header included, updated incrementally; a UDP checksum of 0
 * means "none" and stays 0) and nat_snat() / nat_rev_snat() over the LRU map flows_nat:
 *   forward key  (pod:port -> peer:port)      -> the node address and port it leaves with
 *   reverse key  (peer:port -> node:natport)  -> the pod address and port replies go back to
 * The node port is the pod's own port when free, else one of NAT_PORT_TRIES ports hashed from the
 * tuple in NAT_PORT_MIN..65535; the reverse entry is inserted with BPF_NOEXIST, so two connections
 * never share one. Entries live as long as an established connection of their protocol may idle
 * (flows_cfg), refreshed by each packet; the collector sweeps expired ones.
 */
#ifndef FLOWS_NAT_H
#define FLOWS_NAT_H

#include <stddef.h>

#include "config.h"
#include "conntrack.h"
#include "lb.h"
#include "parse.h"

#define NAT_MAX_ENTRIES 65536
#define NAT_PORT_MIN 32768
#define NAT_PORT_TRIES 16

/* Value of flows_nat. Java twin: collector/.../bpf/MapLayout.java (checked against BTF). */
struct nat_entry {
	__u64 expires_ns; /* boot clock */
	__u32 addr;       /* forward: the node address; reverse: the pod address (network order) */
	__u16 port;       /* host order */
	__u8 reverse;     /* 1: rewrite the destination of a reply; 0: the source of a request */
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NAT_MAX_ENTRIES);
	__type(key, struct flow_tuple);
	__type(value, struct nat_entry);
} flows_nat SEC(".maps");

/* Rewrites the source (or destination) address and port; 0 on success. The tuple follows. */
static __always_inline int nat_rewrite(struct __sk_buff *skb, struct packet *pkt, int source, __u32 addr, __u16 port)
{
	__u32 old_addr;
	__u8 *at = source ? pkt->tuple.saddr : pkt->tuple.daddr;
	__builtin_memcpy(&old_addr, at, 4);
	__u16 old_port = source ? pkt->tuple.sport : pkt->tuple.dport;
	__be16 old_port_be = bpf_htons(old_port);
	__be16 new_port_be = bpf_htons(port);
	__u32 l4 = pkt->l4_off;
	__u32 csum_off = l4 + (pkt->tuple.proto == IPPROTO_TCP ? offsetof(struct tcphdr, check)
							       : offsetof(struct udphdr, check));
	__u64 mangled = pkt->tuple.proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;

	if (old_addr != addr) {
		__u32 ip_off = ETH_HLEN + (source ? offsetof(struct iphdr, saddr) : offsetof(struct iphdr, daddr));
		if (bpf_l4_csum_replace(skb, csum_off, old_addr, addr, BPF_F_PSEUDO_HDR | mangled | 4) < 0)
			return -1;
		if (bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), old_addr, addr, 4) < 0)
			return -1;
		if (bpf_skb_store_bytes(skb, ip_off, &addr, 4, 0) < 0)
			return -1;
		__builtin_memcpy(at, &addr, 4);
	}
	if (old_port != port) {
		if (bpf_l4_csum_replace(skb, csum_off, old_port_be, new_port_be, mangled | 2) < 0)
			return -1;
		if (bpf_skb_store_bytes(skb, l4 + (source ? 0 : 2), &new_port_be, 2, 0) < 0)
			return -1;
		if (source)
			pkt->tuple.sport = port;
		else
			pkt->tuple.dport = port;
	}
	return 0;
}

/* IPv4 TCP or UDP with its ports read, not a later fragment: what NAT can translate. */
static __always_inline int nat_applies(const struct packet *pkt)
{
	return pkt->tuple.family == 4 && pkt->has_l4 &&
	       (pkt->tuple.proto == IPPROTO_TCP || pkt->tuple.proto == IPPROTO_UDP);
}

static __always_inline __u64 nat_lifetime(__u8 proto)
{
	return proto == IPPROTO_TCP ? flows_cfg.ct_tcp_ns : flows_cfg.ct_other_ns;
}

/*
 * Masquerades the packet's source as the node address: the connection's existing mapping (returns
 * 0), else a new one (returns 1). On failure returns minus the drop reason.
 */
static __always_inline int nat_snat(struct __sk_buff *skb, struct packet *pkt, __u64 now)
{
	struct nat_entry *fwd = bpf_map_lookup_elem(&flows_nat, &pkt->tuple);
	__u32 node = flows_cfg.node_ip;
	struct flow_tuple rev;
	if (fwd && fwd->expires_ns >= now) {
		__u64 expires = now + nat_lifetime(pkt->tuple.proto);
		fwd->expires_ns = expires;
		/* keep the way back alive as long as the way out, even if nothing answers */
		ct_reverse(&pkt->tuple, &rev);
		__builtin_memcpy(rev.daddr, &fwd->addr, 4);
		rev.dport = fwd->port;
		struct nat_entry *back = bpf_map_lookup_elem(&flows_nat, &rev);
		if (back)
			back->expires_ns = expires;
		return nat_rewrite(skb, pkt, 1, fwd->addr, fwd->port) ? -DROP_ERROR_WRITING_TO_PACKET : 0;
	}
	struct nat_entry back = {
		.expires_ns = now + nat_lifetime(pkt->tuple.proto),
		.port = pkt->tuple.sport,
		.reverse = 1,
	};
	__builtin_memcpy(&back.addr, pkt->tuple.saddr, 4);
	ct_reverse(&pkt->tuple, &rev);
	__builtin_memcpy(rev.daddr, &node, 4);
	__u32 hash = lb_tuple_hash(&pkt->tuple);
	__u16 port = pkt->tuple.sport;
	int found = 0;
	for (int i = 0; i < NAT_PORT_TRIES; i++) {
		rev.dport = port;
		if (bpf_map_update_elem(&flows_nat, &rev, &back, BPF_NOEXIST) == 0) {
			found = 1;
			break;
		}
		port = NAT_PORT_MIN + (lb_mix(hash + i) % (65536 - NAT_PORT_MIN));
	}
	if (!found)
		return -DROP_CT_MAP_INSERTION_FAILED;
	struct nat_entry out = { .expires_ns = back.expires_ns, .addr = node, .port = port };
	if (bpf_map_update_elem(&flows_nat, &pkt->tuple, &out, BPF_ANY) < 0) {
		bpf_map_delete_elem(&flows_nat, &rev);
		return -DROP_CT_MAP_INSERTION_FAILED;
	}
	return nat_rewrite(skb, pkt, 1, node, port) ? -DROP_ERROR_WRITING_TO_PACKET : 1;
}

/*
 * Undoes masquerading for a reply to the node address: 1 when the destination was rewritten back
 * to the pod, 0 when the packet is not such a reply, < 0 when the rewrite failed.
 */
static __always_inline int nat_rev_snat(struct __sk_buff *skb, struct packet *pkt, __u64 now)
{
	struct nat_entry *back = bpf_map_lookup_elem(&flows_nat, &pkt->tuple);
	if (!back || !back->reverse || back->expires_ns < now)
		return 0;
	__u64 expires = now + nat_lifetime(pkt->tuple.proto);
	back->expires_ns = expires;
	if (nat_rewrite(skb, pkt, 0, back->addr, back->port))
		return -1;
	struct flow_tuple fwd_key;
	ct_reverse(&pkt->tuple, &fwd_key);
	struct nat_entry *fwd = bpf_map_lookup_elem(&flows_nat, &fwd_key);
	if (fwd)
		fwd->expires_ns = expires;
	return 1;
}

#endif /* FLOWS_NAT_H */
