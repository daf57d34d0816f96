package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flows.cluster.Node;
import dev.flows.cluster.YamlClusterLoader;
import dev.flows.lab.FlowsHome;
import dev.flows.testing.BpfGate;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The metrics path end to end: a real Prometheus (Debian's package, on loopback, started and
 * stopped here) scrapes the relay and both collectors of the lab while its traffic runs, then
 * every query of every panel of every dashboard under dashboards/ must return data, and every
 * dashboard variable must offer values.
 */
@Tag("lab")
class MetricsLabTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*(\\w+)\\)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static LabCli lab;
    private static Process prometheus;
    private static Path promDir;
    private static String promUrl;

    @BeforeAll
    static void labAndPrometheusUp() throws Exception {
        BpfGate.require();
        assertTrue(Files.isExecutable(PROMETHEUS), PROMETHEUS + " missing: run scripts/setup.sh (Debian package prometheus)");
        lab = LabCli.up("flows-metrics-lab");
        List<Node> nodes = new YamlClusterLoader(s -> {}).load(FlowsHome.locate().resolve("deploy/lab/cluster.yaml")).nodes();
        List<String> collectors = nodes.stream().map(n -> "'" + n.internalIP() + ":9966'").toList();
        promDir = Files.createTempDirectory("flows-prometheus");
        Files.writeString(promDir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: flows-relay
                    static_configs: [{targets: ['127.0.0.1:9965']}]
                  - job_name: flows-collector
                    static_configs: [{targets: [%s]}]
                """.formatted(String.join(", ", collectors)));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        promUrl = "http://127.0.0.1:" + port;
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + promDir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + promDir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(promDir.resolve("prometheus.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ready()) {
            if (!prometheus.isAlive() || System.nanoTime() > deadline) {
                fail("prometheus did not become ready: " + Files.readString(promDir.resolve("prometheus.log")));
            }
            Thread.sleep(250);
        }
    }

    private static boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(promUrl + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @AfterAll
    static void down() throws Exception {
        try {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (lab != null) {
                lab.down();
            }
        }
    }

    private static JsonObject api(String path, Map<String, String> params) throws Exception {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(promUrl + path + q)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonObject body = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals("success", body.get("status").getAsString(), path + " " + params + ": " + r.body());
        return body;
    }

    private static JsonArray query(String expr) throws Exception {
        return api("/api/v1/query", Map.of("query", expr)).getAsJsonObject("data").getAsJsonArray("result");
    }

    /** Every dashboard's variables (name → query) and panel queries (title → expr). */
    private record Dashboard(String file, Map<String, String> variables, Map<String, String> queries) {}

    private static List<Dashboard> dashboards() throws Exception {
        List<Dashboard> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(FlowsHome.locate().resolve("dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonObject d = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
                Map<String, String> vars = new LinkedHashMap<>();
                for (JsonElement v : d.getAsJsonObject("templating").getAsJsonArray("list")) {
                    JsonObject o = v.getAsJsonObject();
                    vars.put(o.get("name").getAsString(), o.get("type").getAsString().equals("query")
                            ? o.getAsJsonObject("query").get("query").getAsString() : o.get("type").getAsString());
                }
                Map<String, String> queries = new LinkedHashMap<>();
                for (JsonElement p : d.getAsJsonArray("panels")) {
                    JsonObject panel = p.getAsJsonObject();
                    for (JsonElement t : panel.getAsJsonArray("targets")) {
                        String ref = t.getAsJsonObject().get("refId").getAsString();
                        queries.put(panel.get("title").getAsString() + " [" + ref + "]", t.getAsJsonObject().get("expr").getAsString());
                    }
                }
                out.add(new Dashboard(f.getFileName().toString(), vars, queries));
            }
        }
        return out;
    }

    /** Grafana's substitutions: every variable as "All" (.*), the rate interval for a 1 s scrape. */
    private static String substitute(String expr, Map<String, String> variables) {
        String s = expr.replace("$__rate_interval", "15s").replace("$__interval", "5s").replace("$__range", "1m");
        for (String v : variables.keySet()) {
            s = s.replace("${" + v + "}", ".*").replace("$" + v, ".*");
        }
        assertFalse(s.contains("$"), "unsubstituted variable in " + expr);
        return s;
    }

    @Test
    void everyDashboardHasDatasourceNamespaceAndPodVariables() throws Exception {
        List<Dashboard> ds = dashboards();
        assertEquals(4, ds.size(), "dashboards: " + ds.stream().map(Dashboard::file).toList());
        for (Dashboard d : ds) {
            assertEquals(List.of("datasource", "namespace", "pod"), List.copyOf(d.variables().keySet()), d.file());
            assertEquals("datasource", d.variables().get("datasource"), d.file());
        }
    }

    @Test
    void everyTargetIsScrapedAndEveryPanelQueryReturnsData() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Map<String, String> empty = new LinkedHashMap<>();
        do {
            empty.clear();
            JsonArray up = query("up == 1");
            if (up.size() != 3) {
                empty.put("up == 1 (relay and two collectors)", up.toString());
            }
            for (Dashboard d : dashboards()) {
                for (Map.Entry<String, String> v : d.variables().entrySet()) {
                    if (v.getValue().startsWith("label_values")) {
                        Matcher m = LABEL_VALUES.matcher(v.getValue());
                        assertTrue(m.matches(), d.file() + " variable " + v.getKey() + ": " + v.getValue());
                        JsonArray values = api("/api/v1/label/" + m.group(2) + "/values",
                                Map.of("match[]", substitute(m.group(1), d.variables()))).getAsJsonArray("data");
                        boolean real = false;
                        for (JsonElement e : values) {
                            real |= !e.getAsString().isEmpty() && !e.getAsString().equals("overflow");
                        }
                        if (!real) {
                            empty.put(d.file() + " variable " + v.getKey(), v.getValue() + " → " + values);
                        }
                    }
                }
                for (Map.Entry<String, String> q : d.queries().entrySet()) {
                    String expr = substitute(q.getValue(), d.variables());
                    if (query(expr).isEmpty()) {
                        empty.put(d.file() + " " + q.getKey(), expr);
                    }
                }
            }
            if (empty.isEmpty()) {
                break;
            }
            Thread.sleep(2000);
        } while (System.nanoTime() < deadline);
        assertTrue(empty.isEmpty(), "no data after 90 s of lab traffic:\n" + String.join("\n",
                empty.entrySet().stream().map(e -> "  " + e.getKey() + ": " + e.getValue()).toList()));
        // The namespaces of the lab's traffic, by name: the variables offer what a user would pick.
        JsonArray namespaces = api("/api/v1/label/source_namespace/values", Map.of("match[]", "flows_flows_processed_total")).getAsJsonArray("data");
        assertTrue(namespaces.toString().contains("\"shop\""), "namespaces: " + namespaces);
        JsonArray read = query("sum(rate(flows_collector_events_read_total[15s])) > 0");
        assertFalse(read.isEmpty(), "collectors read no events");
    }
}
