package store

import (
	"syscall"
	"unsafe"
)

// madvHugePage is Linux's MADV_HUGEPAGE.
const madvHugePage = 14

// adviseHugePages asks the kernel to back b with huge pages where it can
// (transparent huge pages set to madvise, as distributions ship them): one
// fault per 2 MiB rather than per 4 KiB. Only advice: an error changes nothing.
func adviseHugePages(b []byte) {
	const page = 4096
	for len(b) > 0 && uintptr(unsafe.Pointer(&b[0]))%page != 0 {
		b = b[1:]
	}
	if len(b) >= 2<<20 {
		syscall.Madvise(b[:len(b)/page*page], madvHugePage)
	}
}
