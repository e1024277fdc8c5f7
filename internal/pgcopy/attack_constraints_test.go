package pgcopy_test

import (
	"testing"
)

// Rows the target's constraints refuse (SQLite did not check them): the
// refusal is one line naming the table and the row.
func TestAttackConstraints(t *testing.T) {
	for _, c := range []struct {
		name          string
		lite, pg      []string
		rows          string
		want          []string
		wantNotCopied bool
	}{
		{
			name: "unique index on lower(name)",
			lite: []string{"CREATE TABLE users (id integer PRIMARY KEY, name text)"},
			pg:   []string{"CREATE TABLE users (id bigint PRIMARY KEY, name text)", "CREATE UNIQUE INDEX users_name ON users (lower(name))"},
			rows: "INSERT INTO users VALUES (1, 'Ann'), (2, 'bob'), (3, 'ANN')",
			want: []string{"users", "id=3", "already exists"},
		},
		{
			name: "check",
			lite: []string{"CREATE TABLE users (id integer PRIMARY KEY, age integer)"},
			pg:   []string{"CREATE TABLE users (id bigint PRIMARY KEY, age integer CHECK (age >= 0))"},
			rows: "INSERT INTO users VALUES (1, 5), (2, -1)",
			want: []string{"users", "id=2", "check"},
		},
		{
			name: "not null",
			lite: []string{"CREATE TABLE users (id integer PRIMARY KEY, name text)"},
			pg:   []string{"CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL)"},
			rows: "INSERT INTO users VALUES (1, 'a'), (2, NULL)",
			want: []string{"users", "id=2", "name"},
		},
		{
			name: "text primary key differing in case only, uuid",
			lite: []string{"CREATE TABLE users (id uuid PRIMARY KEY, name text)"},
			pg:   []string{"CREATE TABLE users (id uuid PRIMARY KEY, name text)"},
			rows: "INSERT INTO users VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'lower'), ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'upper')",
			want: []string{"users", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		},
		{
			name: "foreign key to a missing row",
			lite: []string{"CREATE TABLE owners (id integer PRIMARY KEY)", "CREATE TABLE items (id integer PRIMARY KEY, owner_id integer)"},
			pg:   []string{"CREATE TABLE owners (id bigint PRIMARY KEY)", "CREATE TABLE items (id bigint PRIMARY KEY, owner_id bigint REFERENCES owners)"},
			rows: "INSERT INTO items VALUES (1, 7)",
			want: []string{"items", "owner"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newAttackEnv(t, c.lite, c.pg)
			e.liteExec(t, c.rows)
			err := e.copy(t)
			oneLine(t, err, c.want...)
			t.Log(err)
		})
	}
}
