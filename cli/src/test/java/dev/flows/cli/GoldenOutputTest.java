package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flows.proto.flow.Flow;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every output format of the sample flows, compared with the expected text under
 * src/test/resources/golden/ (UTC). Set -Dflows.golden.update=true to rewrite the files after an
 * intended change, then review the diff.
 */
class GoldenOutputTest {
    static String render(String format, boolean nodeName, boolean color) {
        FlowPrinter p = new FlowPrinter(FlowPrinter.Format.valueOf(format.toUpperCase(java.util.Locale.ROOT)), ZoneOffset.UTC, nodeName, color);
        StringWriter out = new StringWriter();
        PrintWriter w = new PrintWriter(out);
        for (Flow f : SampleFlows.ALL) {
            p.print(SampleFlows.response(f), w, w);
        }
        p.flush(w);
        return out.toString();
    }

    private static void assertGolden(String file, String actual) throws IOException {
        if (Boolean.getBoolean("flows.golden.update")) {
            Files.writeString(Path.of("src/test/resources/golden", file), actual);
        }
        try (InputStream in = GoldenOutputTest.class.getResourceAsStream("/golden/" + file)) {
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual, file);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
        compact, false, compact.txt
        compact, true,  compact-node-name.txt
        dict,    false, dict.txt
        dict,    true,  dict-node-name.txt
        table,   false, table.txt
        table,   true,  table-node-name.txt
        json,    false, json.txt
        """)
    void formatMatchesGolden(String format, boolean nodeName, String file) throws IOException {
        assertGolden(file, render(format, nodeName, false));
    }

    @Test
    void colorsPaintHostsIdentitiesAndVerdictsLikeHubble() throws IOException {
        // ESC is shown as \e in the golden file so that it stays readable.
        assertGolden("compact-color.txt", render("compact", false, true).replace("\u001b", "\\e"));
    }

    @Test
    void tableIsNeverColored() {
        assertEquals(render("table", false, false), render("table", false, true));
    }
}
