package dev.flows.observer.tls;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place where TLS failures become a line a user can act on: which certificate, and what
 * was expected. The JDK and Netty report them as exception chains whose shape depends on the side
 * and the TLS version; this reads the whole chain (causes and messages).
 */
public final class TlsFailures {
    private TlsFailures() {}

    /**
     * What went wrong talking to {@code target}, when the failure is TLS's.
     *
     * @param tls whether this side spoke TLS
     * @param serverName the name the server's certificate had to carry
     */
    public static Optional<String> describe(Throwable failure, String target, boolean tls, String serverName) {
        String chain = chain(failure);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return Optional.of("the certificate of " + target + " is not valid now (" + t.getMessage()
                        + "): expected one within its validity period");
            }
            if (t instanceof CertPathValidatorException e && e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return Optional.of("the certificate of " + target + " has expired: expected a current one");
            }
        }
        if (chain.contains("pkix path") || chain.contains("unable to find valid certification path")
                || chain.contains("no trusted certificate") || chain.contains("not signed by")) {
            return Optional.of("the certificate of " + target + " is not signed by a known CA: expected one from --tls-ca-cert-files");
        }
        if (chain.contains("no subject alternative") || chain.contains("no name matching")) {
            return Optional.of("the certificate of " + target + " is not for " + serverName
                    + ": expected a certificate naming " + serverName + " (or set --tls-server-name)");
        }
        if (chain.contains("certificate_required") || chain.contains("bad_certificate") && !chain.contains("certificate_expired")
                || chain.contains("empty client certificate chain")) {
            return Optional.of(target + " requires a client certificate from its CA: expected --tls-client-cert-file and "
                    + "--tls-client-key-file signed by it");
        }
        if (chain.contains("certificate_expired")) {
            return Optional.of(target + " refused our client certificate as expired: expected a current one");
        }
        // the OpenSSL engine answers a client certificate its trust manager rejects with internal_error
        if (chain.contains("certificate_unknown") || chain.contains("unknown_ca") || tls && chain.contains("alert_internal_error")) {
            return Optional.of(target + " refused our client certificate: expected one signed by its client CA");
        }
        if (tls && (chain.contains("notsslrecordexception") || chain.contains("not an ssl/tls record")
                || chain.contains("unrecognized ssl message") || chain.contains("unsupported or unrecognized")
                || chain.contains("first received frame was not settings"))) {
            return Optional.of(target + " speaks plaintext: expected TLS (drop --tls / tls://, or enable TLS on the server)");
        }
        if (!tls && (chain.contains("first received frame was not settings") || chain.contains("http/2 client preface")
                || chain.contains("network closed for unknown reason"))) {
            return Optional.of(target + " did not answer in plaintext: expected plaintext; it may require TLS (use --tls or tls://)");
        }
        return Optional.empty();
    }

    private static String chain(Throwable failure) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
