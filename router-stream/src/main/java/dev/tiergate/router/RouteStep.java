package dev.tiergate.router;

/**
 * What the route step needs, built once per topology: the resolver, the routing policy, the
 * metrics, the routing rules with the index of models by tier that the explicit-model check
 * reads, the decoded model catalogue, and the names of the stores it reads.
 */
record RouteStep(
    RouteResolver resolver,
    RouterConfig.Policy policy,
    RouterMetrics metrics,
    RouteIndex routeIndex,
    Catalogue catalogue,
    StoreNames stores) {}
