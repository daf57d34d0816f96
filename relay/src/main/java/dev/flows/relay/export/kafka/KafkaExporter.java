package dev.flows.relay.export.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.flows.observer.events.EventType;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.relay.export.ConnectionKey;
import dev.flows.relay.export.FlowExporter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends the relay's flows to Kafka topics: every flow to {@code --kafka-topic}, dropped flows and
 * policy decisions also to their topics when those are on. The key is the flow's
 * {@link ConnectionKey}, so both directions of a connection land in one partition, in order.
 * Headers: {@value #FORMAT_HEADER} ({@code protobuf} or {@code json}) and {@value #NODE_HEADER}
 * (the node that observed the flow).
 *
 * <p>The producer is idempotent with acks=all and never blocks this thread (max.block.ms=0):
 * while the brokers are away, records wait in its buffer (--kafka-buffer) and the producer
 * reconnects by itself; a record that does not fit, or that waits longer than
 * --kafka-delivery-timeout, is dropped and counted once, by reason ({@link #sink()}):
 * <ul>
 *   <li>{@code buffer_full}: the buffer bound was reached;
 *   <li>{@code no_metadata}: the producer has not yet learnt the topic's partitions from a broker
 *       (the brokers were unreachable since the relay started, or the topic does not exist);
 *   <li>{@code expired}: not acknowledged within the delivery timeout;
 *   <li>{@code rejected}: the brokers or the client refused it (too large, not authorized, ...);
 *   <li>{@code shutdown}: still unacknowledged when the relay stopped ({@value #CLOSE_SECONDS} s
 *       after the stop).
 * </ul>
 * Counts are records: a flow that also goes to the drops or policy topic counts once per topic.
 */
public final class KafkaExporter implements FlowExporter {
    private static final Logger LOG = Logger.getLogger(KafkaExporter.class.getName());
    public static final String FORMAT_HEADER = "flows.format";
    public static final String NODE_HEADER = "flows.node";
    static final int CLOSE_SECONDS = 5;
    static final long METADATA_WAIT_MS = 3000;
    private static final long WARN_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    private static final int NODE_CACHE_LIMIT = 4096;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String dropsTopic;
    private final String policyTopic;
    private final KafkaConfig.Format format;
    private final Header formatHeader;
    private final JsonFormat.Printer json = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    private final Map<String, Header> nodeHeaders = new HashMap<>();
    private final LongAdder delivered = new LongAdder();
    private final Map<String, LongAdder> lost = new ConcurrentHashMap<>();
    private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private volatile boolean closing;

    /** The exporter the settings describe, or null when Kafka is off. */
    public static KafkaExporter start(KafkaConfig config) {
        if (!config.enabled()) {
            return null;
        }
        LOG.info(() -> "kafka: exporting to " + config.producer().get("bootstrap.servers") + " topic " + config.topic()
                + (config.dropsTopic() == null ? "" : ", drops to " + config.dropsTopic())
                + (config.policyTopic() == null ? "" : ", policy to " + config.policyTopic()));
        return new KafkaExporter(config, new KafkaProducer<>(config.producer(), new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** @param producer the seam: a real producer, or Kafka's MockProducer in unit tests */
    KafkaExporter(KafkaConfig config, Producer<byte[], byte[]> producer) {
        this.producer = producer;
        this.topic = config.topic();
        this.dropsTopic = config.dropsTopic();
        this.policyTopic = config.policyTopic();
        this.format = config.format();
        this.formatHeader = new RecordHeader(FORMAT_HEADER, format.name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        awaitMetadata(producer, topic, dropsTopic, policyTopic);
    }

    /**
     * Waits up to {@value #METADATA_WAIT_MS} ms at start for the topics' partitions, so that the
     * first flows are not dropped as no_metadata; unreachable brokers do not keep the relay from
     * starting (the producer keeps asking in the background).
     */
    private static void awaitMetadata(Producer<byte[], byte[]> producer, String... topics) {
        long deadline = System.nanoTime() + METADATA_WAIT_MS * 1_000_000;
        for (String t : topics) {
            while (t != null) {
                try {
                    if (!producer.partitionsFor(t).isEmpty() || System.nanoTime() > deadline) {
                        break;
                    }
                } catch (KafkaException e) {
                    if (System.nanoTime() > deadline) {
                        LOG.warning("kafka: no partitions of topic " + t + " yet (" + e.getMessage() + "); flows are dropped "
                                + "as no_metadata until a broker answers");
                        break;
                    }
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public void export(GetFlowsResponse response) {
        if (!response.hasFlow()) {
            return; // loss notices and node status are for Observer clients; the relay's status carries them
        }
        Flow f = response.getFlow();
        ConnectionKey key = ConnectionKey.of(f);
        byte[] k = key == null ? null : key.bytes();
        byte[] value = format == KafkaConfig.Format.PROTOBUF ? f.toByteArray() : json(response);
        Header[] headers = {formatHeader, nodeHeader(f.getNodeName())};
        Long time = f.hasTime() ? f.getTime().getSeconds() * 1000 + f.getTime().getNanos() / 1_000_000 : null;
        send(topic, time, k, value, headers);
        if (dropsTopic != null && f.getVerdict() == Verdict.DROPPED) {
            send(dropsTopic, time, k, value, headers);
        }
        if (policyTopic != null && isPolicy(f)) {
            send(policyTopic, time, k, value, headers);
        }
    }

    private static boolean isPolicy(Flow f) {
        DropReason reason = f.getDropReasonDesc();
        return f.getEventType().getType() == EventType.POLICY_VERDICT.code()
                || (f.getVerdict() == Verdict.DROPPED && (reason == DropReason.POLICY_DENIED || reason == DropReason.POLICY_DENY));
    }

    private void send(String to, Long time, byte[] key, byte[] value, Header[] headers) {
        Thread caller = Thread.currentThread();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(to, null, time, key, value, new RecordHeaders(headers));
        try {
            producer.send(record, (meta, e) -> {
                if (e == null) {
                    delivered.increment();
                } else {
                    // A failure reported on this thread happened in send itself: nothing was buffered.
                    lose(reason(e, Thread.currentThread() == caller), e);
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            lose(closing ? "shutdown" : "rejected", e);
        }
    }

    private String reason(Exception e, boolean atSend) {
        if (closing) {
            return "shutdown";
        }
        if (e instanceof BufferExhaustedException) {
            return "buffer_full";
        }
        if (e instanceof TimeoutException) {
            return atSend ? "no_metadata" : "expired";
        }
        return "rejected";
    }

    private void lose(String reason, Exception e) {
        lost.computeIfAbsent(reason, r -> new LongAdder()).increment();
        long now = System.nanoTime();
        long last = lastWarn.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarn.compareAndSet(last, now)) {
            LOG.warning("kafka: dropping flows (" + reason + ": " + e.getMessage() + "); lost so far " + sink().lost()
                    + (reason.equals("buffer_full") ? "; raise --kafka-buffer to wait longer for the brokers" : ""));
        }
    }

    private Header nodeHeader(String node) {
        Header h = nodeHeaders.get(node);
        if (h == null) {
            if (nodeHeaders.size() >= NODE_CACHE_LIMIT) {
                nodeHeaders.clear();
            }
            h = new RecordHeader(NODE_HEADER, node.getBytes(StandardCharsets.UTF_8));
            nodeHeaders.put(node, h);
        }
        return h;
    }

    private byte[] json(GetFlowsResponse r) {
        try {
            return json.print(r).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print a flow as JSON", e);
        }
    }

    /** Records the brokers acknowledged, and records lost by reason (see the class comment). */
    @Override
    public Sink sink() {
        Map<String, Long> byReason = new TreeMap<>();
        lost.forEach((r, n) -> byReason.put(r, n.sum()));
        return new Sink(delivered.sum(), byReason);
    }

    /** Sends what is buffered, waiting up to {@value #CLOSE_SECONDS} s; what is left then is counted as shutdown. */
    @Override
    public void close() {
        closing = true;
        producer.close(Duration.ofSeconds(CLOSE_SECONDS));
        Sink end = sink();
        LOG.info(() -> "kafka: closed; " + end.delivered() + " records delivered, lost " + end.lost());
    }
}
