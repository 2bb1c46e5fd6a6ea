package io.shoal.cli.model;

import picocli.CommandLine;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.IScope;
import picocli.CommandLine.Model.IScoped;
import picocli.CommandLine.Model.ISetter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Where an option's value goes: a field of the command (or mixin) object, or a setter method, as
 * picocli's own bindings for annotated members do, found by name rather than by annotation.
 */
abstract sealed class Binding implements IGetter, ISetter, IScoped {
    final Object target;

    private Binding(Object target) {
        this.target = target;
    }

    /**
     * A field, read and written through a {@link VarHandle}: core reflection's {@code Field.get}/{@code set}
     * spin a method handle adapter (and its classes) for each field at first use, ~1 ms each here.
     * Primitive fields get call sites of their own type, so that no adapter is needed either.
     */
    static Binding field(Object target, Field field) {
        VarHandle h;
        try {
            h = MethodHandles.privateLookupIn(field.getDeclaringClass(), MethodHandles.lookup()).unreflectVarHandle(field);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("command model: cannot reach " + field + ": " + e, e);
        }
        Class<?> t = field.getType();
        return t == boolean.class ? new BooleanField(target, field, h)
                : t == int.class ? new IntField(target, field, h)
                : t == long.class ? new LongField(target, field, h)
                : new FieldValue(target, field, h);
    }

    static Binding method(Object target, Method method) {
        return new SetterCall(target, method);
    }

    @Override
    public IScope getScope() {
        return new Scope(target);
    }

    @Override
    public abstract <T> T get();

    @Override
    public abstract <T> T set(T value);

    /** The field or method, as picocli's model of an annotated member holds it ({@code ArgSpec.userObject()}). */
    abstract Object member();

    /** A field of a reference type (or a primitive one other than boolean, int and long): read and written as picocli's FieldBinding does. */
    static sealed class FieldValue extends Binding permits BooleanField, IntField, LongField {
        final Field field;
        final VarHandle handle;

        FieldValue(Object target, Field field, VarHandle handle) {
            super(target);
            this.field = field;
            this.handle = handle;
        }

        @Override
        Object member() {
            return field;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) handle.get(target);
        }

        @Override
        public <T> T set(T value) {
            T old = get();
            handle.set(target, value);
            return old;
        }
    }

    static final class BooleanField extends FieldValue {
        BooleanField(Object target, Field field, VarHandle handle) {
            super(target, field, handle);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) Boolean.valueOf((boolean) handle.get(target));
        }

        @Override
        public <T> T set(T value) {
            T old = get();
            handle.set(target, (boolean) (Boolean) value);
            return old;
        }
    }

    static final class IntField extends FieldValue {
        IntField(Object target, Field field, VarHandle handle) {
            super(target, field, handle);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) Integer.valueOf((int) handle.get(target));
        }

        @Override
        public <T> T set(T value) {
            T old = get();
            handle.set(target, (int) (Integer) value);
            return old;
        }
    }

    static final class LongField extends FieldValue {
        LongField(Object target, Field field, VarHandle handle) {
            super(target, field, handle);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) Long.valueOf((long) handle.get(target));
        }

        @Override
        public <T> T set(T value) {
            T old = get();
            handle.set(target, (long) (Long) value);
            return old;
        }
    }

    /** A setter method: called with each value, the last one kept for the getter, as picocli's MethodBinding does. */
    static final class SetterCall extends Binding {
        private final Method method;
        private Object current;

        SetterCall(Object target, Method method) {
            super(target);
            this.method = method;
        }

        @Override
        Object member() {
            return method;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) current;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            try {
                T old = (T) current;
                method.invoke(target, value);
                current = value;
                return old;
            } catch (InvocationTargetException e) {
                if (e.getTargetException() instanceof CommandLine.PicocliException p) {
                    throw p;
                }
                throw new CommandLine.PicocliException("Could not invoke " + method + " with " + value + " (" + e.getTargetException() + ")", e.getTargetException());
            } catch (IllegalAccessException | IllegalArgumentException e) {
                throw new CommandLine.PicocliException("Could not invoke " + method + " with " + value + " (" + e + ")", e);
            }
        }
    }

    /** The object a binding reads and writes. */
    private record Scope(Object target) implements IScope {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) target;
        }

        @Override
        public <T> T set(T value) {
            throw new UnsupportedOperationException("a command's object is fixed");
        }
    }
}
