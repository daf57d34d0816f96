package dev.flows.relay.export.otlp;

import static dev.flows.proto.flow.TraceObservationPoint.FROM_ENDPOINT;
import static dev.flows.proto.flow.TraceObservationPoint.FROM_NETWORK;
import static dev.flows.proto.flow.TraceObservationPoint.TO_ENDPOINT;
import static dev.flows.proto.flow.TraceObservationPoint.TO_NETWORK;
import static dev.flows.relay.export.otlp.TestFlows.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.Service;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.UDP;
import dev.flows.proto.flow.Verdict;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.junit.jupiter.api.Test;

class FlowSpansTest {
    static final long T = 1_700_000_000_000_000_000L;

    @Test
    void aSpanIsNamedAfterItsDecisionElseItsObservationPoint() {
        assertEquals("from-endpoint", FlowSpans.name(tcp(T, "node-a", FROM_ENDPOINT, false, 1, "SYN")));
        assertEquals("to-network", FlowSpans.name(tcp(T, "node-a", TO_NETWORK, false, 1, "SYN")));
        assertEquals("from-network", FlowSpans.name(tcp(T, "node-b", FROM_NETWORK, false, 1, "SYN")));
        assertEquals("to-endpoint", FlowSpans.name(tcp(T, "node-b", TO_ENDPOINT, false, 1, "SYN")));
        assertEquals("drop", FlowSpans.name(TestFlows.policyDrop(T, 1)));
        Flow verdict = tcp(T, "node-b", TO_ENDPOINT, false, 1, "SYN").toBuilder()
                .setEventType(CiliumEventType.newBuilder().setType(5)).setTrafficDirection(TrafficDirection.INGRESS).build();
        assertEquals("policy-verdict", FlowSpans.name(verdict));
        assertEquals("translation", FlowSpans.name(tcp(T, "node-a", FROM_ENDPOINT, false, 1, "SYN").toBuilder()
                .setVerdict(Verdict.TRANSLATED).build()));
        assertEquals("flow", FlowSpans.name(tcp(T, "node-a", TraceObservationPoint.UNKNOWN_POINT, false, 1, "SYN")));
    }

    @Test
    void thePodAtTheObservationPointIsWherePacketsLeaveOrEnter() {
        // a reply leaving catalog on node-b, entering frontend on node-a
        assertEquals("catalog-7f6d8c9b5-p8n3r", pod(tcp(T, "node-b", FROM_ENDPOINT, true, 1, "SYN,ACK")));
        assertEquals("catalog-7f6d8c9b5-p8n3r", pod(tcp(T, "node-b", TO_NETWORK, true, 1, "SYN,ACK")));
        assertEquals("frontend-6b8f9c7d5-q2x7k", pod(tcp(T, "node-a", FROM_NETWORK, true, 1, "SYN,ACK")));
        assertEquals("frontend-6b8f9c7d5-q2x7k", pod(tcp(T, "node-a", TO_ENDPOINT, true, 1, "SYN,ACK")));
        // decisions without a point: by direction and reply
        Flow egressRequest = tcp(T, "node-a", TraceObservationPoint.UNKNOWN_POINT, false, 1, "SYN").toBuilder()
                .setTrafficDirection(TrafficDirection.EGRESS).build();
        assertEquals("frontend-6b8f9c7d5-q2x7k", pod(egressRequest));
        Flow ingressReply = tcp(T, "node-b", TraceObservationPoint.UNKNOWN_POINT, true, 1, "SYN,ACK").toBuilder()
                .setTrafficDirection(TrafficDirection.INGRESS).build();
        assertEquals("catalog-7f6d8c9b5-p8n3r", pod(ingressReply), "a reply of an ingress connection leaves the local pod");
    }

    @Test
    void serviceAndUdpAttributes() {
        Flow f = tcp(T, "node-a", FROM_ENDPOINT, false, 5353, "").toBuilder()
                .setL4(Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(5353).setDestinationPort(53)))
                .setDestinationService(Service.newBuilder().setNamespace("infra").setName("dns")).build();
        Attributes a = attributes(f);
        assertEquals("udp", a.get(FlowSpans.NETWORK_TRANSPORT));
        assertEquals(53L, a.get(FlowSpans.DESTINATION_PORT));
        assertEquals("infra/dns", a.get(FlowSpans.SERVICE));
        assertNull(a.get(FlowSpans.TCP_FLAGS));
        assertNull(a.get(FlowSpans.DROP_REASON));
    }

    /** The attributes of the span the exporter's SDK builds from this flow. */
    private static Attributes attributes(Flow f) {
        SpanBuilder b = SdkTracerProvider.builder().build().get("test").spanBuilder("flow");
        FlowSpans.attributes(f, b);
        return ((ReadableSpan) b.startSpan()).toSpanData().getAttributes();
    }

    private static String pod(Flow f) {
        return attributes(f).get(FlowSpans.K8S_POD);
    }
}
