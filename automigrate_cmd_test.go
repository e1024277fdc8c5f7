package main

import (
	gsqlite "github.com/glebarez/sqlite"
	"github.com/rogpeppe/go-internal/testscript"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/testmodels"
)

// cmdAutoMigrate makes a database the way an app without migrations does:
// `automigrate SET DB` runs GORM's AutoMigrate for the models of testmodels
// set SET on the file DB, through GORM's own SQLite connection (foreign
// keys off, as GORM opens it).
func cmdAutoMigrate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: automigrate SET DB")
	}
	models, ok := testmodels.Sets[args[0]]
	if !ok {
		ts.Fatalf("no model set %q", args[0])
	}
	db, err := gorm.Open(gsqlite.Open(ts.MkAbs(args[1])), &gorm.Config{Logger: logger.Discard})
	ts.Check(err)
	ts.Check(db.AutoMigrate(models...))
	sqlDB, err := db.DB()
	ts.Check(err)
	ts.Check(sqlDB.Close())
}
