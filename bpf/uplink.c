/* uplink.c: tc programs on the node's uplink.
 *
 * from_network runs on the uplink's ingress (packets arriving from other nodes or outside),
 * to_network on its egress. They only observe for now: the packet always continues.
 */
#include <linux/pkt_cls.h>

#include "trace.h"

SEC("tc")
int from_network(struct __sk_buff *skb)
{
	trace_observe(skb, OBS_FROM_NETWORK);
	return TC_ACT_OK;
}

SEC("tc")
int to_network(struct __sk_buff *skb)
{
	trace_observe(skb, OBS_TO_NETWORK);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
