package io.shoal.node;

import io.shoal.manager.ca.Pem;
import io.shoal.worker.fs.Trees;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * The layout of a node's data dir:
 * <pre>
 *   state.json          membership (NodeState)
 *   certs/ca.pem        cluster root CA certificate
 *   certs/node.pem      this node's certificate
 *   certs/node-key.pem  this node's private key (0600)
 *   certs/kek           managers only: key-encryption key for the CA key in the store (0600)
 *   raft/               managers only: Raft log, metadata and snapshots
 * </pre>
 */
public record NodeFiles(Path dataDir) {
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

    public Path kek() {
        return certs().resolve("kek");
    }

    public Path raft() {
        return dataDir.resolve("raft");
    }

    /** The node's TLS identity as loaded from disk. */
    public record Identity(PrivateKey key, X509Certificate cert, X509Certificate ca) {}

    public Identity loadIdentity() throws IOException {
        return new Identity(Pem.parsePrivateKey(Files.readString(nodeKey())),
                Pem.parseCertificate(Files.readString(nodeCert())),
                Pem.parseCertificate(Files.readString(caCert())));
    }

    public void saveIdentity(PrivateKey key, String certPem, String caPem) throws IOException {
        AtomicFiles.write(nodeKey(), Pem.encode(key).getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(nodeCert(), certPem.getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(caCert(), caPem.getBytes(StandardCharsets.UTF_8));
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
