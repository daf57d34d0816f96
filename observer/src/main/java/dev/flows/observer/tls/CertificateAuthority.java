package dev.flows.observer.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for the lab and the tests, made with BouncyCastle: a CA whose
 * certificate is a PEM file, and leaf certificates (PEM, with a PKCS#8 key readable only by its
 * owner) carrying the given names as SANs (DNS names; IP literals become IP SANs). The CA's key
 * stays in memory: nothing but this object can issue more.
 *
 * <p>BouncyCastle is an optional dependency of flows-observer: a module that makes certificates
 * (the lab) declares it; the collector and the relay only read them and ship without it.
 */
public final class CertificateAuthority {
    /** Certificates start this long before they are made, so a clock a little behind still accepts them. */
    private static final Duration SKEW = Duration.ofHours(1);
    private static final SecureRandom SERIALS = new SecureRandom();

    /** A certificate file and its private key file. */
    public record Issued(Path cert, Path key) {}

    private final KeyPair key;
    private final X509Certificate cert;
    private final X500Name subject;
    private final Path caFile;
    private final Duration validity;

    private CertificateAuthority(KeyPair key, X509Certificate cert, X500Name subject, Path caFile, Duration validity) {
        this.key = key;
        this.cert = cert;
        this.subject = subject;
        this.caFile = caFile;
        this.validity = validity;
    }

    /**
     * A new CA named {@code CN=name}, its certificate written to {@code <dir>/<name>-ca.pem};
     * it and what it issues are valid for {@code validity}.
     */
    public static CertificateAuthority create(Path dir, String name, Duration validity) {
        try {
            Files.createDirectories(dir);
            KeyPair key = newKey();
            X500Name subject = new X500Name("CN=" + name);
            Instant from = Instant.now().minus(SKEW);
            X509Certificate cert = sign(subject, key, key.getPublic(), subject, List.of(), true, from, from.plus(SKEW).plus(validity));
            Path caFile = caFile(dir, name);
            write(caFile, cert, false);
            return new CertificateAuthority(key, cert, subject, caFile, validity);
        } catch (IOException e) {
            throw new TlsException("cannot write a CA under " + dir + ": " + e.getMessage());
        }
    }

    /** Where {@link #create} writes the certificate of CA {@code name}. */
    public static Path caFile(Path dir, String name) {
        return dir.resolve(name + "-ca.pem");
    }

    /** Where {@link #issue} writes the certificate and key named {@code name}. */
    public static Issued files(Path dir, String name) {
        return new Issued(dir.resolve(name + ".pem"), dir.resolve(name + "-key.pem"));
    }

    /** The PEM file of the CA's certificate: what peers trust. */
    public Path caFile() {
        return caFile;
    }

    /** {@code <dir>/<name>.pem} and {@code <dir>/<name>-key.pem}, valid for the CA's validity from now. */
    public Issued issue(Path dir, String name, String... sans) {
        Instant from = Instant.now().minus(SKEW);
        return issue(dir, name, from, from.plus(SKEW).plus(validity), sans);
    }

    /**
     * The same valid from {@code from} to {@code to}. Files are replaced in place (each one
     * atomically, the key first), as a rotation replaces them.
     */
    public Issued issue(Path dir, String name, Instant from, Instant to, String... sans) {
        Issued files = files(dir, name);
        try {
            Files.createDirectories(dir);
            KeyPair leaf = newKey();
            X509Certificate c = sign(subject, key, leaf.getPublic(), new X500Name("CN=" + name), List.of(sans), false, from, to);
            write(files.key(), new JcaPKCS8Generator(leaf.getPrivate(), null), true);
            write(files.cert(), c, false);
            return files;
        } catch (IOException e) {
            throw new TlsException("cannot write " + files.cert() + ": " + e.getMessage());
        }
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new TlsException("this JVM cannot make P-256 keys: " + e.getMessage());
        }
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKey, PublicKey subjectKey, X500Name subject,
            List<String> sans, boolean ca, Instant from, Instant to) throws IOException {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, SERIALS).add(BigInteger.ONE),
                Date.from(from), Date.from(to), subject, subjectKey);
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
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new TlsException("cannot sign a certificate for " + subject + ": " + e.getMessage());
        }
    }

    /** Writes beside the file and moves it over: a reloader never reads half a file. */
    private static void write(Path file, Object pem, boolean secret) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            if (pem instanceof JcaPKCS8Generator g) {
                w.writeObject(g);
            } else {
                w.writeObject(pem);
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(tmp, s.toString());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
