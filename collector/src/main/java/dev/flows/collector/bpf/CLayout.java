package dev.flows.collector.bpf;

/**
 * How a Java twin of a bpf/include struct names its parts, for the test that compares them with
 * the compiled objects' BTF (EventLayoutBtfTest). The event layout (decode) and the map layouts
 * (here, policy) both list theirs with these, so neither package reaches into the other for them.
 */
public final class CLayout {
    private CLayout() {}

    /** One field of a C struct as Java reads or writes it. */
    public record Field(String struct, String name, int offset, int size) {}

    /** One C struct and its size. */
    public record Struct(String name, int size) {}
}
