package dev.tiergate.accounting;

import java.util.Objects;

/**
 * What a spend query reads: one tenant's spend along one dimension in one window. It travels from
 * the HTTP route through the store read to the report or series the route answers with.
 */
public record SpendScope(String tenant, SpendDimension by, SpendWindow window) {

  public SpendScope {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(window, "window");
  }
}
