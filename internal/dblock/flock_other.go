//go:build !unix

package dblock

import (
	"errors"
	"os"
)

const (
	lockEx = 1 << iota
	lockSh
	lockNB
	lockUn
)

var errWouldBlock = errors.New("would block")

// flock is not available: the migration lock then excludes nothing.
func flock(*os.File, int) error { return nil }
