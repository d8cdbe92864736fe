package store

import (
	"os"
	"slices"
)

// readAhead asks the kernel to read the pages ids (of pageSize bytes) of f
// ahead of the store's open, which reads them all: the users bucket's tree.
// A file the page cache no longer holds (after a reboot, or pushed out by
// other work) is then read in a few large requests while the users decode,
// rather than one page fault at a time under the decoders; for a file in
// the cache it is a few system calls. Runs closer than aheadGap pages are
// asked for as one (a leaf's overflow pages lie between).
func readAhead(f *os.File, pageSize uint64, ids []uint64) {
	if len(ids) == 0 || pageSize == 0 {
		return
	}
	slices.Sort(ids)
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j]-ids[j-1] <= aheadGap {
			j++
		}
		adviseWillNeed(f, int64(ids[i]*pageSize), int64((ids[j-1]-ids[i]+1)*pageSize))
		i = j
	}
}

const aheadGap = 8
