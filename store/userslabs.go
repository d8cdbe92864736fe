package store

import "unsafe"

// A big open decodes its users into memory the kernel may back with huge
// pages: at 100k users the 4 KiB pages their 38 MB were faulted in by were
// the third of the open's time on a busy 2-core machine (12k faults; 5k so).

// slabsFrom is the bucket sequence (the users ever added) from which an
// open's users come from huge-page pieces; a smaller open allocates per
// chunk, and no piece holds a 2 MiB page for a handful of users.
const slabsFrom = 20_000

// slabPieceUsers is how many users one piece holds (about 16 MiB: the
// unaligned ends, in small pages, are an eighth of it).
const slabPieceUsers = 16 << 20 / int(unsafe.Sizeof(User{}))

// userSlabs hands out the memory of each chunk's users, in file order, from
// pieces as large as the users still to come (by the bucket's sequence).
type userSlabs struct {
	left  int // users the sequence says may still come
	piece []User
}

func newUserSlabs(sequence uint64) *userSlabs {
	if sequence < slabsFrom {
		return nil
	}
	return &userSlabs{left: int(min(sequence, maxUserID))}
}

// take returns memory for n users (nil slabs: nil, the chunk allocates).
func (s *userSlabs) take(n int) []User {
	if s == nil {
		return nil
	}
	if len(s.piece) < n {
		s.piece = make([]User, max(n, min(s.left, slabPieceUsers)))
		adviseHugePages(unsafe.Slice((*byte)(unsafe.Pointer(&s.piece[0])), uintptr(len(s.piece))*unsafe.Sizeof(User{})))
	}
	out := s.piece[:n:n]
	s.piece = s.piece[n:]
	s.left = max(s.left-n, 0)
	return out
}
