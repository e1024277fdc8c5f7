package pgcopy_test

import (
	"context"
	"strings"
	"testing"
)

// Each column as GORM declares it on SQLite and on PostgreSQL.
var valueCols = []struct{ name, lite, pg string }{
	{"i4", "integer", "integer"},
	{"i2", "smallint", "smallint"},
	{"i8", "integer", "bigint"},
	{"f8", "real", "double precision"},
	{"f4", "real", "real"},
	{"n", "numeric(10,2)", "numeric(10,2)"},
	{"nu", "numeric", "numeric"},
	{"b", "numeric", "boolean"},
	{"t", "text", "text"},
	{"vc", "varchar(5)", "varchar(5)"},
	{"ch", "char(5)", "char(5)"},
	{"ts", "datetime", "timestamptz"},
	{"tsn", "datetime", "timestamp"},
	{"d", "date", "date"},
	{"by", "blob", "bytea"},
	{"u", "uuid", "uuid"},
	{"j", "json", "json"},
}

// valueCase is one odd value written into one SQLite column by SQL. The
// copy either refuses it (refuse: in one line naming the table, the
// column and the row) or the target holds want (the column's text in
// PostgreSQL); either: both are right.
type valueCase struct {
	col, lit string
	want     string
	refuse   bool
	either   bool
}

func runValueCases(t *testing.T, cases []valueCase) {
	var lite, pg []string
	for _, c := range valueCols {
		lite = append(lite, c.name+" "+c.lite)
		pg = append(pg, c.name+" "+c.pg)
	}
	e := newAttackEnv(t,
		[]string{"CREATE TABLE v (id integer PRIMARY KEY, " + strings.Join(lite, ", ") + ")"},
		[]string{"CREATE TABLE v (id bigint PRIMARY KEY, " + strings.Join(pg, ", ") + ")"})
	ctx := context.Background()
	for _, c := range cases {
		e.liteExec(t, "DELETE FROM v")
		e.liteExec(t, "INSERT INTO v (id, "+c.col+") VALUES (1, "+c.lit+")")
		e.pgExec(t, "TRUNCATE v")
		var typ, raw string
		must(t, e.lite.QueryRow("SELECT typeof("+c.col+"), quote("+c.col+") FROM v").Scan(&typ, &raw))
		err := e.copy(t)
		var got *string
		if err == nil {
			must(t, e.pg.QueryRow(ctx, "SELECT "+c.col+"::text FROM v").Scan(&got))
		}
		show := "NULL"
		if got != nil {
			show = *got
		}
		name := c.col + " " + c.lit + " (SQLite " + typ + " " + raw + ")"
		switch {
		case err != nil && (c.refuse || c.either):
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, "column "+c.col) || !strings.Contains(msg, "id=1") {
				t.Errorf("%s: refused, but not in one line naming column %s and row id=1: %v", name, c.col, err)
			} else {
				t.Logf("%s: refused: %v", name, err)
			}
		case err != nil:
			t.Errorf("%s: false refusal: %v (want %q)", name, err, c.want)
		case c.refuse:
			t.Errorf("%s: BROKE: copied as %q, want a refusal", name, show)
		case got == nil || *got != c.want:
			t.Errorf("%s: BROKE: copied as %q, want %q", name, show, c.want)
		default:
			t.Logf("%s: held: %q", name, show)
		}
	}
}

