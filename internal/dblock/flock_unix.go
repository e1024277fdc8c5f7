//go:build unix

package dblock

import (
	"errors"
	"os"
	"syscall"
)

const (
	lockEx = syscall.LOCK_EX
	lockSh = syscall.LOCK_SH
	lockNB = syscall.LOCK_NB
	lockUn = syscall.LOCK_UN
)

var errWouldBlock = syscall.EWOULDBLOCK

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
