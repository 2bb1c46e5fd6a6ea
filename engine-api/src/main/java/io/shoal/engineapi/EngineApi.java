package io.shoal.engineapi;

/** The routes of the Docker Engine API Shoal serves, over one {@link Backend}. */
public final class EngineApi {
    private EngineApi() {}

    public static Router router(Backend backend) {
        Router r = new Router();
        LogStreams logs = new LogStreams(backend);
        new SystemRoutes(backend).register(r);
        new SwarmRoutes(backend).register(r);
        new NodeRoutes(backend).register(r);
        new ServiceRoutes(backend, logs).register(r);
        new TaskRoutes(backend, logs).register(r);
        new NetworkRoutes(backend).register(r);
        new SecretRoutes(backend).register(r);
        new DistributionRoutes(backend).register(r);
        new EventRoutes(backend).register(r);
        return r;
    }
}
