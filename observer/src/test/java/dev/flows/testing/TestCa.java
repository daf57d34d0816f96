package dev.flows.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA for handshake tests, made with BouncyCastle: PEM files for the CA, and for server
 * and client certificates with the given SANs (DNS names; IP literals become IP SANs).
 */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final KeyPair key;
    private final X509Certificate cert;
    public final Path caFile;

    public TestCa(Path dir, String name) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        this.key = newKey();
        this.cert = sign(new X500Name("CN=" + name), key, key, new X500Name("CN=" + name), List.of(), true,
                Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
        this.caFile = dir.resolve(name + "-ca.pem");
        write(caFile, cert);
    }

    /** {@code <dir>/<name>.pem} and {@code <dir>/<name>-key.pem}, valid from an hour ago for a day. */
    public Path[] issue(Path dir, String name, String... sans) throws IOException, GeneralSecurityException {
        return issue(dir, name, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)), sans);
    }

    public Path[] issue(Path dir, String name, Instant from, Instant to, String... sans) throws IOException, GeneralSecurityException {
        KeyPair leaf = newKey();
        X509Certificate c = sign(new X500Name(cert.getSubjectX500Principal().getName()), key, leaf,
                new X500Name("CN=" + name), List.of(sans), false, from, to);
        Path certFile = dir.resolve(name + ".pem");
        Path keyFile = dir.resolve(name + "-key.pem");
        write(certFile, c);
        write(keyFile, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(leaf.getPrivate(), null));
        return new Path[] {certFile, keyFile};
    }

    private static KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKey, KeyPair subjectKey, X500Name subject,
            List<String> sans, boolean ca, Instant from, Instant to) throws GeneralSecurityException, IOException {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(from), Date.from(to), subject, subjectKey.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (!sans.isEmpty()) {
            List<GeneralName> names = new ArrayList<>();
            for (String s : sans) {
                names.add(s.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, s) : new GeneralName(GeneralName.dNSName, s));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static void write(Path file, Object pem) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            if (pem instanceof org.bouncycastle.util.io.pem.PemObjectGenerator g) {
                w.writeObject(g);
            } else {
                w.writeObject(pem);
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, s.toString());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
