package main

import (
	"github.com/rogpeppe/go-internal/testscript"
	gpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/schema"
)

// cmdPGAutoMigrate makes a PostgreSQL database the way an app without
// migrations does: `pgautomigrate` runs GORM's AutoMigrate for the app's
// models (schema.Models, with the app's GORM config) on $DATABASE_URL
// through gorm.io/driver/postgres.
func cmdPGAutoMigrate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: pgautomigrate")
	}
	cfg := *schema.GormConfig()
	cfg.Logger = logger.Discard
	db, err := gorm.Open(gpostgres.Open(ts.Getenv("DATABASE_URL")), &cfg)
	ts.Check(err)
	ts.Check(db.AutoMigrate(schema.Models()...))
	sqlDB, err := db.DB()
	ts.Check(err)
	ts.Check(sqlDB.Close())
}
