/* conntrack.h: a lightweight connection table that tells request from reply.
 *
 * Offers ct_direction(): looks the packet's tuple up in the LRU map flows_ct, keyed by the
 * tuple as the opening side sent it. Found as is: DIR_REQUEST; found reversed: DIR_REPLY.
 * Not found: a TCP SYN without ACK opens a forward entry (request); a SYN+ACK opens the entry
 * for the reversed tuple (reply, we missed the SYN); the first UDP or ICMP packet is a request,
 * except an ICMP echo reply, which is a reply; any other TCP packet joined mid-stream and is
 * DIR_UNKNOWN. The map is pinned and shared by every program of a node, so a packet seen
 * leaving one pod and entering another gets the same answer at both points.
 */
#ifndef FLOWS_CONNTRACK_H
#define FLOWS_CONNTRACK_H

#include "parse.h"

#define CT_MAX_ENTRIES 65536

struct ct_entry {
	__u64 created_ns;
	__u64 last_seen_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CT_MAX_ENTRIES);
	__type(key, struct flow_tuple);
	__type(value, struct ct_entry);
} flows_ct SEC(".maps");

#define ICMP_ECHO_REQUEST 8
#define ICMP_ECHO_REPLY 0
#define ICMPV6_ECHO_REQUEST_TYPE 128
#define ICMPV6_ECHO_REPLY_TYPE 129

/* The tuple the other side sends. ICMP keeps its id in sport both ways. */
static __always_inline void ct_reverse(const struct flow_tuple *t, struct flow_tuple *r)
{
	__builtin_memcpy(r->saddr, t->daddr, 16);
	__builtin_memcpy(r->daddr, t->saddr, 16);
	r->proto = t->proto;
	r->family = t->family;
	r->pad[0] = 0;
	r->pad[1] = 0;
	if (t->proto == IPPROTO_ICMP || t->proto == IPPROTO_ICMPV6) {
		r->sport = t->sport;
		r->dport = t->dport;
	} else {
		r->sport = t->dport;
		r->dport = t->sport;
	}
}

static __always_inline void ct_create(const struct flow_tuple *key, __u64 now)
{
	struct ct_entry e = { .created_ns = now, .last_seen_ns = now };
	bpf_map_update_elem(&flows_ct, key, &e, BPF_ANY);
}

static __always_inline int icmp_is_echo_reply(const struct packet *pkt)
{
	return (pkt->tuple.proto == IPPROTO_ICMP && pkt->icmp_type == ICMP_ECHO_REPLY) ||
	       (pkt->tuple.proto == IPPROTO_ICMPV6 && pkt->icmp_type == ICMPV6_ECHO_REPLY_TYPE);
}

/* enum flows_direction of this packet; creates the entry when the packet opens a connection. */
static __always_inline __u8 ct_direction(const struct packet *pkt, __u64 now)
{
	const struct flow_tuple *t = &pkt->tuple;
	struct flow_tuple rev;
	struct ct_entry *e;
	int is_tcp = t->proto == IPPROTO_TCP;
	int syn = is_tcp && (pkt->tcp_flags & TCP_FLAG_SYN);
	int ack = pkt->tcp_flags & TCP_FLAG_ACK;

	ct_reverse(t, &rev);
	/* A bare SYN always opens a connection, even over an old entry of a reused tuple. */
	if (syn && !ack) {
		bpf_map_delete_elem(&flows_ct, &rev);
		e = bpf_map_lookup_elem(&flows_ct, t);
		if (e) {
			e->last_seen_ns = now;
			return DIR_REQUEST;
		}
		ct_create(t, now);
		return DIR_REQUEST;
	}
	e = bpf_map_lookup_elem(&flows_ct, t);
	if (e) {
		e->last_seen_ns = now;
		return DIR_REQUEST;
	}
	e = bpf_map_lookup_elem(&flows_ct, &rev);
	if (e) {
		e->last_seen_ns = now;
		return DIR_REPLY;
	}
	if (is_tcp) {
		if (syn && ack) {
			ct_create(&rev, now);
			return DIR_REPLY;
		}
		return DIR_UNKNOWN;
	}
	if (icmp_is_echo_reply(pkt)) {
		ct_create(&rev, now);
		return DIR_REPLY;
	}
	ct_create(t, now);
	return DIR_REQUEST;
}

#endif /* FLOWS_CONNTRACK_H */
