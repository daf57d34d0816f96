/* policy.h: network policy enforcement for the pods of this node, and its verdict events.
 *
 * Offers the pinned maps flows_ipcache, flows_policy and flows_endpoints (keys and values in
 * policy_maps.h, programmed by the collector's policy package) and policy_enforce(), which hooks
 * call after conntrack:
 *
 *   from_pod  egress of the source pod, after service DNAT: decided against the backend
 *   to_pod    ingress of the destination pod; the remote is the packet's source as delivered
 *             (a client pod, this or another node, or world for NodePort traffic kept unmasqueraded)
 *
 * Only the first packets of a connection are decided: replies pass, and so does every packet of
 * a connection once allowed for that direction, or once established (an entry from before a
 * policy selected the pod, or from before a restart). The verdict is kept in the connection's
 * entry (CT_F_*_ALLOWED / _DENIED): an allowed connection is never asked again, a denied one is
 * asked again on each packet (so a policy that starts to allow it takes effect on the next
 * retransmit) and each of its packets is a drop. A TCP packet without an entry that is not a SYN
 * (joined mid-stream) is not a new connection and passes, as it would in observe mode.
 *
 * Verdict events (struct policy_verdict_event) are written for each decision on a direction some
 * policy selects (allow, deny, or audit: what only an audit-mode policy would deny, forwarded): the first packet of a connection, and a denied one that becomes allowed. A
 * direction no policy selects is not decided and writes none, nor is traffic with this node's own
 * address (identity host), which NetworkPolicy always allows. Observe mode enforces nothing.
 */
#ifndef FLOWS_POLICY_H
#define FLOWS_POLICY_H

#include "policy_maps.h"
#include "trace.h"

#define POLICY_MAX_IPCACHE 65536
#define POLICY_MAX_ENTRIES 262144
#define POLICY_MAX_ENDPOINTS 4096

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, POLICY_MAX_IPCACHE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ipcache_key);
	__type(value, struct ipcache_value);
} flows_ipcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, POLICY_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct policy_key);
	__type(value, struct policy_value);
} flows_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, POLICY_MAX_ENDPOINTS);
	__type(key, struct endpoint_key);
	__type(value, struct endpoint_value);
} flows_endpoints SEC(".maps");

struct ipcache_key *flows_btf_ipcache_key __attribute__((unused));
struct ipcache_value *flows_btf_ipcache_value __attribute__((unused));
struct policy_key *flows_btf_policy_key __attribute__((unused));
struct policy_value *flows_btf_policy_value __attribute__((unused));
struct endpoint_key *flows_btf_endpoint_key __attribute__((unused));
struct endpoint_value *flows_btf_endpoint_value __attribute__((unused));

#define POLICY_KEY_BITS_REMOTE 96 /* endpoint, direction, remote identity: any protocol, any port */
#define POLICY_KEY_BITS_PROTO 104 /* ... and the protocol: any port */
#define POLICY_KEY_BITS_FULL 128

/* What policy said about one packet for one direction. */
struct policy_result {
	__u32 remote_identity;
	__u32 policy_id;
	__u8 enforced; /* some policy selects the pod for this direction (enforced or audited) */
	__u8 action;   /* enum flows_policy_action */
	__u8 match_type;
};

static __always_inline __u32 policy_identity(const __u8 *addr)
{
	struct ipcache_key k = { .prefixlen = 32 };
	__builtin_memcpy(k.addr, addr, 4);
	struct ipcache_value *v = bpf_map_lookup_elem(&flows_ipcache, &k);
	return v ? v->identity : FLOWS_IDENTITY_WORLD;
}

/* The allowing entry for remote (an identity or FLOWS_IDENTITY_ANY), with how it matched. */
static __always_inline int policy_match(struct policy_key *k, __u32 remote, struct policy_result *r)
{
	k->remote_identity = remote;
	k->prefixlen = POLICY_KEY_BITS_FULL;
	struct policy_value *v = bpf_map_lookup_elem(&flows_policy, k);
	if (!v || v->action != FLOWS_POLICY_ACTION_ALLOW)
		return 0;
	r->policy_id = v->policy_id;
	int any = remote == FLOWS_IDENTITY_ANY;
	/* Shorter lookups tell whether a port-less entry exists: the broadest match names the type. */
	k->prefixlen = POLICY_KEY_BITS_REMOTE;
	if (bpf_map_lookup_elem(&flows_policy, k)) {
		r->match_type = any ? POLICY_MATCH_ALL : POLICY_MATCH_L3_ONLY;
		return 1;
	}
	k->prefixlen = POLICY_KEY_BITS_PROTO;
	if (bpf_map_lookup_elem(&flows_policy, k))
		r->match_type = any ? POLICY_MATCH_PROTO_ONLY : POLICY_MATCH_L3_PROTO;
	else
		r->match_type = any ? POLICY_MATCH_L4_ONLY : POLICY_MATCH_L3_L4;
	return 1;
}

