package dev.caravan.llm;

import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.caravan.auth.AuthFailure;
import dev.caravan.proxy.UpstreamException;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.core.ReplyBody;

/**
 * Turns a failure on an LLM route into the error answer of the API the client speaks (Anthropic, OpenAI or Google
 * format), with the failure's status: refusals keep theirs, anything unexpected is a 500 whose details go to the log
 * only.
 */
public final class LlmErrorReply implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(LlmErrorReply.class);
    /** the error shape of a failure before the request's API was known */
    private static final WireApi UNKNOWN_API = new AnthropicMessages();

    @Override
    public void process(Exchange exchange) {
        LlmRequest request = LlmRequest.of(exchange);
        if (request.call() != null && request.call().relayed()) {
            return; // the answer already went out; its relay ended it
        }
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        WireApi api = request.api() == null ? UNKNOWN_API : request.api();
        int status;
        String message;
        String challenge = null;
        if (failure instanceof LlmException e) {
            status = e.status();
            message = e.getMessage();
        } else if (failure instanceof AuthFailure e) {
            status = e.status();
            message = e.getMessage();
            challenge = e.wwwAuthenticate();
        } else if (failure instanceof UpstreamException e && e.kind() == UpstreamException.Kind.CLIENT_GONE) {
            // nobody is left to answer; 499 (client closed request) is what the access log and metrics record
            request.error(e.getMessage());
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 499);
            return;
        } else {
            LOG.error("Unexpected failure handling an LLM request", failure);
            status = 500;
            message = "Internal error";
        }
        request.error(message);
        if (status < 500) {
            GatewayMetrics.of(exchange.getContext()).rejected("llm", status);
        }
        Message m = exchange.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (challenge != null) {
            m.setHeader("WWW-Authenticate", challenge);
        }
        m.setBody(ReplyBody.of(api.errorBody(status, message).toString()
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** A step for route files: the organization header names no configured organization. */
    public static void unknownOrg(Exchange exchange) {
        throw new LlmException(403, "Organization " + LlmRequest.of(exchange).org()
                                    + " is not configured on this gateway (header names one of its organizations)");
    }
}
