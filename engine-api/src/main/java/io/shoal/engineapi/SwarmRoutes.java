package io.shoal.engineapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.shoal.api.ClusterInfo;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.GetJoinTokensRequest;
import io.shoal.api.GetUnlockKeyRequest;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.JoinRequest;
import io.shoal.api.JoinTokens;
import io.shoal.api.LeaveRequest;
import io.shoal.api.RotateJoinTokenRequest;
import io.shoal.api.RotateUnlockKeyRequest;
import io.shoal.api.UnlockRequest;
import io.shoal.dockermodel.Json;
import io.shoal.dockermodel.JsonReader;
import io.shoal.dockermodel.SwarmJson;

import java.util.Iterator;
import java.util.Map;

/**
 * {@code /swarm}: inspect, and init, join, leave and update where they map onto Shoal's
 * ({@code shoal init}, {@code shoal join}, {@code shoal leave}, {@code shoal join-token --rotate},
 * {@code shoal cluster update --cert-expiry|--autolock}), and the unlock key ({@code shoal unlock},
 * {@code shoal unlock-key [--rotate]}).
 * A cluster setting Shoal cannot change is refused by name; one posted back unchanged passes.
 */
final class SwarmRoutes {
    private final Backend backend;

    SwarmRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router r) {
        r.get("/swarm", this::inspect);
        r.post("/swarm/init", this::init);
        r.post("/swarm/join", this::join);
        r.post("/swarm/leave", this::leave);
        r.post("/swarm/update", this::update);
        r.get("/swarm/unlockkey", this::unlockKey);
        r.post("/swarm/unlock", this::unlock);
    }

    private ClusterInfo cluster() {
        return backend.control().getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
    }

    private void inspect(Request req, Exchange ex) {
        backend.requireManager();
        JoinTokens tokens = backend.control().getJoinTokens(GetJoinTokensRequest.getDefaultInstance());
        ex.json(200, SwarmJson.write(cluster(), tokens));
    }

    private void init(Request req, Exchange ex) {
        JsonReader r = JsonReader.of(req.json(), "SwarmInitRequest");
        InitRequest.Builder b = InitRequest.newBuilder()
                .setListenAddr(r.string("ListenAddr"))
                .setAdvertiseAddr(r.string("AdvertiseAddr"))
                .addAllDefaultAddrPool(r.strings("DefaultAddrPool"))
                .setDataPathPort((int) r.count("DataPathPort"))
                .setAutolock(r.bool("AutoLockManagers"));
        if (r.bool("ForceNewCluster")) {
            throw ApiError.badRequest("ForceNewCluster: not supported by Shoal's init through this API (use shoal init --force-new-cluster)");
        }
        long subnet = r.count("SubnetSize");
        if (subnet != 0 && subnet != 24) {
            throw ApiError.badRequest("SubnetSize: only 24 is supported by Shoal");
        }
        JsonReader spec = r.object("Spec");
        JsonReader dispatcher = spec.object("Dispatcher");
        long heartbeat = dispatcher.count("HeartbeatPeriod");
        if (heartbeat > 0) {
            b.setDispatcherHeartbeatMs(Json.millis(heartbeat));
        }
        dispatcher.done();
        // docker's CLI sends its defaults for what was not given: those Shoal has as well pass
        spec.ignoring("Name", "default");
        spec.object("Labels").done();
        JsonReader orchestration = spec.object("Orchestration");
        orchestration.count("TaskHistoryRetentionLimit");
        orchestration.done();
        spec.object("CAConfig").done();
        spec.object("Raft").done();
        JsonReader encryption = spec.object("EncryptionConfig");
        if (encryption.bool("AutoLockManagers")) {
            b.setAutolock(true);
        }
        encryption.done();
        spec.object("TaskDefaults").done();
        spec.done();
        r.ignoring("DataPathAddr", "");
        r.done();
        InitResponse resp = backend.node().init(b.build());
        backend.forgetLocal();
        ex.json(200, TextNode.valueOf(resp.getNodeId()));
    }

    private void join(Request req, Exchange ex) {
        JsonReader r = JsonReader.of(req.json(), "SwarmJoinRequest");
        var remotes = r.strings("RemoteAddrs");
        if (remotes.isEmpty()) {
            throw ApiError.badRequest("RemoteAddrs: at least one manager address is required");
        }
        JoinRequest.Builder b = JoinRequest.newBuilder().setToken(r.string("JoinToken")).setRemoteAddr(remotes.get(0))
                .setListenAddr(r.string("ListenAddr")).setAdvertiseAddr(r.string("AdvertiseAddr"));
        r.done();
        backend.node().join(b.build());
        backend.forgetLocal();
        ex.empty(200);
    }

    private void leave(Request req, Exchange ex) {
        backend.node().leave(LeaveRequest.newBuilder().setForce(req.flag("force")).build());
        backend.forgetLocal();
        ex.empty(200);
    }

    /**
     * Docker's {@code swarm update}: the certificate expiry ({@link SwarmUpdate}) and join token
     * rotation map onto Shoal; the spec must otherwise be the one {@code GET /swarm} showed, and
     * every check passes before anything changes.
     */
    private void update(Request req, Exchange ex) {
        backend.requireManager();
        ClusterInfo c = cluster();
        long version = req.number("version", -1);
        if (version != c.getMeta().getVersion()) {
            throw ApiError.badRequest("update out of sequence: the cluster is at version " + c.getMeta().getVersion()
                    + ", not " + version + "; read it again");
        }
        SwarmUpdate settings = SwarmUpdate.of(SwarmJson.write(c, null).get("Spec"), req.json());
        boolean autolockAfter = settings.isEmpty() || !settings.cluster().getSetAutolock() ? c.getSpec().getAutolock()
                : settings.cluster().getAutolock();
        if (req.flag("rotateManagerUnlockKey") && !autolockAfter) {
            throw ApiError.badRequest("rotateManagerUnlockKey: autolock is not enabled on this cluster");
        }
        if (!settings.isEmpty()) {
            backend.control().updateCluster(settings.cluster());
        }
        if (req.flag("rotateManagerUnlockKey")) {
            backend.security().rotateUnlockKey(RotateUnlockKeyRequest.getDefaultInstance());
        }
        if (req.flag("rotateWorkerToken") || req.flag("rotateManagerToken")) {
            backend.control().rotateJoinToken(RotateJoinTokenRequest.newBuilder()
                    .setWorker(req.flag("rotateWorkerToken")).setManager(req.flag("rotateManagerToken")).build());
        }
        ex.empty(200);
    }

    /** The path of the first field of {@code posted} whose value is not the one {@code shown}; null if none. */
    static String firstDifference(String path, JsonNode shown, JsonNode posted) {
        if (posted == null || posted.isNull()) {
            return null;
        }
        if (shown != null && shown.isObject() && posted.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = posted.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String d = firstDifference(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), shown.get(e.getKey()), e.getValue());
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (shown == null) {
            return posted.isContainerNode() && posted.isEmpty() || posted.asText().isEmpty() || posted.isNumber() && posted.asDouble() == 0
                    || posted.isBoolean() && !posted.asBoolean() ? null : path;
        }
        boolean same = shown.isNumber() && posted.isNumber() ? shown.asDouble() == posted.asDouble() : shown.equals(posted);
        return same ? null : path;
    }

    /** docker's {@code swarm unlock-key}: the key, or "" while autolock is off (docker's CLI then says no key is set). */
    private void unlockKey(Request req, Exchange ex) {
        backend.requireManager();
        ex.json(200, Json.object().put("UnlockKey", backend.security().getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()).getUnlockKey()));
    }

    /** docker's {@code swarm unlock}: a locked manager's unlock key; a wrong one is refused and changes nothing. */
    private void unlock(Request req, Exchange ex) {
        JsonReader r = JsonReader.of(req.json(), "SwarmUnlockRequest");
        String key = r.string("UnlockKey");
        r.done();
        backend.node().unlock(UnlockRequest.newBuilder().setUnlockKey(key).build());
        backend.forgetLocal();
        ex.empty(200);
    }
}
