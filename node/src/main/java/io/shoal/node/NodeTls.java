package io.shoal.node;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The node's TLS identity as every endpoint of the node uses it: the cluster port's server, the
 * client channels to other daemons, and Raft between managers all hold the same key manager and
 * trust manager, which read the identity installed last at each handshake. Renewing the
 * certificate is {@link #install}: new handshakes present the new certificate, connections made
 * before keep theirs (a peer checks a certificate only when the connection is made), and nothing
 * restarts.
 */
final class NodeTls {
    private static final String ALIAS = "node";

    private final Keys keys = new Keys();
    private final Trust trust = new Trust();
    private volatile NodeFiles.Identity identity;
    private volatile X509ExtendedTrustManager trustDelegate;

    NodeTls(NodeFiles.Identity identity) {
        install(identity);
    }

    /** Makes {@code next} the identity of every handshake from now on. */
    synchronized void install(NodeFiles.Identity next) {
        trustDelegate = trustManagerFor(next.roots());
        identity = presentable(next);
    }

    /**
     * The identity without the rotation's cross-signed certificate once the node trusts one root
     * and its certificate is under it (the rotation completed): a peer's TLS stack (BoringSSL) may
     * build its path through the cross-signed certificate to the old root it no longer trusts.
     */
    static NodeFiles.Identity presentable(NodeFiles.Identity id) {
        if (id.chain().size() < 2 || id.roots().size() != 1) {
            return id;
        }
        try {
            id.cert().verify(id.ca().getPublicKey());
        } catch (GeneralSecurityException e) {
            return id; // under another root: peers that trust only that one need the cross-signed certificate
        }
        return new NodeFiles.Identity(id.key(), List.of(id.cert()), id.roots());
    }

    /**
     * Trusts {@code roots} from the next handshake on, keeping the key and chain: both roots while a
     * root rotation runs, the new one alone once it completes.
     */
    synchronized void trust(List<X509Certificate> roots) {
        install(identity.trusting(roots));
    }

    /** Presents {@code chain} (with {@code key}) from the next handshake on, trusting the roots trusted now (a renewal). */
    synchronized void present(PrivateKey key, List<X509Certificate> chain) {
        install(new NodeFiles.Identity(key, chain, identity.roots()));
    }

    NodeFiles.Identity identity() {
        return identity;
    }

    KeyManager keyManager() {
        return keys;
    }

    TrustManager trustManager() {
        return trust;
    }

    private static X509ExtendedTrustManager trustManagerFor(List<X509Certificate> roots) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            for (int i = 0; i < roots.size(); i++) {
                ks.setCertificateEntry("ca" + i, roots.get(i));
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
            f.init(ks);
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the trust manager for the cluster root: " + e.getMessage(), e);
        }
    }

    /** One key, always the one installed last; never cached by the TLS stacks (netty asks each handshake). */
    private final class Keys extends X509ExtendedKeyManager {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return identity.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return identity.key();
        }
    }

    /** The JDK's PKIX checks (chain, validity, the server's address) against the roots installed last. */
    private final class Trust extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trustDelegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trustDelegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trustDelegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trustDelegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trustDelegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trustDelegate.checkServerTrusted(chain, authType);
        }

        /**
         * None named: a TLS server sends this list in its certificate request once, when its
         * context is made (netty's OpenSSL contexts), so after a root rotation it would name only the
         * old root, and a client whose key manager picks a certificate by issuer (the JDK's, the
         * CLI's) would then send none. With no list, clients send their certificate and the
         * checks above decide.
         */
        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
