package dev.flows.observer.events;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the enums and #defines of bpf/include's headers, the twins of this package's tables. */
final class CHeaders {
    private CHeaders() {}

    static String read(String name) throws IOException {
        String home = System.getenv("FLOWS_HOME");
        Path p = home != null ? Path.of(home, "bpf/include", name) : Path.of("../bpf/include", name);
        return Files.readString(p);
    }

    /** The enumerators of {@code enum name} with their values, in the header's order. */
    static Map<String, Integer> cEnum(String header, String name) {
        Matcher m = Pattern.compile("enum " + name + "\\s*\\{([^}]*)\\}").matcher(header);
        assertTrue(m.find(), "enum " + name + " not found");
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher e = Pattern.compile("([A-Z_][A-Z0-9_]*)\\s*=\\s*(\\d+)").matcher(m.group(1).replaceAll("/\\*.*?\\*/", ""));
        while (e.find()) {
            out.put(e.group(1), Integer.parseInt(e.group(2)));
        }
        return out;
    }

    /** Every {@code #define PREFIX... n} with a plain decimal value. */
    static Map<String, Integer> defines(String header, String prefix) {
        Matcher m = Pattern.compile("#define (" + prefix + "[A-Z0-9_]*)\\s+(\\d+)\\b").matcher(header);
        Map<String, Integer> out = new LinkedHashMap<>();
        while (m.find()) {
            out.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return out;
    }
}
