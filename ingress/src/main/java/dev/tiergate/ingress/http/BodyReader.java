package dev.tiergate.ingress.http;

import dev.tiergate.ingress.common.GatewayException;
import java.io.ByteArrayOutputStream;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Reads a request body up to a limit. Reactor Netty has no body limit of its own, so a declared
 * {@code Content-Length} over the limit is refused before reading, and a chunked body is cut off
 * as soon as it grows past the limit. A compressed body ({@code Content-Encoding: zstd} or {@code
 * gzip}) is decoded under the same limit, applied to its decoded size.
 */
final class BodyReader {

  private BodyReader() {}

  /**
   * The body's decoded bytes; errors with a 413 {@link GatewayException} past {@code maxBytes}
   * (sent or decoded), 415 for an unknown {@code Content-Encoding}.
   */
  static Mono<byte[]> read(final HttpServerRequest request, final int maxBytes) {
    final List<ContentEncodings.Coding> codings;
    try {
      codings = ContentEncodings.parse(request.requestHeaders().get(ContentEncodings.HEADER));
    } catch (GatewayException e) {
      return Mono.error(e);
    }
    final Mono<byte[]> sent = readSent(request, maxBytes);
    return codings.isEmpty()
        ? sent
        : sent.map(bytes -> ContentEncodings.decode(bytes, codings, maxBytes));
  }

  private static Mono<byte[]> readSent(final HttpServerRequest request, final int maxBytes) {
    final String declared = request.requestHeaders().get("content-length");
    if (declared != null && declaredLength(declared) > maxBytes) {
      return Mono.error(GatewayException.tooLarge(maxBytes));
    }
    return request
        .receive()
        .asByteArray()
        .collect(ByteArrayOutputStream::new, (out, bytes) -> append(out, bytes, maxBytes))
        .map(ByteArrayOutputStream::toByteArray);
  }

  private static void append(final ByteArrayOutputStream out, final byte[] bytes, final int max) {
    if ((long) out.size() + bytes.length > max) {
      throw GatewayException.tooLarge(max);
    }
    out.writeBytes(bytes);
  }

  private static long declaredLength(final String header) {
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      throw GatewayException.invalidRequest(null, "Malformed Content-Length header.");
    }
  }
}