/* The verdict for a packet of local pod `local` with peer `peer`, dport the destination port. */
static __always_inline struct policy_result policy_decide(__u8 direction, const __u8 *local, const __u8 *peer,
							   const struct packet *pkt)
{
	struct policy_result r = {};
	struct endpoint_key ek = {};
	__builtin_memcpy(&ek.endpoint_id, local, 4);
	struct endpoint_value *ev = bpf_map_lookup_elem(&flows_endpoints, &ek);
	__u8 mode = !ev ? FLOWS_POLICY_MODE_OFF : direction == FLOWS_POLICY_EGRESS ? ev->egress_mode : ev->ingress_mode;
	if (mode == FLOWS_POLICY_MODE_OFF)
		return r;
	r.remote_identity = policy_identity(peer);
	/* This node itself (kubelet probes, host processes) is always allowed, as Kubernetes says. */
	if (r.remote_identity == FLOWS_IDENTITY_HOST)
		return r;
	r.enforced = 1;
	struct policy_key k = {
		.endpoint_id = ek.endpoint_id,
		.direction = direction,
		.protocol = pkt->tuple.proto,
		.dport = bpf_htons(pkt->tuple.dport),
	};
	if (policy_match(&k, r.remote_identity, &r) || policy_match(&k, FLOWS_IDENTITY_ANY, &r))
		r.action = POLICY_ACTION_ALLOW;
	else if (mode == FLOWS_POLICY_MODE_AUDIT)
		r.action = POLICY_ACTION_AUDIT;
	return r;
}

static __always_inline void policy_report(struct __sk_buff *skb, __u8 obs_point, __u8 direction,
					  const struct packet *pkt, const struct policy_result *r, __u64 now)
{
	struct policy_verdict_event *e = events_reserve(sizeof(*e));
	if (!e)
		return;
	hdr_fill(&e->hdr, skb->ifindex, sizeof(*e), FLOWS_EVENT_POLICY_VERDICT, r->match_type, obs_point, now);
	__builtin_memcpy(&e->tuple, &pkt->tuple, sizeof(e->tuple));
	e->remote_identity = r->remote_identity;
	e->policy_id = r->policy_id;
	e->pkt_len = pkt->len;
	e->direction = direction;
	e->action = r->action;
	e->match_type = r->match_type;
	e->tcp_flags = pkt->tcp_flags;
	e->icmp_type = pkt->icmp_type;
	e->icmp_code = pkt->icmp_code;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	events_submit(e, sizeof(*e));
}

/*
 * Enforces policy on a packet of a local pod (egress: its source; ingress: its destination).
 * Returns 0 when it passes, else DROP_POLICY_DENIED (the caller reports the drop).
 */
static __always_inline __u8 policy_enforce(struct __sk_buff *skb, __u8 obs_point, __u8 direction,
					   const struct packet *pkt, const struct ct_result *ct, __u64 now)
{
	if (flows_cfg.mode != MODE_DATAPATH || pkt->tuple.family != 4 || ct->direction == DIR_REPLY)
		return 0;
	struct ct_entry *e = ct->entry;
	__u8 allowed = direction == FLOWS_POLICY_EGRESS ? CT_F_EGRESS_ALLOWED : CT_F_INGRESS_ALLOWED;
	__u8 denied = direction == FLOWS_POLICY_EGRESS ? CT_F_EGRESS_DENIED : CT_F_INGRESS_DENIED;
	if (e ? (e->flags & allowed) || e->state != CT_NEW : ct->direction == DIR_UNKNOWN)
		return 0;
	const __u8 *local = direction == FLOWS_POLICY_EGRESS ? pkt->tuple.saddr : pkt->tuple.daddr;
	const __u8 *peer = direction == FLOWS_POLICY_EGRESS ? pkt->tuple.daddr : pkt->tuple.saddr;
	struct policy_result r = policy_decide(direction, local, peer, pkt);
	if (!r.enforced)
		return 0;
	int was_denied = e && (e->flags & denied);
	/* An audited connection is decided once, as an allowed one: enforcing the policy later leaves
	 * it be and decides only new connections. */
	if (r.action == POLICY_ACTION_ALLOW || r.action == POLICY_ACTION_AUDIT) {
		if (e)
			e->flags = (e->flags & ~denied) | allowed;
		policy_report(skb, obs_point, direction, pkt, &r, now);
		return 0;
	}
	if (e)
		e->flags |= denied;
	if (!was_denied)
		policy_report(skb, obs_point, direction, pkt, &r, now);
	return DROP_POLICY_DENIED;
}

#endif /* FLOWS_POLICY_H */
