/* pod.c: tc programs on the host side of a pod's veth.
 *
 * from_pod runs on the veth's ingress (packets the pod sends), to_pod on its egress (packets
 * delivered to the pod). They only observe for now: the packet always continues.
 */
#include <linux/pkt_cls.h>

#include "trace.h"

SEC("tc")
int from_pod(struct __sk_buff *skb)
{
	trace_observe(skb, OBS_FROM_ENDPOINT);
	return TC_ACT_OK;
}

SEC("tc")
int to_pod(struct __sk_buff *skb)
{
	trace_observe(skb, OBS_TO_ENDPOINT);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
