package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What Shoal would not apply is refused with the field's path, never ignored; docker's zero values pass. */
class JsonReaderTest {
    private static ObjectNode cliBody() throws IOException {
        return (ObjectNode) GoldenTest.golden("service-create-cli.json");
    }

    private static ObjectNode at(ObjectNode root, String path, String json) throws IOException {
        String[] parts = path.split("\\.");
        ObjectNode o = root;
        for (int i = 0; i < parts.length - 1; i++) {
            o = o.has(parts[i]) ? (ObjectNode) o.get(parts[i]) : o.putObject(parts[i]);
        }
        o.set(parts[parts.length - 1], Json.MAPPER.readTree(json));
        return root;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "TaskTemplate.ContainerSpec.Privileges|{\"NoNewPrivileges\":true}|TaskTemplate.ContainerSpec.Privileges: not supported by Shoal",
            "TaskTemplate.ContainerSpec.Groups|[\"wheel\"]|TaskTemplate.ContainerSpec.Groups: not supported by Shoal",
            "TaskTemplate.ContainerSpec.TTY|true|TaskTemplate.ContainerSpec.TTY: not supported by Shoal",
            "TaskTemplate.ContainerSpec.Ulimits|[{\"Name\":\"nofile\",\"Soft\":1,\"Hard\":2,\"Extra\":1}]|TaskTemplate.ContainerSpec.Ulimits[0].Extra: not supported by Shoal",
            "TaskTemplate.ContainerSpec.Isolation|\"hyperv\"|TaskTemplate.ContainerSpec.Isolation: not supported by Shoal",
            "TaskTemplate.LogDriver|{\"Name\":\"syslog\"}|TaskTemplate.LogDriver: not supported by Shoal",
            "TaskTemplate.Runtime|\"plugin\"|TaskTemplate.Runtime: 'plugin' is not supported by Shoal (only container)",
            "TaskTemplate.RestartPolicy.Condition|\"sometimes\"|TaskTemplate.RestartPolicy.Condition: 'sometimes' is not one of none, on-failure, any",
            "Mode.Global|{}|Mode: a service has exactly one of Replicated, Global, ReplicatedJob, GlobalJob",
            "Mode.Replicated.Replicas|\"three\"|Mode.Replicated.Replicas: expected an integer, not \"three\"",
            "Mode.Replicated.Replicas|-1|Mode.Replicated.Replicas: must not be negative (-1)",
            "EndpointSpec.Ports|[{\"TargetPort\":0}]|EndpointSpec.Ports[0].TargetPort: 0 is not a port (1-65535)",
            "RollbackConfig.FailureAction|\"rollback\"|RollbackConfig.FailureAction: a rollback cannot fail by rolling back (pause or continue)",
            "TaskTemplate.ContainerSpec.Mounts|[{\"Type\":\"npipe\",\"Target\":\"/x\"}]|TaskTemplate.ContainerSpec.Mounts[0].Type: 'npipe' is not supported by Shoal (bind, volume or tmpfs)",
            "TaskTemplate.ContainerSpec.Secrets|[{\"SecretName\":\"s\",\"File\":{\"Name\":\"s\",\"Owner\":\"me\"}}]|TaskTemplate.ContainerSpec.Secrets[0].File.Owner: not supported by Shoal",
            "SomethingNew|{\"A\":1}|SomethingNew: not supported by Shoal",
    })
    void aFieldShoalWouldNotApplyIsRefusedByItsPath(String path, String json, String message) throws IOException {
        JsonNode body = at(cliBody(), path, json);
        InvalidSpec e = assertThrows(InvalidSpec.class, () -> ServiceSpecJson.read(body));
        assertEquals(message, e.getMessage());
    }

    @Test
    void dockersZeroValuesAndDefaultsPass() throws IOException {
        JsonNode body = at(at(at(cliBody(), "TaskTemplate.ContainerSpec.Privileges", "null"),
                "TaskTemplate.ContainerSpec.Groups", "[]"), "TaskTemplate.LogDriver", "{\"Name\":\"\",\"Options\":{}}");
        assertEquals("web", ServiceSpecJson.read(body).getAnnotations().getName());
    }

    @Test
    void fieldNamesMatchRegardlessOfCaseAsGoDecodesThem() throws IOException {
        // docker-py writes the mode's key in lower case
        ObjectNode body = cliBody();
        body.remove("Mode");
        body.putObject("Mode").putObject("replicated").put("Replicas", 2);
        assertEquals(2, ServiceSpecJson.read(body).getReplicated().getReplicas());
    }

    @Test
    void malformedJsonSaysSo() {
        InvalidSpec e = assertThrows(InvalidSpec.class, () -> Json.parse("{\"Name\": ".getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, e.getMessage().startsWith("malformed JSON in the request body: "), e.getMessage());
        assertThrows(InvalidSpec.class, () -> ServiceSpecJson.read(Json.MAPPER.readTree("[1]")));
    }

    @Test
    void aNetworkOfAnotherDriverOrScopeIsRefused() throws IOException {
        assertEquals("Driver: 'bridge' is not supported by Shoal (only overlay)", assertThrows(InvalidSpec.class,
                () -> NetworkJson.readCreate(Json.MAPPER.readTree("{\"Name\":\"n\",\"Driver\":\"bridge\"}"))).getMessage());
        assertEquals("EnableIPv6: not supported by Shoal", assertThrows(InvalidSpec.class,
                () -> NetworkJson.readCreate(Json.MAPPER.readTree("{\"Name\":\"n\",\"EnableIPv6\":true}"))).getMessage());
        assertEquals("IPAM.Config[0].IPRange: not supported by Shoal", assertThrows(InvalidSpec.class,
                () -> NetworkJson.readCreate(Json.MAPPER.readTree("{\"Name\":\"n\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.1.0.0/24\",\"IPRange\":\"10.1.0.0/25\"}]}}"))).getMessage());
    }

    @Test
    void aNodeSpecNeedsItsRoleAndAvailability() throws IOException {
        assertEquals("Availability: 'off' is not one of active, pause, drain", assertThrows(InvalidSpec.class,
                () -> NodeJson.readSpec(Json.MAPPER.readTree("{\"Role\":\"worker\",\"Availability\":\"off\"}"))).getMessage());
        assertEquals("Role: a node spec names its role (worker or manager)", assertThrows(InvalidSpec.class,
                () -> NodeJson.readSpec(Json.MAPPER.readTree("{\"Availability\":\"drain\"}"))).getMessage());
    }
}
