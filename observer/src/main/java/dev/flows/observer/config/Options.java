package dev.flows.observer.config;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/** How every main reports a bad flag: one line naming the flag, the bad value and what is valid. */
public final class Options {
    private Options() {}

    /**
     * The line for a parse failure. picocli words a converter's failure as "Invalid value for
     * option '--x': ..."; ours already name the value, so the flag (or a positional parameter's
     * label) goes in front and nothing else.
     */
    public static String oneLine(ParameterException e) {
        if (e.getCause() instanceof TypeConversionException c) {
            if (e.getArgSpec() instanceof OptionSpec o) {
                return o.longestName() + " " + c.getMessage();
            }
            if (e.getArgSpec() instanceof PositionalParamSpec p) {
                return p.paramLabel() + " " + c.getMessage();
            }
        }
        return e.getMessage();
    }

    /** Parses {@code args} into {@code options}; a bad value is a {@link ConfigException} with the line above. */
    public static <T> T parse(T options, String... args) {
        try {
            new CommandLine(options).parseArgs(args);
        } catch (ParameterException e) {
            throw new ConfigException(oneLine(e));
        }
        return options;
    }
}
