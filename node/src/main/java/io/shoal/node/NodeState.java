package io.shoal.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a node remembers about its membership, in {@code DATA_DIR/state.json}. Written atomically
 * (temp file, fsync, rename) so a crash leaves the old or the new state, never half of one.
 *
 * @param raftJoined for a manager: whether the leader has added it as a Raft voter yet
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeState(String nodeId, String clusterId, String role, String advertiseAddr, String listenAddr,
                        List<String> managers, String raftGroupId, boolean raftJoined) {
    public static final String MANAGER = "manager";
    public static final String WORKER = "worker";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public boolean isManager() {
        return MANAGER.equals(role);
    }

    public NodeState withRole(String newRole, boolean joined) {
        return new NodeState(nodeId, clusterId, newRole, advertiseAddr, listenAddr, managers, raftGroupId, joined);
    }

    public NodeState withManagers(List<String> m) {
        return new NodeState(nodeId, clusterId, role, advertiseAddr, listenAddr, List.copyOf(m), raftGroupId, raftJoined);
    }

    public static NodeState load(Path file) throws IOException {
        return Files.exists(file) ? JSON.readValue(file.toFile(), NodeState.class) : null;
    }

    public void save(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, JSON.writeValueAsBytes(this));
    }
}
