package io.shoal.manager.membership;

import io.shoal.api.NodeTLSInfo;

import java.security.cert.X509Certificate;

/**
 * What the cluster records of a node's certificate when the CA issues it, and the TLS status
 * {@code node ls}/{@code node inspect} derive from it (docker's TLS STATUS).
 */
public final class TlsInfos {
    public static final String READY = "Ready";
    public static final String NEEDS_ROTATION = "Needs Rotation";
    public static final String EXPIRED = "Expired";

    private TlsInfos() {}

    /** The record of {@code cert}, issued by the root whose digest is {@code caDigest}. */
    public static NodeTLSInfo of(X509Certificate cert, String caDigest) {
        return NodeTLSInfo.newBuilder()
                .setCertIssuerSubject(cert.getIssuerX500Principal().getName())
                .setCaDigest(caDigest)
                .setCertNotBeforeMs(cert.getNotBefore().getTime())
                .setCertNotAfterMs(cert.getNotAfter().getTime())
                .build();
    }

    /**
     * Ready: valid now and issued by {@code rootDigest}, the root certificates are issued under now
     * (the new root while a rotation runs); Needs Rotation: issued by another root; Expired: past its notAfter (the node could not renew in time and must join again);
     * empty when nothing was recorded.
     */
    public static String status(NodeTLSInfo info, String rootDigest, long nowMs) {
        if (info == null || info.getCertNotAfterMs() == 0) {
            return "";
        }
        if (nowMs >= info.getCertNotAfterMs()) {
            return EXPIRED;
        }
        return info.getCaDigest().equals(rootDigest) ? READY : NEEDS_ROTATION;
    }
}
