package dblock

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockers lists the processes holding a flock on path, from /proc/locks
// (lines "1: FLOCK ADVISORY WRITE <pid> <maj>:<min>:<inode> 0 EOF"; the
// major and minor numbers in hex): the holders exactly, not every process
// that has the file open, waiters included.
func lockers(path string) ([]Proc, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, false
	}
	dev := uint64(st.Dev)
	major := (dev>>8)&0xfff | (dev>>32)&^uint64(0xfff)
	minor := dev&0xff | (dev>>12)&^uint64(0xff)
	id := fmt.Sprintf("%02x:%02x:%d", major, minor, st.Ino)
	b, err := os.ReadFile("/proc/locks")
	if err != nil {
		return nil, false
	}
	var ps []Proc
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[1] != "FLOCK" || f[5] != id {
			continue
		}
		pid, err := strconv.Atoi(f[4])
		if err != nil || pid == os.Getpid() {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", f[4], "comm"))
		ps = append(ps, Proc{PID: pid, Comm: strings.TrimSpace(string(comm))})
	}
	return ps, true
}
