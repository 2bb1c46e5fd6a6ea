package io.shoal.manager.rpc;

import io.grpc.Status;
import io.shoal.api.Rpcs;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shoal.manager.rpc.Principal.ANONYMOUS;
import static io.shoal.manager.rpc.Principal.LOCAL;
import static io.shoal.manager.rpc.Principal.MANAGER;
import static io.shoal.manager.rpc.Principal.OPERATOR;
import static io.shoal.manager.rpc.Principal.WORKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The authorization table: every RPC of every service in the .proto files, for every kind of
 * caller, against what the table below says (written out here, apart from the policy). An RPC
 * added to a service takes its service's rule; a service nobody wrote a rule for fails here.
 */
class AccessPolicyTest {
    private static final Set<Principal> ADMIN = EnumSet.of(MANAGER, OPERATOR, LOCAL);
    private static final Set<Principal> NODES = EnumSet.of(WORKER, MANAGER, LOCAL);
    private static final Set<Principal> ANYONE = EnumSet.allOf(Principal.class);
    private static final Set<Principal> MANAGERS = EnumSet.of(MANAGER, LOCAL);
    private static final Set<Principal> SOCKET = EnumSet.of(LOCAL);
    private static final Set<Principal> CERTIFIED = EnumSet.of(WORKER, MANAGER, OPERATOR, LOCAL);

    /** service -> who may call its methods */
    private static final Map<String, Set<Principal>> SERVICES = Map.of(
            "shoal.Control", ADMIN,
            "shoal.ClusterSecurity", ADMIN,
            "shoal.Dispatcher", NODES,
            "shoal.NodeCA", NODES,
            "shoal.RaftMembership", MANAGERS,
            "shoal.NodeLogs", MANAGERS,
            "shoal.LocalNode", SOCKET,
            "shoal.LocalImages", SOCKET,
            "shoal.Version", CERTIFIED);

    /** the methods that differ from their service */
    private static final Map<String, Set<Principal>> METHODS = Map.of(
            "shoal.Dispatcher/ReportLiveness", MANAGERS,
            "shoal.NodeCA/GetRootCA", ANYONE,
            "shoal.NodeCA/IssueNodeCertificate", ANYONE);

    @Test
    void everyRpcForEveryCallerIsAsTheTableSays() {
        List<String> rpcs = Rpcs.names();
        assertTrue(rpcs.size() > 30, "found the services: " + rpcs);
        for (String rpc : rpcs) {
            String service = rpc.substring(0, rpc.indexOf('/'));
            Set<Principal> expected = METHODS.getOrDefault(rpc, SERVICES.get(service));
            assertTrue(expected != null, rpc + ": a service with no row in this table (and no rule in ClusterAccess?)");
            for (Principal p : Principal.values()) {
                Status denied = ClusterAccess.POLICY.check(rpc, p);
                if (expected.contains(p)) {
                    assertNull(denied, rpc + " must be open to " + p);
                } else {
                    assertTrue(denied != null, rpc + " must be refused to " + p);
                    assertEquals(p == ANONYMOUS ? Status.Code.UNAUTHENTICATED : Status.Code.PERMISSION_DENIED, denied.getCode(), rpc + " " + p);
                }
            }
        }
    }

    @Test
    void aWorkerIsToldWhereToAdministerTheCluster() {
        Status s = ClusterAccess.POLICY.check("shoal.Control/CreateService", WORKER);
        assertEquals("permission denied: a worker's certificate may not call shoal.Control/CreateService: administer the cluster "
                + "on a manager (its unix socket) or with an operator certificate (shoal ca client-cert)", s.getDescription());
        assertEquals("permission denied: an operator certificate may not call shoal.RaftMembership/JoinRaft",
                ClusterAccess.POLICY.check("shoal.RaftMembership/JoinRaft", OPERATOR).getDescription());
        assertEquals("this call needs a certificate of this cluster",
                ClusterAccess.POLICY.check("shoal.Dispatcher/Session", ANONYMOUS).getDescription());
    }

    @Test
    void aServiceWithoutARuleIsServedToNobody() {
        for (Principal p : Principal.values()) {
            Status s = ClusterAccess.POLICY.check("shoal.Unheard/Call", p);
            assertEquals(Status.Code.PERMISSION_DENIED, s.getCode());
            assertEquals("permission denied: shoal.Unheard/Call has no access rule on this daemon", s.getDescription());
        }
    }
}
