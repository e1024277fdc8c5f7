package pgcopy

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ConvertError is a source value that has no faithful PostgreSQL form.
type ConvertError struct {
	Table, Column, Key string
	Value              any
	Why                string
}

func (e *ConvertError) Error() string {
	return fmt.Sprintf("table %s, column %s, row %s: value %s %s; nothing was copied", e.Table, e.Column, e.Key, show(e.Value), e.Why)
}

// show prints a source value as SQLite holds it.
func show(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		if len(v) > 32 {
			return "x'" + hex.EncodeToString(v[:32]) + "…'"
		}
		return "x'" + hex.EncodeToString(v) + "'"
	case string:
		if len(v) > 64 {
			v = v[:64] + "…"
		}
		return strconv.Quote(v)
	case time.Time:
		return strconv.Quote(v.Format(time.RFC3339Nano))
	}
	return fmt.Sprint(v)
}

// kind is how a target column's values are converted and compared, from
// its PostgreSQL type (information_schema's data_type).
type kind int

const (
	kText kind = iota
	kBool
	kInt
	kInt4 // integer
	kInt2 // smallint
	kFloat8
	kFloat4
	kNumeric
	kBytes
	kTime   // timestamp with time zone
	kTimeNZ // timestamp without time zone
	kDate
)

func kindOf(dataType string) (kind, bool) {
	switch dataType {
	case "text", "character varying", "character", "uuid", "json", "jsonb":
		return kText, true
	case "boolean":
		return kBool, true
	case "bigint":
		return kInt, true
	case "integer":
		return kInt4, true
	case "smallint":
		return kInt2, true
	case "double precision":
		return kFloat8, true
	case "real":
		return kFloat4, true
	case "numeric":
		return kNumeric, true
	case "bytea":
		return kBytes, true
	case "timestamp with time zone":
		return kTime, true
	case "timestamp without time zone":
		return kTimeNZ, true
	case "date":
		return kDate, true
	}
	return 0, false
}

// timeLayouts are the text forms a time takes in a SQLite file: the
// driver's (modernc.org/sqlite writes Go's time.Time.String form without
// the monotonic part), RFC 3339, and SQLite's own datetime() form.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func parseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// convert turns a SQLite value into the value GORM would have stored in a
// PostgreSQL column of kind k, or says why it cannot.
func convert(k kind, v any) (any, string) {
	if v == nil {
		return nil, ""
	}
	switch k {
	case kText:
		switch v := v.(type) {
		case string:
			return text(v)
		case []byte:
			return text(string(v))
		}
	case kBool:
		switch v := v.(type) {
		case int64:
			if v == 0 || v == 1 {
				return v == 1, ""
			}
		case bool:
			return v, ""
		case string:
			switch strings.ToLower(v) {
			case "0", "false", "f":
				return false, ""
			case "1", "true", "t":
				return true, ""
			}
		}
		return nil, "is not a boolean (0 or 1)"
	case kInt, kInt4, kInt2:
		var n int64
		switch v := v.(type) {
		case int64:
			n = v
		case float64:
			if v != math.Trunc(v) || math.Abs(v) >= 1<<53 {
				return nil, "is not an integer"
			}
			n = int64(v)
		case string:
			p, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, "is not an integer"
			}
			n = p
		default:
			return nil, "is not an integer"
		}
		switch {
		case k == kInt4 && (n < math.MinInt32 || n > math.MaxInt32):
			return nil, "does not fit an integer (int4)"
		case k == kInt2 && (n < math.MinInt16 || n > math.MaxInt16):
			return nil, "does not fit a smallint (int2)"
		}
		return n, ""
	case kFloat8, kFloat4, kNumeric:
		var f float64
		switch v := v.(type) {
		case float64:
			f = v
		case int64:
			f = float64(v)
			if int64(f) != v {
				return nil, "does not fit a double precision exactly"
			}
		case string:
			p, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, "is not a number"
			}
			f = p
		default:
			return nil, "is not a number"
		}
		if k == kFloat4 && float64(float32(f)) != f {
			return nil, "does not fit a real (float4) exactly"
		}
		if k == kNumeric && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return nil, "is not a finite number"
		}
		return f, ""
	case kBytes:
		switch v := v.(type) {
		case []byte:
			// The SQLite driver reads an empty blob as a nil slice, which
			// pgx would write as NULL.
			return append([]byte{}, v...), ""
		case string:
			return append([]byte{}, v...), ""
		}
		return nil, "is not a blob"
	case kTime, kTimeNZ, kDate:
		var t time.Time
		switch v := v.(type) {
		case time.Time:
			t = v
		case string:
			p, ok := parseTime(v)
			if !ok {
				return nil, "is not a time"
			}
			t = p
		default:
			return nil, "is not a time"
		}
		if t.Nanosecond()%1000 != 0 {
			return nil, "has nanoseconds, and PostgreSQL keeps microseconds"
		}
		if k == kDate && (t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0) {
			return nil, "has a time of day, and the column is a date"
		}
		if k == kTimeNZ {
			// A timestamp without time zone keeps the wall clock, as GORM
			// writes a time.Time to it.
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), ""
		}
		return t, ""
	}
	return nil, "is not text"
}

func text(s string) (any, string) {
	if !utf8.ValidString(s) {
		return nil, "is not valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return nil, "holds a NUL character, which PostgreSQL text cannot"
	}
	return s, ""
}

// canon is the canonical text of a converted (or read back) value of kind
// k, compared on both sides after the copy.
func canon(k kind, v any) string {
	if v == nil {
		return "\x00NULL"
	}
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v)
	case int64:
		if k == kFloat8 || k == kFloat4 || k == kNumeric {
			return strconv.FormatFloat(float64(v), 'g', -1, 64)
		}
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int16:
		return strconv.FormatInt(int64(v), 10)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 64)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []byte:
		if k == kText {
			return string(v)
		}
		return hex.EncodeToString(v)
	case string:
		if k == kBytes {
			return hex.EncodeToString([]byte(v))
		}
		if k == kNumeric { // pgx returns numeric as text through database/sql
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				return strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
		return v
	case time.Time:
		if k == kDate {
			return v.Format("2006-01-02")
		}
		if k == kTimeNZ {
			return v.Format("2006-01-02T15:04:05.999999")
		}
		return v.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%T:%v", v, v)
}
