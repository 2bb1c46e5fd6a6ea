package io.shoal.node;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.GetRootCARequest;
import io.shoal.api.IssueNodeCertificateRequest;
import io.shoal.api.IssueNodeCertificateResponse;
import io.shoal.api.NodeCAGrpc;
import io.shoal.api.NodeDescription;
import io.shoal.manager.ca.JoinToken;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.Pem;

import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * A joining node's side of being admitted by a manager: fetch the cluster's root CA without
 * trusting it, check it against the digest the join token names, then ask for a certificate over
 * TLS verified against that CA, proving the node with the token's secret. The token decides the
 * role the certificate carries.
 */
final class JoinClient {
    private JoinClient() {}

    /** A certificate issued to a new key pair. */
    record Admitted(KeyPair keys, IssueNodeCertificateResponse response) {}

    /**
     * @param remote      a manager's cluster address (IP:PORT)
     * @param token       the join token, parsed; {@code tokenText} as the user gave it
     * @param hostname    this node's hostname, as the manager will record it
     * @param advertise   the address other nodes reach this one at
     * @param description what this node reports about itself
     */
    static Admitted join(String remote, JoinToken token, String tokenText, String hostname, String advertise,
                         NodeDescription description) {
        X509Certificate ca = fetchRootCa(remote);
        if (!digest(ca).equals(token.caDigest())) {
            throw Status.PERMISSION_DENIED.withDescription("the manager at " + remote + " has a different root CA than the "
                    + "join token names: wrong token, or someone is in the middle").asRuntimeException();
        }
        KeyPair kp = NodeKeys.generate();
        ManagedChannel ch = Tls.channel(remote, Tls.anonymousClient(ca));
        try {
            return new Admitted(kp, NodeCAGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .issueNodeCertificate(IssueNodeCertificateRequest.newBuilder()
                            .setToken(tokenText)
                            .setCsr(ByteString.copyFrom(NodeKeys.csr(kp, "joining")))
                            .setHostname(hostname)
                            .setAdvertiseAddr(advertise)
                            .setDescription(description)
                            .build()));
        } catch (StatusRuntimeException e) {
            throw unreachable(remote, e);
        } finally {
            ch.shutdownNow();
        }
    }

    private static X509Certificate fetchRootCa(String remote) {
        ManagedChannel ch = Tls.channel(remote, Tls.bootstrapClient());
        try {
            String pem = NodeCAGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getRootCA(GetRootCARequest.getDefaultInstance()).getCaCertPem();
            return Pem.parseCertificate(pem);
        } catch (StatusRuntimeException e) {
            throw unreachable(remote, e);
        } finally {
            ch.shutdownNow();
        }
    }

    private static StatusRuntimeException unreachable(String remote, StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return Status.UNAVAILABLE.withDescription("cannot reach a manager at " + remote + ": "
                    + (e.getStatus().getDescription() == null ? e.getStatus().getCode() : e.getStatus().getDescription()))
                    .asRuntimeException();
        }
        return e;
    }

    /** The SHA-256 of a certificate, as join tokens name the root CA's. */
    static String digest(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
