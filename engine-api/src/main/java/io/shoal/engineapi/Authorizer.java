package io.shoal.engineapi;

import java.security.cert.X509Certificate;

/**
 * Who may use the API on a listener. On the unix socket everyone who can open it (file
 * permissions guard it, as docker's); on tcp the client's TLS certificate, already verified
 * against the cluster's root CA, must carry a role that administers the cluster.
 */
@FunctionalInterface
public interface Authorizer {
    /** Everyone who reached the listener. */
    Authorizer ANYONE = cert -> { };

    /**
     * @param clientCert the verified client certificate (null on a unix socket)
     * @throws ApiError (403) when the caller may not use the API
     */
    void check(X509Certificate clientCert);
}
