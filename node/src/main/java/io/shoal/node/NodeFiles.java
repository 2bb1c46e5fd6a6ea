package io.shoal.node;

import io.shoal.manager.ca.NodeKeyPem;
import io.shoal.manager.ca.Pem;
import io.shoal.worker.fs.Trees;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The layout of a node's data dir:
 * <pre>
 *   state.json          membership (NodeState)
 *   certs/ca.pem        the cluster root CA certificates this node trusts (two while a root rotation runs)
 *   certs/node.pem      this node's certificate (followed by the cross-signed new root while a rotation runs)
 *   certs/node-key.pem  this node's private key (0600): plain PKCS#8 PEM, or sealed under the KEK while
 *                       autolock is on (a manager's; {@link NodeKeyPem})
 *   certs/next.pem, certs/next-key.pem   a renewed pair while it replaces the two above
 *   certs/kek           managers only: key-encryption key for the CA key in the store (0600)
 *   raft/               managers only: Raft log, metadata and snapshots
 * </pre>
 */
public record NodeFiles(Path dataDir) {
    /**
     * One lock per data directory in this process, taken by every load and save of the key pair: a
     * load that ran between the two renames of a renewal read the new key with the old certificate
     * (a TLS handshake then fails with KEY_VALUES_MISMATCH), and its own completion of the
     * replacement raced the renewal's.
     */
    private static final ConcurrentMap<Path, Object> PAIR_LOCKS = new ConcurrentHashMap<>();

    public Path state() {
        return dataDir.resolve("state.json");
    }

    public Path certs() {
        return dataDir.resolve("certs");
    }

    public Path caCert() {
        return certs().resolve("ca.pem");
    }

    public Path nodeCert() {
        return certs().resolve("node.pem");
    }

    public Path nodeKey() {
        return certs().resolve("node-key.pem");
    }

    private Path nextCert() {
        return certs().resolve("next.pem");
    }

    private Path nextKey() {
        return certs().resolve("next-key.pem");
    }

    public Path kek() {
        return certs().resolve("kek");
    }

    public Path raft() {
        return dataDir.resolve("raft");
    }

    /**
     * The node's TLS identity: its key, the chain it presents (its certificate, then the new root
     * cross-signed by the old one while a root rotation runs) and the roots it trusts.
     */
    public record Identity(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> roots) {
        public Identity {
            chain = List.copyOf(chain);
            roots = List.copyOf(roots);
            if (chain.isEmpty() || roots.isEmpty()) {
                throw new IllegalArgumentException("an identity needs a certificate and a root");
            }
        }

        public Identity(PrivateKey key, X509Certificate cert, X509Certificate ca) {
            this(key, List.of(cert), List.of(ca));
        }

        /** This node's own certificate. */
        public X509Certificate cert() {
            return chain.get(0);
        }

        /** The first root this node trusts (the current one; a rotation's new root follows it). */
        public X509Certificate ca() {
            return roots.get(0);
        }

        /** The same key and chain, trusting {@code next}. */
        public Identity trusting(List<X509Certificate> next) {
            return new Identity(key, chain, next);
        }
    }

    /** The identity of a node whose key file is plain (a worker; a manager without autolock). */
    public Identity loadIdentity() throws IOException {
        return loadIdentity(null);
    }

    /**
     * The identity, its key opened with {@code kek} when its file is sealed (autolock).
     *
     * @throws io.shoal.manager.ca.CaException when the key is sealed and {@code kek} is null or does not open it
     */
    public Identity loadIdentity(byte[] kek) throws IOException {
        synchronized (pairLock()) {
            finishReplacement();
            return new Identity(NodeKeyPem.parse(Files.readString(nodeKey()), kek),
                    Pem.parseCertificates(Files.readString(nodeCert())),
                    Pem.parseCertificates(Files.readString(caCert())));
        }
    }

    /**
     * Replaces the node's key and certificate (and the root) so that a crash at any point leaves a
     * matching pair: the new pair is first written whole beside the old one ({@code next-key.pem},
     * then {@code next.pem}), then each is renamed over its old file, key first. Whoever loads the
     * identity later finishes a replacement that a crash interrupted ({@link #finishReplacement}).
     * The key is sealed under {@code sealWith} unless it is null.
     */
    public void saveIdentity(PrivateKey key, String certPem, String caPem, byte[] sealWith) throws IOException {
        synchronized (pairLock()) {
            AtomicFiles.write(caCert(), caPem.getBytes(StandardCharsets.UTF_8));
            savePair(key, certPem, sealWith);
        }
    }

    /**
     * Replaces the key and certificate as {@link #saveIdentity} does, leaving the roots: a renewal,
     * whose answer may name roots older than what the node's session said since (a rotation that
     * completed meanwhile).
     */
    public void savePair(PrivateKey key, String certPem, byte[] sealWith) throws IOException {
        synchronized (pairLock()) {
            AtomicFiles.write(nextKey(), NodeKeyPem.encode(key, sealWith).getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(nextCert(), certPem.getBytes(StandardCharsets.UTF_8));
            finishReplacement();
        }
    }

    /**
     * Rewrites the key file sealed under {@code kek} ({@code seal}) or plain, if it is not so
     * already; atomically, so a crash leaves the old file or the new one whole, and either opens
     * with {@code kek}. The certificate is unchanged.
     *
     * @return whether the file was rewritten
     */
    public boolean resealKey(byte[] kek, boolean seal) throws IOException {
        synchronized (pairLock()) {
            finishReplacement();
            if (!Files.exists(nodeKey())) {
                return false;
            }
            String pem = Files.readString(nodeKey());
            if (NodeKeyPem.isSealed(pem) == seal) {
                return false;
            }
            PrivateKey key = NodeKeyPem.parse(pem, kek);
            AtomicFiles.write(nodeKey(), NodeKeyPem.encode(key, seal ? kek : null).getBytes(StandardCharsets.UTF_8));
            return true;
        }
    }

    /** Replaces the roots this node trusts (a root rotation starting or ending), leaving the key pair. */
    public void saveRoots(String caPem) throws IOException {
        synchronized (pairLock()) {
            AtomicFiles.write(caCert(), caPem.getBytes(StandardCharsets.UTF_8));
        }
    }

    private Object pairLock() {
        return PAIR_LOCKS.computeIfAbsent(dataDir.toAbsolutePath().normalize(), d -> new Object());
    }

    /**
     * Completes a replacement of the pair: with {@code next.pem} present the new pair was written
     * whole, so it is moved in (the key may have moved already); a {@code next-key.pem} alone was
     * never completed and is dropped, leaving the old pair.
     */
    private void finishReplacement() throws IOException {
        if (Files.exists(nextCert())) {
            if (Files.exists(nextKey())) {
                AtomicFiles.rename(nextKey(), nodeKey());
            }
            AtomicFiles.rename(nextCert(), nodeCert());
        } else {
            Files.deleteIfExists(nextKey());
        }
    }

    public void saveKek(byte[] kek) throws IOException {
        AtomicFiles.write(kek(), kek);
    }

    public byte[] loadKek() throws IOException {
        return Files.readAllBytes(kek());
    }

    /** Forgets the cluster: state, certificates and Raft data. */
    public void wipe() throws IOException {
        Files.deleteIfExists(state());
        Trees.delete(certs());
        Trees.delete(raft());
    }
}
