//go:build !unix

package benchkit

// processCPU says that this platform does not tell the process's CPU time.
func processCPU() (int64, bool) { return 0, false }
