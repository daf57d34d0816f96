package dev.flows.observer.filter;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.BoolValue;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.EventTypeFilter;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowFilter;
import dev.flows.proto.flow.ICMPv6;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.Service;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.UDP;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.flow.Workload;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class FlowFiltersTest {
    static final Endpoint FRONTEND = Endpoint.newBuilder().setIdentity(4242).setNamespace("shop").setPodName("frontend-abc")
            .addLabels("k8s:app=frontend").addLabels("k8s:io.kubernetes.pod.namespace=shop").addLabels("k8s:tier=web")
            .addWorkloads(Workload.newBuilder().setName("frontend").setKind("Deployment")).build();
    static final Endpoint BACKEND = Endpoint.newBuilder().setIdentity(777).setNamespace("shop").setPodName("backend-0")
            .addLabels("k8s:app=backend").addLabels("k8s:io.kubernetes.pod.namespace=shop")
            .addWorkloads(Workload.newBuilder().setName("backend").setKind("StatefulSet")).build();
    static final Endpoint WORLD = Endpoint.newBuilder().setIdentity(2).addLabels("reserved:world").build();

    /** frontend -> backend via ClusterIP service, TCP SYN, on node-1. */
    static final Flow TCP_SYN = Flow.newBuilder()
            .setVerdict(Verdict.FORWARDED).setNodeName("node-1")
            .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(5))
            .setIP(IP.newBuilder().setSource("10.244.1.5").setDestination("10.244.2.7").setIpVersion(IPVersion.IPv4))
            .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(40000).setDestinationPort(8080)
                    .setFlags(TCPFlags.newBuilder().setSYN(true))))
            .setSource(FRONTEND).setDestination(BACKEND)
            .setDestinationService(Service.newBuilder().setNamespace("shop").setName("backend"))
            .setIsReply(BoolValue.of(false)).build();
    /** backend -> frontend reply, SYN-ACK, on node-2, event at to-endpoint. */
    static final Flow TCP_SYNACK_REPLY = TCP_SYN.toBuilder()
            .setNodeName("node-2").setEventType(CiliumEventType.newBuilder().setType(4).setSubType(0))
            .setIP(IP.newBuilder().setSource("10.244.2.7").setDestination("10.244.1.5").setIpVersion(IPVersion.IPv4))
            .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(8080).setDestinationPort(40000)
                    .setFlags(TCPFlags.newBuilder().setSYN(true).setACK(true))))
            .setSource(BACKEND).setDestination(FRONTEND).clearDestinationService()
            .setIsReply(BoolValue.of(true)).build();
    /** frontend -> world DNS over UDP, direction unknown. */
    static final Flow UDP_WORLD = Flow.newBuilder()
            .setVerdict(Verdict.FORWARDED).setNodeName("node-1")
            .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(11))
            .setIP(IP.newBuilder().setSource("10.244.1.5").setDestination("203.0.113.7").setIpVersion(IPVersion.IPv4))
            .setL4(Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(5353).setDestinationPort(53)))
            .setSource(FRONTEND).setDestination(WORLD).build();
    static final Flow ICMP6 = Flow.newBuilder()
            .setVerdict(Verdict.FORWARDED).setNodeName("kind-worker")
            .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(5))
            .setIP(IP.newBuilder().setSource("fd00:10:244:1::5").setDestination("fd00::a").setIpVersion(IPVersion.IPv6))
            .setL4(Layer4.newBuilder().setICMPv6(ICMPv6.newBuilder().setType(128)))
            .setSource(FRONTEND).setDestination(WORLD).build();

    static final List<Flow> ALL = List.of(TCP_SYN, TCP_SYNACK_REPLY, UDP_WORLD, ICMP6);

    static List<Flow> matching(FlowFilter... whitelist) throws FilterException {
        return select(List.of(whitelist), List.of());
    }

    static List<Flow> select(List<FlowFilter> white, List<FlowFilter> black) throws FilterException {
        Predicate<Flow> p = FlowFilters.compile(white, black);
        return ALL.stream().filter(p).toList();
    }

    static FlowFilter.Builder f() {
        return FlowFilter.newBuilder();
    }

    static String error(FlowFilter filter) {
        return assertThrows(FilterException.class, () -> FlowFilters.compile(List.of(filter), List.of())).getMessage();
    }

    @Test
    void noFiltersMatchEverything() throws Exception {
        assertEquals(ALL, select(List.of(), List.of()));
        assertEquals(ALL, matching(f().build()));
    }

    @Test
    void ips() throws Exception {
        assertEquals(List.of(TCP_SYN, UDP_WORLD), matching(f().addSourceIp("10.244.1.5").build()));
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY), matching(f().addDestinationIp("10.244.0.0/16").build()));
        assertEquals(List.of(ICMP6), matching(f().addDestinationIp("fd00:0:0:0::a").build()), "IPv6 compared in canonical form");
        assertEquals(List.of(ICMP6), matching(f().addSourceIp("fd00:10:244::/48").build()));
        assertEquals(List.of(TCP_SYN, UDP_WORLD), matching(f().addSourceIp("10.9.9.9").addSourceIp("10.244.1.5").build()), "values ORed");
    }

    @Test
    void pods() throws Exception {
        assertEquals(List.of(TCP_SYN, UDP_WORLD, ICMP6), matching(f().addSourcePod("shop/frontend").build()));
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY, UDP_WORLD, ICMP6), matching(f().addSourcePod("shop/").build()), "namespace");
        assertEquals(List.of(TCP_SYN), matching(f().addDestinationPod("shop/backend-0").build()));
        assertEquals(List.of(), matching(f().addSourcePod("staging/").build()));
        assertEquals(List.of(), matching(f().addSourcePod("frontend").build()), "bare pod name is in namespace default");
        // hubble observe --pod shop/backend: two whitelist filters, either side.
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY),
                matching(f().addSourcePod("shop/backend").build(), f().addDestinationPod("shop/backend").build()));
    }

    @Test
    void labels() throws Exception {
        assertEquals(List.of(TCP_SYN, UDP_WORLD, ICMP6), matching(f().addSourceLabel("app=frontend").build()));
        assertEquals(List.of(TCP_SYN, UDP_WORLD, ICMP6), matching(f().addSourceLabel("k8s:app=frontend").build()));
        assertEquals(List.of(), matching(f().addSourceLabel("reserved:app=frontend").build()), "source prefix must match");
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY, UDP_WORLD, ICMP6), matching(f().addSourceLabel("app in (frontend, backend)").build()));
        assertEquals(List.of(TCP_SYNACK_REPLY), matching(f().addSourceLabel("app notin (frontend)").build()));
        assertEquals(List.of(TCP_SYNACK_REPLY), matching(f().addSourceLabel("app!=frontend").build()));
        assertEquals(List.of(TCP_SYN, UDP_WORLD, ICMP6), matching(f().addSourceLabel("tier").build()));
        assertEquals(List.of(TCP_SYNACK_REPLY), matching(f().addSourceLabel("!tier").build()));
        assertEquals(List.of(UDP_WORLD, ICMP6), matching(f().addDestinationLabel("reserved:world").build()));
        assertEquals(List.of(TCP_SYN, UDP_WORLD, ICMP6), matching(f().addSourceLabel("app=frontend,tier==web").build()), "terms ANDed");
        assertEquals(List.of(), matching(f().addSourceLabel("app=frontend,tier=db").build()));
    }

    @Test
    void badLabelSelectors() {
        for (String bad : new String[] {"=x", "app in (a", "app > 3", "a b", ""}) {
            String msg = error(f().addSourceLabel(bad).build());
            assertTrue(msg.startsWith("invalid source_label filter \"" + bad + "\""), msg);
            assertTrue(msg.contains("app in (a,b)"), msg);
        }
    }

    @Test
    void services() throws Exception {
        assertEquals(List.of(TCP_SYN), matching(f().addDestinationService("shop/backend").build()));
        assertEquals(List.of(TCP_SYN), matching(f().addDestinationService("shop/").build()));
        assertEquals(List.of(), matching(f().addSourceService("shop/").build()));
    }

    @Test
    void workloads() throws Exception {
        assertEquals(List.of(TCP_SYN, UDP_WORLD, ICMP6),
                matching(f().addSourceWorkload(Workload.newBuilder().setName("frontend")).build()));
        assertEquals(List.of(TCP_SYN),
                matching(f().addDestinationWorkload(Workload.newBuilder().setKind("StatefulSet")).build()));
        assertEquals(List.of(),
                matching(f().addDestinationWorkload(Workload.newBuilder().setName("backend").setKind("Deployment")).build()));
    }

    @Test
    void verdictAndEventType() throws Exception {
        assertEquals(ALL, matching(f().addVerdict(Verdict.FORWARDED).build()));
        assertEquals(List.of(), matching(f().addVerdict(Verdict.DROPPED).build()));
        assertEquals(ALL, matching(f().addEventType(EventTypeFilter.newBuilder().setType(4)).build()));
        assertEquals(List.of(TCP_SYNACK_REPLY),
                matching(f().addEventType(EventTypeFilter.newBuilder().setType(4).setMatchSubType(true).setSubType(0)).build()));
        assertEquals(List.of(), matching(f().addEventType(EventTypeFilter.newBuilder().setType(1)).build()));
    }

    @Test
    void protocols() throws Exception {
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY), matching(f().addProtocol("TCP").build()));
        assertEquals(List.of(UDP_WORLD), matching(f().addProtocol("udp").build()));
        assertEquals(List.of(ICMP6), matching(f().addProtocol("icmpv6").build()));
        assertEquals(List.of(ICMP6), matching(f().addProtocol("icmp").build()));
        assertEquals(List.of(), matching(f().addProtocol("icmpv4").build()));
        assertEquals("invalid protocol filter \"http\": use one of tcp, udp, sctp, icmp, icmpv4, icmpv6 (flows has no L7 protocols)",
                error(f().addProtocol("http").build()));
    }

    @Test
    void ports() throws Exception {
        assertEquals(List.of(TCP_SYN), matching(f().addDestinationPort("8080").build()));
        assertEquals(List.of(UDP_WORLD), matching(f().addDestinationPort("53").build()));
        assertEquals(List.of(TCP_SYNACK_REPLY), matching(f().addSourcePort("8080").build()));
        assertEquals("invalid destination_port filter \"abc\": use a port number from 0 to 65535",
                error(f().addDestinationPort("abc").build()));
        assertEquals("invalid source_port filter \"70000\": use a port number from 0 to 65535",
                error(f().addSourcePort("70000").build()));
    }

    @Test
    void reply() throws Exception {
        assertEquals(List.of(TCP_SYNACK_REPLY), matching(f().addReply(true).build()));
        assertEquals(List.of(TCP_SYN), matching(f().addReply(false).build()), "unknown direction matches neither");
    }

    @Test
    void identities() throws Exception {
        assertEquals(List.of(TCP_SYNACK_REPLY), matching(f().addSourceIdentity(777).build()));
        assertEquals(List.of(UDP_WORLD, ICMP6), matching(f().addDestinationIdentity(2).build()));
    }

    @Test
    void tcpFlags() throws Exception {
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY), matching(f().addTcpFlags(TCPFlags.newBuilder().setSYN(true)).build()));
        assertEquals(List.of(TCP_SYNACK_REPLY),
                matching(f().addTcpFlags(TCPFlags.newBuilder().setSYN(true).setACK(true)).build()), "all flags of one set");
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY),
                matching(f().addTcpFlags(TCPFlags.newBuilder().setFIN(true)).addTcpFlags(TCPFlags.newBuilder().setSYN(true)).build()));
        assertTrue(error(f().addTcpFlags(TCPFlags.newBuilder()).build()).startsWith("invalid tcp_flags filter"));
    }

    @Test
    void nodeNames() throws Exception {
        assertEquals(List.of(TCP_SYN, UDP_WORLD), matching(f().addNodeName("node-1").build()));
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY, UDP_WORLD), matching(f().addNodeName("node-*").build()));
        assertEquals(List.of(ICMP6), matching(f().addNodeName("*-worker").build()));
        assertTrue(error(f().addNodeName("node 1").build()).startsWith("invalid node_name filter \"node 1\""));
    }

    @Test
    void ipVersion() throws Exception {
        assertEquals(List.of(ICMP6), matching(f().addIpVersion(IPVersion.IPv6).build()));
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY, UDP_WORLD), matching(f().addIpVersion(IPVersion.IPv4).build()));
    }

    @Test
    void fieldsAndedFiltersOredBlacklistExcludes() throws Exception {
        FlowFilter frontendTcp = f().addSourcePod("shop/frontend").addProtocol("tcp").build();
        assertEquals(List.of(TCP_SYN), matching(frontendTcp));
        assertEquals(List.of(TCP_SYN, ICMP6), matching(frontendTcp, f().addIpVersion(IPVersion.IPv6).build()));
        assertEquals(List.of(TCP_SYN, TCP_SYNACK_REPLY, ICMP6), select(List.of(), List.of(f().addProtocol("udp").build())));
        assertEquals(List.of(TCP_SYN), select(List.of(f().addProtocol("tcp").build()), List.of(f().addReply(true).build())));
    }

    @Test
    void badIps() {
        assertEquals("invalid source_ip filter \"10.0.0.0/33\": use an IP address or a CIDR (e.g. 10.244.1.5, 10.244.0.0/16, fd00::/64)",
                error(f().addSourceIp("10.0.0.0/33").build()));
        assertTrue(error(f().addDestinationIp("example.com").build()).startsWith("invalid destination_ip filter \"example.com\""));
        assertTrue(error(f().addDestinationIp("10.0.0.256").build()).startsWith("invalid destination_ip"));
        assertTrue(error(f().addDestinationIp("fd00:::1").build()).startsWith("invalid destination_ip"));
    }

    @Test
    void fieldsFlowsCannotCarryAreRejected() {
        assertEquals("filter field http_status_code is not supported: flows has no HTTP (L7) visibility",
                error(f().addHttpStatusCode("500").build()));
        assertTrue(error(f().addSourceFqdn("a.example").build()).contains("source_fqdn"));
        assertTrue(error(f().addDestinationFqdn("a.example").build()).contains("destination_fqdn"));
        assertTrue(error(f().addDnsQuery("a").build()).contains("dns_query"));
        assertTrue(error(f().addHttpMethod("GET").build()).contains("http_method"));
        assertTrue(error(f().addHttpPath("/").build()).contains("http_path"));
        assertTrue(error(f().addTraceId("abc").build()).contains("trace_id"));
    }

    @Test
    void errorsAreOneLine() {
        assertFalse(error(f().addTcpFlags(TCPFlags.newBuilder()).build()).contains("\n"));
    }
}
