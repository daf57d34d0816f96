package dev.flows.collector.decode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BTF of a compiled BPF object, as printed by {@code bpftool btf dump file X} (raw format):
 * struct sizes and member offsets/sizes, enum values and data section variables.
 */
public final class Btf {
    record Member(String name, int typeId, int bitOffset) {}

    record Type(int id, String kind, String name, Map<String, String> attrs, List<String> lines) {
        int attr(String key) {
            return Integer.parseInt(attrs.get(key));
        }
    }

    private static final Pattern TYPE = Pattern.compile("^\\[(\\d+)] (\\w+) '([^']*)'(.*)$");
    private static final Pattern ATTR = Pattern.compile("(\\w+)=([^\\s,]+)");
    private static final Pattern MEMBER = Pattern.compile("^\\s+'(\\w+)' type_id=(\\d+) bits_offset=(\\d+)");
    private static final Pattern ENUMERATOR = Pattern.compile("^\\s+'(\\w+)' val=(-?\\d+)");
    private static final Pattern SECVAR = Pattern.compile("^\\s+type_id=\\d+ offset=(\\d+) size=(\\d+) \\(VAR '(\\w+)'\\)");

    private final Map<Integer, Type> types = new HashMap<>();

    public static Btf dump(Path object) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", object.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("bpftool btf dump file " + object + " failed: " + out);
        }
        return new Btf(out);
    }

    Btf(String dump) {
        Type current = null;
        for (String line : dump.split("\n")) {
            Matcher m = TYPE.matcher(line);
            if (m.matches()) {
                Map<String, String> attrs = new HashMap<>();
                Matcher a = ATTR.matcher(m.group(4));
                while (a.find()) {
                    attrs.put(a.group(1), a.group(2));
                }
                current = new Type(Integer.parseInt(m.group(1)), m.group(2), m.group(3), attrs, new ArrayList<>());
                types.put(current.id(), current);
            } else if (current != null) {
                current.lines().add(line);
            }
        }
    }

    Type named(String kind, String name) {
        return types.values().stream().filter(t -> t.kind().equals(kind) && t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " '" + name + "' in BTF"));
    }

    public int structSize(String name) {
        return named("STRUCT", name).attr("size");
    }

    /** Members of a struct by name, with their byte offset and size. */
    public Map<String, int[]> members(String struct) {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (String line : named("STRUCT", struct).lines()) {
            Matcher m = MEMBER.matcher(line);
            if (m.find()) {
                out.put(m.group(1), new int[] {Integer.parseInt(m.group(3)) / 8, sizeOf(Integer.parseInt(m.group(2)))});
            }
        }
        return out;
    }

    Map<String, Long> enumValues(String name) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : named("ENUM", name).lines()) {
            Matcher m = ENUMERATOR.matcher(line);
            if (m.find()) {
                out.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        return out;
    }

    /** Variables of a data section, name to {offset, size}. */
    Map<String, int[]> sectionVars(String section) {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (String line : named("DATASEC", section).lines()) {
            Matcher m = SECVAR.matcher(line);
            if (m.find()) {
                out.put(m.group(3), new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
            }
        }
        return out;
    }

    int sizeOf(int typeId) {
        Type t = types.get(typeId);
        return switch (t.kind()) {
            case "INT", "STRUCT", "UNION", "ENUM", "ENUM64" -> t.attr("size");
            case "PTR" -> 8;
            case "ARRAY" -> t.attr("nr_elems") * sizeOf(t.attr("type_id"));
            case "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "TYPE_TAG" -> sizeOf(t.attr("type_id"));
            default -> throw new AssertionError("no size for BTF kind " + t.kind());
        };
    }
}
