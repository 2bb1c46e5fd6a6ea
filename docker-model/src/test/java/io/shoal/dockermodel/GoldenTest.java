package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.ClusterInfo;
import io.shoal.api.ClusterSpec;
import io.shoal.api.Config;
import io.shoal.api.ConfigSpec;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Endpoint;
import io.shoal.api.EndpointSpec;
import io.shoal.api.IPAMConfig;
import io.shoal.api.JoinTokens;
import io.shoal.api.ManagerStatus;
import io.shoal.api.Meta;
import io.shoal.api.Mount;
import io.shoal.api.Network;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.NetworkSpec;
import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.NodeView;
import io.shoal.api.Platform;
import io.shoal.api.PortConfig;
import io.shoal.api.RemoteImage;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Resources;
import io.shoal.api.RestartPolicy;
import io.shoal.api.Secret;
import io.shoal.api.SecretReference;
import io.shoal.api.SecretSpec;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.UpdateConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Docker's JSON shapes both ways, against golden files written from the Engine API reference
 * (moby's api/docs/v1.41.yaml: its examples, with times at Shoal's millisecond precision) and from
 * what docker's CLI 20.10 posts.
 */
class GoldenTest {
    static JsonNode golden(String name) throws IOException {
        try (InputStream in = GoldenTest.class.getResourceAsStream("/golden/" + name)) {
            return Json.MAPPER.readTree(in);
        }
    }

    /** Compares as JSON text reads: an int and a long of the same value are the same number. */
    static void assertGolden(String name, JsonNode written) throws IOException {
        assertEquals(golden(name), Json.MAPPER.readTree(Json.write(written)), name);
    }

