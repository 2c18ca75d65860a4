//go:build unix

package benchkit

import "syscall"

// processCPU returns the CPU time, user and system, the process has used
// so far, in nanoseconds, and whether the platform tells.
func processCPU() (int64, bool) {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0, false
	}
	return u.Utime.Nano() + u.Stime.Nano(), true
}
