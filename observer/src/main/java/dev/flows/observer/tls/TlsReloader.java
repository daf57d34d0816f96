package dev.flows.observer.tls;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.AdvancedTlsX509TrustManager.Verification;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * TLS credentials whose key, certificate and CA files are read again every period, so that
 * certificates rotated in place (cert-manager, a Kubernetes secret volume) are used by the next
 * handshake while established connections go on. grpc-java's AdvancedTls managers parse and hold
 * the key pair and the CAs; the files are watched here (by modification time and size) because CA bundles may be several files (read with the JDK's CertificateFactory
 * and handed to the trust manager whole) and a reloaded key pair needs a new alias ({@link RotatingKeyManager}). One daemon thread per reloader; close
 * it with its owner.
 */
public final class TlsReloader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TlsReloader.class.getName());
    /** How often files are checked when the owner does not say. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(10);

    private final Duration period;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flows-tls-reload");
        t.setDaemon(true);
        return t;
    });

    public TlsReloader(Duration period) {
        this.period = period;
    }

    /**
     * A TLS server presenting {@code cert}/{@code key}. With client CAs, clients must present a
     * certificate from one of them when {@code requireClientCert}, and may otherwise; without, none
     * is asked for.
     */
    public ServerCredentials server(Path cert, Path key, List<Path> clientCas, boolean requireClientCert) {
        TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(keyManager(cert, key));
        if (clientCas.isEmpty()) {
            return b.build();
        }
        return b.trustManager(trustManager(clientCas, Verification.CERTIFICATE_ONLY_VERIFICATION))
                .clientAuth(requireClientCert ? TlsServerCredentials.ClientAuth.REQUIRE : TlsServerCredentials.ClientAuth.OPTIONAL)
                .build();
    }

    /**
     * A TLS client trusting {@code cas} (the system's CAs when empty) and checking the server's
     * name (the channel's authority); presenting {@code cert}/{@code key} when given.
     */
    public ChannelCredentials client(List<Path> cas, Path cert, Path key) {
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        if (!cas.isEmpty()) {
            b.trustManager(trustManager(cas, Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION));
        }
        if (cert != null) {
            b.keyManager(keyManager(cert, key));
        }
        return b.build();
    }

    /** A TLS client that accepts any server certificate (the CLI's --tls-allow-insecure). */
    public ChannelCredentials insecureClient(Path cert, Path key) {
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        try {
            b.trustManager(AdvancedTlsX509TrustManager.newBuilder().setVerification(Verification.INSECURELY_SKIP_ALL_VERIFICATION).build());
        } catch (GeneralSecurityException e) {
            throw new TlsException("cannot skip verification: " + e.getMessage());
        }
        if (cert != null) {
            b.keyManager(keyManager(cert, key));
        }
        return b.build();
    }

    private RotatingKeyManager keyManager(Path cert, Path key) {
        RotatingKeyManager km = new RotatingKeyManager(load(cert, key));
        List<Path> files = List.of(cert, key);
        long[] lastModified = {modified(files)};
        scheduler.scheduleWithFixedDelay(() -> {
            long m = modified(files);
            if (m == lastModified[0]) {
                return;
            }
            try {
                km.replace(load(cert, key));
                lastModified[0] = m;
                LOG.info(() -> "reloaded " + cert + " and " + key);
            } catch (TlsException e) {
                LOG.warning("keeping the previous certificate: " + e.getMessage());
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return km;
    }

    private static AdvancedTlsX509KeyManager load(Path cert, Path key) {
        AdvancedTlsX509KeyManager km = new AdvancedTlsX509KeyManager();
        try {
            km.updateIdentityCredentialsFromFile(key.toFile(), cert.toFile());
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException(cert + " / " + key + ": not a PEM certificate and its private key (" + e.getMessage() + ")");
        }
        checkPair(km.getPrivateKey("default"), km.getCertificateChain("default")[0], cert, key);
        return km;
    }

    /**
     * The key must be the certificate's: files rotated one by one are a mismatched pair for a
     * moment, and a pair that does not match fails every handshake. A signature made with the key
     * and checked with the certificate's public key tells, whatever the key's algorithm.
     */
    private static void checkPair(PrivateKey privateKey, X509Certificate certificate, Path cert, Path key) {
        byte[] probe = "flows key pair check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature s = Signature.getInstance(switch (privateKey.getAlgorithm()) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                default -> privateKey.getAlgorithm(); // Ed25519, Ed448: the key's own scheme
            });
            s.initSign(privateKey);
            s.update(probe);
            byte[] signature = s.sign();
            s.initVerify(certificate.getPublicKey());
            s.update(probe);
            if (s.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another algorithm than the certificate's: a mismatch like any other
        }
        throw new TlsException(key + " is not the private key of " + cert + ": expected the key the certificate was issued for");
    }

    private AdvancedTlsX509TrustManager trustManager(List<Path> cas, Verification verification) {
        AdvancedTlsX509TrustManager tm;
        try {
            tm = AdvancedTlsX509TrustManager.newBuilder().setVerification(verification).build();
            tm.updateTrustCredentials(readAll(cas));
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException(cas + ": not PEM CA certificates (" + e.getMessage() + ")");
        }
        long[] lastModified = {modified(cas)};
        scheduler.scheduleWithFixedDelay(() -> {
            long m = modified(cas);
            if (m == lastModified[0]) {
                return;
            }
            try {
                tm.updateTrustCredentials(readAll(cas));
                lastModified[0] = m;
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                LOG.log(Level.WARNING, "keeping the previous CAs: " + cas + " not readable: " + e.getMessage());
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return tm;
    }

    private static X509Certificate[] readAll(List<Path> files) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> all = new ArrayList<>();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                cf.generateCertificates(in).forEach(c -> all.add((X509Certificate) c));
            }
        }
        if (all.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + files);
        }
        return all.toArray(X509Certificate[]::new);
    }

    private static long modified(List<Path> files) {
        long sum = 0;
        for (Path f : files) {
            try {
                sum = sum * 31 + Files.getLastModifiedTime(f).toMillis() + Files.size(f);
            } catch (IOException e) {
                sum = sum * 31 - 1;
            }
        }
        return sum;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
