package io.shoal.manager.security;

import io.grpc.stub.StreamObserver;
import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.GetRootRotationRequest;
import io.shoal.api.GetUnlockKeyRequest;
import io.shoal.api.RotateUnlockKeyRequest;
import io.shoal.api.UnlockKeyResponse;
import io.shoal.api.IssueClientCertificateRequest;
import io.shoal.api.IssueClientCertificateResponse;
import io.shoal.api.RootRotationStatus;
import io.shoal.api.RotateRootCARequest;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.ca.NodeIdentity;
import io.shoal.manager.membership.ClusterCa;
import io.shoal.manager.membership.RootRotations;
import io.shoal.manager.rpc.Calls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;

/** The {@code ClusterSecurity} API (what {@code shoal ca}, {@code cluster update} and the unlock commands call). */
public final class SecurityService extends ClusterSecurityGrpc.ClusterSecurityImplBase {
    private final ClusterCa ca;
    private final RootRotations rotations;
    private final UnlockKeys unlockKeys;

    public SecurityService(ClusterCa ca, RootRotations rotations, UnlockKeys unlockKeys) {
        this.ca = ca;
        this.rotations = rotations;
        this.unlockKeys = unlockKeys;
    }

    /** The unlock key ({@code shoal unlock-key}); empty while autolock is off. */
    @Override
    public void getUnlockKey(GetUnlockKeyRequest req, StreamObserver<UnlockKeyResponse> obs) {
        Calls.unary(obs, unlockKeys::get);
    }

    /** A new unlock key ({@code shoal unlock-key --rotate}); every manager re-wraps its key file under it. */
    @Override
    public void rotateUnlockKey(RotateUnlockKeyRequest req, StreamObserver<UnlockKeyResponse> obs) {
        Calls.unary(obs, unlockKeys::rotate);
    }

    /** Starts a root CA rotation ({@code shoal ca --rotate}); refused while one runs. */
    @Override
    public void rotateRootCA(RotateRootCARequest req, StreamObserver<RootRotationStatus> obs) {
        Calls.unary(obs, rotations::start);
    }

    @Override
    public void getRootRotation(GetRootRotationRequest req, StreamObserver<RootRotationStatus> obs) {
        Calls.unary(obs, rotations::status);
    }

    @Override
    public void issueClientCertificate(IssueClientCertificateRequest req, StreamObserver<IssueClientCertificateResponse> obs) {
        Calls.unary(obs, () -> {
            PublicKey key = publicKey(req.getPublicKey().toByteArray());
            Duration validity = null;
            if (req.getValidityMs() != 0) {
                validity = Duration.ofMillis(req.getValidityMs());
                if (validity.compareTo(ClusterSettings.MIN_NODE_CERT_EXPIRY) < 0) {
                    throw Calls.invalid("--expiry " + validity.toMillis() + "ms is too short: an operator certificate lives at least 1m");
                }
            }
            ClusterCa.Issued cert = ca.issueOperator(key, validity);
            return IssueClientCertificateResponse.newBuilder()
                    .setOperatorId(NodeIdentity.of(cert.cert()).nodeId())
                    .setCertPem(cert.chainPem())
                    .setCaCertPem(ca.trustedRootsPem())
                    .setNotAfterMs(cert.cert().getNotAfter().getTime())
                    .build();
        });
    }

    private static PublicKey publicKey(byte[] der) {
        if (der.length == 0) {
            throw Calls.invalid("public_key is required (DER SubjectPublicKeyInfo of an EC key)");
        }
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw Calls.invalid("public_key is not an EC public key (DER SubjectPublicKeyInfo)");
        }
    }
}
