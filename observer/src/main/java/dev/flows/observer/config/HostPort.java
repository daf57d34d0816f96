package dev.flows.observer.config;

import java.net.InetSocketAddress;

/** HOST:PORT settings ("[::1]:4244" for IPv6), shared by the collector's and the relay's options. */
public final class HostPort {
    private HostPort() {}

    /** A socket address to listen on; a bad value is a one-line {@link ConfigException} naming the flag. */
    public static InetSocketAddress parse(String flag, String value) {
        InetSocketAddress a = unresolved(flag, value);
        return new InetSocketAddress(a.getHostString(), a.getPort());
    }

    /** A peer's address checked for form only: names are resolved when connecting, not at start. */
    public static InetSocketAddress unresolved(String flag, String value) {
        int colon = value.lastIndexOf(':');
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (colon <= 0 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return InetSocketAddress.createUnresolved(value.substring(0, colon).replace("[", "").replace("]", ""), port);
        } catch (RuntimeException e) {
            throw new ConfigException(flag + " " + value + ": must be HOST:PORT, e.g. 0.0.0.0:4244");
        }
    }

    /** {@code a} as a HOST:PORT setting writes it, brackets around an IPv6 host, for messages that quote one. */
    public static String format(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
