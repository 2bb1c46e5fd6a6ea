package io.shoal.manager.rpc;

import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.ControlGrpc;
import io.shoal.api.DispatcherGrpc;
import io.shoal.api.LocalImagesGrpc;
import io.shoal.api.LocalNodeGrpc;
import io.shoal.api.NodeCAGrpc;
import io.shoal.api.NodeLogsGrpc;
import io.shoal.api.RaftMembershipGrpc;
import io.shoal.api.VersionGrpc;

import static io.shoal.manager.rpc.Principal.ANONYMOUS;
import static io.shoal.manager.rpc.Principal.LOCAL;
import static io.shoal.manager.rpc.Principal.MANAGER;
import static io.shoal.manager.rpc.Principal.OPERATOR;
import static io.shoal.manager.rpc.Principal.WORKER;

/**
 * The access policy of every daemon, on its cluster port and on its unix socket (as swarmkit's
 * authorization by the role in the certificate):
 * <ul>
 *   <li>the cluster API (Control, ClusterSecurity): managers, operators and the local root user;
 *       a worker's certificate administers nothing;</li>
 *   <li>the dispatcher: the nodes' own sessions (workers and managers, whose worker half has one);
 *       liveness reports only from managers;</li>
 *   <li>the node CA: its root certificate and first certificates (token-checked) for anyone, renewal
 *       and TLS reports for nodes;</li>
 *   <li>Raft membership and the nodes' logs: managers only;</li>
 *   <li>the local node and its images: the unix socket only;</li>
 *   <li>the daemon's version: anyone with a certificate of the cluster.</li>
 * </ul>
 * The local root user may call everything: whoever is root on a host owns its daemon anyway.
 */
public final class ClusterAccess {
    public static final AccessPolicy POLICY = AccessPolicy.builder()
            .service(ControlGrpc.SERVICE_NAME, MANAGER, OPERATOR, LOCAL)
            .service(ClusterSecurityGrpc.SERVICE_NAME, MANAGER, OPERATOR, LOCAL)
            .service(DispatcherGrpc.SERVICE_NAME, WORKER, MANAGER, LOCAL)
            .method(DispatcherGrpc.getReportLivenessMethod(), MANAGER, LOCAL)
            .service(NodeCAGrpc.SERVICE_NAME, WORKER, MANAGER, LOCAL)
            .method(NodeCAGrpc.getGetRootCAMethod(), ANONYMOUS, WORKER, MANAGER, OPERATOR, LOCAL)
            .method(NodeCAGrpc.getIssueNodeCertificateMethod(), ANONYMOUS, WORKER, MANAGER, OPERATOR, LOCAL)
            .service(RaftMembershipGrpc.SERVICE_NAME, MANAGER, LOCAL)
            .service(NodeLogsGrpc.SERVICE_NAME, MANAGER, LOCAL)
            .service(LocalNodeGrpc.SERVICE_NAME, LOCAL)
            .service(LocalImagesGrpc.SERVICE_NAME, LOCAL)
            .service(VersionGrpc.SERVICE_NAME, WORKER, MANAGER, OPERATOR, LOCAL)
            .build();

    private ClusterAccess() {}
}
