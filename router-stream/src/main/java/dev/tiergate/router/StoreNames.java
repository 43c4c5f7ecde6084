package dev.tiergate.router;

/**
 * The names of the router's state stores, as the topology registers them and hands them to its
 * processors, so no processor reaches back into the topology for a name.
 *
 * @param routes the routing table's global store
 * @param models the model catalogue's global store
 * @param budgetStates the budget states' global store (from accounting)
 * @param budgets the budgets' global store (limits, scope, action)
 * @param sessions each session's last model, in the session's task
 * @param reservations outstanding budget reservations, in the tenant's task
 */
record StoreNames(
    String routes,
    String models,
    String budgetStates,
    String budgets,
    String sessions,
    String reservations) {}
