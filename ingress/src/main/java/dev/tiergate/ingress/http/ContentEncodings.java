package dev.tiergate.ingress.http;

import com.github.luben.zstd.ZstdInputStream;
import dev.tiergate.ingress.common.GatewayException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Request bodies sent with {@code Content-Encoding: zstd} or {@code gzip} (Kilo compresses bodies
 * over 64 KiB with zstd). Decoding streams into a buffer that never grows past the request size
 * limit, so a decompression bomb costs at most that limit of memory and is refused with 413.
 */
final class ContentEncodings {

  /** A coding a body may carry ({@code identity} needs no decoding and is not listed). */
  enum Coding {
    GZIP,
    ZSTD;

    InputStream open(final InputStream in) throws IOException {
      return this == GZIP ? new GZIPInputStream(in) : new ZstdInputStream(in);
    }
  }

  static final String HEADER = "content-encoding";
  private static final int READ_CHUNK = 16 * 1024;

  private ContentEncodings() {}

  /**
   * The codings of a {@code Content-Encoding} header in the order they were applied; empty for no
   * header or {@code identity} alone.
   *
   * @throws GatewayException 415 for a coding other than {@code zstd}, {@code gzip} ({@code
   *     x-gzip}) or {@code identity}
   */
  static List<Coding> parse(final String header) {
    final List<Coding> codings = new ArrayList<>();
    if (header == null || header.isBlank()) {
      return codings;
    }
    for (final String token : header.split(",")) {
      final String name = token.trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "zstd":
          codings.add(Coding.ZSTD);
          break;
        case "gzip":
        case "x-gzip":
          codings.add(Coding.GZIP);
          break;
        case "identity":
        case "":
          break;
        default:
          throw unsupported(name);
      }
    }
    return codings;
  }

  /**
   * The body with its codings undone, last applied first.
   *
   * @throws GatewayException 413 when a decoded body grows past {@code maxBytes}; 400 when it is
   *     not valid in its coding
   */
  static byte[] decode(final byte[] body, final List<Coding> codings, final int maxBytes) {
    byte[] decoded = body;
    for (int i = codings.size() - 1; i >= 0; i--) {
      decoded = inflate(decoded, codings.get(i), maxBytes);
    }
    return decoded;
  }

  private static byte[] inflate(final byte[] body, final Coding coding, final int maxBytes) {
    try (InputStream in = coding.open(new ByteArrayInputStream(body))) {
      return readBounded(in, maxBytes);
    } catch (IOException e) {
      throw GatewayException.invalidRequest(
          null, "The request body is not valid " + coding.name().toLowerCase(Locale.ROOT)
              + " (Content-Encoding).");
    }
  }

  /**
   * Everything the stream yields, in a buffer that doubles up to {@code maxBytes} and no further
   * (a {@code ByteArrayOutputStream} could double to twice the limit before the check).
   */
  static byte[] readBounded(final InputStream in, final int maxBytes) throws IOException {
    byte[] buffer = new byte[Math.min(maxBytes, READ_CHUNK)];
    int size = 0;
    while (true) {
      if (size == buffer.length) {
        if (size >= maxBytes) {
          if (in.read() < 0) {
            return buffer;
          }
          throw GatewayException.tooLarge(maxBytes);
        }
        buffer = Arrays.copyOf(buffer, (int) Math.min(maxBytes, 2L * buffer.length));
      }
      final int read = in.read(buffer, size, buffer.length - size);
      if (read < 0) {
        return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
      }
      size += read;
    }
  }

  static GatewayException unsupported(final String coding) {
    return new GatewayException(
        415, "invalid_request_error", "unsupported_content_encoding", null,
        "Content-Encoding '" + (coding.length() > 32 ? coding.substring(0, 32) + "..." : coding)
            + "' is not supported; send zstd, gzip or an uncompressed "
            + "body.");
  }
}
