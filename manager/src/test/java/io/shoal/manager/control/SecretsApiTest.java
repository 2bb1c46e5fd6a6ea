package io.shoal.manager.control;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.shoal.api.Annotations;
import io.shoal.api.Cluster;
import io.shoal.api.ClusterSpec;
import io.shoal.api.ConfigReference;
import io.shoal.api.ConfigSpec;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateConfigRequest;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.GetConfigRequest;
import io.shoal.api.GetSecretRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.RemoveConfigRequest;
import io.shoal.api.RemoveSecretRequest;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.SecretReference;
import io.shoal.api.SecretSpec;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.api.raft.StoreBatch;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.events.EventHistory;
import io.shoal.manager.membership.ManagerRoles;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets and configs through the Control API against one in-memory manager: values sealed before
 * they reach the log, absent from every reply, and bad input refused with one line and no change.
 */
class SecretsApiTest {
    private static final ByteString VALUE = ByteString.copyFromUtf8("s3cr3t-value-4c1f9e");
    private final ClusterStore store = new ClusterStore();
    private final LocalConsensus consensus = new LocalConsensus(store);
    private final StoreWriter writer = new StoreWriter(store, consensus);
    private final byte[] kek = KeyEncryption.newKey();
    private final SecretCipher cipher = new SecretCipher(kek);
    private final ControlService control = new ControlService(store, writer, consensus, new ManagerRoles(store, writer, consensus),
            null, cipher, new EventHistory(1));
    private final SecretsApi secrets = new SecretsApi(store, writer, consensus, cipher);
    private final ConfigsApi configs = new ConfigsApi(store, writer, consensus);
    private final ServicesApi services = new ServicesApi(store, writer, consensus);

