//go:build !linux

package redisstore_test

import "syscall"

// replicaProcAttr is empty where the kernel cannot tie a replica process's
// life to the test process's: the test's cleanup kills it.
func replicaProcAttr() *syscall.SysProcAttr { return nil }
