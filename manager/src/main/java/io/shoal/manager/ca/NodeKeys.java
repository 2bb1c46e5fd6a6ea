package io.shoal.manager.ca;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** A node's side of certificates: its EC P-256 key pair and the PKCS#10 request for it. */
public final class NodeKeys {
    private NodeKeys() {}

    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new CaException("cannot generate an EC key pair", e);
        }
    }

    /** A DER PKCS#10 request for {@code kp}; the subject is informational only. */
    public static byte[] csr(KeyPair kp, String commonName) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + commonName.replaceAll("[,=+<>#;\"\\\\]", "")), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new CaException("cannot build a certificate request", e);
        }
    }
}
