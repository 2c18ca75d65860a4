// Package benchkit holds what the benchmarks of several packages share:
// ways of doing one piece of work timed taking turns ([Paired]) or each on
// its own ([EachWay]), the live heap per authenticator of a fleet
// ([FleetMemory]), and the provider's share of auth.NewClient
// ([ProviderOnly]). It is for benchmarks only.
package benchkit
