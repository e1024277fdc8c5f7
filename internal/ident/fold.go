package ident

// Fold returns name as SQLite compares identifiers: only the ASCII letters
// A-Z fold to lower case ("Ä" and "ä" are two tables, and so are the
// Kelvin sign and "k"). strings.ToLower and strings.EqualFold fold Unicode
// and would make two distinct tables or columns one.
func Fold(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; 'A' <= c && c <= 'Z' {
			b := []byte(name)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return name
}

// SameName reports whether SQLite takes a and b for the same identifier.
func SameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
