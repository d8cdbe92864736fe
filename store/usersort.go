package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"
	"strings"
)

// sortByUser orders items by their users as SortUsers does (last name,
// first name, email, ignoring case), without a string per item: every key
// is written into one buffer and compared by its first eight bytes first.
// who-can sorts up to every user of the database within its 50 ms.
func sortByUser[T any](items []T, user func(*T) *User) {
	if len(items) < 2 {
		return
	}
	type key struct {
		head   uint64 // the key's first 8 bytes, big-endian: orders as bytes.Compare does
		lo, hi int32  // the whole key in buf
		i      int32
	}
	keys := make([]key, len(items))
	buf := make([]byte, 0, 48*len(items))
	for i := range items {
		u := user(&items[i])
		lo := len(buf)
		buf = appendLower(buf, u.Last)
		buf = append(buf, 0)
		buf = appendLower(buf, u.First)
		buf = append(buf, 0)
		buf = appendLower(buf, u.Email)
		var head [8]byte
		copy(head[:], buf[lo:])
		keys[i] = key{head: binary.BigEndian.Uint64(head[:]), lo: int32(lo), hi: int32(len(buf)), i: int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.head != b.head {
			return cmp.Compare(a.head, b.head)
		}
		return bytes.Compare(buf[a.lo:a.hi], buf[b.lo:b.hi])
	})
	sorted := make([]T, len(items))
	for j, k := range keys {
		sorted[j] = items[k.i]
	}
	copy(items, sorted)
}

// appendLower appends lower(s): ASCII folded in place, anything else as
// strings.ToLower folds it (the same bytes SortKey compares).
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(b, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
