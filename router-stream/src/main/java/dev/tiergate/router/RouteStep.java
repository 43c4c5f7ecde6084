package dev.tiergate.router;

/**
 * What the route step needs, built once per topology: the resolver, the routing policy, the
 * metrics and the index of models by tier that the explicit-model check reads.
 */
record RouteStep(
    RouteResolver resolver, RouterConfig.Policy policy, RouterMetrics metrics, RouteIndex routeIndex) {}
