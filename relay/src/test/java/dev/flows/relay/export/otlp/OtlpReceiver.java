package dev.flows.relay.export.otlp;

import com.sun.net.httpserver.HttpServer;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An OTLP trace receiver in-process, on loopback, built on the official opentelemetry-proto
 * classes: gRPC ({@code TraceService/Export} on grpc-java) or HTTP/protobuf (a POST of an
 * {@code ExportTraceServiceRequest} to {@code /v1/traces}). It keeps what it received as
 * {@link Received} spans (or only counts them, for benchmarks) so tests can assert what a tracing
 * backend would show.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One received span, flattened: ids in lowercase hex, attributes as Java values, its resource's service.name. */
    public record Received(String traceId, String spanId, String parentSpanId, String name, long startNanos, long endNanos,
            Status.StatusCode status, String statusMessage, Map<String, Object> attributes, String serviceName) {
        public String attr(String key) {
            Object v = attributes.get(key);
            return v == null ? null : v.toString();
        }
    }

    private final boolean keep;
    private final List<Received> spans = new ArrayList<>();
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final Map<String, String> headers = new java.util.concurrent.ConcurrentHashMap<>();
    private Server grpc;
    /** The gRPC receiver's own threads (named {@value #THREADS}*), so a benchmark can tell its CPU from the sender's. */
    private EventLoopGroup loops;
    private ExecutorService handlers;
    private HttpServer http;

    private static final String THREADS = "otlp-receiver";

    private OtlpReceiver(boolean keep) {
        this.keep = keep;
    }

    /** A gRPC receiver on 127.0.0.1 (port 0: any free port); without {@code keepSpans} it only counts them. */
    public static OtlpReceiver grpc(int port, boolean keepSpans) throws IOException {
        OtlpReceiver r = new OtlpReceiver(keepSpans);
        r.loops = new NioEventLoopGroup(1, new DefaultThreadFactory(THREADS + "-io", true));
        r.handlers = Executors.newFixedThreadPool(4, new DefaultThreadFactory(THREADS + "-handler", true));
        r.grpc = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .bossEventLoopGroup(r.loops).workerEventLoopGroup(r.loops).channelType(NioServerSocketChannel.class)
                .executor(r.handlers)
                .addService(ServerInterceptors.intercept(keepSpans ? new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> response) {
                        r.take(request);
                        response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                }.bindService() : r.counting(), new ServerInterceptor() {
                    @Override
                    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                        for (String k : headers.keys()) {
                            if (!k.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                                r.headers.put(k, headers.get(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER)));
                            }
                        }
                        return next.startCall(call, headers);
                    }
                })).build().start();
        return r;
    }

    /**
     * TraceService/Export that only counts: it walks the request's wire format down to the spans
     * (resource_spans 1, scope_spans 2, spans 2) without building them, so a benchmark measures
     * the sender, not this receiver's protobuf parsing (which costs more per span than marshalling).
     */
    private ServerServiceDefinition counting() {
        MethodDescriptor.Marshaller<byte[]> raw = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(byte[] value) {
                return new ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(InputStream in) {
                try {
                    return in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        MethodDescriptor<byte[], ExportTraceServiceResponse> export = TraceServiceGrpc.getExportMethod()
                .toBuilder(raw, ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance())).build();
        return ServerServiceDefinition.builder(TraceServiceGrpc.SERVICE_NAME)
                .addMethod(export, ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<ExportTraceServiceResponse> response) -> {
                    try {
                        requests.incrementAndGet();
                        count.addAndGet(nested(CodedInputStream.newInstance(request), 1, 2, 2));
                    } catch (IOException e) {
                        response.onError(io.grpc.Status.INVALID_ARGUMENT.withDescription("not an ExportTraceServiceRequest: " + e).asException());
                        return;
                    }
                    response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                    response.onCompleted();
                })).build();
    }

    /** How many messages the path of field numbers leads to, e.g. (1, 2, 2): spans in scope spans in resource spans. */
    private static int nested(CodedInputStream in, int... path) throws IOException {
        int n = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) != path[0] || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                in.skipField(tag);
            } else if (path.length == 1) {
                in.skipField(tag);
                n++;
            } else {
                int limit = in.pushLimit(in.readRawVarint32());
                n += nested(in, Arrays.copyOfRange(path, 1, path.length));
                in.popLimit(limit);
            }
        }
        return n;
    }

    /** An HTTP/protobuf receiver on 127.0.0.1, answering POST /v1/traces. */
    public static OtlpReceiver http() throws IOException {
        OtlpReceiver r = new OtlpReceiver(true);
        r.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        r.http.createContext(TracesConfig.HTTP_TRACES_PATH, ex -> {
            try (InputStream in = ex.getRequestBody(); OutputStream out = ex.getResponseBody()) {
                boolean ok = ex.getRequestMethod().equals("POST")
                        && "application/x-protobuf".equals(ex.getRequestHeaders().getFirst("Content-Type"));
                if (ok) {
                    ex.getRequestHeaders().forEach((k, v) -> r.headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
                    r.take(ExportTraceServiceRequest.parseFrom(in));
                }
                byte[] body = ok ? ExportTraceServiceResponse.getDefaultInstance().toByteArray() : new byte[0];
                ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                ex.sendResponseHeaders(ok ? 200 : 400, body.length == 0 ? -1 : body.length);
                out.write(body);
            }
        });
        r.http.start();
        return r;
    }

    public int port() {
        return grpc != null ? grpc.getPort() : http.getAddress().getPort();
    }

    /** The URL an exporter sends to: http://127.0.0.1:PORT (gRPC) or http://127.0.0.1:PORT/v1/traces (HTTP). */
    public String endpoint() {
        return "http://127.0.0.1:" + port() + (grpc != null ? "" : TracesConfig.HTTP_TRACES_PATH);
    }

    private void take(ExportTraceServiceRequest request) {
        requests.incrementAndGet();
        List<Received> got = new ArrayList<>();
        int n = 0;
        for (ResourceSpans rs : request.getResourceSpansList()) {
            String service = String.valueOf(values(rs.getResource().getAttributesList()).get("service.name"));
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                n += ss.getSpansCount();
                if (!keep) {
                    continue;
                }
                for (Span s : ss.getSpansList()) {
                    got.add(new Received(hex(s.getTraceId().toByteArray()), hex(s.getSpanId().toByteArray()),
                            hex(s.getParentSpanId().toByteArray()), s.getName(), s.getStartTimeUnixNano(), s.getEndTimeUnixNano(),
                            s.getStatus().getCode(), s.getStatus().getMessage(), values(s.getAttributesList()), service));
                }
            }
        }
        count.addAndGet(n);
        synchronized (spans) {
            spans.addAll(got);
            spans.notifyAll();
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static Map<String, Object> values(List<KeyValue> kvs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (KeyValue kv : kvs) {
            out.put(kv.getKey(), value(kv.getValue()));
        }
        return out;
    }

    private static Object value(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> v.getBoolValue();
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(OtlpReceiver::value).toList();
            default -> v.toString();
        };
    }

    /** Every span received so far. */
    public List<Received> spans() {
        synchronized (spans) {
            return List.copyOf(spans);
        }
    }

    /** Spans received (also when not kept). */
    public long count() {
        return count.get();
    }

    /** CPU time the gRPC receiver's threads have used (reading, parsing, answering), in ns. */
    public long cpuNanos() {
        var cpu = ManagementFactory.getThreadMXBean();
        long n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(THREADS)) {
                n += Math.max(0, cpu.getThreadCpuTime(t.getId()));
            }
        }
        return n;
    }

    /** A header of the last request (lowercase name), or null. */
    public String lastHeader(String name) {
        return headers.get(name);
    }

    /** Export requests received. */
    public long requests() {
        return requests.get();
    }

    /** Waits until the spans received satisfy {@code done}; returns them either way after the timeout. */
    public List<Received> await(Predicate<List<Received>> done, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (spans) {
            while (!done.test(spans)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                spans.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            return List.copyOf(spans);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (grpc != null) {
            grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            handlers.shutdownNow();
        }
        if (http != null) {
            http.stop(0);
        }
    }
}
