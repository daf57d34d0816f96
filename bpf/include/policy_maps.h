/* policy_maps.h: the keys and values of the maps that carry network policy from the collector to
 * the datapath. Structs and constants only; the programs that look them up come with policy.h.
 *
 * The collector (dev.flows.collector.policy) computes every entry; the Java twins are
 * PolicyMapLayout, PolicyKey, PolicyValue and EndpointPolicy. Keep both sides in sync:
 * PolicyMapLayoutTest compiles this header into a BPF object and compares every size and offset
 * in its BTF with the Java side.
 *
 * Three maps:
 *   ipcache        LPM trie   struct ipcache_key   -> struct ipcache_value
 *   policy         LPM trie   struct policy_key    -> struct policy_value
 *   endpoints      hash       struct endpoint_key  -> struct endpoint_value
 *
 * Enforcement of one packet of a new connection, for a local pod and one direction:
 *   1. endpoints[pod]: no entry, or that direction off -> allowed (no policy selects it).
 *   2. remote identity = ipcache[peer address] (longest prefix; 0.0.0.0/0 is world, so it always
 *      resolves).
 *   3. policy[{pod, direction, remote identity, protocol, dport}] (longest prefix); on a miss the
 *      same key with remote identity FLOWS_IDENTITY_ANY. A hit allows, its policy_id names the
 *      policy; two misses deny (POLICY_DENIED), or, in a direction in audit mode, forward and
 *      report the verdict AUDIT.
 * Only allow entries exist: NetworkPolicy is a union of allows, so the order of the two lookups
 * changes which allowing policy is named, never the verdict. The collector writes each change in
 * an order that never denies, meanwhile, a connection allowed before and after it (PolicyDelta).
 */
#ifndef FLOWS_POLICY_MAPS_H
#define FLOWS_POLICY_MAPS_H

#include <linux/types.h>

/* Identities (twins: observer's events/ReservedIdentity, collector's policy/PolicyMapLayout). Pod label sets hash into
 * [256, 2^24); the prefixes named by ipBlock rules get CIDR identities in [2^24, 2^25), one per
 * distinct prefix, so "10.0.0.0/8 except 10.1.0.0/16" can be told apart by the trie. */
#define FLOWS_IDENTITY_ANY 0         /* in policy keys only: every remote */
#define FLOWS_IDENTITY_HOST 1        /* this node's address */
#define FLOWS_IDENTITY_WORLD 2       /* everything no other entry covers */
#define FLOWS_IDENTITY_REMOTE_NODE 6 /* the other nodes' addresses */
#define FLOWS_IDENTITY_CIDR_MIN (1u << 24)
#define FLOWS_IDENTITY_CIDR_MAX ((1u << 25) - 1)

#define FLOWS_POLICY_INGRESS 0
#define FLOWS_POLICY_EGRESS 1
#define FLOWS_POLICY_ACTION_ALLOW 1

/* How a direction of a local pod is decided (endpoint_value). AUDIT: only audit-mode policies
 * select the pod for it (an enforced one makes audit ones moot: it alone decides), so their
 * entries are written and a miss is forwarded as AUDIT instead of dropped. */
#define FLOWS_POLICY_MODE_OFF 0
#define FLOWS_POLICY_MODE_ENFORCE 1
#define FLOWS_POLICY_MODE_AUDIT 2

/* ipcache: IPv4 prefix -> identity. Pod addresses are /32 with the pod's identity, node
 * addresses /32 with host or remote-node, every ipBlock cidr and except its CIDR identity, and
 * 0.0.0.0/0 world. A pod or node address wins over an ipBlock /32 of the same address: ipBlock
 * selects only addresses outside the cluster, as in Cilium. */
struct ipcache_key {
	__u32 prefixlen; /* 0..32 */
	__u8 addr[4];    /* network byte order */
};

struct ipcache_value {
	__u32 identity;
};

/* policy: what a local pod may exchange with a remote identity. prefixlen counts the bits of the
 * fields after it that must match, in this order, so wildcards are prefixes:
 *   64        endpoint_id + direction + pad (never shorter)
 *   96        ... + remote_identity: any protocol, any port
 *   104       ... + protocol: any port of that protocol
 *   112 + n   ... + pad2 + the first n bits of dport: an endPort range is split into the fewest
 *             such prefixes; 128 is one port.
 * Padding is zero in entries and in lookup keys. */
struct policy_key {
	__u32 prefixlen;
	__u32 endpoint_id;     /* the local pod's IPv4 address as in the packet (network order) */
	__u8 direction;        /* FLOWS_POLICY_INGRESS / _EGRESS */
	__u8 pad1[3];
	__u32 remote_identity; /* from the ipcache, or FLOWS_IDENTITY_ANY */
	__u8 protocol;         /* IPPROTO_TCP / _UDP / _SCTP */
	__u8 pad2;
	__be16 dport;          /* destination port (of the local pod for ingress, of the remote for egress) */
};

struct policy_value {
	__u8 action;     /* FLOWS_POLICY_ACTION_ALLOW */
	__u8 pad[3];
	__u32 policy_id; /* names "namespace/name" in the collector's table; for policy verdict events */
};

/* endpoints: the pods of this node. A direction is enforced once any enforced policy selects the
 * pod for it: from then on, a packet no policy entry allows is denied. */
struct endpoint_key {
	__u32 endpoint_id; /* as in policy_key */
};

struct endpoint_value {
	__u8 ingress_mode; /* FLOWS_POLICY_MODE_* */
	__u8 egress_mode;  /* FLOWS_POLICY_MODE_* */
	__u8 pad[2];
};

#endif /* FLOWS_POLICY_MAPS_H */