    @BeforeEach
    void cluster() {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Cluster.newBuilder().setId("c1")
                .setSpec(ClusterSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("default")))
                .setDataKey(SecretCipher.newDataKey(kek)).build()))));
    }

    private static CreateSecretRequest secret(String name, ByteString data) {
        return CreateSecretRequest.newBuilder().setSpec(SecretSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName(name).putLabels("env", "test")).setData(data)).build();
    }

    private static CreateConfigRequest config(String name, ByteString data) {
        return CreateConfigRequest.newBuilder().setSpec(ConfigSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName(name)).setData(data)).build();
    }

    private static ServiceSpec service(String name, SecretReference... refs) {
        return ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("busybox").addAllSecrets(List.of(refs))))
                .build();
    }

    private static SecretReference byName(String name) {
        return SecretReference.newBuilder().setSecretName(name).build();
    }

    static boolean contains(byte[] haystack, ByteString needle) {
        byte[] n = needle.toByteArray();
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Runs a call that must fail; returns its status, after checking the store did not move. */
    private Status refused(Supplier<?> call) {
        long before = store.appliedIndex();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(before, store.appliedIndex(), "nothing was written");
        assertFalse(e.getStatus().getDescription().contains("\n"), "one line");
        return e.getStatus();
    }

    @Test
    void aValueIsSealedBeforeItReachesTheLogAndNoReplyCarriesIt() {
        var created = secrets.createSecret(secret("db", VALUE));
        assertTrue(created.getSpec().getData().isEmpty(), "the create reply has no value");
        assertEquals("test", created.getSpec().getAnnotations().getLabelsOrThrow("env"));
        ByteString sealed = store.view(tx -> tx.get(ObjectKind.SECRET, created.getId())).orElseThrow().getSecret().getSpec().getData();
        assertFalse(sealed.isEmpty());
        for (StoreBatch entry : consensus.log) {
            assertFalse(contains(entry.toByteArray(), VALUE), "a log entry holds the plaintext: " + entry);
        }
        assertFalse(contains(store.snapshot().toByteArray(), VALUE), "the snapshot holds the plaintext");
        assertEquals(VALUE, cipher.open(store.view(tx -> tx.cluster()).orElseThrow(), created.getId(), sealed));
    }

    @Test
    void everyReadOfTheControlApiLeavesTheValueOut() throws Exception {
        var s = secrets.createSecret(secret("db", VALUE));
        ByteString sealed = store.view(tx -> tx.get(ObjectKind.SECRET, s.getId())).orElseThrow().getSecret().getSpec().getData();
        Service svc = services.createService(CreateServiceRequest.newBuilder().setSpec(service("web", byName("db"))).build());
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Task.newBuilder().setId("t1").setServiceId(svc.getId())
                .setSpec(svc.getSpec().getTask()).build()))));
        List<Message> replies = new ArrayList<>();
        // every Get and List call of the Control API, with an empty request (whatever it lists) ...
        for (MethodDescriptor<?, ?> m : ControlGrpc.getServiceDescriptor().getMethods().stream()
                .map(d -> (MethodDescriptor<?, ?>) d).toList()) {
            String name = m.getBareMethodName();
            if ((name.startsWith("Get") || name.startsWith("List")) && m.getType() == MethodDescriptor.MethodType.UNARY) {
                Method handler = ControlService.class.getMethod(Character.toLowerCase(name.charAt(0)) + name.substring(1),
                        requestClass(m), StreamObserver.class);
                Message empty = (Message) requestClass(m).getMethod("getDefaultInstance").invoke(null);
                replies.addAll(call(handler, empty));
            }
        }
        // ... and the ones that name the secret or its service
        replies.addAll(call(ControlService.class.getMethod("getSecret", GetSecretRequest.class, StreamObserver.class),
                GetSecretRequest.newBuilder().setSecret("db").build()));
        replies.addAll(call(ControlService.class.getMethod("getService", GetServiceRequest.class, StreamObserver.class),
                GetServiceRequest.newBuilder().setService("web").build()));
        replies.add(services.updateService(UpdateServiceRequest.newBuilder().setService("web")
                .setSpec(service("web", byName("db")).toBuilder().setAnnotations(Annotations.newBuilder().setName("web")
                        .putLabels("v", "2"))).build()));
        assertTrue(replies.stream().anyMatch(r -> r.toString().contains(s.getId())), "the secret is listed: " + replies);
        for (Message r : replies) {
            assertFalse(contains(r.toByteArray(), VALUE), "plaintext in " + r);
            assertFalse(contains(r.toByteArray(), sealed), "the sealed value in " + r);
        }
    }

    private static Class<?> requestClass(MethodDescriptor<?, ?> m) {
        var marshaller = (MethodDescriptor.PrototypeMarshaller<?>) m.getRequestMarshaller();
        return marshaller.getMessagePrototype().getClass();
    }

    private List<Message> call(Method handler, Message request) throws Exception {
        List<Message> out = new ArrayList<>();
        handler.invoke(control, request, new StreamObserver<Message>() {
            @Override public void onNext(Message m) { out.add(m); }
            @Override public void onError(Throwable t) { }
            @Override public void onCompleted() { }
        });
        return out;
    }

    @Test
    void badSecretsAreRefusedWithOneLineAndNothingChanges() {
        secrets.createSecret(secret("db", VALUE));
        Status s = refused(() -> secrets.createSecret(secret("db", ByteString.copyFromUtf8("other"))));
        assertEquals(Status.Code.ALREADY_EXISTS, s.getCode());
        assertEquals("secret db already exists", s.getDescription());
        s = refused(() -> secrets.createSecret(secret("big", ByteString.copyFrom(new byte[SecretsApi.MAX_SIZE]))));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertEquals("secret data must be larger than 0 and less than 500 KiB (512000 bytes given)", s.getDescription());
        secrets.createSecret(secret("just-fits", ByteString.copyFrom(new byte[SecretsApi.MAX_SIZE - 1])));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused(() -> secrets.createSecret(secret("empty", ByteString.EMPTY))).getCode());
        s = refused(() -> secrets.createSecret(secret("-dash", VALUE)));
        assertTrue(s.getDescription().startsWith("secret name: '-dash' must be"), s.getDescription());
        assertEquals(Status.Code.NOT_FOUND, refused(() -> secrets.getSecret(GetSecretRequest.newBuilder().setSecret("nope").build())).getCode());
    }

    @Test
    void aSecretInUseCannotBeRemovedUntilItsServiceIs() {
        var s = secrets.createSecret(secret("db", VALUE));
        services.createService(CreateServiceRequest.newBuilder().setSpec(service("web", byName("db"))).build());
        Status st = refused(() -> secrets.removeSecret(RemoveSecretRequest.newBuilder().setSecret("db").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, st.getCode());
        assertEquals("secret 'db' is in use by the following service: web", st.getDescription());
        services.removeService(RemoveServiceRequest.newBuilder().setService("web").build());
        assertEquals(s.getId(), secrets.removeSecret(RemoveSecretRequest.newBuilder().setSecret(s.getId().substring(0, 6)).build()).getSecretId());
        assertEquals(0, store.count(ObjectKind.SECRET));
    }

    @Test
    void aServiceNamesSecretsByNameAndGetsDockersDefaults() {
        var s = secrets.createSecret(secret("db", VALUE));
        Service svc = services.createService(CreateServiceRequest.newBuilder().setSpec(service("web", byName("db"),
                SecretReference.newBuilder().setSecretName(s.getId()).setTarget("/etc/db.pass").setUid("1000").setMode(0400).build())).build());
        var refs = svc.getSpec().getTask().getContainer().getSecretsList();
        assertEquals(SecretReference.newBuilder().setSecretId(s.getId()).setSecretName("db").setTarget("db").setUid("0").setGid("0")
                .setMode(0444).build(), refs.get(0));
        assertEquals(SecretReference.newBuilder().setSecretId(s.getId()).setSecretName("db").setTarget("/etc/db.pass").setUid("1000")
                .setGid("0").setMode(0400).build(), refs.get(1));

        Status st = refused(() -> services.createService(CreateServiceRequest.newBuilder().setSpec(service("api", byName("nope"))).build()));
        assertEquals("secret not found: nope", st.getDescription());
        st = refused(() -> services.createService(CreateServiceRequest.newBuilder().setSpec(service("api", byName("db"),
                SecretReference.newBuilder().setSecretName("db").setTarget("/run/secrets/db").build())).build()));
        assertEquals("secret db and secret db have a conflicting target: /run/secrets/db", st.getDescription());
        st = refused(() -> services.createService(CreateServiceRequest.newBuilder().setSpec(service("api",
                SecretReference.newBuilder().setSecretName("db").setTarget("../etc/shadow").build())).build()));
        assertEquals("secret db: target '../etc/shadow' must not have '.' or '..' in it", st.getDescription());
        st = refused(() -> services.createService(CreateServiceRequest.newBuilder().setSpec(service("api",
                SecretReference.newBuilder().setSecretName("db").setMode(01777).build())).build()));
        assertEquals("secret db: mode 1777 must be in 0000-0777 (octal)", st.getDescription());
        st = refused(() -> services.createService(CreateServiceRequest.newBuilder().setSpec(service("api",
                SecretReference.newBuilder().setSecretName("db").setUid("root").build())).build()));
        assertEquals("secret db: uid 'root' must be a number", st.getDescription());
    }

    @Test
    void configsKeepTheirContentLandAtSlashNameAndStayWhileUsed() {
        var c = configs.createConfig(config("nginx.conf", ByteString.copyFromUtf8("worker_processes 1;")));
        assertEquals("worker_processes 1;", configs.getConfig(GetConfigRequest.newBuilder().setConfig("nginx.conf").build())
                .getSpec().getData().toStringUtf8(), "configs are not secret");
        Status st = refused(() -> configs.createConfig(config("nginx.conf", ByteString.copyFromUtf8("x"))));
        assertEquals("config nginx.conf already exists", st.getDescription());
        st = refused(() -> configs.createConfig(config("big", ByteString.copyFrom(new byte[ConfigsApi.MAX_SIZE]))));
        assertEquals("config data must be larger than 0 and less than 1000 KiB (1024000 bytes given)", st.getDescription());
        ServiceSpec spec = service("web").toBuilder().setTask(service("web").getTask().toBuilder().setContainer(
                service("web").getTask().getContainer().toBuilder().addConfigs(ConfigReference.newBuilder().setConfigName("nginx.conf")))).build();
        Service svc = services.createService(CreateServiceRequest.newBuilder().setSpec(spec).build());
        assertEquals(ConfigReference.newBuilder().setConfigId(c.getId()).setConfigName("nginx.conf").setTarget("/nginx.conf")
                .setUid("0").setGid("0").setMode(0444).build(), svc.getSpec().getTask().getContainer().getConfigs(0));
        st = refused(() -> configs.removeConfig(RemoveConfigRequest.newBuilder().setConfig("nginx.conf").build()));
        assertEquals("config 'nginx.conf' is in use by the following service: web", st.getDescription());
    }

    @Test
    void aClusterMadeBeforeSecretsGetsItsDataKeyWithTheFirstSecret() {
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(tx.cluster().orElseThrow().toBuilder().clearDataKey().build()))));
        var s = secrets.createSecret(secret("db", VALUE));
        Cluster c = store.view(tx -> tx.cluster()).orElseThrow();
        assertFalse(c.getDataKey().isEmpty());
        assertEquals(VALUE, cipher.open(c, s.getId(), store.view(tx -> tx.get(ObjectKind.SECRET, s.getId())).orElseThrow()
                .getSecret().getSpec().getData()));
        ByteString key = c.getDataKey();
        secrets.createSecret(secret("db2", VALUE));
        assertEquals(key, store.view(tx -> tx.cluster()).orElseThrow().getDataKey(), "and keeps it");
    }
}
