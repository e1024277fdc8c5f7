package cli

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/dblock"
)

// lockTimeoutFlag bounds how long apply, rollback and baseline wait for
// the migration lock and for a database another process is writing.
var lockTimeoutFlag = &cli.DurationFlag{
	Name:  "lock-timeout",
	Value: dblock.DefaultWait,
	Usage: "wait up to `DURATION` (e.g. 100ms, 2m) for another migration run or a busy database",
}

// checkLockTimeout refuses a wait that is not positive.
func checkLockTimeout(c *cli.Context) error {
	if d := c.Duration(lockTimeoutFlag.Name); d <= 0 {
		return fmt.Errorf("--lock-timeout must be a positive duration (e.g. 30s, 100ms), got %s", d)
	}
	return nil
}

// busy names who holds the database when err is SQLITE_BUSY after the wait.
func (e *Env) busy(err error, wait time.Duration) error {
	if e.InMemory {
		return err
	}
	return dblock.Explain(err, e.DB, wait)
}