func TestAttackValues(t *testing.T) {
	runValueCases(t, []valueCase{
		{col: "i4", lit: "2147483648", refuse: true},
		{col: "i4", lit: "-2147483648", want: "-2147483648"},
		{col: "i2", lit: "40000", refuse: true},
		{col: "i4", lit: "'12abc'", refuse: true},
		{col: "i4", lit: "' 42 '", want: "42"},
		{col: "i4", lit: "1.5", refuse: true},
		{col: "i4", lit: "'0x10'", refuse: true},
		{col: "i4", lit: "'1e3'", want: "1000"},
		{col: "i8", lit: "9223372036854775807", want: "9223372036854775807"},
		{col: "i8", lit: "-9223372036854775808", want: "-9223372036854775808"},
		{col: "i8", lit: "9223372036854775808", refuse: true},
		{col: "i8", lit: "'+7'", want: "7"},
		{col: "f8", lit: "'1e3'", want: "1000"},
		{col: "f8", lit: "'NaN'", want: "NaN"},
		{col: "f8", lit: "-0.0", want: "0"},
		{col: "f8", lit: "4.9e-324", want: "5e-324"},
		{col: "f8", lit: "1.7976931348623157e308", want: "1.7976931348623157e+308"},
		{col: "f8", lit: "9223372036854775807", want: "9.223372036854776e+18"}, // SQLite made it a REAL
		{col: "f4", lit: "0.1", refuse: true},
		{col: "f4", lit: "16777217", refuse: true},
		{col: "f4", lit: "0.5", want: "0.5"},
		{col: "f4", lit: "1e39", refuse: true},
		{col: "n", lit: "0.125", want: "0.13", either: true},
		{col: "n", lit: "0.1", want: "0.10"},
		{col: "n", lit: "123456789012.5", refuse: true},
		{col: "nu", lit: "'12345678901234567890.123'", want: "12345678901234567000"}, // SQLite made it a REAL
		{col: "nu", lit: "'0.1000000000000000000001'", want: "0.1"},                  // SQLite made it a REAL
		{col: "nu", lit: "'NaN'", want: "NaN", either: true},
		{col: "nu", lit: "9007199254740993", want: "9007199254740993", either: true},
		{col: "nu", lit: "1e-20", want: "0.00000000000000000001"},
		{col: "b", lit: "'true'", want: "true"},
		{col: "b", lit: "'T'", want: "true"},
		{col: "b", lit: "'yes'", refuse: true},
		{col: "b", lit: "2", refuse: true},
		{col: "b", lit: "-1", refuse: true},
		{col: "b", lit: "1.0", want: "true"},
		{col: "b", lit: "0.5", refuse: true},
		{col: "t", lit: "x'616263'", want: "abc"},
		{col: "t", lit: "x'ff'", refuse: true},
		{col: "t", lit: "'a' || char(0) || 'b'", refuse: true},
		{col: "t", lit: `'\N'`, want: `\N`},
		{col: "t", lit: `'\.'`, want: `\.`},
		{col: "t", lit: "'a' || char(9) || 'b' || char(10) || '\\' || char(13)", want: "a\tb\n\\\r"},
		{col: "t", lit: "42", want: "42"},
		{col: "vc", lit: "'abcdef'", refuse: true},
		{col: "vc", lit: "'abcde '", refuse: true},
		{col: "vc", lit: "'éééé'", want: "éééé"},
		{col: "ch", lit: "'ab'", want: "ab"},
		{col: "ch", lit: "'ab '", want: "ab", either: true},
		{col: "ch", lit: "'abcdef'", refuse: true},
		{col: "ts", lit: "'2024-01-02 03:04:05'", want: "2024-01-02 03:04:05+00"},
		{col: "ts", lit: "'2024-01-02T03:04:05+02:00'", want: "2024-01-02 01:04:05+00"},
		{col: "ts", lit: "'2024-01-02T03:04:05Z'", want: "2024-01-02 03:04:05+00"},
		{col: "ts", lit: "'2024-01-02 03:04'", want: "2024-01-02 03:04:00+00"},
		{col: "ts", lit: "'2024-01-02 03:04:05.123456789+00:00'", refuse: true},
		{col: "ts", lit: "'2024-01-02 03:04:05.1+00:00'", want: "2024-01-02 03:04:05.1+00"},
		{col: "ts", lit: "1704164645", refuse: true},
		{col: "ts", lit: "2460311.5", refuse: true},
		{col: "ts", lit: "'now'", refuse: true},
		{col: "ts", lit: "''", refuse: true},
		{col: "ts", lit: "'0001-01-01 00:00:00+00:00'", want: "0001-01-01 00:00:00+00"},
		{col: "ts", lit: "'9999-12-31 23:59:59.999999+00:00'", want: "9999-12-31 23:59:59.999999+00"},
		{col: "ts", lit: "'1900-01-01 00:00:00 +0019 LMT'", want: "1899-12-31 23:41:00+00"},
		{col: "ts", lit: "'2024-01-02 03:04:05.5 +0000 UTC m=+0.000000001'", want: "2024-01-02 03:04:05.5+00"},
		{col: "ts", lit: "'2024-07-02 03:04:05 -0700 PDT'", want: "2024-07-02 10:04:05+00"},
		{col: "ts", lit: "'2024-01-02 03:04:05-07'", refuse: true},
		{col: "tsn", lit: "'2024-01-02 03:04:05+02:00'", want: "2024-01-02 03:04:05"},
		{col: "d", lit: "'2024-01-02'", want: "2024-01-02"},
		{col: "d", lit: "'2024-01-02 00:00:00+05:00'", want: "2024-01-02"},
		{col: "d", lit: "'2024-01-02 12:00:00'", refuse: true},
		{col: "d", lit: "'2024-02-30'", refuse: true},
		{col: "by", lit: "x''", want: `\x`},
		{col: "by", lit: "'abc'", want: `\x616263`},
		{col: "u", lit: "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", want: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{col: "u", lit: "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", want: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", either: true},
		{col: "u", lit: "'a0eebc99x9c0bx4ef8xbb6dx6bb9bd380a11'", refuse: true},
		{col: "u", lit: "'a0eebc999c0b4ef8bb6d6bb9bd380a11'", want: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", either: true},
		{col: "j", lit: `'{"a":1, "a":2}'`, want: `{"a":1, "a":2}`},
		{col: "j", lit: "'not json'", refuse: true},
	})
}
