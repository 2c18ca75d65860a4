//go:build !linux

package redistest

import "syscall"

// childProcAttr is empty where the kernel cannot tie the server's life to
// the test process's: Stop ends it.
func childProcAttr() *syscall.SysProcAttr { return nil }
