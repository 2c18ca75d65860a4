package redisstore_test

import "syscall"

// replicaProcAttr has the kernel kill a replica process when the test
// process dies, so a test binary killed by a timeout leaves none behind.
func replicaProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
