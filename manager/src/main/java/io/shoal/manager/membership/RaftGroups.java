package io.shoal.manager.membership;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** The Raft group of a cluster is named after the cluster id, so every manager derives the same one. */
public final class RaftGroups {
    private RaftGroups() {}

    public static UUID groupId(String clusterId) {
        return UUID.nameUUIDFromBytes(("shoal-raft-" + clusterId).getBytes(StandardCharsets.UTF_8));
    }
}
