package sqlitedb

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/structmigrate/structmigrate/internal/ident"
)

// Two native SQL functions let the data-loss guard read every stored value
// inside SQLite's own scan, without converting rows to Go values (a
// database/sql scan of 1M rows costs ~1 s; this ~0.15 s):
//
//	sm_digest(slot, col...)                              aggregate: fold each row into Digest
//	sm_collect(slot, nkey, key..., (v, text, q, kq)...)  per row: append Records
//
// slot names the Go accumulator (NewDigest/NewCollection). A Digest knows
// which of its columns form the row key (its primary key; none = an
// unkeyed multiset), so each value is read and hashed once; sm_collect's
// nkey leading values form the key. sm_digest is an aggregate (one call per
// row, no result per row); sm_collect returns NULL. They read storage
// classes and bytes exactly: a value's hash covers its class, so 25 and
// '25' differ. Every hash is keyed by a secret drawn per process (seed).

// Storage classes, as sqlite3_value_type reports them.
const (
	ClassInteger = sqlite3.SQLITE_INTEGER
	ClassFloat   = sqlite3.SQLITE_FLOAT
	ClassText    = sqlite3.SQLITE_TEXT
	ClassBlob    = sqlite3.SQLITE_BLOB
	ClassNull    = sqlite3.SQLITE_NULL
)

// Digest is an order-independent checksum of a table: for every column the
// sum over rows of hash(row key, value), and its count of non-NULL values.
// Equal digests mean (up to hash collisions) the same values under the same
// keys; NULLs are not counted, so a column that held only NULLs digests to 0.
// A row without a key (an unkeyed table, or a key with a NULL in it: SQLite
// lets a non-INTEGER primary key hold NULL in several rows) is keyed by the
// hash of its whole row, so values moved between such rows change the sums.
type Digest struct {
	id      int64
	key     []int // positions of the key columns in key order; nil: unkeyed
	Rows    int64
	Sum     []uint64 // keyed: hash(key or whole row, value)
	Unkeyed []uint64 // hash(value) alone, to find a renamed column
	NonNull []int64
	label   []uint64 // per column, from its name: the whole-row hash's weights
	class   []int32  // scratch for one row
	hash    []uint64
}

// Record is one stored value, for comparing a column value by value.
type Record struct {
	// Key hashes the row key's text (CAST AS TEXT), as the guard's value rule
	// compares: a text key '1' that became the integer 1 keeps its row.
	Key     uint64
	KeyNull bool // the key has a NULL: not a row identity
	Class   int32
	Hash    uint64 // hash of class and bytes
	Num     uint64 // integer or float64 bits, for numeric comparison
	Text    uint64 // hash of CAST(v AS TEXT): equal renderings, equal hashes
	Quoted  string // quote(v), shortened: for messages
	KeyQ    string // the key, quoted: for messages
}

var (
	slots   sync.Map // int64 → *Digest or *[]Record
	slotSeq atomic.Int64
	// recent finds a live Digest by its slot without sync.Map's boxed
	// lookup, once per row of a 1M-row scan: slot id&255 → the newest
	// Digest there (an older one still live falls back to slots).
	recent [256]atomic.Pointer[Digest]
)

