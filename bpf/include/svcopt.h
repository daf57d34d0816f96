/* svcopt.h: the service a connection was balanced to, carried to the backend's node.
 *
 * The client's node DNATs a service connection; the backend's node sees only the backend's
 * address, so its events could not name the service, and guessing from "the destination is a
 * backend of S" would also name direct connections to that pod. So the service travels with the
 * connection: to_network on the client's node adds one IPv4 option (RFC 4727's experimental
 * number, copied flag set, 8 bytes: type, length, frontend port, frontend address) to the
 * requests of a DNATed connection to a pod of another node until it is answered (a TCP SYN and
 * its retransmits; UDP datagrams of an unanswered exchange). from_network on the backend's node
 * reads it, removes it (the pod gets the packet exactly as the client sent it, and no other host
 * ever sees our option), looks the frontend up in its own service map and keeps that service in
 * the connection's entry, where every hook of that node finds it in both directions. A bare SYN
 * without the option is a connection to the pod itself, and its entry names no service, even on
 * a tuple a service connection used just before. Cilium's DSR mode carries the frontend the same
 * way, for another purpose.
 *
 * Only IPv4: the datapath translates only IPv4. Nothing is silent: each outcome is a slot of the
 * array flows_svc_opt (enum svcopt_counter), which the collector shows in its metrics and status.
 * A packet that does not take the option (beyond the MTU, GSO, or the room could not be made)
 * goes on without it; one with a malformed option of ours, or another option, goes on untouched.
 */
#ifndef FLOWS_SVCOPT_H
#define FLOWS_SVCOPT_H

#include <stddef.h>

#include "config.h"
#include "conntrack.h"
#include "lb.h"
#include "nat.h"
#include "parse.h"

#define SVCOPT_TYPE 0x9e /* copied, class 0, number 30: RFC 4727's experiment option */
#define SVCOPT_LEN 8

/* Slots of flows_svc_opt. Java twin: collector/.../bpf/ServiceOptionCounters.java. */
enum svcopt_counter {
	SVCOPT_ADDED = 0,           /* client's node: the option went out with the packet */
	SVCOPT_NO_ROOM = 1,         /* client's node: not added (beyond the MTU, GSO, or no room made) */
	SVCOPT_NAMED = 2,           /* backend's node: read, removed, the connection names its service */
	SVCOPT_UNKNOWN_SERVICE = 3, /* backend's node: read and removed, but no such frontend here */
	SVCOPT_MALFORMED = 4,       /* backend's node: our type with a bad length, or not removable: left as is */
	SVCOPT_FOREIGN = 5,         /* backend's node: other IPv4 options on a request: left as is */
	SVCOPT_COUNTERS = 6,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SVCOPT_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} flows_svc_opt SEC(".maps");

/* The option as it is on the wire. */
struct svcopt {
	__u8 type;
	__u8 len;
	__be16 port;
	__be32 addr;
};

enum svcopt_counter *flows_btf_svcopt_counter __attribute__((unused));

static __always_inline void svcopt_count(__u32 slot)
{
	__u64 *c = bpf_map_lookup_elem(&flows_svc_opt, &slot);
	if (c)
		__sync_fetch_and_add(c, 1);
}

/* A request that opens a connection, or a datagram of an exchange: what may carry the option. */
static __always_inline int svcopt_opening(const struct packet *pkt)
{
	if (pkt->tuple.proto == IPPROTO_UDP)
		return 1;
	return pkt->tuple.proto == IPPROTO_TCP && (pkt->tcp_flags & TCP_FLAG_SYN) && !(pkt->tcp_flags & TCP_FLAG_ACK);
}

/* Adds (grow > 0) or removes the option's length to the header length and total length fields. */
static __always_inline int svcopt_fix_header(struct __sk_buff *skb, int grow, const struct svcopt *opt)
{
	__u8 head[4]; /* version and IHL, TOS, total length */
	if (bpf_skb_load_bytes(skb, ETH_HLEN, head, sizeof(head)) < 0)
		return -1;
	__u32 old_word, new_word;
	__builtin_memcpy(&old_word, head, 4);
	__u16 tot = ((__u16)head[2] << 8) | head[3];
	head[0] = grow ? head[0] + SVCOPT_LEN / 4 : head[0] - SVCOPT_LEN / 4;
	tot = grow ? tot + SVCOPT_LEN : tot - SVCOPT_LEN;
	head[2] = tot >> 8;
	head[3] = tot & 0xff;
	__builtin_memcpy(&new_word, head, 4);
	__u32 csum_off = ETH_HLEN + offsetof(struct iphdr, check);
	if (bpf_l3_csum_replace(skb, csum_off, old_word, new_word, 4) < 0)
		return -1;
	/* the header checksum covers the options too */
	__s64 diff = grow ? bpf_csum_diff(NULL, 0, (__be32 *)opt, SVCOPT_LEN, 0)
			  : bpf_csum_diff((__be32 *)opt, SVCOPT_LEN, NULL, 0, 0);
	if (diff < 0 || bpf_l3_csum_replace(skb, csum_off, 0, diff, 0) < 0)
		return -1;
	return bpf_skb_store_bytes(skb, ETH_HLEN, head, sizeof(head), 0);
}

