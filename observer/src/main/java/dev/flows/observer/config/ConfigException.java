package dev.flows.observer.config;

/** A bad setting; the message is one line naming the setting, the value and what is valid. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
