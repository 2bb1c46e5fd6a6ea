package io.shoal.manager.rpc;

/** The kinds of caller the {@link AccessPolicy} tells apart. */
public enum Principal {
    /** a TLS peer without a client certificate: a node that is joining */
    ANONYMOUS("a caller without a certificate"),
    WORKER("a worker's certificate"),
    MANAGER("a manager's certificate"),
    /** a certificate from {@code shoal ca client-cert} */
    OPERATOR("an operator certificate"),
    /** the root user on the daemon's unix socket */
    LOCAL("the local socket");

    private final String described;

    Principal(String described) {
        this.described = described;
    }

    /** For messages: "a worker's certificate may not ...". */
    public String described() {
        return described;
    }
}