// seed keys every hash of the run. The hashes are sums of per-value terms,
// so with a public hash a file could compute a value that cancels another
// change in a column's sum; with a secret drawn per process it cannot.
var seed = func() (s [8]uint64) {
	var b [64]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	for i := range s {
		s[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return s
}()

const (
	seedInt = iota
	seedFloat
	seedText
	seedBlob
	seedOut
	seedKey
	seedRow
	seedLabel
)

// NewDigest returns a slot for sm_digest over the named columns and its
// accumulator; key lists the positions (in cols) of the row key's columns
// in key order, nil for an unkeyed digest. Call DropSlot when done.
func NewDigest(cols []string, key []int) (int64, *Digest, error) {
	n := len(cols)
	for _, k := range key {
		if k < 0 || k >= n {
			return 0, nil, fmt.Errorf("sqlitedb: digest key position %d of %d columns", k, n)
		}
	}
	d := &Digest{key: key, Sum: make([]uint64, n), Unkeyed: make([]uint64, n), NonNull: make([]int64, n),
		label: make([]uint64, n), class: make([]int32, n), hash: make([]uint64, n)}
	for i, c := range cols {
		d.label[i] = hashBytes([]byte(ident.Fold(c)), seed[seedLabel]) | 1
	}
	d.id = slotSeq.Add(1)
	slots.Store(d.id, d)
	recent[d.id&255].Store(d)
	return d.id, d, nil
}

// NewCollection returns a slot for sm_collect and the slice it fills: one
// Record per column per row, row by row.
func NewCollection() (int64, *[]Record) {
	rs := new([]Record)
	id := slotSeq.Add(1)
	slots.Store(id, rs)
	return id, rs
}

// DropSlot forgets a slot.
func DropSlot(id int64) {
	if v, ok := slots.LoadAndDelete(id); ok {
		if d, ok := v.(*Digest); ok {
			recent[id&255].CompareAndSwap(d, nil)
		}
	}
}

var (
	digestStepPtr  = cfunc(digestStep)
	digestFinalPtr = cfunc(digestFinal)
	collectPtr     = cfunc(collectFunc)
)

func registerDigest(tls *libc.TLS, h uintptr) error {
	for _, f := range []struct {
		name            string
		fn, step, final uintptr
	}{{"sm_digest", 0, digestStepPtr, digestFinalPtr}, {"sm_collect", collectPtr, 0, 0}} {
		z, err := libc.CString(f.name)
		if err != nil {
			return err
		}
		rc := sqlite3.Xsqlite3_create_function(tls, h, z, -1, sqlite3.SQLITE_UTF8, 0, f.fn, f.step, f.final)
		libc.Xfree(tls, z)
		if rc != sqlite3.SQLITE_OK {
			return fmt.Errorf("sqlitedb: register %s: code %d", f.name, rc)
		}
	}
	return nil
}

const ptrSize = unsafe.Sizeof(uintptr(0))

func arg(argv uintptr, i int32) uintptr {
	return *(*uintptr)(cmem(argv + uintptr(i)*ptrSize))
}

// cmem turns an address in SQLite's (C) memory, which Go's collector does
// not manage, into a pointer.
func cmem(p uintptr) unsafe.Pointer { return unsafe.Add(nil, p) }

func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// keyed is a keyed permutation of x: the public mixer with secret keys
// before and between its rounds (the Even–Mansour construction).
func keyed(x, k uint64) uint64 { return mix(mix(x^k) ^ seed[seedOut]) }

func hashMem(p uintptr, n int32, seed uint64) uint64 {
	if n <= 0 || p == 0 {
		return hashBytes(nil, seed)
	}
	return hashBytes(unsafe.Slice((*byte)(cmem(p)), n), seed)
}

func hashBytes(b []byte, k uint64) uint64 {
	h := mix(k ^ uint64(len(b))*0x9e3779b97f4a7c15)
	for len(b) >= 8 {
		h = mix(h ^ binary.LittleEndian.Uint64(b) + 0x9e3779b97f4a7c15)
		b = b[8:]
	}
	var t uint64
	for i, c := range b {
		t |= uint64(c) << (8 * i)
	}
	return mix(mix(h^t^uint64(len(b))<<56) ^ seed[seedOut])
}

// value hashes one sqlite3_value; it also returns the class and the
// numeric bits.
func value(tls *libc.TLS, v uintptr) (class int32, h, num uint64) {
	class = sqlite3.Xsqlite3_value_type(tls, v)
	switch class {
	case sqlite3.SQLITE_INTEGER:
		num = uint64(sqlite3.Xsqlite3_value_int64(tls, v))
		h = keyed(num, seed[seedInt])
	case sqlite3.SQLITE_FLOAT:
		num = math.Float64bits(sqlite3.Xsqlite3_value_double(tls, v))
		h = keyed(num, seed[seedFloat])
	case sqlite3.SQLITE_TEXT:
		// UTF-8 text is read in place (sqlite3_value_blob): value_text
		// would first copy a column's text to end it with a NUL. Other
		// encodings convert to UTF-8 as value_text does.
		var p uintptr
		if sqlite3.Xsqlite3_value_encoding(tls, v) == sqlite3.SQLITE_UTF8 {
			p = sqlite3.Xsqlite3_value_blob(tls, v)
		} else {
			p = sqlite3.Xsqlite3_value_text(tls, v)
		}
		h = hashMem(p, sqlite3.Xsqlite3_value_bytes(tls, v), seed[seedText])
	case sqlite3.SQLITE_BLOB:
		p := sqlite3.Xsqlite3_value_blob(tls, v)
		h = hashMem(p, sqlite3.Xsqlite3_value_bytes(tls, v), seed[seedBlob])
	}
	return class, h, num
}

// keyText hashes the row key's text, as CAST(k AS TEXT) renders it.
func keyText(tls *libc.TLS, argv uintptr, nkey int32) (k uint64, null bool) {
	k = seed[seedKey]
	var buf [24]byte
	for i := int32(0); i < nkey; i++ {
		v := arg(argv, 2+i)
		var h uint64
		switch sqlite3.Xsqlite3_value_type(tls, v) {
		case sqlite3.SQLITE_NULL:
			null = true
		case sqlite3.SQLITE_INTEGER:
			h = hashBytes(strconv.AppendInt(buf[:0], sqlite3.Xsqlite3_value_int64(tls, v), 10), seed[seedText])
		default: // a real renders as SQLite's CAST does; text and blob are their bytes
			p := sqlite3.Xsqlite3_value_text(tls, v)
			h = hashMem(p, sqlite3.Xsqlite3_value_bytes(tls, v), seed[seedText])
		}
		k = mix(k*31 + h)
	}
	return k, null
}

func header(tls *libc.TLS, argv uintptr, argc int32) (any, int32, bool) {
	if argc < 2 {
		return nil, 0, false
	}
	s, ok := slots.Load(sqlite3.Xsqlite3_value_int64(tls, arg(argv, 0)))
	nkey := int32(sqlite3.Xsqlite3_value_int64(tls, arg(argv, 1)))
	if !ok || nkey < 0 || 2+nkey > argc {
		return nil, 0, false
	}
	return s, nkey, true
}

// digest finds the Digest of a slot.
func digest(id int64) *Digest {
	if d := recent[id&255].Load(); d != nil && d.id == id {
		return d
	}
	v, _ := slots.Load(id)
	d, _ := v.(*Digest)
	return d
}

// digestStep folds one row into its Digest: each value hashed once, the
// row's key from its key columns' hashes.
func digestStep(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	var d *Digest
	if argc >= 1 {
		d = digest(sqlite3.Xsqlite3_value_int64(tls, arg(argv, 0)))
	}
	if d == nil || int(argc-1) != len(d.Sum) {
		sqlite3.Xsqlite3_result_error(tls, ctx, errBadCall, -1)
		return
	}
	d.Rows++
	n := argc - 1
	for i := int32(0); i < n; i++ {
		d.class[i], d.hash[i], _ = value(tls, arg(argv, 1+i))
	}
	// The row key exactly (class and bytes), from its columns' hashes.
	k, null := seed[seedKey], len(d.key) == 0
	for _, p := range d.key {
		null = null || d.class[p] == sqlite3.SQLITE_NULL
		k = mix(k*31 + d.hash[p])
	}
	if null {
		// No key, or a NULL in it: the whole row is the key, a sum of its
		// values weighted by their columns' labels, mixed (so that rows do
		// not add up linearly).
		r := seed[seedRow]
		for i := int32(0); i < n; i++ {
			if d.class[i] != sqlite3.SQLITE_NULL {
				r += d.hash[i] * d.label[i]
			}
		}
		k = mix(mix(r) ^ seed[seedOut])
	}
	for i := int32(0); i < n; i++ {
		if d.class[i] == sqlite3.SQLITE_NULL {
			continue
		}
		h := d.hash[i]
		d.Sum[i] += mix(k*0x9e3779b97f4a7c15 + h)
		d.Unkeyed[i] += h
		d.NonNull[i]++
	}
}

func digestFinal(tls *libc.TLS, ctx uintptr) { sqlite3.Xsqlite3_result_null(tls, ctx) }

// collectFunc appends, for each group of (v, text, quoted, key quoted)
// after the key, one Record.
func collectFunc(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	s, nkey, ok := header(tls, argv, argc)
	rs, _ := s.(*[]Record)
	if !ok || rs == nil || argc-2-nkey < 4 || (argc-2-nkey)%4 != 0 {
		sqlite3.Xsqlite3_result_error(tls, ctx, errBadCall, -1)
		return
	}
	k, null := keyText(tls, argv, nkey)
	for base := 2 + nkey; base < argc; base += 4 {
		r := Record{Key: k, KeyNull: null}
		r.Class, r.Hash, r.Num = value(tls, arg(argv, base))
		if r.Class != sqlite3.SQLITE_NULL {
			_, r.Text, _ = value(tls, arg(argv, base+1))
			r.Quoted = text(tls, arg(argv, base+2))
		}
		r.KeyQ = text(tls, arg(argv, base+3))
		*rs = append(*rs, r)
	}
	sqlite3.Xsqlite3_result_null(tls, ctx)
}

func text(tls *libc.TLS, v uintptr) string {
	p := sqlite3.Xsqlite3_value_text(tls, v)
	if p == 0 {
		return ""
	}
	n := sqlite3.Xsqlite3_value_bytes(tls, v)
	return string(unsafe.Slice((*byte)(cmem(p)), n))
}

// errBadCall is a C string that lives as long as the program.
var errBadCall = func() uintptr {
	tls := libc.NewTLS()
	defer tls.Close()
	z, err := libc.CString("sm_digest/sm_collect: bad arguments")
	if err != nil {
		panic(err)
	}
	return z
}()
