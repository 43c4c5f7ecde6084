package dev.tiergate.ingress.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.ContentEncodings.Coding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ContentEncodingsTest {

  private static final int MAX = 1024 * 1024;
  private static final long ONE_GIB = 1L << 30;

  interface Compressor {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  static byte[] zstd(final byte[] plain) throws IOException {
    return compress(plain, ZstdOutputStream::new);
  }

  static byte[] gzip(final byte[] plain) throws IOException {
    return compress(plain, GZIPOutputStream::new);
  }

  private static byte[] compress(final byte[] plain, final Compressor compressor)
      throws IOException {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream encoder = compressor.wrap(out)) {
      encoder.write(plain);
    }
    return out.toByteArray();
  }

  /** {@code size} zero bytes, compressed without ever holding them in memory. */
  private static byte[] zeros(final long size, final Compressor compressor) throws IOException {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final byte[] block = new byte[1 << 20];
    try (OutputStream encoder = compressor.wrap(out)) {
      for (long written = 0; written < size; written += block.length) {
        encoder.write(block);
      }
    }
    return out.toByteArray();
  }

  @Test
  void parsesKnownCodingsInTheOrderApplied() {
    assertThat(ContentEncodings.parse(null)).isEmpty();
    assertThat(ContentEncodings.parse("ZSTD")).containsExactly(Coding.ZSTD);
    assertThat(ContentEncodings.parse("gzip, zstd")).containsExactly(Coding.GZIP, Coding.ZSTD);
    assertThat(ContentEncodings.parse("identity")).isEmpty();
  }

  @Test
  void refusesAnUnknownCodingWith415() {
    assertThatThrownBy(() -> ContentEncodings.parse("br"))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(415);
          assertThat(e.code()).isEqualTo("unsupported_content_encoding");
          assertThat(e.getMessage()).contains("'br'");
        });
  }

  @Test
  void decodesZstdAndGzipAndBothStacked() throws IOException {
    final byte[] plain = "{\"model\":\"kilo-auto/balanced\"}".repeat(5000)
        .getBytes(StandardCharsets.UTF_8);
    assertThat(ContentEncodings.decode(zstd(plain), List.of(Coding.ZSTD), MAX)).isEqualTo(plain);
    assertThat(ContentEncodings.decode(gzip(plain), List.of(Coding.GZIP), MAX)).isEqualTo(plain);
    assertThat(ContentEncodings.decode(zstd(gzip(plain)), List.of(Coding.GZIP, Coding.ZSTD), MAX))
        .isEqualTo(plain);
  }

  @Test
  void acceptsADecodedBodyOfExactlyTheLimit() throws IOException {
    final byte[] plain = new byte[MAX];
    assertThat(ContentEncodings.decode(zstd(plain), List.of(Coding.ZSTD), MAX)).hasSize(MAX);
    assertThatThrownBy(() -> ContentEncodings.decode(zstd(new byte[MAX + 1]),
            List.of(Coding.ZSTD), MAX))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.httpStatus()).isEqualTo(413));
  }

  @Test
  void refusesCorruptDataWith400() {
    final byte[] garbage = "not zstd at all".getBytes(StandardCharsets.UTF_8);
    for (final Coding coding : List.of(Coding.ZSTD, Coding.GZIP)) {
      assertThatThrownBy(() -> ContentEncodings.decode(garbage, List.of(coding), MAX))
          .isInstanceOfSatisfying(GatewayException.class,
              e -> assertThat(e.httpStatus()).isEqualTo(400));
    }
  }

  @Test
  void aZstdBombOfOneGibibyteIsRefusedWithoutAllocatingPastTheLimit() throws IOException {
    assertBombRefused(zeros(ONE_GIB, ZstdOutputStream::new), Coding.ZSTD);
  }

  @Test
  void aGzipBombIsRefusedWithoutAllocatingPastTheLimit() throws IOException {
    // 256 MiB of zeros: gzip's ratio tops out near 1000:1, so this is already a 256 KB body.
    assertBombRefused(zeros(ONE_GIB / 4, GZIPOutputStream::new), Coding.GZIP);
  }

  private static void assertBombRefused(final byte[] bomb, final Coding coding) {
    assertThat(bomb.length).isLessThan(MAX);
    final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    final long thread = Thread.currentThread().getId();
    final long before = threads.getThreadAllocatedBytes(thread);
    assertThatThrownBy(() -> ContentEncodings.decode(bomb, List.of(coding), MAX))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.httpStatus()).isEqualTo(413));
    final long allocated = threads.getThreadAllocatedBytes(thread) - before;
    // The doubling buffer allocates under 2 × MAX in all; the decoder's own buffers a few 100 KB.
    assertThat(allocated).isLessThan(3L * MAX);
  }
}
