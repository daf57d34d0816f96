/* lb.h: service frontends, their backends, and the choice of a backend for a new connection.
 *
 * Offers the pinned maps the collector programs from cluster state:
 *   flows_lb_services  (frontend address, port, protocol) -> struct lb_service
 *   flows_lb_backends  (service id, slot 1..backend_count)  -> struct lb_backend
 *   flows_lb_revnat    rev-NAT index (= service id)          -> the frontend, for replies
 *   flows_lb_maglev    service id -> lookup table of LB_MAGLEV_SIZE backend slots
 * and lb_lookup() / lb_select(). A frontend is one (ClusterIP, port, protocol), or one
 * (node IP, nodePort, protocol) with LB_F_NODEPORT; each has its own id. Backend choice is uniform
 * random, or with LB_F_MAGLEV a hash of the connection's tuple into the service's Maglev table, so
 * every node picks the same backend for a tuple and a backend change moves few connections.
 * IPv4 only. Java twins: collector/.../bpf/MapLayout.java (layouts, checked against BTF) and
 * collector/.../datapath/LbMaps.java (reads and writes them).
 */
#ifndef FLOWS_LB_H
#define FLOWS_LB_H

#include "parse.h"

#define LB_MAX_SERVICES 65536
#define LB_MAX_BACKENDS 262144
#define LB_MAGLEV_SIZE 1021 /* prime; each service's table holds this many slots */

enum lb_flags {
	LB_F_NODEPORT = 1, /* frontend is this node's address and a nodePort */
	LB_F_MAGLEV = 2,   /* choose by Maglev table instead of at random */
};

struct lb_key {
	__u32 addr;  /* network order */
	__u16 port;  /* host order */
	__u8 proto;  /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
};

struct lb_service {
	__u32 id;            /* > 0; also the rev-NAT index */
	__u16 backend_count; /* slots 1..backend_count exist; 0 = drop (no ready endpoint) */
	__u16 flags;         /* enum lb_flags */
};

struct lb_backend_key {
	__u32 service_id;
	__u32 slot;
};

struct lb_backend {
	__u32 addr; /* network order */
	__u16 port; /* host order */
	__u16 pad;
};

struct lb_revnat {
	__u32 addr; /* network order */
	__u16 port; /* host order */
	__u16 pad;
};

struct lb_maglev {
	__u16 slot[LB_MAGLEV_SIZE]; /* backend slot for each hash bucket */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_SERVICES);
	__type(key, struct lb_key);
	__type(value, struct lb_service);
} flows_lb_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, struct lb_backend_key);
	__type(value, struct lb_backend);
} flows_lb_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct lb_revnat);
} flows_lb_revnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_SERVICES);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* 2 KiB a service: allocate only what is used */
	__type(key, __u32);
	__type(value, struct lb_maglev);
} flows_lb_maglev SEC(".maps");

/* The frontend the packet is sent to, or NULL. */
static __always_inline struct lb_service *lb_lookup(const struct packet *pkt)
{
	struct lb_key key = { .port = pkt->tuple.dport, .proto = pkt->tuple.proto };
	__builtin_memcpy(&key.addr, pkt->tuple.daddr, 4);
	return bpf_map_lookup_elem(&flows_lb_services, &key);
}

/* murmur3's finalizer: spreads every input bit over the result. */
static __always_inline __u32 lb_mix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/* Hash of the connection's tuple as the client sent it. Java twin: Maglev.tupleHash. */
static __always_inline __u32 lb_tuple_hash(const struct flow_tuple *t)
{
	__u32 s, d;
	__builtin_memcpy(&s, t->saddr, 4);
	__builtin_memcpy(&d, t->daddr, 4);
	__u32 h = lb_mix(s ^ 0x9e3779b9);
	h = lb_mix(h ^ d);
	h = lb_mix(h ^ (((__u32)t->sport << 16) | t->dport));
	return lb_mix(h ^ t->proto);
}

/* A backend slot for a new connection to svc, 0 when there is none. */
static __always_inline __u32 lb_select(const struct lb_service *svc, const struct flow_tuple *t)
{
	__u32 count = svc->backend_count;
	if (count == 0)
		return 0;
	if (svc->flags & LB_F_MAGLEV) {
		__u32 id = svc->id;
		struct lb_maglev *table = bpf_map_lookup_elem(&flows_lb_maglev, &id);
		if (!table)
			return 0;
		__u32 bucket = lb_tuple_hash(t) % LB_MAGLEV_SIZE;
		/* The verifier does not bound a modulo; hide it from clang so the check stays. */
		asm volatile("" : "+r"(bucket));
		if (bucket >= LB_MAGLEV_SIZE)
			return 0;
		return table->slot[bucket];
	}
	return bpf_get_prandom_u32() % count + 1;
}

static __always_inline struct lb_backend *lb_backend(__u32 service_id, __u32 slot)
{
	struct lb_backend_key key = { .service_id = service_id, .slot = slot };
	return bpf_map_lookup_elem(&flows_lb_backends, &key);
}

#endif /* FLOWS_LB_H */
