package io.shoal.engineapi;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import org.junit.jupiter.api.Test;
import org.testcontainers.shaded.com.github.dockerjava.core.DefaultDockerClientConfig;
import org.testcontainers.shaded.com.github.dockerjava.core.DockerClientImpl;

import java.net.InetSocketAddress;
import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docker-java (the client Testcontainers ships) against the Engine API over a scripted cluster:
 * a third real client, beside docker's CLI and docker-py in the end-to-end suite.
 */
class DockerJavaTest {
    @Test
    void dockerJavaPingsListsAndCreatesServices() throws Exception {
        try (FakeCluster cluster = new FakeCluster();
             EngineApiServer server = new EngineApiServer(EngineApi.router(new Backend(cluster.channel, "test", System::nanoTime)))) {
            server.listenTcp(new InetSocketAddress("127.0.0.1", 0), null, Authorizer.ANYONE);
            URI host = URI.create("tcp://127.0.0.1:" + server.tcpAddress(0).getPort());
            DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost(host.toString()).withDockerTlsVerify(false).withApiVersion("1.41").build();
            try (ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(host).build();
                 DockerClient docker = DockerClientImpl.getInstance(config, http)) {
                docker.pingCmd().exec();
                assertEquals("1.41", docker.versionCmd().exec().getApiVersion());
                assertEquals("web", docker.listServicesCmd().exec().get(0).getSpec().getName());
                assertEquals("node1", docker.infoCmd().exec().getSwarm().getNodeID());
                String id = docker.createServiceCmd(new ServiceSpec().withName("api")
                        .withTaskTemplate(new TaskSpec().withContainerSpec(new ContainerSpec().withImage("busybox:1")))
                        .withMode(new ServiceModeConfig().withReplicated(new ServiceReplicatedModeOptions().withReplicas(2))))
                        .exec().getId();
                assertEquals("new1", id);
                assertEquals("busybox:1", cluster.created.get(0).getTask().getContainer().getImage());
                assertEquals(2, cluster.created.get(0).getReplicated().getReplicas());
            }
        }
    }
}
