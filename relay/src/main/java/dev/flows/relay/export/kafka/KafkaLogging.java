package dev.flows.relay.export.kafka;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How much of Kafka's own logging a flows process shows. Kafka's clients log through SLF4J, bound
 * to java.util.logging (slf4j-jdk14) like everything else in flows. At INFO they print every
 * setting and every connection, which is noise to a user; their warnings and errors (a broker
 * refusing or unreachable, a missing topic) are what a user must see.
 */
public final class KafkaLogging {
    /** Kafka's loggers all live under this name. */
    public static final String LOGGER = "org.apache.kafka";

    // java.util.logging holds loggers weakly: a collected logger would forget its level.
    private static final Logger KAFKA = Logger.getLogger(LOGGER);

    private KafkaLogging() {
    }

    /** From now on this process shows Kafka's warnings and errors only. */
    public static void warningsOnly() {
        KAFKA.setLevel(Level.WARNING);
    }
}
