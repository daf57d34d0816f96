package dev.flows.observer.tls;

import io.grpc.util.AdvancedTlsX509KeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * grpc-util's key manager under a new alias after every reload. Netty's OpenSSL engine caches key
 * material by alias, and grpc-util 1.66 always answers "default", so without a fresh alias a
 * rotated certificate would never reach a handshake.
 */
final class RotatingKeyManager extends X509ExtendedKeyManager {
    private volatile AdvancedTlsX509KeyManager current;
    private volatile String alias;
    private int generation;

    RotatingKeyManager(AdvancedTlsX509KeyManager first) {
        replace(first);
    }

    synchronized void replace(AdvancedTlsX509KeyManager next) {
        current = next;
        alias = "flows-" + ++generation;
    }

    @Override
    public PrivateKey getPrivateKey(String a) {
        return a != null && a.equals(alias) ? current.getPrivateKey("default") : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String a) {
        return a != null && a.equals(alias) ? current.getCertificateChain("default") : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {alias};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return alias;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return alias;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {alias};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias;
    }
}