    static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void stopTasksAfterDisconnectIsShoalsOwnFieldWrittenOnlyWhenSetAndReadBack() {
        TaskSpec never = TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("busybox")).build();
        assertEquals(false, TaskSpecJson.write(never, null).has("StopTasksAfterDisconnect"), "docker's shape when unset");
        TaskSpec set = never.toBuilder().setStopAfterDisconnectMs(3_000).build();
        ObjectNode written = TaskSpecJson.write(set, null);
        assertEquals(3_000_000_000L, written.path("StopTasksAfterDisconnect").asLong());
        assertEquals(3_000, TaskSpecJson.read(JsonReader.of(written, "TaskTemplate")).getStopAfterDisconnectMs());
    }

    @Test
    void aServiceSpecPostedByDockersCliReadsAsTheSameFlagsGivenToShoal() throws IOException {
        ServiceSpec s = ServiceSpecJson.read(golden("service-create-cli.json"));
        assertEquals("web", s.getAnnotations().getName());
        assertEquals(Map.of("tier", "front"), s.getAnnotations().getLabelsMap());
        assertEquals(3, s.getReplicated().getReplicas());
        ContainerSpec c = s.getTask().getContainer();
        assertEquals("h1:5000/busybox:1", c.getImage());
        assertEquals(List.of("httpd", "-f", "-p", "80"), c.getArgsList());
        assertEquals(List.of(), c.getCommandList());
        assertEquals(List.of("A=1"), c.getEnvList());
        assertEquals(10_000, c.getStopGracePeriodMs());
        assertEquals(true, c.getHasStopGracePeriod());
        assertEquals(Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/scratch").setTmpfsSizeBytes(1 << 20).build(), c.getMounts(0));
        assertEquals(List.of("10.0.0.2"), c.getDnsConfig().getNameserversList());
        assertEquals(List.of("10.0.0.1 db"), c.getHostsList());
        assertEquals(List.of("NET_ADMIN"), c.getCapabilityAddList());
        assertEquals(SecretReference.newBuilder().setSecretName("pw").setTarget("pw").setUid("1000").setGid("1000").setMode(0400).build(),
                c.getSecrets(0));
        assertEquals(2048, c.getUlimits(0).getHard());
        assertEquals(64L << 20, s.getTask().getResources().getLimits().getMemoryBytes());
        assertEquals(RestartPolicy.newBuilder().setCondition(RestartPolicy.Condition.ON_FAILURE).setDelayMs(5000).setDelaySet(true).build(),
                s.getTask().getRestart());
        assertEquals(List.of("node.role==worker"), s.getTask().getPlacement().getConstraintsList());
        assertEquals("backend", s.getTask().getNetworks(0).getTarget());
        assertEquals(List.of("www"), s.getTask().getNetworks(0).getAliasesList());
        assertEquals(PortConfig.newBuilder().setTargetPort(80).setPublishedPort(8080).build(), s.getEndpoint().getPorts(0));
        assertEquals(UpdateConfig.newBuilder().setParallelism(1).setMonitorMs(5000).build(), s.getUpdate());
        assertEquals(UpdateConfig.newBuilder().setParallelism(1).setMonitorMs(5000).build(), s.getRollback());
    }

    @Test
    void aServiceSpecWrittenAndReadBackIsTheSameSpec() throws IOException {
        ServiceSpec s = ServiceSpecJson.read(golden("service-create-cli.json"));
        assertEquals(s, ServiceSpecJson.read(ServiceSpecJson.write(s, null)));
        ServiceSpec plain = ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("x"))
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("redis")))
                .setReplicated(ReplicatedService.newBuilder().setReplicas(2)).build();
        // an unset restart delay is written as docker's default and read back as given (the same
        // behaviour, not the same proto); what the client sends back unchanged keeps the stored form
        ServiceSpec back = ServiceSpecJson.read(ServiceSpecJson.write(plain, null));
        assertEquals(true, back.getTask().getRestart().getDelaySet());
        assertEquals(plain, Unchanged.keep(plain, back, null));
        ServiceSpec scaled = back.toBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(5)).build();
        assertEquals(plain.toBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(5)).build(),
                Unchanged.keep(plain, scaled, null));
        ServiceSpec newImage = back.toBuilder().setTask(back.getTask().toBuilder()
                .setContainer(ContainerSpec.newBuilder().setImage("redis:7"))).build();
        assertEquals("redis:7", Unchanged.keep(plain, newImage, null).getTask().getContainer().getImage());
        assertEquals(plain.getTask().getRestart(), Unchanged.keep(plain, newImage, null).getTask().getRestart());
    }

    @Test
    void aServiceIsWrittenAsDockersReferenceShowsIt() throws IOException {
        UpdateConfig uc = UpdateConfig.newBuilder().setParallelism(1).setDelayMs(1000).setMonitorMs(15_000).setMaxFailureRatio(0.15f).build();
        PortConfig port = PortConfig.newBuilder().setTargetPort(6379).setPublishedPort(30001).build();
        Service svc = Service.newBuilder().setId("9mnpnzenvg8p8tdbtq4wvbkcz")
                .setMeta(Meta.newBuilder().setVersion(19).setCreatedMs(ms("2016-06-07T21:05:51.880Z")).setUpdatedMs(ms("2016-06-07T21:07:29.962Z")))
                .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("hopeful_cori"))
                        .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("redis"))
                                .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("4qvuz4ko70xaltuqbt8956gd1")))
                        .setReplicated(ReplicatedService.newBuilder().setReplicas(1))
                        .setUpdate(uc).setRollback(uc)
                        .setEndpoint(EndpointSpec.newBuilder().addPorts(port)))
                .setEndpoint(Endpoint.newBuilder().setSpec(EndpointSpec.newBuilder().addPorts(port)).addPorts(port)
                        .addVirtualIps(NetworkAttachment.newBuilder().setNetworkId("4qvuz4ko70xaltuqbt8956gd1").setAddress("10.255.0.2/16")))
                .build();
        assertGolden("service.json", ServiceJson.write(svc, "4qvuz4ko70xaltuqbt8956gd1", new ServiceJson.Counts(1, 1, 0)));
    }

    @Test
    void aTaskIsWrittenAsDockersReferenceShowsIt() throws IOException {
        Task t = Task.newBuilder().setId("0kzzo1i0y4jz6027t0k7aezc7")
                .setMeta(Meta.newBuilder().setVersion(71).setCreatedMs(ms("2016-06-07T21:07:31.171Z")).setUpdatedMs(ms("2016-06-07T21:07:31.376Z")))
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("redis")))
                .setServiceId("9mnpnzenvg8p8tdbtq4wvbkcz").setSlot(1).setNodeId("60gvrl6tm78dmak4yl7srz94v")
                .setStatus(TaskStatus.newBuilder().setTimestampMs(ms("2016-06-07T21:07:31.290Z")).setState(TaskState.TASK_STATE_RUNNING)
                        .setMessage("started").setContainerId("e5d62702a1b48d01c3e02ca1e0212a250801fa8d67caca0b6f35919ebc12f035"))
                .setDesiredState(TaskState.TASK_STATE_RUNNING)
                .addNetworks(NetworkAttachment.newBuilder().setNetworkId("4qvuz4ko70xaltuqbt8956gd1").setAddress("10.255.0.10/16"))
                .build();
        assertGolden("task.json", TaskJson.write(t, null));
    }

    @Test
    void aNodeIsWrittenAsDockersReferenceShowsItAndItsSpecReadBack() throws IOException {
        Node n = Node.newBuilder().setId("24ifsmvkjbyhk")
                .setMeta(Meta.newBuilder().setVersion(8).setCreatedMs(ms("2016-06-07T20:31:11.853Z")).setUpdatedMs(ms("2016-06-07T20:31:11.999Z")))
                .setSpec(NodeSpec.newBuilder().setAnnotations(Annotations.newBuilder().putLabels("foo", "bar"))
                        .setDesiredRole(NodeRole.NODE_ROLE_MANAGER))
                .setDescription(NodeDescription.newBuilder().setHostname("bf3067039e47")
                        .setPlatform(Platform.newBuilder().setArchitecture("x86_64").setOs("linux"))
                        .setResources(Resources.newBuilder().setNanoCpus(4_000_000_000L).setMemoryBytes(8272408576L)))
                .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY).setAddr("172.17.0.2"))
                .setRole(NodeRole.NODE_ROLE_MANAGER)
                .setManagerStatus(ManagerStatus.newBuilder().setRaftId("24ifsmvkjbyhk").setAddr("172.17.0.2:2378"))
                .setAdvertiseAddr("172.17.0.2:2377")
                .build();
        JsonNode written = NodeJson.write(NodeView.newBuilder().setNode(n).setManagerReachability(NodeView.Reachability.LEADER).build());
        assertGolden("node.json", written);
        NodeJson.Spec spec = NodeJson.readSpec(written.get("Spec"));
        assertEquals(new NodeJson.Spec("", Map.of("foo", "bar"), NodeRole.NODE_ROLE_MANAGER, NodeAvailability.NODE_AVAILABILITY_ACTIVE), spec);
    }

    @Test
    void aNetworkIsWrittenAsDockersReferenceShowsItAndDockersCreateBodyReads() throws IOException {
        Network n = Network.newBuilder().setId("7d86d31b1478e7cca9ebed7e73aa0fdeec46c5ca29497431d3007d2d9e15ed99")
                .setMeta(Meta.newBuilder().setCreatedMs(ms("2016-10-19T04:33:30.360Z")))
                .setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("my_network")
                                .putLabels("com.example.some-label", "some-value"))
                        .setDriver("overlay").setAttachable(true))
                .setVni(4097)
                .addIpam(IPAMConfig.newBuilder().setSubnet("10.0.9.0/24").setGateway("10.0.9.1"))
                .build();
        assertGolden("network.json", NetworkJson.write(n));
        NetworkSpec spec = NetworkJson.readCreate(golden("network-create-cli.json"));
        assertEquals(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("backend").putLabels("env", "test"))
                .setDriver("overlay").setAttachable(true)
                .addIpam(IPAMConfig.newBuilder().setSubnet("10.0.9.0/24").setGateway("10.0.9.1")).build(), spec);
    }

    @Test
    void aSecretIsWrittenWithoutItsValueAndItsCreateBodyReads() throws IOException {
        Secret secret = Secret.newBuilder().setId("ktnbjxoalbkvbvedmg1urrz8h")
                .setMeta(Meta.newBuilder().setVersion(11).setCreatedMs(ms("2016-11-05T01:20:17.327Z")))
                .setSpec(SecretSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("app-dev.crt").putLabels("foo", "bar"))
                        .setData(ByteString.copyFromUtf8("s3cret")))
                .build();
        assertGolden("secret.json", SecretJson.write(secret));
        JsonNode create = golden("secret-create.json");
        assertEquals("Driver: not supported by Shoal", assertThrows(InvalidSpec.class, () -> SecretJson.readSecret(create)).getMessage());
        ((ObjectNode) create).remove("Driver");
        assertEquals(SecretSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("app-key.crt").putLabels("foo", "bar"))
                .setData(ByteString.copyFromUtf8("THIS IS NOT A REAL CERTIFICATE\n")).build(), SecretJson.readSecret(create));
        assertEquals("Data: not base64", assertThrows(InvalidSpec.class,
                () -> SecretJson.readSecret(Json.MAPPER.readTree("{\"Name\":\"pw\",\"Data\":\"not base64!\"}"))).getMessage());
    }

    @Test
    void aConfigIsWrittenWithItsDataAndItsCreateBodyReads() throws IOException {
        Config config = Config.newBuilder().setId("ktnbjxoalbkvbvedmg1urrz8h")
                .setMeta(Meta.newBuilder().setVersion(11).setCreatedMs(ms("2016-11-05T01:20:17.327Z")))
                .setSpec(ConfigSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("server.conf"))
                        .setData(ByteString.copyFromUtf8("THIS IS NOT A REAL CERTIFICATE\n")))
                .build();
        assertGolden("config.json", SecretJson.write(config));
        ConfigSpec spec = SecretJson.readConfig(golden("config-create.json"));
        assertEquals(ConfigSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("server.conf").putLabels("foo", "bar"))
                .setData(ByteString.copyFromUtf8("THIS IS NOT A REAL CERTIFICATE\n")).build(), spec);
        assertEquals("Templating: not supported by Shoal", assertThrows(InvalidSpec.class, () -> SecretJson.readConfig(
                Json.MAPPER.readTree("{\"Name\":\"c\",\"Data\":\"eA==\",\"Templating\":{\"Name\":\"golang\"}}"))).getMessage());
    }

    @Test
    void anImagesDistributionIsWrittenAsDockerdWritesIt() throws IOException {
        RemoteImage image = RemoteImage.newBuilder().setMediaType("application/vnd.docker.distribution.manifest.v2+json")
                .setDigest("sha256:c0537ff6a5218ef531ece93d4984efc99bbf3f7497c0a7726c88e2bb7584dc96").setSizeBytes(3987495)
                .addPlatforms(Platform.newBuilder().setArchitecture("amd64").setOs("linux")).build();
        assertGolden("distribution.json", DistributionJson.write(image));
    }

    @Test
    void theSwarmIsWrittenAsDockersReferenceShowsIt() throws IOException {
        ClusterInfo ci = ClusterInfo.newBuilder().setClusterId("abajmipo7b4xz5ip2nrla6b11")
                .setCreatedMs(ms("2016-08-18T10:44:24.496Z"))
                .setMeta(Meta.newBuilder().setVersion(373531).setCreatedMs(ms("2016-08-18T10:44:24.496Z")).setUpdatedMs(ms("2017-08-09T07:09:37.632Z")))
                .setSpec(ClusterSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("default"))
                        .setHeartbeatPeriodMs(5000).setTaskHistoryLimit(10)
                        .addAllDefaultAddressPool(List.of("10.10.0.0/16", "20.20.0.0/16")).setSubnetSize(24).setVxlanPort(4789))
                .build();
        assertGolden("swarm.json", SwarmJson.write(ci, JoinTokens.newBuilder().setWorker("SWMTKN-1-worker").setManager("SWMTKN-1-manager").build()));
    }
}
