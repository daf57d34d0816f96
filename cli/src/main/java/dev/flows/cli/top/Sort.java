package dev.flows.cli.top;

import java.util.Comparator;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** How rows are ordered; each has its key in the live view. */
public enum Sort {
    /** Busiest now first: flows/s over the window, then total. */
    RATE('r', "FLOWS/S"),
    /** Busiest since top started first. */
    TOTAL('t', "TOTAL"),
    /** Alphabetical by source, destination, then service. */
    NAME('n', "SOURCE");

    private final char key;
    private final String column;

    Sort(char key, String column) {
        this.key = key;
        this.column = column;
    }

    public char key() {
        return key;
    }

    /** The header of the column this sort orders by (marked in the table). */
    public String column() {
        return column;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Row order; every order ends in the name so rows do not jump between refreshes on ties. */
    Comparator<Row> comparator() {
        Comparator<Row> byName = Comparator.comparing((Row r) -> r.key().source())
                .thenComparing(r -> r.key().destination()).thenComparing(r -> r.key().proto())
                .thenComparingInt(r -> r.key().port());
        return switch (this) {
            case RATE -> Comparator.comparingDouble(Row::rate).reversed().thenComparing(Comparator.comparingLong(Row::total).reversed())
                    .thenComparing(byName);
            case TOTAL -> Comparator.comparingLong(Row::total).reversed().thenComparing(byName);
            case NAME -> byName;
        };
    }

    /** The sort for a key, or null. */
    static Sort forKey(int key) {
        for (Sort s : values()) {
            if (s.key == key) {
                return s;
            }
        }
        return null;
    }

    /** --sort's value, in any case ("Rate" too, as top has always read it). */
    static final class Converter implements ITypeConverter<Sort> {
        @Override
        public Sort convert(String value) {
            for (Sort s : values()) {
                if (s.label().equals(value.toLowerCase(Locale.ROOT))) {
                    return s;
                }
            }
            throw new TypeConversionException(value + ": must be rate, total or name");
        }
    }
}
