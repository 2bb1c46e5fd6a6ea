package io.shoal.manager.ca;

import io.shoal.api.NodeRole;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * The cluster root CA: a self-signed ECDSA P-256 certificate and its key. It signs node
 * certificates whose subject is {@code CN=<node id>, OU=<role>, O=<cluster id>}; the identity comes
 * from the caller's arguments, never from the CSR.
 */
public final class RootCa {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIG = "SHA256withECDSA";

    private final X509Certificate cert;
    private final PrivateKey key;

    private RootCa(X509Certificate cert, PrivateKey key) {
        this.cert = cert;
        this.key = key;
    }

    /**
     * A new root CA for {@code clusterId}, valid for 20 years. Each root has a name of its own
     * ({@code CN=shoal-root-ca-<random>}): while a rotation runs, nodes trust an old and a new root at
     * once, and a certificate's issuer name then says which of the two signed it.
     */
    public static RootCa create(String clusterId) {
        KeyPair kp = NodeKeys.generate();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, clusterId).addRDN(BCStyle.CN, "shoal-root-ca-" + HexFormat.of().toHexDigits(RANDOM.nextInt())).build();
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(365L * 20))),
                    subject, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new RootCa(sign(b, kp.getPrivate()), kp.getPrivate());
        } catch (IOException | GeneralSecurityException e) {
            throw new CaException("cannot create the root CA: " + e.getMessage(), e);
        }
    }

    /**
     * The root {@code next}'s subject and key certified by this root: an intermediate CA
     * certificate. A chain {@code leaf, crossSigned} issued under {@code next} verifies at a peer
     * that trusts only this root (leaf -> cross-signed -> this root), and at a peer that trusts
     * {@code next} (the cross-signed certificate names {@code next}'s subject and key, so the chain
     * ends at that anchor). That is how nodes under the old and under the new root interoperate
     * while a rotation rolls out.
     */
    public X509Certificate crossSign(X509Certificate next) {
        Instant notAfter = next.getNotAfter().toInstant();
        if (notAfter.isAfter(cert.getNotAfter().toInstant())) {
            notAfter = cert.getNotAfter().toInstant();
        }
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial(), next.getNotBefore(),
                    Date.from(notAfter), next.getSubjectX500Principal(), next.getPublicKey());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(next.getPublicKey()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
            return sign(b, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new CaException("cannot cross-sign the new root: " + e.getMessage(), e);
        }
    }

    public static RootCa load(X509Certificate cert, PrivateKey key) {
        return new RootCa(cert, key);
    }

    public X509Certificate certificate() {
        return cert;
    }

    public PrivateKey privateKey() {
        return key;
    }

    /** Lowercase hex SHA-256 of the DER certificate: what join tokens pin. */
    public String digest() {
        return digest(cert);
    }

    public static String digest(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new CaException("cannot hash the certificate", e);
        }
    }

    /**
     * Signs a node certificate for the key in {@code csrDer}.
     *
     * @param ipAddresses the node's addresses, added as IP subject alternative names (with 127.0.0.1)
     */
    public X509Certificate sign(byte[] csrDer, String nodeId, NodeRole role, String clusterId,
                                List<String> ipAddresses, Duration validity) {
        Instant now = Instant.now();
        return sign(csrDer, nodeId, role, clusterId, ipAddresses, now.minus(backdate(validity)), now.plus(validity));
    }

    X509Certificate sign(byte[] csrDer, String nodeId, NodeRole role, String clusterId, List<String> ipAddresses,
                         Instant notBefore, Instant notAfter) {
        if (nodeId == null || nodeId.isBlank() || clusterId == null || clusterId.isBlank()) {
            throw new CaException("a node certificate needs a node id and a cluster id");
        }
        return leaf(verifiedCsrKey(csrDer), new NodeIdentity(nodeId, CertRole.of(role), clusterId), ipAddresses, notBefore, notAfter);
    }

    /**
     * An operator certificate ({@code OU=shoal-operator}) for {@code publicKey}: what {@code shoal ca
     * client-cert} hands out for remote administration. It names no node and no address.
     */
    public X509Certificate signOperator(PublicKey publicKey, String operatorId, String clusterId, Duration validity) {
        Instant now = Instant.now();
        return leaf(publicKey, new NodeIdentity(operatorId, CertRole.OPERATOR, clusterId), List.of(), now.minus(backdate(validity)),
                now.plus(validity));
    }

    /**
     * How far before its issue a certificate starts to be valid, for clocks a little behind ours: 5
     * minutes, or a tenth of a short lifetime (so that a 1-minute certificate is not mostly spent
     * before it is issued, and renewal at half its lifetime still comes after the issue).
     */
    static Duration backdate(Duration validity) {
        Duration tenth = validity.dividedBy(10);
        return tenth.compareTo(Duration.ofMinutes(5)) < 0 ? tenth : Duration.ofMinutes(5);
    }

    private X509Certificate leaf(PublicKey pub, NodeIdentity id, List<String> ipAddresses, Instant notBefore, Instant notAfter) {
        Instant rootEnd = cert.getNotAfter().toInstant();
        if (notAfter.isAfter(rootEnd)) {
            notAfter = rootEnd; // a certificate outliving its root would be refused anyway
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, id.clusterId()).addRDN(BCStyle.OU, id.role().ou()).addRDN(BCStyle.CN, id.nodeId()).build();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial(), Date.from(notBefore),
                    Date.from(notAfter), subject, pub);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
            if (id.role() == CertRole.OPERATOR) {
                // a client only: it can never pass for a node's server
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
                return sign(b, key);
            }
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            List<GeneralName> sans = new ArrayList<>();
            sans.add(new GeneralName(GeneralName.dNSName, "localhost"));
            sans.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            for (String given : ipAddresses) {
                // BouncyCastle's own parser throws ArrayIndexOutOfBoundsException on some non-addresses
                String ip = InetAddress.ofLiteral(given).getHostAddress();
                if (!ip.equals("127.0.0.1")) {
                    sans.add(new GeneralName(GeneralName.iPAddress, ip));
                }
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            return sign(b, key);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new CaException("cannot sign the certificate: " + e.getMessage(), e);
        }
    }

    private static PublicKey verifiedCsrKey(byte[] csrDer) {
        try {
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(csrDer);
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw new CaException("certificate request has a bad signature");
            }
            return new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
        } catch (IOException | OperatorCreationException | PKCSException | RuntimeException e) {
            if (e instanceof CaException ce) {
                throw ce;
            }
            throw new CaException("certificate request is not a valid PKCS#10 request");
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIG).build(key);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(128, RANDOM);
    }
}
