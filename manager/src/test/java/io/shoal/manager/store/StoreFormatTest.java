package io.shoal.manager.store;

import io.shoal.api.Node;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeRole;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StoreFormatTest {
    private static Node node(NodeRole role, int format) {
        return Node.newBuilder().setId(role + "-" + format).setRole(role)
                .setDescription(NodeDescription.newBuilder().setStoreFormat(format)).build();
    }

    @Test
    void theClusterAgreesOnTheLowestFormatAnyManagerReports() {
        assertEquals(StoreFormat.CURRENT, StoreFormat.agreed(List.of()));
        assertEquals(StoreFormat.CURRENT, StoreFormat.agreed(List.of(node(NodeRole.NODE_ROLE_MANAGER, StoreFormat.CURRENT),
                node(NodeRole.NODE_ROLE_WORKER, 0))), "a worker of an older release does not hold managers back");
        assertEquals(StoreFormat.LEGACY, StoreFormat.agreed(List.of(node(NodeRole.NODE_ROLE_MANAGER, StoreFormat.CURRENT),
                node(NodeRole.NODE_ROLE_MANAGER, 0))), "a manager of a release before formats reports 0: the legacy format");
        assertEquals(StoreFormat.CURRENT, StoreFormat.agreed(List.of(node(NodeRole.NODE_ROLE_MANAGER, StoreFormat.CURRENT + 1),
                node(NodeRole.NODE_ROLE_MANAGER, StoreFormat.CURRENT))));
    }
}
