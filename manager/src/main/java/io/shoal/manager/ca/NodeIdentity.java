package io.shoal.manager.ca;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.security.cert.X509Certificate;

/**
 * Who a certificate of the cluster CA names: {@code CN=<id>, OU=<role>, O=<cluster id>}. The id is
 * a node id for node certificates and an operator id for operator certificates.
 */
public record NodeIdentity(String nodeId, CertRole role, String clusterId) {
    public static NodeIdentity of(X509Certificate cert) {
        String cn = null;
        String ou = null;
        String o = null;
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                String v = String.valueOf(rdn.getValue());
                switch (rdn.getType().toUpperCase()) {
                    case "CN" -> cn = v;
                    case "OU" -> ou = v;
                    case "O" -> o = v;
                    default -> { }
                }
            }
        } catch (InvalidNameException e) {
            throw new CaException("certificate subject is unreadable");
        }
        if (cn == null || cn.isEmpty() || o == null || o.isEmpty()) {
            throw new CaException("certificate does not name a node and a cluster");
        }
        CertRole role = CertRole.ofOu(ou);
        if (role == null) {
            throw new CaException("certificate names no role of this cluster (OU " + ou + ")");
        }
        return new NodeIdentity(cn, role, o);
    }
}
