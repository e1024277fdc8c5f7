package desired

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ErrHookNotPortable refuses a Desired hook on another dialect: its DDL is
// written for SQLite.
var ErrHookNotPortable = errors.New("desired: the models' Desired hook returns SQLite DDL; it is not supported on PostgreSQL yet")

// AutoMigrate runs GORM's AutoMigrate for models through dialector (a
// dev database of another dialect, e.g. PostgreSQL's), with the options'
// GORM config and the join tables the list declares, as Schema does on
// SQLite. The caller inspects the result with that dialect's driver.
func (o Options) AutoMigrate(ctx context.Context, dialector gorm.Dialector, models ...any) error {
	if o.Desired != nil {
		return ErrHookNotPortable
	}
	gdb, err := gorm.Open(dialector, o.gormConfig())
	if err != nil {
		return fmt.Errorf("desired: open gorm: %w", err)
	}
	ordered, err := setupJoinTables(gdb, models)
	if err != nil {
		return fmt.Errorf("desired: %w", err)
	}
	if err := gdb.WithContext(ctx).AutoMigrate(ordered...); err != nil {
		return fmt.Errorf("desired: gorm AutoMigrate: %w", err)
	}
	return nil
}
