package dev.flows.collector.enrich;

import static org.junit.jupiter.api.Assertions.*;

import dev.flows.cluster.ClusterState;
import dev.flows.collector.decode.DecodedEvent;
import dev.flows.collector.decode.Decoder;
import dev.flows.collector.decode.EventLayout;
import dev.flows.collector.decode.TraceEvents;
import dev.flows.observer.events.ObservationPoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Policy;
import dev.flows.proto.flow.Service;
import dev.flows.proto.flow.Verdict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The service and policy names the enrich stage gives a flow, on records the real decoder reads:
 * from the datapath's frontend id or else from a service address, and from the policy ids and
 * selections of the policy programmer (fakes of {@link ServiceNames} and {@link PolicyNames}).
 */
class EventNamesTest {
    private static final Service CART = Service.newBuilder().setNamespace("shop").setName("cart").build();
    private static final Service BACKEND = Service.newBuilder().setNamespace("shop").setName("backend").build();
    private static final Policy CART_POLICY = Policy.newBuilder()
            .setNamespace("shop").setName("cart-from-frontend").setKind("NetworkPolicy").build();
    private static final Policy EGRESS_POLICY = Policy.newBuilder()
            .setNamespace("shop").setName("egress-lockdown").setKind("NetworkPolicy").build();
    /** Frontend 7 is shop/cart; 5 is shop/backend, the service of {@link TestClusters#shop}'s ClusterIP 10.96.0.20:80. */
    private static final ServiceNames SERVICES = id -> id == 7 ? CART : id == 5 ? BACKEND : null;
    private static final PolicyNames POLICIES = new PolicyNames() {
        @Override
        public Policy byId(int id) {
            return id == 42 ? CART_POLICY : null;
        }

        @Override
        public List<Policy> selecting(String podAddress, boolean egress) {
            if (podAddress.equals("10.244.2.11") && !egress) {
                return List.of(CART_POLICY);
            }
            return podAddress.equals("10.244.1.10") && egress ? List.of(EGRESS_POLICY) : List.of();
        }
    };

    private final Decoder decoder = new Decoder("node-1", () -> 0L);
    private final Enricher enricher = new Enricher(ClusterState.EMPTY, "node-1", SERVICES, POLICIES);

    private Flow named(byte[] record) {
        return named(enricher, record);
    }

    private Flow named(Enricher e, byte[] record) {
        DecodedEvent event = new DecodedEvent();
        assertNull(decoder.decode(ByteBuffer.wrap(record).order(ByteOrder.nativeOrder()), 0, record.length, event),
                "record should decode");
        e.enrich(event);
        return event.flow().build();
    }

    @Test
    void dnatNamesTheServiceAndTheBackend() {
        Flow f = named(TraceEvents.tcp("10.244.1.10", 40000, "10.96.10.20", 8080, 0x02)
                .xlate(EventLayout.XLATE_DNAT, "10.244.1.10", 40000, "10.244.2.11", 8081).service(7).bytes());
        assertEquals("10.244.2.11", f.getIP().getDestination(), "the real peer: the backend");
        assertEquals(CART, f.getDestinationService());
        assertFalse(f.hasSourceService());
        assertEquals("TCP Flags: SYN; DNAT 10.96.10.20:8080 => 10.244.2.11:8081", f.getSummary());
    }

    @Test
    void reverseDnatOnAReplyNamesTheSourceService() {
        Flow f = named(TraceEvents.tcp("10.244.2.11", 8081, "10.244.1.10", 40000, 0x12).direction(2)
                .point(ObservationPoint.TO_ENDPOINT)
                .xlate(EventLayout.XLATE_REV_DNAT, "10.96.10.20", 8080, "10.244.1.10", 40000).service(7).bytes());
        assertEquals("10.244.2.11", f.getIP().getSource(), "the backend that really answered");
        assertEquals(CART, f.getSourceService());
        assertFalse(f.hasDestinationService());
    }

