package apply

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A statement that runs longer than the interval shows its file, elapsed
// time and text, and the line is cleared before the statement's result.
func TestProgressLine(t *testing.T) {
	var out bytes.Buffer
	l := NewLogger(&out)
	l.Progress = 20 * time.Millisecond
	l.File("migrating version %s (%s)", "20260101000001", "20260101000001_big.sql")
	l.Stmt("INSERT INTO `new_big` (`id`) SELECT `id` FROM `big`")
	time.Sleep(120 * time.Millisecond)
	l.FileDone()
	s := out.String()
	if !strings.Contains(s, "\r\033[K    … migrating version 20260101000001 (20260101000001_big.sql) running 0s: INSERT INTO `new_big`") {
		t.Fatalf("no progress line in %q", s)
	}
	if !strings.Contains(s, "\r\033[K    -> INSERT INTO `new_big`") {
		t.Fatalf("progress line not cleared before the result: %q", s)
	}
}

// Off a terminal (Progress zero) nothing but the log is written.
func TestNoProgressOffTerminal(t *testing.T) {
	var out bytes.Buffer
	l := NewLogger(&out)
	l.File("migrating version %s", "1")
	l.Stmt("SELECT 1")
	time.Sleep(30 * time.Millisecond)
	l.FileDone()
	if strings.Contains(out.String(), "running") || strings.Contains(out.String(), "\r") {
		t.Fatalf("progress written off a terminal: %q", out.String())
	}
}
