package provider

// The fleet's time limits, for tests that check a store failure costs no
// more than one store call's deadline.
const (
	StoreCallTimeout = storeCallTimeout
	StoreRestTime    = storeRestTime
)
