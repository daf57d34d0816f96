/* parse.h: turns a frame into the fields a trace event carries.
 *
 * Offers parse_packet(): Ethernet (no VLAN tags), IPv4 (options skipped, later fragments carry
 * no ports), IPv6 (hop-by-hop, routing, destination options, fragment and AH headers skipped),
 * then TCP, UDP, ICMP and ICMPv6. Every read goes through bpf_skb_load_bytes, so non-linear
 * skbs parse like linear ones and a short frame fails the read instead of reading past its end.
 * A frame whose L3 header is cut short yields nothing; one whose L4 header is cut short yields
 * the addresses and protocol with ports and flags left zero.
 */
#ifndef FLOWS_PARSE_H
#define FLOWS_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "flows_event.h"

#define IPV6_EXT_MAX 6 /* extension headers skipped before giving up on L4 */

/* What one frame says about its flow. */
struct packet {
	struct flow_tuple tuple;
	__u8 smac[ETH_ALEN];
	__u8 dmac[ETH_ALEN];
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 has_l4; /* the L4 header was present and read */
	__u32 len;   /* wire length, L2 header included */
	__u16 l4_off; /* offset of the L4 header in the frame (when has_l4) */
	__u16 pad;
};

/* TCP flags as one byte: the 13th byte of the TCP header (FIN 0x01 ... CWR 0x80). */
#define TCP_FLAGS_OFFSET 13
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

static __always_inline void parse_l4(struct __sk_buff *skb, __u32 off, struct packet *pkt)
{
	pkt->l4_off = off;
	switch (pkt->tuple.proto) {
	case IPPROTO_TCP: {
		__u8 hdr[14];
		if (bpf_skb_load_bytes(skb, off, hdr, sizeof(hdr)) < 0)
			return;
		pkt->tuple.sport = ((__u16)hdr[0] << 8) | hdr[1];
		pkt->tuple.dport = ((__u16)hdr[2] << 8) | hdr[3];
		pkt->tcp_flags = hdr[TCP_FLAGS_OFFSET];
		pkt->has_l4 = 1;
		return;
	}
	case IPPROTO_UDP: {
		struct udphdr udp;
		if (bpf_skb_load_bytes(skb, off, &udp, sizeof(udp)) < 0)
			return;
		pkt->tuple.sport = bpf_ntohs(udp.source);
		pkt->tuple.dport = bpf_ntohs(udp.dest);
		pkt->has_l4 = 1;
		return;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		/* type, code, checksum, then id for echo messages */
		__u8 hdr[6];
		if (bpf_skb_load_bytes(skb, off, hdr, sizeof(hdr)) < 0)
			return;
		pkt->icmp_type = hdr[0];
		pkt->icmp_code = hdr[1];
		pkt->tuple.sport = ((__u16)hdr[4] << 8) | hdr[5];
		pkt->has_l4 = 1;
		return;
	}
	}
}

static __always_inline int parse_ipv4(struct __sk_buff *skb, struct packet *pkt)
{
	struct iphdr ip;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0)
		return -1;
	if (ip.version != 4 || ip.ihl < 5)
		return -1;
	pkt->tuple.family = 4;
	pkt->tuple.proto = ip.protocol;
	__builtin_memcpy(pkt->tuple.saddr, &ip.saddr, 4);
	__builtin_memcpy(pkt->tuple.daddr, &ip.daddr, 4);
	/* later fragments start mid-payload: no L4 header to read */
	if (ip.frag_off & bpf_htons(0x1fff))
		return 0;
	parse_l4(skb, ETH_HLEN + ip.ihl * 4, pkt);
	return 0;
}

static __always_inline int ipv6_is_ext(__u8 next)
{
	return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS ||
	       next == IPPROTO_FRAGMENT || next == IPPROTO_AH;
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, struct packet *pkt)
{
	struct ipv6hdr ip6;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)) < 0)
		return -1;
	if (ip6.version != 6)
		return -1;
	pkt->tuple.family = 6;
	__builtin_memcpy(pkt->tuple.saddr, &ip6.saddr, 16);
	__builtin_memcpy(pkt->tuple.daddr, &ip6.daddr, 16);

	__u8 next = ip6.nexthdr;
	__u32 off = ETH_HLEN + sizeof(ip6);
#pragma unroll
	for (int i = 0; i < IPV6_EXT_MAX; i++) {
		if (!ipv6_is_ext(next))
			break;
		__u8 ext[4]; /* next header, length, and for fragments the offset */
		if (bpf_skb_load_bytes(skb, off, ext, sizeof(ext)) < 0) {
			pkt->tuple.proto = next;
			return 0;
		}
		if (next == IPPROTO_FRAGMENT) {
			if ((((__u16)ext[2] << 8) | ext[3]) & 0xfff8) {
				/* a later fragment: no L4 header here */
				pkt->tuple.proto = ext[0];
				return 0;
			}
			off += 8;
		} else if (next == IPPROTO_AH) {
			off += ((__u32)ext[1] + 2) * 4;
		} else {
			off += ((__u32)ext[1] + 1) * 8;
		}
		next = ext[0];
	}
	pkt->tuple.proto = next;
	if (ipv6_is_ext(next))
		return 0; /* too many extension headers: addresses only */
	parse_l4(skb, off, pkt);
	return 0;
}

/* Fills pkt from the frame; returns 0 when it is IPv4 or IPv6 with a whole L3 header, else -1. */
static __always_inline int parse_packet(struct __sk_buff *skb, struct packet *pkt)
{
	struct ethhdr eth;
	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) < 0)
		return -1;
	__builtin_memcpy(pkt->smac, eth.h_source, ETH_ALEN);
	__builtin_memcpy(pkt->dmac, eth.h_dest, ETH_ALEN);
	pkt->len = skb->len;
	switch (eth.h_proto) {
	case bpf_htons(ETH_P_IP):
		return parse_ipv4(skb, pkt);
	case bpf_htons(ETH_P_IPV6):
		return parse_ipv6(skb, pkt);
	default:
		return -1;
	}
}

#endif /* FLOWS_PARSE_H */
