package redistest

import "syscall"

// childProcAttr has the kernel kill the server when the test process dies,
// so a test binary killed by a timeout leaves no server behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
