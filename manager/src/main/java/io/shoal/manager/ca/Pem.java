package io.shoal.manager.ca;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM text for certificates and PKCS#8 private keys. */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private Pem() {}

    public static String encode(X509Certificate cert) {
        try {
            return block("CERTIFICATE", cert.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new CaException("cannot encode the certificate", e);
        }
    }

    public static String encode(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public static X509Certificate parseCertificate(String pem) {
        List<X509Certificate> all = parseCertificates(pem);
        return all.get(0);
    }

    public static List<X509Certificate> parseCertificates(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(pem, "CERTIFICATE")) {
                Certificate c = f.generateCertificate(new ByteArrayInputStream(der));
                out.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException e) {
            throw new CaException("not a valid PEM certificate: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new CaException("no PEM certificate found");
        }
        return out;
    }

    public static PrivateKey parsePrivateKey(String pem) {
        List<byte[]> der = blocks(pem, "PRIVATE KEY");
        if (der.isEmpty()) {
            throw new CaException("no PEM private key (PKCS#8 'PRIVATE KEY') found");
        }
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der.get(0)));
        } catch (GeneralSecurityException e) {
            throw new CaException("not a valid EC private key: " + e.getMessage());
        }
    }

    static List<byte[]> blocks(String pem, String type) {
        List<byte[]> out = new ArrayList<>();
        if (pem == null) {
            return out;
        }
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                try {
                    out.add(Base64.getMimeDecoder().decode(m.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new CaException("corrupt PEM " + type.toLowerCase() + " block");
                }
            }
        }
        return out;
    }
}
