package dev.tiergate.accounting;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a query is forwarded to: the owning instance's host and port, with the path and query
 * parameters of the original request parsed and encoded again, never the raw request target glued
 * onto a host (an absolute-form {@code http://elsewhere/...} or {@code @elsewhere/...} target would
 * then send the caller's key to another host). Only origin-form targets are accepted.
 */
final class ForwardTarget {

  private ForwardTarget() {}

  /**
   * Whether a request target is origin-form: a path starting with one '/', no authority, no
   * fragment, nothing that is not a printable ASCII character.
   */
  static boolean isOriginForm(final String target) {
    if (target == null || !target.startsWith("/") || target.startsWith("//")) {
      return false;
    }
    for (int i = 0; i < target.length(); i++) {
      final char c = target.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '#' || c == '\\') {
        return false;
      }
    }
    try {
      final URI parsed = new URI(target);
      return parsed.getScheme() == null && parsed.getRawAuthority() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** The owner's URI for an origin-form target: its decoded path and parameters, re-encoded. */
  static URI forOwner(final HostInfo owner, final String originFormTarget) {
    Objects.requireNonNull(owner, "owner");
    if (!isOriginForm(originFormTarget)) {
      throw new IllegalArgumentException("not an origin-form request target");
    }
    final QueryStringDecoder decoded = new QueryStringDecoder(originFormTarget);
    try {
      final URI base = new URI("http", null, owner.host(), owner.port(), decoded.path(), null, null);
      final QueryStringEncoder query = new QueryStringEncoder(base.toASCIIString());
      for (final Map.Entry<String, List<String>> param : decoded.parameters().entrySet()) {
        param.getValue().forEach(value -> query.addParam(param.getKey(), value));
      }
      return query.toUri();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("owner address does not form a URI: " + owner, e);
    }
  }
}
