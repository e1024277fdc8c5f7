package pgcopy

import (
	"testing"
	"time"
)

// What SQLite files hold, as GORM on SQLite writes it, and what it must
// become (or why it is refused) in each PostgreSQL column kind.
func TestConvert(t *testing.T) {
	utc := time.Date(2024, 2, 29, 13, 4, 5, 123456000, time.UTC)
	for _, c := range []struct {
		kind  kind
		in    any
		canon string // "" when refused
		why   string
	}{
		{kBool, int64(1), "true", ""},
		{kBool, int64(0), "false", ""},
		{kBool, int64(2), "", "is not a boolean (0 or 1)"},
		{kBool, "yes", "", "is not a boolean (0 or 1)"},
		{kInt, int64(-7), "-7", ""},
		{kInt, 3.0, "3", ""},
		{kInt, 3.5, "", "is not an integer"},
		{kInt, "12x", "", "is not an integer"},
		{kFloat8, int64(1) << 53, "9.007199254740992e+15", ""},
		{kFloat8, int64(1)<<53 + 1, "", "does not fit a double precision exactly"},
		{kFloat4, 0.5, "0.5", ""},
		{kFloat4, 0.1, "", "does not fit a real (float4) exactly"},
		{kText, "Zoë 🐐", "Zoë 🐐", ""},
		{kText, "a\x00b", "", "holds a NUL character, which PostgreSQL text cannot"},
		{kText, string([]byte{0xff}), "", "is not valid UTF-8"},
		{kText, int64(1), "", "is not text"},
		{kBytes, []byte(nil), "", ""}, // an empty blob, not NULL
		{kBytes, []byte{0, 255}, "00ff", ""},
		{kTime, utc, "2024-02-29T13:04:05.123456Z", ""},
		{kTime, "2024-02-29 14:04:05.123456+01:00", "2024-02-29T13:04:05.123456Z", ""},
		{kTime, "2024-02-29 13:04:05.123456 +0000 UTC", "2024-02-29T13:04:05.123456Z", ""},
		{kTime, "2024-02-29T13:04:05Z", "2024-02-29T13:04:05Z", ""},
		{kTime, "2024-02-29 13:04:05", "2024-02-29T13:04:05Z", ""},
		{kTime, "2024-02-29 13:04:05.123456789+00:00", "", "has nanoseconds, and PostgreSQL keeps microseconds"},
		{kTime, "yesterday", "", "is not a time"},
		{kTimeNZ, "2024-02-29 14:04:05+01:00", "2024-02-29T14:04:05", ""},
		{kDate, "2024-02-29", "2024-02-29", ""},
		{kDate, "2024-02-29 10:00:00", "", "has a time of day, and the column is a date"},
		{kInt, nil, "\x00NULL", ""},
	} {
		v, why := convert(c.kind, c.in)
		if why != c.why {
			t.Errorf("convert(%d, %#v): refused %q, want %q", c.kind, c.in, why, c.why)
			continue
		}
		if b, ok := v.([]byte); ok && b == nil {
			t.Errorf("convert(%d, %#v) = a nil slice, which pgx writes as NULL", c.kind, c.in)
		}
		if why == "" {
			if got := canon(c.kind, v); got != c.canon {
				t.Errorf("convert(%d, %#v) = %q, want %q", c.kind, c.in, got, c.canon)
			}
		}
	}
}