/*
 * Client's node, to_network: after the hook has reported the packet, a request of a connection
 * DNATed here to a pod of another node, not answered yet, takes the option naming its frontend.
 * Returns 0, or -1 when the packet was changed half-way (the caller drops it: it is corrupt).
 */
static __always_inline int svcopt_add(struct __sk_buff *skb, const struct packet *pkt, const struct ct_result *ct)
{
	struct ct_entry *e = ct->entry;
	if (!e || !(e->flags & CT_F_DNAT) || ct->direction != DIR_REQUEST || e->state != CT_NEW ||
	    !nat_applies(pkt) || !svcopt_opening(pkt))
		return 0;
	__u32 daddr;
	__builtin_memcpy(&daddr, pkt->tuple.daddr, 4);
	if (!cfg_in(daddr, flows_cfg.cluster_cidr, flows_cfg.cluster_mask) ||
	    cfg_in(daddr, flows_cfg.node_pod_cidr, flows_cfg.node_pod_mask))
		return 0;
	__u32 index = e->rev_nat_index;
	struct lb_revnat *rn = bpf_map_lookup_elem(&flows_lb_revnat, &index);
	if (!rn)
		return 0; /* the service is gone: there is nothing to name */
	struct svcopt opt = { .type = SVCOPT_TYPE, .len = SVCOPT_LEN, .port = bpf_htons(rn->port), .addr = rn->addr };
	__u32 mtu = 0;
	if (skb->gso_size || bpf_check_mtu(skb, 0, &mtu, SVCOPT_LEN, 0) != BPF_MTU_CHK_RET_SUCCESS ||
	    bpf_skb_adjust_room(skb, SVCOPT_LEN, BPF_ADJ_ROOM_NET, 0) < 0) {
		svcopt_count(SVCOPT_NO_ROOM);
		return 0;
	}
	/* the room is right after the 20-byte base header: ours comes before any option already there */
	if (bpf_skb_store_bytes(skb, ETH_HLEN + sizeof(struct iphdr), &opt, sizeof(opt), 0) < 0 ||
	    svcopt_fix_header(skb, 1, &opt) < 0)
		return -1;
	svcopt_count(SVCOPT_ADDED);
	return 0;
}

/*
 * Backend's node, from_network, before anything else reads the packet's offsets: takes our
 * option off a request to a pod of this node. Returns the service id it names (0: none), or -1
 * when the packet was changed half-way (the caller drops it). pkt follows the removal.
 */
static __always_inline int svcopt_take(struct __sk_buff *skb, struct packet *pkt, __u32 *service_id)
{
	*service_id = 0;
	if (!nat_applies(pkt) || !svcopt_opening(pkt) || pkt->l4_off <= ETH_HLEN + sizeof(struct iphdr))
		return 0;
	__u32 saddr, daddr;
	__builtin_memcpy(&saddr, pkt->tuple.saddr, 4);
	__builtin_memcpy(&daddr, pkt->tuple.daddr, 4);
	if (!cfg_in(daddr, flows_cfg.node_pod_cidr, flows_cfg.node_pod_mask))
		return 0; /* not for a pod of ours: options are none of our business */
	struct svcopt opt;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + sizeof(struct iphdr), &opt, sizeof(opt)) < 0 || opt.type != SVCOPT_TYPE) {
		svcopt_count(SVCOPT_FOREIGN);
		return 0;
	}
	/* only a pod's connection balanced by another node carries it: from elsewhere it is not ours */
	if (opt.len != SVCOPT_LEN || !cfg_in(saddr, flows_cfg.cluster_cidr, flows_cfg.cluster_mask)) {
		svcopt_count(SVCOPT_MALFORMED);
		return 0;
	}
	if (bpf_skb_adjust_room(skb, -SVCOPT_LEN, BPF_ADJ_ROOM_NET, 0) < 0) {
		svcopt_count(SVCOPT_MALFORMED);
		return 0;
	}
	if (svcopt_fix_header(skb, 0, &opt) < 0)
		return -1;
	pkt->l4_off -= SVCOPT_LEN;
	pkt->len -= SVCOPT_LEN;
	struct lb_key key = { .addr = opt.addr, .port = bpf_ntohs(opt.port), .proto = pkt->tuple.proto };
	struct lb_service *svc = bpf_map_lookup_elem(&flows_lb_services, &key);
	if (!svc) {
		svcopt_count(SVCOPT_UNKNOWN_SERVICE);
		return 0;
	}
	*service_id = svc->id;
	svcopt_count(SVCOPT_NAMED);
	return 0;
}

/*
 * Backend's node, after ct_track: the connection's entry learns what the option said. A bare SYN
 * without it opens a connection to the pod itself, so an entry a service connection left on the
 * same tuple (still CT_NEW, say denied) names no service any more.
 */
static __always_inline void svcopt_keep(const struct packet *pkt, const struct ct_result *ct, __u32 service_id)
{
	struct ct_entry *e = ct->entry;
	if (!e || (e->flags & CT_F_DNAT) || ct->direction != DIR_REQUEST)
		return; /* a connection this node translated knows its service already */
	if (service_id)
		e->service_id = service_id;
	else if (pkt->tuple.proto == IPPROTO_TCP && svcopt_opening(pkt))
		e->service_id = 0;
}

#endif /* FLOWS_SVCOPT_H */
