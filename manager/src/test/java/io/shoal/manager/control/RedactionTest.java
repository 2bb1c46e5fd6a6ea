package io.shoal.manager.control;

import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.PullOptions;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RedactionTest {
    private static final String AUTH = Base64.getEncoder().encodeToString("alice:s3cret".getBytes());

    private static ServiceSpec spec(String auth, String image) {
        return ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("app")).setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage(image)
                .setPullOptions(PullOptions.newBuilder().setRegistryAuth(auth)))).build();
    }

    @Test
    void repliesNeverCarryTheCredentials() {
        Service s = Service.newBuilder().setSpec(spec(AUTH, "reg:5000/app:1")).setPreviousSpec(spec(AUTH, "reg:5000/app:0")).build();
        Service shown = Redaction.service(s);
        assertFalse(shown.toString().contains(AUTH), shown.toString());
        assertEquals(Redaction.REDACTED, shown.getSpec().getTask().getContainer().getPullOptions().getRegistryAuth());
        assertEquals("reg:5000/app:1", shown.getSpec().getTask().getContainer().getImage());
    }

    @Test
    void anUpdateThatSendsTheMarkerBackKeepsTheStoredCredentials() {
        ServiceSpec stored = spec(AUTH, "reg:5000/app:1");
        ServiceSpec edited = Redaction.spec(stored).toBuilder().setTask(Redaction.spec(stored).getTask().toBuilder()
                .setContainer(Redaction.spec(stored).getTask().getContainer().toBuilder().setImage("reg:5000/app:2"))).build();
        ServiceSpec next = Redaction.keepStored(edited, stored);
        assertEquals(AUTH, next.getTask().getContainer().getPullOptions().getRegistryAuth());
        assertEquals("reg:5000/app:2", next.getTask().getContainer().getImage());
        String fresh = Base64.getEncoder().encodeToString("bob:pw".getBytes());
        assertEquals(fresh, Redaction.keepStored(spec(fresh, "x"), stored).getTask().getContainer().getPullOptions().getRegistryAuth());
    }

    @Test
    void malformedCredentialsAreRefusedByValidation() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> ServiceSpecs.normalize(spec("not-base64!", "busybox")));
        assertEquals("INVALID_ARGUMENT: registry auth: not base64 of 'user:password'", e.getMessage());
        ServiceSpecs.normalize(spec(AUTH, "busybox")); // a good one passes
    }
}
