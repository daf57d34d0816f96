/* config.h: load-time configuration of every program, as one volatile const struct.
 *
 * The collector writes this struct into the object's .rodata before load (libbpf
 * bpf_map__initial_value), so the verifier sees constants and features that are off cost
 * nothing. Java twin: collector/src/main/java/dev/flows/collector/bpf/BpfConfig.java, checked
 * against BTF by EventLayoutBtfTest. It must be the only variable in .rodata (offset 0).
 */
#ifndef FLOWS_CONFIG_H
#define FLOWS_CONFIG_H

#include <linux/types.h>

enum flows_aggregation_level {
	AGG_NONE = 0,       /* report every packet */
	AGG_CONNECTION = 1, /* first packet, new TCP flags, then once per interval */
};

enum flows_mode {
	MODE_OBSERVE = 0,  /* observe only: no service translation, no NAT (another CNI forwards) */
	MODE_DATAPATH = 1, /* service lookup, DNAT/SNAT and their reverse on top of observing */
};

struct flows_config {
	__u64 aggregation_interval_ns; /* at most one interval report per connection and point */
	__u32 aggregation_level;       /* enum flows_aggregation_level */
	__u32 wakeup_bytes;            /* wake the reader once this much data is pending; 0 = always */
	__u32 mode;                    /* enum flows_mode */
	/* Addresses below are IPv4 in network byte order, as in packets. */
	__u32 node_ip;                 /* this node: NodePort frontends and the SNAT source */
	__u32 node_pod_cidr;           /* pods of this node (a NodePort backend here needs no SNAT) */
	__u32 node_pod_mask;
	__u32 cluster_cidr;            /* pods of every node: traffic to it stays unmasqueraded */
	__u32 cluster_mask;
	__u32 node_net_cidr;           /* the nodes' own network: not "outside the cluster" either */
	__u32 node_net_mask;
	/* Connection lifetimes by state (conntrack.h): idle this long, the entry is gone. */
	__u64 ct_syn_ns;               /* TCP opened, not answered yet */
	__u64 ct_tcp_ns;               /* TCP established */
	__u64 ct_other_ns;             /* UDP and ICMP, either state */
	__u64 ct_close_ns;             /* after FIN or RST */
};

volatile const struct flows_config flows_cfg = {
	.aggregation_interval_ns = 5000000000ULL,
	.aggregation_level = AGG_CONNECTION,
	.wakeup_bytes = 65536,
	.mode = MODE_OBSERVE,
	.ct_syn_ns = 60000000000ULL,
	.ct_tcp_ns = 21600000000000ULL,
	.ct_other_ns = 60000000000ULL,
	.ct_close_ns = 10000000000ULL,
};

static __always_inline int cfg_in(__u32 addr, __u32 cidr, __u32 mask)
{
	return mask != 0 && (addr & mask) == cidr;
}

#endif /* FLOWS_CONFIG_H */
