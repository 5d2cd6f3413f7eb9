package dev.caravan.demo;

import java.nio.file.Path;

import io.vertx.core.Vertx;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.TimeUtils;

import dev.caravan.core.Settings;

/**
 * The demo's part of the gateway, configured after {@link dev.caravan.CaravanConfiguration} from {@code config/demo.properties}:
 * its throwaway provider keys, the sample servers (started and stopped with the Camel context) and the stub provider,
 * bound as {@code stubLlmProvider} so that tests can see what the gateway sent it.
 */
public final class DemoConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        DemoKeys.generate(Path.of(required(props, "caravan.demo.secrets-dir")),
                Settings.csv(required(props, "caravan.demo.keys")));
        StubLlmProvider stubLlm = new StubLlmProvider(context.getRegistry().lookupByNameAndType("vertx", Vertx.class),
                TimeUtils.toMilliSeconds(required(props, "caravan.demo.llm.chunk-delay")));
        context.getRegistry().bind("stubLlmProvider", stubLlm);
        context.addService(new DemoServers(
                port(props, "caravan.demo.knowledge-base.port"),
                port(props, "caravan.demo.slack-conversations.port"),
                port(props, "caravan.demo.issuer.port"),
                required(props, "caravan.auth.resource"),
                stubLlm, port(props, "caravan.demo.llm.port")));
    }

    private static String required(PropertiesComponent props, String key) {
        return props.resolveProperty(key).map(String::strip).filter(v -> !v.isEmpty())
                .orElseThrow(() -> new IllegalStateException(key + " is not set (config/demo.properties)"));
    }

    private static int port(PropertiesComponent props, String key) {
        return Integer.parseInt(required(props, key));
    }
}
