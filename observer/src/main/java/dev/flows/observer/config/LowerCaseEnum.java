package dev.flows.observer.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An enum written as its lower-case constant name ("datapath" for DATAPATH), as the flags have
 * always been spelled; picocli's own enum conversion wants the constant's case. Subclass it
 * once per enum, with a no-argument constructor, for {@code @Option(converter = ...)}.
 */
public abstract class LowerCaseEnum<E extends Enum<E>> implements ITypeConverter<E> {
    private final Class<E> type;

    protected LowerCaseEnum(Class<E> type) {
        this.type = type;
    }

    @Override
    public E convert(String value) {
        for (E e : type.getEnumConstants()) {
            if (name(e).equals(value)) {
                return e;
            }
        }
        throw new TypeConversionException(value + ": must be " + choices(type));
    }

    /** The constant as the flag writes it. */
    public static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** "a or b", "a, b or c". */
    static String choices(Class<? extends Enum<?>> type) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(LowerCaseEnum::name).toList();
        int last = names.size() - 1;
        return last == 0 ? names.get(0) : String.join(", ", names.subList(0, last)) + " or " + names.get(last);
    }
}
