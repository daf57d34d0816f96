package dev.flows.cli.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flows.cli.app.FlowsCli;
import dev.flows.cli.LabCli;
import dev.flows.testing.BpfGate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code flows top} as a user sees it: in a real pseudo-terminal (tmux) against the real lab,
 * keys pressed, the screen read back, and the terminal checked after quitting.
 */
@Tag("lab")
class TopLabTest {
    private static final String NODE_A = "172.20.0.2:4244";
    private static final String FRONTEND = "shop/frontend-6b8f9c7d5-q2x7k";
    private static final String CART_A = "shop/cart-5d7c9b8f4-h4j2m";
    // Our own tmux server: never touch a user's sessions.
    private static final String SOCKET = "flows-top-test-" + ProcessHandle.current().pid();
    private static final String SESSION = "top";

    private static LabCli lab;

    @BeforeAll
    static void labUp() throws Exception {
        BpfGate.require();
        requireTmux();
        lab = LabCli.up("flows-top-lab");
    }

    @AfterAll
    static void labDown() throws Exception {
        // kill-server leaves the socket file behind; ask tmux where it is first.
        String socket = run("tmux", "-L", SOCKET, "display-message", "-p", "-t", SESSION, "#{socket_path}").strip();
        run("tmux", "-L", SOCKET, "kill-server");
        if (socket.startsWith("/") && socket.endsWith(SOCKET)) {
            Files.deleteIfExists(Path.of(socket));
        }
        if (lab != null) {
            lab.down();
            assertFalse(run("ps", "-eo", "args").contains("FlowsCli top"), "top left running");
        }
    }

    @Test
    void showsBusiestPairsSortsTogglesDropsAndRestoresTheTerminalOnQuit() throws Exception {
        // A script, not a tmux argument: the test classpath is longer than a tmux command may be.
        Path script = lab.stateDir().resolve("top.sh");
        Files.writeString(script, String.join("\n",
                "export FLOWS_LAB_DIR='" + lab.stateDir() + "'",
                "'" + javaCommand() + "' -cp '" + System.getProperty("java.class.path") + "' " + FlowsCli.class.getName()
                        + " top --server " + NODE_A + " --window 5s",
                "echo \"EXITED rc=$?\"",
                "stty -a | tr ' ;' '\\n\\n' | grep -x -e '-\\?icanon' -e '-\\?echo'",
                "sleep 600", ""));
        tmux("new-session", "-d", "-s", SESSION, "-x", "160", "-y", "40", "sh " + script);

        // The lab's busiest pair: every frontend call to cart opens a new connection.
        String screen = waitFor("frontend -> cart row", s -> rows(s).stream()
                .anyMatch(r -> r.matches(FRONTEND + " +" + CART_A + " +TCP/8080 +[0-9.]+ +[0-9]+ +FORWARDED")), 30);
        assertTrue(title(screen).startsWith("flows top - " + NODE_A + " - flows by rate"), title(screen));
        assertTrue(header(screen).contains("FLOWS/S*"), header(screen));
        screen = waitFor("five lab pairs with frontend -> cart first by rate", s -> rows(s).size() >= 5
                && rows(s).get(0).startsWith(FRONTEND + " ") && rows(s).get(0).contains(CART_A + " ")
                && rows(s).get(0).contains("TCP/8080"), 15);
        assertSorted(rows(screen), Comparator.comparingDouble((String r) -> column(r, 3)).reversed(), "by rate");

        tmux("send-keys", "-t", SESSION, "n");
        screen = waitFor("sorted by name", s -> title(s).contains("flows by name") && header(s).startsWith("SOURCE*"), 5);
        assertSorted(rows(screen), Comparator.comparing((String r) -> r.split(" +")[0]).thenComparing(r -> r.split(" +")[1]), "by name");
        // default/toolbox (calling the cart service) may come first, when it was balanced to this node's cart
        List<String> sources = rows(screen).stream().map(r -> r.split(" +")[0]).toList();
        int infra = sources.indexOf("infra/prometheus-0");
        assertTrue(infra >= 0 && infra < sources.indexOf(FRONTEND), "infra sorts before shop: " + rows(screen));

        tmux("send-keys", "-t", SESSION, "t");
        screen = waitFor("sorted by total", s -> title(s).contains("flows by total") && header(s).contains("TOTAL*"), 5);
        assertSorted(rows(screen), Comparator.comparingDouble((String r) -> column(r, 4)).reversed(), "by total");

        tmux("send-keys", "-t", SESSION, "d");
        // The lab's policy denies prometheus-0 -> cart on node-a: the drops view shows that pair, by reason.
        screen = waitFor("drops view with the policy denial", s -> title(s).contains("drops by total") && header(s).endsWith("REASON")
                && rows(s).stream().anyMatch(r -> r.matches("infra/prometheus-0 +shop/cart-5d7c9b8f4-w9z6t +TCP/8080 .*POLICY_DENIED")), 10);
        assertTrue(rows(screen).stream().allMatch(r -> r.endsWith("POLICY_DENIED")), "the lab drops nothing else: " + rows(screen));

        tmux("send-keys", "-t", SESSION, "q");
        screen = waitFor("top to exit", s -> s.contains("EXITED rc="), 10);
        assertTrue(screen.contains("EXITED rc=0"), screen);
        assertFalse(screen.contains("flows top -"), "the alternate screen is gone: " + screen);
        List<String> stty = screen.lines().filter(l -> l.matches("-?(icanon|echo)")).toList();
        assertEquals(List.of("icanon", "echo"), stty, "the tty is back in cooked mode with echo");
        assertEquals("0 1", tmux("display-message", "-p", "-t", SESSION, "#{alternate_on} #{cursor_flag}").strip(),
                "normal screen, cursor visible");
    }

