package dev.flows.relay.export.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.util.JsonFormat;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What the exporter hands the producer: topics, key, value, headers, and how it counts failures. */
class KafkaExporterTest {

    private static KafkaConfig config(String... args) {
        KafkaConfig c = new KafkaConfig();
        new CommandLine(c).parseArgs(args);
        c.validate();
        return c;
    }

    /** A producer that knows the topics (as one that has reached a broker), completing sends when told. */
    private static MockProducer<byte[], byte[]> producer() {
        Node broker = new Node(1, "127.0.0.1", 9092);
        List<PartitionInfo> partitions = new ArrayList<>();
        for (String t : List.of("flows", "flows.drops", "flows.policy")) {
            for (int i = 0; i < 3; i++) {
                partitions.add(new PartitionInfo(t, i, broker, new Node[] {broker}, new Node[] {broker}));
            }
        }
        Cluster cluster = new Cluster("test", List.of(broker), partitions, Set.of(), Set.of());
        return new MockProducer<>(cluster, false, new RoundRobinPartitioner(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void everyFlowGoesToTheTopicKeyedByItsConnectionWithFormatAndNodeHeaders() throws Exception {
        MockProducer<byte[], byte[]> p = producer();
        KafkaExporter e = new KafkaExporter(config("--kafka-bootstrap-servers", "k:9092"), p);
        GetFlowsResponse request = TestFlows.flow(0, 4);
        GetFlowsResponse reply = TestFlows.flow(4, 4);
        e.export(request);
        e.export(reply);
        e.export(GetFlowsResponse.newBuilder().setLostEvents(LostEvent.newBuilder().setNumEventsLost(3)).build());
        List<ProducerRecord<byte[], byte[]>> sent = p.history();
        assertEquals(2, sent.size(), "flows only: loss notices stay with the relay's status");
        assertEquals("flows", sent.get(0).topic());
        assertEquals("tcp 10.244.1.10:40000 10.244.2.20:8080", new String(sent.get(0).key(), StandardCharsets.UTF_8));
        assertEquals(new String(sent.get(0).key()), new String(sent.get(1).key()), "both directions share the key");
        assertEquals(request.getFlow(), Flow.parseFrom(sent.get(0).value()));
        assertEquals("protobuf", header(sent.get(0), KafkaExporter.FORMAT_HEADER));
        assertEquals("node-a", header(sent.get(0), KafkaExporter.NODE_HEADER));
        assertEquals("node-b", header(sent.get(1), KafkaExporter.NODE_HEADER));
        assertEquals(request.getFlow().getTime().getSeconds() * 1000 + request.getFlow().getTime().getNanos() / 1_000_000,
                sent.get(0).timestamp(), "the record's time is the flow's");

        p.completeNext();
        p.errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("too large"));
        assertEquals(1, e.sink().delivered());
        assertEquals(Map.of("rejected", 1L), e.sink().lost());
    }

    @Test
    void jsonIsTheLineObserveWouldPrint() throws Exception {
        MockProducer<byte[], byte[]> p = producer();
        KafkaExporter e = new KafkaExporter(config("--kafka-bootstrap-servers", "k:9092", "--kafka-format", "json"), p);
        GetFlowsResponse r = TestFlows.flow(7, 4);
        e.export(r);
        ProducerRecord<byte[], byte[]> sent = p.history().get(0);
        String line = new String(sent.value(), StandardCharsets.UTF_8);
        assertEquals(JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace().print(r), line);
        GetFlowsResponse.Builder back = GetFlowsResponse.newBuilder();
        JsonFormat.parser().merge(line, back);
        assertEquals(r, back.build());
        assertEquals("json", header(sent, KafkaExporter.FORMAT_HEADER));
    }

    @Test
    void dropsAndPolicyDecisionsAlsoGoToTheirTopicsWhenOn() {
        MockProducer<byte[], byte[]> p = producer();
        KafkaExporter e = new KafkaExporter(config("--kafka-bootstrap-servers", "k:9092", "--kafka-drops-topic", "--kafka-policy-topic"), p);
        Flow base = TestFlows.flow(1, 4).getFlow();
        e.export(GetFlowsResponse.newBuilder().setFlow(base).build());
        e.export(GetFlowsResponse.newBuilder().setFlow(base.toBuilder().setVerdict(Verdict.DROPPED)
                .setDropReasonDesc(DropReason.POLICY_DENIED)).build());
        e.export(GetFlowsResponse.newBuilder().setFlow(base.toBuilder().setVerdict(Verdict.DROPPED)
                .setDropReasonDescValue(158)).build());
        e.export(GetFlowsResponse.newBuilder().setFlow(base.toBuilder().setEventType(CiliumEventType.newBuilder().setType(5))).build());
        assertEquals(List.of("flows", "flows", "flows.drops", "flows.policy", "flows", "flows.drops", "flows", "flows.policy"),
                p.history().stream().map(ProducerRecord::topic).toList());
    }

    @Test
    void aFlowWithoutAddressesHasNoKey() {
        MockProducer<byte[], byte[]> p = producer();
        KafkaExporter e = new KafkaExporter(config("--kafka-bootstrap-servers", "k:9092"), p);
        e.export(GetFlowsResponse.newBuilder().setFlow(Flow.newBuilder().setNodeName("node-a")).build());
        assertNull(p.history().get(0).key());
    }
}
