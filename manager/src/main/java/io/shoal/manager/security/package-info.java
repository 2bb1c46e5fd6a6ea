/**
 * The cluster's PKI and keys as operators manage them: operator certificates, the certificate
 * expiry, root CA rotation and autolock, behind the {@code ClusterSecurity} gRPC service.
 */
package io.shoal.manager.security;
