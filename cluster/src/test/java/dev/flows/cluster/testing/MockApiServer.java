package dev.flows.cluster.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's Kubernetes mock server in CRUD mode (lists and watches over real HTTP, a store that
 * keeps what is created) with the faults an API server has: watches that end, watches refused
 * with 410 Gone, and outages (the server stopped: connections refused) after which it comes back
 * on the same port with the same objects. {@link #admin()} is a client that is never refused, to
 * change the objects while the others are kept out.
 */
public final class MockApiServer implements AutoCloseable {
    private static final String ADMIN = "X-Flows-Test-Admin";
    // the mock logs every request at INFO: kept to warnings, or a test's output is all requests
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
    private final Faults faults = new Faults();
    private final List<WebSocket> watches = new CopyOnWriteArrayList<>();
    private final AtomicInteger gone = new AtomicInteger();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private volatile boolean closedToOthers;
    private volatile long historyFrom;
    private final int port;
    private KubernetesMockServer server;
    private final KubernetesClient admin;

    public MockApiServer() {
        server = newServer();
        server.start();
        port = server.getPort();
        admin = new KubernetesClientBuilder().withConfig(new ConfigBuilder(config()).withCustomHeaders(java.util.Map.of(ADMIN, "1")).build())
                .withHttpClientFactory(new JdkHttpClientFactory()).build();
    }

    private KubernetesMockServer newServer() {
        return new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), faults, false);
    }

    /**
     * How a node's client reaches this server: short timeouts and a reconnect backoff from 100 ms
     * (doubling to 3.2 s), so outages of a test's length are caught up within seconds.
     */
    public Config config() {
        return new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port).withNamespace("default")
                .withWatchReconnectInterval(100).withConnectionTimeout(1000).withRequestTimeout(5000)
                .withRequestRetryBackoffLimit(0).build();
    }

    /** A client that the faults below never touch. */
    public KubernetesClient admin() {
        return admin;
    }

    /**
     * Stores {@code objects} as creating them would, without a request each: the CRUD mock looks
     * through its whole store on every create, so a cluster of 100,000 pods would take hours to
     * build one request at a time. Only before anyone lists or watches: no watch event is sent.
     */
    public void preload(List<? extends HasMetadata> objects) {
        KubernetesSerialization json = admin.getKubernetesSerialization();
        for (HasMetadata o : objects) {
            o.getMetadata().setResourceVersion(Long.toString(store.requestResourceVersion()));
            // what a create stamps, and a later patch carries over
            o.getMetadata().setUid(java.util.UUID.randomUUID().toString());
            o.getMetadata().setCreationTimestamp(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            o.getMetadata().setGeneration(1L);
            String text = json.asJson(o);
            // keyed as a create keys it: the attributes of its path (kind's plural, namespace), then its own
            String group = o.getApiVersion().contains("/") ? "/apis/" : "/api/";
            String ns = o.getMetadata().getNamespace() == null ? "" : "namespaces/" + o.getMetadata().getNamespace() + "/";
            String path = group + o.getApiVersion() + "/" + ns + HasMetadata.getPlural(o.getClass());
            store.getMap().put(AttributeSet.merge(store.getKey(path), store.getAttributeExtractor().fromResource(text)), text);
        }
    }

    /** Ends every open watch, as an API server does when it restarts or a load balancer cuts idle connections. */
    public void dropWatches() {
        for (WebSocket ws : watches) {
            ws.close(1000, "dropped by the test");
        }
        watches.clear();
    }

    /**
     * The next {@code n} watches get 410 Gone (an ERROR event with status 410, as an API server
     * sends when the resource version asked for is too old): the informer must list again.
     */
    public void goneForNextWatches(int n) {
        gone.set(n);
    }

    /** Lists and watches of these resources (e.g. "networkpolicies") are answered 503 until {@link #accept}. */
    public void refuse(String resource) {
        refused.add(resource);
    }

    public void accept(String resource) {
        refused.remove(resource);
    }

    /** Stops the server: open watches end, new connections are refused. The objects stay. */
    public synchronized void stop() {
        watches.clear();
        server.shutdown();
    }

    /** Starts it again on the same port; until {@link #open()} only {@link #admin()} gets answers (others get 503). */
    public synchronized void restartClosed() {
        closedToOthers = true;
        server = newServer();
        server.start(port);
    }

    /**
     * Everybody is answered again. Like a restarted API server, whose watch cache starts at the
     * current resource version, it answers a watch from an older version with 410 Gone; the mock
     * keeps no history, so a watch from there would silently miss what changed.
     */
    public void open() {
        historyFrom = Long.parseLong(admin.namespaces().list().getMetadata().getResourceVersion());
        closedToOthers = false;
    }

    @Override
    public synchronized void close() {
        admin.close();
        dropWatches();
        try {
            server.shutdown();
        } catch (IllegalStateException e) {
            // Vert.x did not finish closing in its 10 s on a busy machine: the server is discarded
            // either way, and the test's verdict is already in.
            System.err.println("mock API server: " + e.getMessage());
        }
    }

    private static long resourceVersion(String path) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[?&]resourceVersion=(\\d+)").matcher(path);
        return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }

    private final class Faults extends Dispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            boolean isAdmin = request.getHeader(ADMIN) != null;
            if (!isAdmin) {
                if (closedToOthers || refused.stream().anyMatch(r -> path.contains("/" + r))) {
                    return status(503, "ServiceUnavailable", "refused by the test");
                }
                if (path.contains("watch=true") && (gone.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || resourceVersion(path) < historyFrom)) {
                    return expired();
                }
            }
            MockResponse r = store.dispatch(request);
            WebSocketListener inner = r.getWebSocketListener();
            if (inner != null) {
                r.withWebSocketUpgrade(new Tracked(inner));
            }
            return r;
        }

        /** What an API server does with a watch from a resource version it no longer has: one ERROR event, 410. */
        private MockResponse expired() {
            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                @Override
                public void onOpen(WebSocket ws, Response r) {
                    ws.send("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                            + "\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}}");
                    ws.close(1000, "");
                }
            });
        }

        private MockResponse status(int code, String reason, String message) {
            return new MockResponse().setResponseCode(code).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"message\":\"" + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
        }
    }

    /** A watch's WebSocket, remembered so that the test can end it. */
    private final class Tracked extends WebSocketListener {
        private final WebSocketListener inner;

        Tracked(WebSocketListener inner) {
            this.inner = inner;
        }

        @Override public void onBeforeAccept(WebSocket ws, Response r) { inner.onBeforeAccept(ws, r); }
        @Override public void onOpen(WebSocket ws, Response r) {
            watches.add(ws);
            inner.onOpen(ws, r);
        }
        @Override public void onMessage(WebSocket ws, String text) { inner.onMessage(ws, text); }
        @Override public void onClosing(WebSocket ws, int code, String reason) { inner.onClosing(ws, code, reason); }
        @Override public void onClosed(WebSocket ws, int code, String reason) {
            watches.remove(ws);
            inner.onClosed(ws, code, reason);
        }
        @Override public void onFailure(WebSocket ws, Throwable t, Response r) {
            watches.remove(ws);
            inner.onFailure(ws, t, r);
        }
    }
}
