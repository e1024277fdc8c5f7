package migdir

import (
	"sync"

	"ariga.io/atlas/sql/migrate"
)

// cached remembers a directory's files and checksum. Atlas's Executor
// re-reads and re-hashes the whole directory for every file it executes,
// which makes applying a long history quadratic; the files do not change
// while one command runs.
type cached struct {
	Dir
	filesOnce, sumOnce sync.Once
	files              []migrate.File
	filesErr           error
	sum                migrate.HashFile
	sumErr             error
}

// Cached wraps dir so Files and Checksum are computed once.
func Cached(dir Dir) Dir {
	if _, ok := dir.(*cached); ok {
		return dir
	}
	return &cached{Dir: dir}
}

func (c *cached) Files() ([]migrate.File, error) {
	c.filesOnce.Do(func() { c.files, c.filesErr = c.Dir.Files() })
	return c.files, c.filesErr
}

func (c *cached) Checksum() (migrate.HashFile, error) {
	c.sumOnce.Do(func() { c.sum, c.sumErr = c.Dir.Checksum() })
	return c.sum, c.sumErr
}
