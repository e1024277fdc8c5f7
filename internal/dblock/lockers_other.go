//go:build !linux

package dblock

// lockers is not known without /proc/locks.
func lockers(string) ([]Proc, bool) { return nil, false }
