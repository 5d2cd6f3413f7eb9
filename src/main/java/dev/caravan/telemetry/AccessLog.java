package dev.caravan.telemetry;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured JSON line per request on the logger {@code caravan.access} (log4j2.xml sends it to stdout as is).
 * Callers pass only what is safe to keep: no bodies, no tokens, no secrets.
 */
public final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("caravan.access");
    private static final ObjectMapper JSON = new ObjectMapper();

    private AccessLog() {
    }

    /** Writes the fields in their map's order. */
    public static void write(Map<String, Object> fields) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        try {
            LOG.info(JSON.writeValueAsString(fields));
        } catch (JsonProcessingException e) {
            LOG.warn("access log line not written: {}", e.getMessage());
        }
    }
}
