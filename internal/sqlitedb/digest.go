package sqlitedb

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Two native SQL functions let the data-loss guard read every stored value
// inside SQLite's own scan, without converting rows to Go values (a
// database/sql scan of 1M rows costs ~1 s; this ~0.15 s):
//
//	sm_digest(slot, nkey, key..., col...)           per row: fold into Digest
//	sm_collect(slot, nkey, key..., v, text, q, kq)  per row: append a Record
//
// slot names the Go accumulator (NewDigest/NewCollection); nkey leading
// values form the row's key (its primary key; none = an unkeyed multiset).
// Both return NULL. They read storage classes and bytes exactly: a value's
// hash covers its class, so 25 and '25' differ.

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
type Digest struct {
	Rows    int64
	Sum     []uint64 // keyed: hash(key, value)
	Unkeyed []uint64 // hash(value) alone, for a successor keyed differently
	NonNull []int64
}

// Record is one stored value, for comparing a column value by value.
type Record struct {
	Key    uint64 // hash of the row key (0 when unkeyed)
	Class  int32
	Hash   uint64 // hash of class and bytes
	Num    uint64 // integer or float64 bits, for numeric comparison
	Text   uint64 // hash of CAST(v AS TEXT): equal renderings, equal hashes
	Quoted string // quote(v), shortened: for messages
	KeyQ   string // the key, quoted: for messages
}

var (
	slots   sync.Map // int64 → *Digest or *[]Record
	slotSeq atomic.Int64
)

// NewDigest returns a slot for sm_digest and its accumulator; call
// DropSlot when done.
func NewDigest(cols int) (int64, *Digest) {
	d := &Digest{Sum: make([]uint64, cols), Unkeyed: make([]uint64, cols), NonNull: make([]int64, cols)}
	id := slotSeq.Add(1)
	slots.Store(id, d)
	return id, d
}

// NewCollection returns a slot for sm_collect and the slice it fills.
func NewCollection() (int64, *[]Record) {
	rs := new([]Record)
	id := slotSeq.Add(1)
	slots.Store(id, rs)
	return id, rs
}

// DropSlot forgets a slot.
func DropSlot(id int64) { slots.Delete(id) }

var (
	digestPtr  = cfunc(digestFunc)
	collectPtr = cfunc(collectFunc)
)

func registerDigest(tls *libc.TLS, h uintptr) error {
	for name, fn := range map[string]uintptr{"sm_digest": digestPtr, "sm_collect": collectPtr} {
		z, err := libc.CString(name)
		if err != nil {
			return err
		}
		rc := sqlite3.Xsqlite3_create_function(tls, h, z, -1, sqlite3.SQLITE_UTF8, 0, fn, 0, 0)
		libc.Xfree(tls, z)
		if rc != sqlite3.SQLITE_OK {
			return fmt.Errorf("sqlitedb: register %s: code %d", name, rc)
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

func hashMem(p uintptr, n int32, seed uint64) uint64 {
	h := mix(seed ^ uint64(n)*0x9e3779b97f4a7c15)
	if n <= 0 || p == 0 {
		return h
	}
	b := unsafe.Slice((*byte)(cmem(p)), n)
	for len(b) >= 8 {
		h = mix(h ^ *(*uint64)(unsafe.Pointer(&b[0])) + 0x9e3779b97f4a7c15)
		b = b[8:]
	}
	var t uint64
	for i, c := range b {
		t |= uint64(c) << (8 * i)
	}
	return mix(h ^ t ^ uint64(len(b))<<56)
}

// value hashes one sqlite3_value; it also returns the class and the
// numeric bits.
func value(tls *libc.TLS, v uintptr) (class int32, h, num uint64) {
	class = sqlite3.Xsqlite3_value_type(tls, v)
	switch class {
	case sqlite3.SQLITE_INTEGER:
		num = uint64(sqlite3.Xsqlite3_value_int64(tls, v))
		h = mix(num ^ 0x1111111111111111)
	case sqlite3.SQLITE_FLOAT:
		num = math.Float64bits(sqlite3.Xsqlite3_value_double(tls, v))
		h = mix(num ^ 0x2222222222222222)
	case sqlite3.SQLITE_TEXT:
		p := sqlite3.Xsqlite3_value_text(tls, v)
		h = hashMem(p, sqlite3.Xsqlite3_value_bytes(tls, v), 0x3333333333333333)
	case sqlite3.SQLITE_BLOB:
		p := sqlite3.Xsqlite3_value_blob(tls, v)
		h = hashMem(p, sqlite3.Xsqlite3_value_bytes(tls, v), 0x4444444444444444)
	}
	return class, h, num
}

func keyHash(tls *libc.TLS, argv uintptr, nkey int32) uint64 {
	if nkey == 0 {
		return 0
	}
	k := uint64(0x5555555555555555)
	for i := int32(0); i < nkey; i++ {
		_, h, _ := value(tls, arg(argv, 2+i))
		k = mix(k*31 + h)
	}
	return k
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

func digestFunc(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	s, nkey, ok := header(tls, argv, argc)
	d, _ := s.(*Digest)
	if !ok || d == nil || int(argc-2-nkey) != len(d.Sum) {
		sqlite3.Xsqlite3_result_error(tls, ctx, errBadCall, -1)
		return
	}
	k := keyHash(tls, argv, nkey)
	d.Rows++
	for i := int32(0); i < argc-2-nkey; i++ {
		class, h, _ := value(tls, arg(argv, 2+nkey+i))
		if class == sqlite3.SQLITE_NULL {
			continue
		}
		d.Sum[i] += mix(k*0x9e3779b97f4a7c15 + h)
		d.Unkeyed[i] += h
		d.NonNull[i]++
	}
	sqlite3.Xsqlite3_result_null(tls, ctx)
}

func collectFunc(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	s, nkey, ok := header(tls, argv, argc)
	rs, _ := s.(*[]Record)
	if !ok || rs == nil || argc-2-nkey != 4 {
		sqlite3.Xsqlite3_result_error(tls, ctx, errBadCall, -1)
		return
	}
	base := 2 + nkey
	r := Record{Key: keyHash(tls, argv, nkey)}
	r.Class, r.Hash, r.Num = value(tls, arg(argv, base))
	if r.Class != sqlite3.SQLITE_NULL {
		_, r.Text, _ = value(tls, arg(argv, base+1))
		r.Quoted = text(tls, arg(argv, base+2))
		r.KeyQ = text(tls, arg(argv, base+3))
	}
	*rs = append(*rs, r)
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
