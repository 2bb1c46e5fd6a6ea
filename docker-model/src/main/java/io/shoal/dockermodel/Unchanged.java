package io.shoal.dockermodel;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;

import java.util.Objects;

/**
 * Docker's clients update a service by reading it, changing a field and posting the whole spec
 * back. Docker's JSON cannot say everything Shoal's spec says (an unset restart delay and docker's
 * default of 5 s read back the same; the ingress network is not shown), so the spec read back can
 * differ from the stored one where the user changed nothing, and a spec that differs would roll
 * the service's tasks. This keeps, field by field, the stored value wherever the posted value is
 * what docker's client was shown: only what the user changed changes.
 */
public final class Unchanged {
    private Unchanged() {}

    /**
     * @param current  the stored spec
     * @param incoming the spec docker's client posted
     * @param ingressId as given to {@link ServiceSpecJson#write}
     */
    public static ServiceSpec keep(ServiceSpec current, ServiceSpec incoming, String ingressId) {
        ServiceSpec shown = ServiceSpecJson.read(ServiceSpecJson.write(current, ingressId));
        ServiceSpec.Builder b = (ServiceSpec.Builder) keep(current, shown, incoming);
        b.setTask(b.getTask().equals(shown.getTask()) ? current.getTask()
                : (TaskSpec) keep(current.getTask(), shown.getTask(), incoming.getTask()).build());
        return b.build();
    }

    private static Message.Builder keep(Message current, Message shown, Message incoming) {
        Message.Builder b = incoming.toBuilder();
        for (FieldDescriptor f : incoming.getDescriptorForType().getFields()) {
            if (f.getRealContainingOneof() == null && same(incoming, shown, f)) {
                copy(current, b, f);
            }
        }
        for (OneofDescriptor o : incoming.getDescriptorForType().getRealOneofs()) {
            FieldDescriptor in = incoming.getOneofFieldDescriptor(o);
            if (Objects.equals(in, shown.getOneofFieldDescriptor(o))
                    && (in == null || incoming.getField(in).equals(shown.getField(in)))) {
                b.clearOneof(o);
                FieldDescriptor cur = current.getOneofFieldDescriptor(o);
                if (cur != null) {
                    b.setField(cur, current.getField(cur));
                }
            }
        }
        return b;
    }

    private static boolean same(Message a, Message b, FieldDescriptor f) {
        if (f.hasPresence() && a.hasField(f) != b.hasField(f)) {
            return false;
        }
        return a.getField(f).equals(b.getField(f));
    }

    private static void copy(Message from, Message.Builder to, FieldDescriptor f) {
        if (f.hasPresence() && !from.hasField(f)) {
            to.clearField(f);
        } else {
            to.setField(f, from.getField(f));
        }
    }
}
