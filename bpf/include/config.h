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

struct flows_config {
	__u64 aggregation_interval_ns; /* at most one interval report per connection and point */
	__u32 aggregation_level;       /* enum flows_aggregation_level */
	__u32 wakeup_bytes;            /* wake the reader once this much data is pending; 0 = always */
};

volatile const struct flows_config flows_cfg = {
	.aggregation_interval_ns = 5000000000ULL,
	.aggregation_level = AGG_CONNECTION,
	.wakeup_bytes = 65536,
};

#endif /* FLOWS_CONFIG_H */
