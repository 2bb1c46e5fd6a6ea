package io.shoal.manager.ca;

import io.shoal.api.NodeRole;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.security.cert.X509Certificate;

/** Who a node certificate names: {@code CN=<node id>, OU=<role>, O=<cluster id>}. */
public record NodeIdentity(String nodeId, NodeRole role, String clusterId) {
    static final String MANAGER = "shoal-manager";
    static final String WORKER = "shoal-worker";

    static String roleName(NodeRole role) {
        return role == NodeRole.NODE_ROLE_MANAGER ? MANAGER : WORKER;
    }

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
        NodeRole role;
        if (MANAGER.equals(ou)) {
            role = NodeRole.NODE_ROLE_MANAGER;
        } else if (WORKER.equals(ou)) {
            role = NodeRole.NODE_ROLE_WORKER;
        } else {
            throw new CaException("certificate names no node role (OU " + ou + ")");
        }
        return new NodeIdentity(cn, role, o);
    }
}