    private static void requireTmux() throws Exception {
        boolean present;
        try {
            present = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (java.io.IOException e) {
            present = false;
        }
        if (!present && "1".equals(System.getenv("FLOWS_REQUIRE_BPF"))) {
            fail("FLOWS_REQUIRE_BPF=1 but tmux is not installed");
        }
        assumeTrue(present, "tmux is not installed");
    }

    private static String waitFor(String what, Predicate<String> ok, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        String screen = capture();
        while (!ok.test(screen)) {
            if (System.currentTimeMillis() > deadline) {
                fail("waited " + seconds + " s for " + what + "; screen:\n" + screen);
            }
            Thread.sleep(200);
            screen = capture();
        }
        return screen;
    }

    private static String capture() throws Exception {
        return tmux("capture-pane", "-p", "-t", SESSION);
    }

    private static String title(String screen) {
        return screen.lines().findFirst().orElse("");
    }

    private static String header(String screen) {
        return screen.lines().filter(l -> l.startsWith("SOURCE")).findFirst().orElse("").strip();
    }

    /** Table rows: the lines between the column header and the first blank line. */
    private static List<String> rows(String screen) {
        List<String> rows = new ArrayList<>();
        boolean in = false;
        for (String l : screen.lines().toList()) {
            if (l.startsWith("SOURCE")) {
                in = true;
            } else if (in && (l.isBlank() || l.startsWith("("))) {
                break;
            } else if (in) {
                rows.add(l.strip());
            }
        }
        return rows;
    }

    private static double column(String row, int i) {
        return Double.parseDouble(row.split(" +")[i]);
    }

    private static void assertSorted(List<String> rows, Comparator<String> order, String what) {
        assertFalse(rows.isEmpty(), "no rows");
        assertEquals(rows.stream().sorted(order).toList(), rows, "rows not sorted " + what);
    }

    private static String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", SOCKET));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tmux " + String.join(" ", args) + ": " + out);
        return out;
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String run(String... cmd) throws Exception {
        return LabCli.run(cmd);
    }
}
