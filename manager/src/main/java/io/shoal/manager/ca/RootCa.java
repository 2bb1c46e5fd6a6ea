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

    /** A new root CA for {@code clusterId}, valid for 20 years. */
    public static RootCa create(String clusterId) {
        KeyPair kp = NodeKeys.generate();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, clusterId).addRDN(BCStyle.CN, "shoal-root-ca").build();
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
        return sign(csrDer, nodeId, role, clusterId, ipAddresses, now.minus(Duration.ofMinutes(5)), now.plus(validity));
    }

    X509Certificate sign(byte[] csrDer, String nodeId, NodeRole role, String clusterId, List<String> ipAddresses,
                         Instant notBefore, Instant notAfter) {
        if (nodeId == null || nodeId.isBlank() || clusterId == null || clusterId.isBlank()) {
            throw new CaException("a node certificate needs a node id and a cluster id");
        }
        PublicKey pub = verifiedCsrKey(csrDer);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, clusterId).addRDN(BCStyle.OU, NodeIdentity.roleName(role)).addRDN(BCStyle.CN, nodeId).build();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial(), Date.from(notBefore),
                    Date.from(notAfter), subject, pub);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
            List<GeneralName> sans = new ArrayList<>();
            sans.add(new GeneralName(GeneralName.dNSName, "localhost"));
            sans.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            for (String ip : ipAddresses) {
                if (!ip.equals("127.0.0.1")) {
                    sans.add(new GeneralName(GeneralName.iPAddress, ip));
                }
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            return sign(b, key);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new CaException("cannot sign the node certificate: " + e.getMessage(), e);
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
