package io.shoal.manager.ca;

import io.shoal.api.NodeRole;

/**
 * What a certificate of the cluster CA lets its holder be, written in the certificate's OU: a
 * worker node, a manager node, or an operator (a person or tool administering the cluster from
 * elsewhere, with a certificate from {@code shoal ca client-cert}; never a node).
 */
public enum CertRole {
    WORKER("shoal-worker"),
    MANAGER("shoal-manager"),
    OPERATOR("shoal-operator");

    private final String ou;

    CertRole(String ou) {
        this.ou = ou;
    }

    /** The certificate's OU for this role. */
    public String ou() {
        return ou;
    }

    public static CertRole of(NodeRole role) {
        return role == NodeRole.NODE_ROLE_MANAGER ? MANAGER : WORKER;
    }

    /** The role named by an OU, or null for none of ours. */
    static CertRole ofOu(String ou) {
        for (CertRole r : values()) {
            if (r.ou.equals(ou)) {
                return r;
            }
        }
        return null;
    }

    /** The node role of a node certificate (operators are no node: worker, the least). */
    public NodeRole nodeRole() {
        return this == MANAGER ? NodeRole.NODE_ROLE_MANAGER : NodeRole.NODE_ROLE_WORKER;
    }
}
