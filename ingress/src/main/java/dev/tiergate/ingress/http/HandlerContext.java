package dev.tiergate.ingress.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.auth.KeyDirectory;
import dev.tiergate.ingress.common.IngressMetrics;
import dev.tiergate.ingress.limits.RateLimiter;
import dev.tiergate.ingress.reply.IdempotentAnswers;
import dev.tiergate.ingress.reply.ReplyCorrelator;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.schemas.ModelSpec;
import java.time.Duration;

/**
 * What the HTTP handlers of one ingress share, whatever dialect they speak: built once by the
 * service and handed to each handler, which checks it is there.
 *
 * @param maxRequestBytes the largest request body read
 * @param replyTimeout the longest deadline a request gets (a client's own timeout shortens it)
 * @param answers the stored answers of idempotent requests
 * @param errors the error shape of routes that speak no API of their own (OpenAI's)
 */
public record HandlerContext(
    KeyDirectory keys,
    RateLimiter limiter,
    LiveTable<ModelSpec> models,
    ReplyCorrelator correlator,
    ObjectMapper mapper,
    int maxRequestBytes,
    IngressMetrics metrics,
    Duration replyTimeout,
    IdempotentAnswers answers,
    ApiDialect errors) {}
