package dev.caravan.llm;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

import dev.caravan.proxy.Upstream;

/**
 * One LLM provider, the call step of its route: built by kamelets/llm-provider.kamelet.yaml from its parameters, once
 * per route (again when a reload replaces the route), and calling the provider through {@link LlmProviderCall}.
 */
public final class LlmProvider extends AsyncProcessorSupport {

    private final LlmProviderCall call;
    private final Upstream upstream;

    public LlmProvider(LlmProviderCall call, String name, String url, String callTimeout, String idleTimeout,
                       String firstByteTimeout, String headers) {
        this.call = call;
        this.upstream = new Upstream(name, url, callTimeout, idleTimeout, firstByteTimeout, headers);
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        return call.process(exchange, upstream, callback);
    }
}
