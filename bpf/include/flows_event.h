/* flows_event.h: the events our programs write into the ring buffer, and the enums they carry.
 *
 * This is the one definition of the kernel-to-collector layout. The Java twin is
 * collector/src/main/java/dev/flows/collector/decode/EventLayout.java (offsets and sizes);
 * EventLayoutBtfTest compares it against the BTF of the compiled objects. The enums' twins are
 * the tables in observer/src/main/java/dev/flows/observer/events/, which EventEnumsTest checks
 * against this header. A change here that is not mirrored there fails the build.
 *
 * Every record starts with struct event_header. All integers are host byte order (the
 * collector runs on the same machine); addresses and MACs are in network byte order.
 */
#ifndef FLOWS_EVENT_H
#define FLOWS_EVENT_H

#include <linux/types.h>

#define FLOWS_EVENT_VERSION 3

/* Event types: the numbers are Hubble's CiliumEventType.type, so the collector copies them. */
enum flows_event_type {
	FLOWS_EVENT_DROP = 1,
	FLOWS_EVENT_TRACE = 4,
	FLOWS_EVENT_POLICY_VERDICT = 5,
};

/* Observation points: the numbers are Hubble's trace sub_type (TO_ENDPOINT = 0 ... TO_NETWORK = 11). */
enum flows_obs_point {
	OBS_TO_ENDPOINT = 0,
	OBS_TO_PROXY = 1,
	OBS_TO_HOST = 2,
	OBS_TO_STACK = 3,
	OBS_TO_OVERLAY = 4,
	OBS_FROM_ENDPOINT = 5,
	OBS_FROM_PROXY = 6,
	OBS_FROM_HOST = 7,
	OBS_FROM_STACK = 8,
	OBS_FROM_OVERLAY = 9,
	OBS_FROM_NETWORK = 10,
	OBS_TO_NETWORK = 11,
};

/* Why a trace event was written (aggregation, see aggregate.h). */
enum flows_report_reason {
	REPORT_FIRST = 1,     /* first packet of this connection at this point */
	REPORT_NEW_FLAGS = 2, /* a TCP flag combination not seen before on it */
	REPORT_INTERVAL = 3,  /* the aggregation interval passed; counters since the last report */
	REPORT_EVERY = 4,     /* aggregation level none: every packet */
	REPORT_DECISION = 5,  /* a datapath decision (a new translation): never aggregated away */
	REPORT_FLUSH = 6,     /* no packet (pkt_len 0): counters left when the interval ended or the tuple was reused */
};

/* State of a connection in the datapath's connection table (conntrack.h). */
enum flows_ct_state {
	CT_NONE = 0,        /* not tracked (TCP joined mid-stream) */
	CT_NEW = 1,         /* opened, no reply yet */
	CT_ESTABLISHED = 2, /* the other side answered */
	CT_CLOSING = 3,     /* FIN or RST seen */
};

/* Translations a hook applied to a packet (bits of trace_event.xlate). */
enum flows_xlate {
	XLATE_DNAT = 1,     /* destination: service frontend -> backend */
	XLATE_SNAT = 2,     /* source: pod -> node address (masquerade) */
	XLATE_REV_DNAT = 4, /* source of a reply: backend -> service frontend */
	XLATE_REV_SNAT = 8, /* destination of a reply: node address -> pod */
};

/* Drop reasons: the numbers are Hubble's DropReason, so the collector copies them. */
enum flows_drop_reason {
	DROP_POLICY_DENIED = 133,
	DROP_ERROR_WRITING_TO_PACKET = 141,
	DROP_CT_MAP_INSERTION_FAILED = 155,
	DROP_SERVICE_BACKEND_NOT_FOUND = 158,
};

/* Direction of a packet within its connection, from the datapath's connection table. */
enum flows_direction {
	DIR_UNKNOWN = 0, /* joined mid-connection: cannot tell */
	DIR_REQUEST = 1, /* sent by the side that opened the connection */
	DIR_REPLY = 2,
};

