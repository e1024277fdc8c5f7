// Command pgsuite prints whether `go test` will run the PostgreSQL suite
// and on what, or why it is skipped (make test prints it): the decision
// internal/pgtest makes.
package main

import (
	"fmt"
	"os"

	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/pgtest"
)

func main() {
	if ok, why := pgtest.Available(); !ok {
		fmt.Printf("PostgreSQL suite skipped: %s\n", why)
		return
	}
	if u := os.Getenv(pgtest.EnvVar); u != "" {
		fmt.Printf("PostgreSQL suite: on the server of $%s (%s)\n", pgtest.EnvVar, dialect.Redact(u))
		return
	}
	bin, _ := pgtest.Binaries()
	fmt.Printf("PostgreSQL suite: on a throwaway cluster per test binary (%s)\n", bin)
}