    @Test
    void untranslatedPacketsOfAServiceConnectionStillNameIt() {
        Flow f = named(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8081, 0x10)
                .point(ObservationPoint.TO_ENDPOINT).service(7).bytes());
        assertEquals(Verdict.FORWARDED, f.getVerdict());
        assertEquals(CART, f.getDestinationService());
        Flow unknown = named(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8081, 0x10).service(99).bytes());
        assertFalse(unknown.hasDestinationService(), "an id nobody programmed names nothing");
    }

    @Test
    void serviceDropNamesTheServiceWithoutCallingItsAddressWorld() {
        Flow f = named(new Enricher(TestClusters.shop(), "node-1", SERVICES, POLICIES),
                TraceEvents.tcp("10.244.1.5", 40000, "10.96.0.20", 80, 0x02).asDrop(158, 5));
        assertEquals(BACKEND, f.getDestinationService());
        assertFalse(f.hasDestination(), "a virtual IP is not an endpoint");
        assertEquals("frontend-7d4b9c-abcde", f.getSource().getPodName());
        assertEquals("TCP Flags: SYN; dropped: SERVICE_BACKEND_NOT_FOUND", f.getSummary());
        assertEquals(CART, named(TraceEvents.tcp("10.244.1.10", 40000, "10.96.10.21", 80, 0x02).asDrop(158, 7))
                .getDestinationService());
    }

    @Test
    void theFrontendIdNamesTheServiceWhereTheAddressesNameOnlyTheBackend() {
        Enricher shop = new Enricher(TestClusters.shop(), "node-1", SERVICES, POLICIES);
        Flow f = named(shop, TraceEvents.tcp("10.244.1.5", 40000, "10.244.2.7", 8080, 0x10)
                .point(ObservationPoint.TO_ENDPOINT).service(5).bytes());
        assertEquals(BACKEND, f.getDestinationService());
        assertEquals("backend-0", f.getDestination().getPodName(), "the backend is still the destination pod");
        Flow direct = named(shop, TraceEvents.tcp("10.244.1.5", 40000, "10.244.2.7", 8080, 0x10).bytes());
        assertFalse(direct.hasDestinationService(), "a pod address names no service by itself");
    }

    @Test
    void withoutAnIdTheClusterIpNamesTheService() {
        Enricher shop = new Enricher(TestClusters.shop(), "node-1", SERVICES, POLICIES);
        assertEquals(BACKEND, named(shop, TraceEvents.tcp("10.244.1.5", 40000, "10.96.0.20", 80, 0x02).bytes())
                .getDestinationService(), "observe mode: nothing translated, no id written");
        assertEquals(BACKEND, named(shop, TraceEvents.tcp("10.244.1.5", 40000, "10.96.0.20", 80, 0x02).service(99).bytes())
                .getDestinationService(), "an id no longer programmed: the address still names it");
        Flow reply = named(shop, TraceEvents.tcp("10.96.0.20", 80, "10.244.1.5", 40000, 0x12).direction(2)
                .point(ObservationPoint.TO_ENDPOINT).bytes());
        assertEquals(BACKEND, reply.getSourceService());
        assertFalse(reply.hasDestinationService());
    }

    @Test
    void theIdWinsWhereItAndTheAddressNameDifferentServices() {
        Flow f = named(new Enricher(TestClusters.shop(), "node-1", SERVICES, POLICIES),
                TraceEvents.tcp("10.244.1.5", 40000, "10.96.0.20", 80, 0x02).service(7).bytes());
        assertEquals(CART, f.getDestinationService(), "the datapath chose the frontend; the table may be a change behind");
    }

    @Test
    void withoutTheControlPlanesTablesIdsNameNothing() {
        Enricher observe = new Enricher(ClusterState.EMPTY, "node-1");
        assertFalse(named(observe, TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8081, 0x10).service(7).bytes())
                .hasDestinationService());
        Flow allowed = named(observe, TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8080, 0x02)
                .point(ObservationPoint.TO_ENDPOINT).asVerdict(EventLayout.POLICY_INGRESS, true, 42, 2, 12345));
        assertEquals(0, allowed.getIngressAllowedByCount());
        assertEquals("TCP Flags: SYN; policy ingress allowed", allowed.getSummary());
    }

    @Test
    void allowedIngressVerdictNamesTheAllowingPolicy() {
        Flow f = named(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8080, 0x02).point(ObservationPoint.TO_ENDPOINT)
                .asVerdict(EventLayout.POLICY_INGRESS, true, 42, 2, 12345));
        assertEquals(Verdict.FORWARDED, f.getVerdict());
        assertEquals(List.of(CART_POLICY), f.getIngressAllowedByList());
        assertEquals(0, f.getEgressAllowedByCount() + f.getIngressDeniedByCount() + f.getEgressDeniedByCount());
        assertEquals("TCP Flags: SYN; policy ingress allowed by shop/cart-from-frontend", f.getSummary());
    }

    @Test
    void anUnknownPolicyIdNamesNothing() {
        Flow f = named(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8080, 0x02).point(ObservationPoint.TO_ENDPOINT)
                .asVerdict(EventLayout.POLICY_INGRESS, true, 99, 2, 12345));
        assertEquals(0, f.getIngressAllowedByCount() + f.getEgressAllowedByCount());
        assertEquals("TCP Flags: SYN; policy ingress allowed", f.getSummary(), "no \" by \" without a name");
    }

    @Test
    void deniedEgressVerdictNamesThePoliciesSelectingThePod() {
        Flow f = named(TraceEvents.udp("10.244.1.10", 5353, "10.244.2.11", 53)
                .asVerdict(EventLayout.POLICY_EGRESS, false, 0, 0, 12345));
        assertEquals(Verdict.DROPPED, f.getVerdict());
        assertEquals(List.of(EGRESS_POLICY), f.getEgressDeniedByList());
        assertEquals(0, f.getIngressDeniedByCount() + f.getEgressAllowedByCount());
        assertEquals("UDP; policy egress denied by shop/egress-lockdown", f.getSummary());
        Flow unselected = named(TraceEvents.udp("10.244.1.99", 5353, "10.244.2.11", 53)
                .asVerdict(EventLayout.POLICY_EGRESS, false, 0, 0, 12345));
        assertEquals(0, unselected.getEgressDeniedByCount());
        assertEquals("UDP; policy egress denied", unselected.getSummary());
    }

    @Test
    void policyDropNamesThePoliciesOfItsDirection() {
        Flow in = named(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8080, 0x02)
                .point(ObservationPoint.TO_ENDPOINT).asDrop(133, 0));
        assertEquals(Verdict.DROPPED, in.getVerdict());
        assertEquals(dev.flows.proto.flow.DropReason.POLICY_DENIED, in.getDropReasonDesc());
        assertEquals(List.of(CART_POLICY), in.getIngressDeniedByList());
        assertEquals(0, in.getEgressDeniedByCount());
        assertEquals("TCP Flags: SYN; dropped: POLICY_DENIED by shop/cart-from-frontend", in.getSummary());
        Flow out = named(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8080, 0x02).asDrop(133, 0));
        assertEquals(List.of(EGRESS_POLICY), out.getEgressDeniedByList());
        assertEquals(0, out.getIngressDeniedByCount());
    }
}