struct event_header {
	__u64 ts_ns;     /* bpf_ktime_get_boot_ns() */
	__u32 ifindex;   /* interface the program is attached to */
	__u16 len;       /* length of the whole record, header included */
	__u8 type;       /* enum flows_event_type */
	__u8 subtype;    /* trace: enum flows_obs_point; drop: drop reason */
	__u8 version;    /* FLOWS_EVENT_VERSION */
	__u8 obs_point;  /* enum flows_obs_point where the event was written */
	__u8 pad[6];
};

struct flow_tuple {
	__u8 saddr[16]; /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u16 sport;    /* TCP/UDP ports; for ICMP sport = id, dport = 0 */
	__u16 dport;
	__u8 proto;     /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6 */
	__u8 family;    /* 4 or 6 */
	__u8 pad[2];
};

/* FLOWS_EVENT_TRACE: a packet (or an aggregate of packets) seen at an observation point. */
struct trace_event {
	struct event_header hdr;
	struct flow_tuple tuple;
	__u8 smac[6];
	__u8 dmac[6];
	__u8 tcp_flags;  /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
	__u8 reason;     /* enum flows_report_reason */
	__u8 icmp_type;
	__u8 icmp_code;
	__u32 pkt_len;   /* wire length of the packet that triggered the report */
	__u8 direction;  /* enum flows_direction */
	__u8 pad[3];
	__u64 packets;   /* packets since the last report at this point, this one included */
	__u64 bytes;     /* bytes of those packets */
	/* The tuple as the packet left the hook: equal to tuple unless xlate is set. */
	struct flow_tuple xlate_tuple;
	__u32 service_id; /* service frontend of the connection (collector's numbering); 0 = none */
	__u8 xlate;       /* enum flows_xlate bits applied here */
	__u8 ct_state;    /* enum flows_ct_state of the connection after this packet (conntrack.h) */
	__u8 pad2[2];
};

/* FLOWS_EVENT_DROP: a packet the datapath dropped; hdr.subtype is the enum flows_drop_reason. */
struct drop_event {
	struct event_header hdr;
	struct flow_tuple tuple;
	__u8 smac[6];
	__u8 dmac[6];
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 pad;
	__u32 pkt_len;
	__u32 service_id; /* the service whose lookup failed, 0 = none */
};

/* How a policy verdict matched: the numbers are Hubble's policy_match_type (Cilium's monitor API). */
enum flows_policy_match {
	POLICY_MATCH_NONE = 0,       /* nothing matched: denied */
	POLICY_MATCH_L3_ONLY = 1,    /* the remote's identity, any port */
	POLICY_MATCH_L3_L4 = 2,      /* the remote's identity and the port */
	POLICY_MATCH_L4_ONLY = 3,    /* any remote, the port */
	POLICY_MATCH_ALL = 4,        /* any remote, any port */
	POLICY_MATCH_L3_PROTO = 5,   /* the remote's identity and the protocol, any port */
	POLICY_MATCH_PROTO_ONLY = 6, /* any remote, the protocol, any port */
};

enum flows_policy_action {
	POLICY_ACTION_DENY = 0,
	POLICY_ACTION_ALLOW = 1,
	POLICY_ACTION_AUDIT = 2, /* no entry allowed it, and only audit-mode policies select the pod: forwarded */
};

/*
 * FLOWS_EVENT_POLICY_VERDICT: network policy decided the first packet of a connection for one
 * direction of a local pod (only where a policy selects it; see policy.h). A denial is also a
 * drop_event with DROP_POLICY_DENIED. hdr.subtype is the match type.
 */
struct policy_verdict_event {
	struct event_header hdr;
	struct flow_tuple tuple; /* as decided: after service DNAT on egress */
	__u32 remote_identity;   /* the peer's identity from the ipcache */
	__u32 policy_id;         /* the allowing policy (collector's numbering); 0 on a denial */
	__u32 pkt_len;
	__u8 direction;          /* FLOWS_POLICY_INGRESS / _EGRESS (policy_maps.h) */
	__u8 action;             /* enum flows_policy_action */
	__u8 match_type;         /* enum flows_policy_match */
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 pad[6];
};

#endif /* FLOWS_EVENT_H */
