package dev.tuncrypt.it.harness;

import java.net.URI;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.InvalidConfigurationException;
import org.testcontainers.dockerclient.TransportConfig;

/**
 * Points Testcontainers at the private engine {@link DockerEngine} started (registered through
 * {@code META-INF/services}); not applicable when no private engine runs, so DOCKER_HOST or the
 * local socket are found as usual.
 */
public final class PrivateEngineStrategy extends DockerClientProviderStrategy {
    @Override
    public String getDescription() {
        return "tuncrypt's private engine (tools/docker-private) at " + DockerEngine.privateHost();
    }

    @Override
    protected boolean isApplicable() {
        return DockerEngine.privateHost() != null;
    }

    @Override
    protected boolean isPersistable() {
        return false;
    }

    @Override
    protected int getPriority() {
        return 1000;
    }

    @Override
    public TransportConfig getTransportConfig() throws InvalidConfigurationException {
        String host = DockerEngine.privateHost();
        if (host == null) {
            throw new InvalidConfigurationException("no private engine runs");
        }
        return TransportConfig.builder().dockerHost(URI.create(host)).build();
    }
}
