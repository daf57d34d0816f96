/* conntrack.h: the connection table: direction, state, expiry, and the NAT a connection carries.
 *
 * Offers ct_track(): looks the packet's tuple up in the LRU map flows_ct, keyed by the tuple as
 * the opening side sent it. Found as is: DIR_REQUEST; found reversed: DIR_REPLY. Not found: a
 * TCP SYN without ACK opens a forward entry (request); a SYN+ACK opens the entry for the reversed
 * tuple (reply, we missed the SYN); the first UDP or ICMP packet is a request, except an ICMP
 * echo reply, which is a reply; any other TCP packet joined mid-stream and is DIR_UNKNOWN.
 *
 * States: CT_NEW until the other side answers, then CT_ESTABLISHED; a FIN or RST from either
 * side makes it CT_CLOSING. Each packet moves expires_ns to now + the lifetime of the state
 * (flows_cfg.ct_*_ns). An expired entry counts as absent; LRU evicts under pressure, and the
 * collector sweeps expired entries that LRU keeps (it reads expires_ns with the same boot clock).
 *
 * Entries also carry what the datapath decided for the connection: a service entry (CT_F_SERVICE,
 * keyed by the tuple to the service frontend) holds the backend chosen once for the connection;
 * the entry of the translated tuple holds CT_F_DNAT and the rev-NAT index that turns replies'
 * source back into the frontend; network policy records its verdict per direction in the flags
 * (a denied connection's retransmits are dropped without a new verdict). The map is pinned and shared by every program of a node, so a
 * packet seen at two points gets the same answer at both, and a restarted collector keeps it.
 */
#ifndef FLOWS_CONNTRACK_H
#define FLOWS_CONNTRACK_H

#include "config.h"
#include "parse.h"

#define CT_MAX_ENTRIES 65536

enum ct_flags {
	CT_F_SERVICE = 1, /* entry of the tuple to a frontend: backend_* is the chosen backend */
	CT_F_DNAT = 2,    /* connection was DNATed here: replies get rev_nat_index's frontend */
	/* Network policy's verdicts on the connection, per direction of the local pod (policy.h). */
	CT_F_EGRESS_ALLOWED = 4,
	CT_F_EGRESS_DENIED = 8,
	CT_F_INGRESS_ALLOWED = 16,
	CT_F_INGRESS_DENIED = 32,
};

/* Value of flows_ct. Java twin: collector/.../bpf/MapLayout.java (checked against BTF). */
struct ct_entry {
	__u64 created_ns;
	__u64 last_seen_ns;
	__u64 expires_ns;     /* boot clock; after it the entry is gone */
	__u32 service_id;     /* frontend that balanced this connection, 0 = none */
	__u32 rev_nat_index;  /* key of flows_lb_revnat for replies (CT_F_DNAT) */
	__u32 backend_ip;     /* CT_F_SERVICE: chosen backend, network order */
	__u16 backend_port;   /* CT_F_SERVICE: host order */
	__u8 state;           /* enum flows_ct_state */
	__u8 flags;           /* enum ct_flags */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CT_MAX_ENTRIES);
	__type(key, struct flow_tuple);
	__type(value, struct ct_entry);
} flows_ct SEC(".maps");

/* What ct_track() found out about a packet. */
struct ct_result {
	struct ct_entry *entry; /* NULL when untracked */
	__u8 direction;         /* enum flows_direction */
	__u8 created;           /* this packet opened the entry */
};

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

static __always_inline __u64 ct_lifetime(__u8 proto, __u8 state)
{
	if (state == CT_CLOSING)
		return flows_cfg.ct_close_ns;
	if (proto != IPPROTO_TCP)
		return flows_cfg.ct_other_ns;
	return state == CT_NEW ? flows_cfg.ct_syn_ns : flows_cfg.ct_tcp_ns;
}

/* The live entry of key, or NULL; an expired one is deleted on the way. */
static __always_inline struct ct_entry *ct_lookup(const struct flow_tuple *key, __u64 now)
{
	struct ct_entry *e = bpf_map_lookup_elem(&flows_ct, key);
	if (e && e->expires_ns < now) {
		bpf_map_delete_elem(&flows_ct, key);
		return NULL;
	}
	return e;
}

static __always_inline struct ct_entry *ct_create(const struct flow_tuple *key, __u64 now, __u8 state)
{
	struct ct_entry e = {
		.created_ns = now,
		.last_seen_ns = now,
		.expires_ns = now + ct_lifetime(key->proto, state),
		.state = state,
	};
	bpf_map_update_elem(&flows_ct, key, &e, BPF_ANY);
	return bpf_map_lookup_elem(&flows_ct, key);
}

static __always_inline void ct_refresh(struct ct_entry *e, const struct packet *pkt, __u8 direction, __u64 now)
{
	__u8 state = e->state;
	if (pkt->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
		state = CT_CLOSING;
	else if (direction == DIR_REPLY && state == CT_NEW)
		state = CT_ESTABLISHED;
	e->state = state;
	e->last_seen_ns = now;
	e->expires_ns = now + ct_lifetime(pkt->tuple.proto, state);
}

static __always_inline int icmp_is_echo_reply(const struct packet *pkt)
{
	return (pkt->tuple.proto == IPPROTO_ICMP && pkt->icmp_type == ICMP_ECHO_REPLY) ||
	       (pkt->tuple.proto == IPPROTO_ICMPV6 && pkt->icmp_type == ICMPV6_ECHO_REPLY_TYPE);
}

static __always_inline struct ct_result ct_found(struct ct_entry *e, const struct packet *pkt, __u8 direction,
						 __u8 created, __u64 now)
{
	struct ct_result r = { .entry = e, .direction = direction, .created = created };
	if (e && !created)
		ct_refresh(e, pkt, direction, now);
	return r;
}

/* Direction and entry of this packet; creates the entry when the packet opens a connection. */
static __always_inline struct ct_result ct_track(const struct packet *pkt, __u64 now)
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
		e = ct_lookup(t, now);
		if (e && e->state == CT_NEW)
			return ct_found(e, pkt, DIR_REQUEST, 0, now); /* a retransmitted SYN */
		return ct_found(ct_create(t, now, CT_NEW), pkt, DIR_REQUEST, 1, now);
	}
	e = ct_lookup(t, now);
	if (e)
		return ct_found(e, pkt, DIR_REQUEST, 0, now);
	e = ct_lookup(&rev, now);
	if (e)
		return ct_found(e, pkt, DIR_REPLY, 0, now);
	if (is_tcp) {
		if (syn && ack)
			return ct_found(ct_create(&rev, now, CT_ESTABLISHED), pkt, DIR_REPLY, 1, now);
		return ct_found(NULL, pkt, DIR_UNKNOWN, 0, now);
	}
	if (icmp_is_echo_reply(pkt))
		return ct_found(ct_create(&rev, now, CT_ESTABLISHED), pkt, DIR_REPLY, 1, now);
	return ct_found(ct_create(t, now, CT_NEW), pkt, DIR_REQUEST, 1, now);
}

#endif /* FLOWS_CONNTRACK_H */
